//! Group commit: instance writes are handed to a writer task, which writes everything queued
//! at that moment in ONE store transaction.
//!
//! Two such writers exist: one for running instances' state changes ([`GroupCommitter`],
//! `commit_many`) and one for new manual and run-once instances ([`GroupInserter`],
//! `insert_instances`: a burst of RunOnce calls).
//!
//! Why: SQLite has a single writer and each transaction costs its `BEGIN`/`COMMIT` round trips
//! and a WAL append; a thousand instances each committing alone queue behind one another
//! (BENCHMARKS.md, W3/W4/W6). Batching what is already waiting adds no delay when the engine is
//! idle (a lone write is written at once) and turns a storm into a few large transactions.
//!
//! Guarantees are unchanged: a caller's write returns only after the transaction holding it has
//! committed, so everything acknowledged is durable; each change keeps its own compare-and-set
//! (the store checks a commit's instance row before writing any of it, so a lost race writes
//! nothing). When a batch fails as a whole, its writes are retried one by one, so one bad write
//! cannot fail the others.

use async_trait::async_trait;
use dlf_store::{InstanceCommit, InstanceRecord, NewInstance, Store, StoreError, StoreResult};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most writes in one transaction.
const MAX_BATCH: usize = 256;

/// One kind of batched write.
#[async_trait]
trait BatchedWrite: Send + Sync + 'static {
    type Item: Send + Sync + 'static;
    type Answer: Send + 'static;
    /// What the batch is called in logs.
    const WHAT: &'static str;
    async fn many(store: &dyn Store, items: &[Self::Item]) -> StoreResult<Vec<Self::Answer>>;
    async fn one(store: &dyn Store, item: &Self::Item) -> StoreResult<Self::Answer>;
}

struct Pending<W: BatchedWrite> {
    item: W::Item,
    reply: oneshot::Sender<StoreResult<W::Answer>>,
}

/// The queue of one writer task; the task lives as long as the queue's sender.
struct Writer<W: BatchedWrite> {
    queue: mpsc::UnboundedSender<Pending<W>>,
}

impl<W: BatchedWrite> Writer<W> {
    fn start(store: Arc<dyn Store>) -> Writer<W> {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(run::<W>(store, rx));
        Writer { queue }
    }

    async fn write(&self, item: W::Item) -> StoreResult<W::Answer> {
        let (reply, answer) = oneshot::channel();
        self.queue.send(Pending { item, reply }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Open("the engine's writer task has stopped".into())
}

async fn run<W: BatchedWrite>(store: Arc<dyn Store>, mut rx: mpsc::UnboundedReceiver<Pending<W>>) {
    let mut batch: Vec<Pending<W>> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (items, replies): (Vec<W::Item>, Vec<_>) = batch.drain(..).map(|p| (p.item, p.reply)).unzip();
        match W::many(store.as_ref(), &items).await {
            Ok(answers) => {
                for (reply, answer) in replies.into_iter().zip(answers) {
                    let _ = reply.send(Ok(answer));
                }
            }
            Err(e) if items.len() == 1 => {
                let _ = replies.into_iter().next().expect("one pending write").send(Err(e));
            }
            Err(e) => {
                tracing::warn!(writes = items.len(), what = W::WHAT, error = %e, "a batched write failed; writing one by one");
                for (item, reply) in items.iter().zip(replies) {
                    let _ = reply.send(W::one(store.as_ref(), item).await);
                }
            }
        }
    }
}

struct Commits;

#[async_trait]
impl BatchedWrite for Commits {
    type Item = InstanceCommit;
    type Answer = bool;
    const WHAT: &'static str = "instance commits";
    async fn many(store: &dyn Store, items: &[InstanceCommit]) -> StoreResult<Vec<bool>> {
        store.commit_many(items).await
    }
    async fn one(store: &dyn Store, item: &InstanceCommit) -> StoreResult<bool> {
        store.commit(item).await
    }
}

struct Inserts;

#[async_trait]
impl BatchedWrite for Inserts {
    type Item = NewInstance;
    type Answer = Option<InstanceRecord>;
    const WHAT: &'static str = "new instances";
    async fn many(store: &dyn Store, items: &[NewInstance]) -> StoreResult<Vec<Option<InstanceRecord>>> {
        store.insert_instances(items).await
    }
    async fn one(store: &dyn Store, item: &NewInstance) -> StoreResult<Option<InstanceRecord>> {
        store.insert_instance(item).await
    }
}

/// The handle instance tasks commit through.
pub struct GroupCommitter(Writer<Commits>);

impl GroupCommitter {
    /// Starts the committer task on the current tokio runtime.
    pub fn start(store: Arc<dyn Store>) -> GroupCommitter {
        GroupCommitter(Writer::start(store))
    }

    /// Applies `commit` (compare-and-set on its instance status, as `Store::commit`); `Ok(false)`
    /// when the instance was no longer in the expected status and nothing was written.
    pub async fn commit(&self, commit: InstanceCommit) -> StoreResult<bool> {
        self.0.write(commit).await
    }
}

/// The handle new manual and run-once instances are created through.
pub struct GroupInserter(Writer<Inserts>);

impl GroupInserter {
    /// Starts the inserter task on the current tokio runtime.
    pub fn start(store: Arc<dyn Store>) -> GroupInserter {
        GroupInserter(Writer::start(store))
    }

    /// Creates the instance and its node rows, as `Store::insert_instance`.
    pub async fn insert(&self, instance: NewInstance) -> StoreResult<Option<InstanceRecord>> {
        self.0.write(instance).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dlf_core::model::{InstanceStatus, InstanceType};
    use dlf_store::{InstanceRecord, JobFields, NewInstance, NewJob};

    async fn store_with_instances(n: usize) -> (Arc<dyn Store>, Vec<InstanceRecord>) {
        let store = dlf_store::open("sqlite::memory:").await.unwrap();
        let ws = store.default_workspace("p1", 0).await.unwrap();
        let fields = JobFields {
            document: "{}".into(),
            process_type: "BATCH".into(),
            directory: "/".into(),
            owner: None,
            priority: 0,
            single_node: true,
            schedule_end_ms: None,
            tags: vec![],
            depends_on: vec![],
        };
        let new_job =
            NewJob { workspace_id: ws.id.clone(), name: "j".into(), fields, user: "u".into(), now_ms: 1, submit: true };
        let job = store.insert_job(&new_job).await.unwrap();
        let mut records = Vec::new();
        for k in 0..n as i64 {
            let new = NewInstance {
                workspace_id: ws.id.clone(),
                job_id: job.id(),
                job_name: "j".into(),
                instance_type: InstanceType::Manual,
                plan_ms: 1000 + k,
                status: InstanceStatus::Waiting,
                version: 1,
                submit_ms: 1,
                created_ms: 1000 + k,
                params: None,
                ignore_depend: false,
                nodes: vec![("a".into(), "Dummy".into())],
            };
            records.push(store.insert_instance(&new).await.unwrap().unwrap());
        }
        (store, records)
    }

    fn to_status(record: &InstanceRecord, status: InstanceStatus) -> InstanceCommit {
        let mut next = record.clone();
        next.status = status;
        InstanceCommit { instance: Some((next, record.status)), ..Default::default() }
    }

    #[tokio::test]
    async fn concurrent_commits_all_land_and_each_keeps_its_compare_and_set() {
        let (store, records) = store_with_instances(50).await;
        let committer = Arc::new(GroupCommitter::start(store.clone()));
        let mut tasks = Vec::new();
        for r in &records {
            let c = committer.clone();
            let commit = to_status(r, InstanceStatus::Running);
            tasks.push(tokio::spawn(async move { c.commit(commit).await }));
        }
        for t in tasks {
            assert!(t.await.unwrap().unwrap(), "every first transition applies");
        }
        for r in &records {
            assert_eq!(store.find_instance(r.id).await.unwrap().unwrap().status, InstanceStatus::Running);
        }
        // The same transition again expects `waiting`, which no instance has any more.
        let stale = committer.commit(to_status(&records[0], InstanceStatus::Running)).await.unwrap();
        assert!(!stale, "a lost compare-and-set reports false");
    }

    #[tokio::test]
    async fn concurrent_inserts_each_get_their_own_instance() {
        let (store, records) = store_with_instances(1).await;
        let inserter = Arc::new(GroupInserter::start(store.clone()));
        let template = NewInstance {
            workspace_id: records[0].workspace_id.clone(),
            job_id: records[0].job_id,
            job_name: "j".into(),
            instance_type: InstanceType::Manual,
            plan_ms: 2000,
            status: InstanceStatus::Waiting,
            version: 1,
            submit_ms: 1,
            created_ms: 2000,
            params: None,
            ignore_depend: true,
            nodes: vec![("a".into(), "Dummy".into())],
        };
        let tasks: Vec<_> = (0..100)
            .map(|k| {
                let (inserter, mut new) = (inserter.clone(), template.clone());
                new.params = Some(format!("{{\"k\":{k}}}"));
                tokio::spawn(async move { inserter.insert(new).await })
            })
            .collect();
        let mut ids = std::collections::HashSet::new();
        for (k, t) in tasks.into_iter().enumerate() {
            let created = t.await.unwrap().unwrap().expect("a manual instance is always created");
            assert_eq!(created.params, Some(format!("{{\"k\":{k}}}")), "each caller gets its own instance back");
            assert_eq!(store.node_instances(created.id).await.unwrap().len(), 1);
            ids.insert(created.id);
        }
        assert_eq!(ids.len(), 100);
    }
}
