//! Group commit: running instances hand their state changes to one committer task, which
//! writes everything queued at that moment in ONE store transaction (`commit_many`).
//!
//! Why: SQLite has a single writer and each transaction costs its `BEGIN`/`COMMIT` round trips
//! and a WAL append; a thousand instances each committing alone queue behind one another
//! (BENCHMARKS.md, W3/W4). Batching what is already waiting adds no delay when the engine is
//! idle (a lone commit is written at once) and turns a storm into a few large transactions.
//!
//! Guarantees are unchanged: a caller's `commit` returns only after the transaction holding
//! its change has committed, so everything acknowledged is durable; each change keeps its own
//! compare-and-set (the store checks a commit's instance row before writing any of it, so a
//! lost race writes nothing). When a batch fails as a whole, its commits are retried one by
//! one, so one bad change cannot fail the others.

use dlf_store::{InstanceCommit, Store, StoreError, StoreResult};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most commits written in one transaction.
const MAX_BATCH: usize = 256;

struct Pending {
    commit: InstanceCommit,
    reply: oneshot::Sender<StoreResult<bool>>,
}

/// The handle instance tasks commit through; the committer task lives as long as a handle.
pub struct GroupCommitter {
    queue: mpsc::UnboundedSender<Pending>,
}

impl GroupCommitter {
    /// Starts the committer task on the current tokio runtime.
    pub fn start(store: Arc<dyn Store>) -> GroupCommitter {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(store, rx));
        GroupCommitter { queue }
    }

    /// Applies `commit` (compare-and-set on its instance status, as `Store::commit`); `Ok(false)`
    /// when the instance was no longer in the expected status and nothing was written.
    pub async fn commit(&self, commit: InstanceCommit) -> StoreResult<bool> {
        let (reply, answer) = oneshot::channel();
        self.queue.send(Pending { commit, reply }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Open("the engine's committer has stopped".into())
}

async fn run(store: Arc<dyn Store>, mut rx: mpsc::UnboundedReceiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let commits: Vec<InstanceCommit> = batch.iter().map(|p| p.commit.clone()).collect();
        match store.commit_many(&commits).await {
            Ok(results) => {
                for (pending, applied) in batch.drain(..).zip(results) {
                    let _ = pending.reply.send(Ok(applied));
                }
            }
            Err(e) if batch.len() == 1 => {
                let pending = batch.pop().expect("one pending commit");
                let _ = pending.reply.send(Err(e));
            }
            Err(e) => {
                tracing::warn!(commits = batch.len(), error = %e, "batched commit failed; committing one by one");
                for pending in batch.drain(..) {
                    let result = store.commit(&pending.commit).await;
                    let _ = pending.reply.send(result);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let new_job = NewJob { workspace_id: ws.id.clone(), name: "j".into(), fields, user: "u".into(), now_ms: 1, submit: true };
        let job = store.insert_job(&new_job).await.unwrap();
        let mut records = Vec::new();
        for k in 0..n as i64 {
            let new = NewInstance {
                workspace_id: ws.id.clone(),
                job_id: job.id(),
                job_name: "j".into(),
                instance_type: 2,
                plan_ms: 1000 + k,
                status: "waiting".into(),
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

    fn to_status(record: &InstanceRecord, status: &str) -> InstanceCommit {
        let mut next = record.clone();
        next.status = status.to_string();
        InstanceCommit { instance: Some((next, record.status.clone())), ..Default::default() }
    }

    #[tokio::test]
    async fn concurrent_commits_all_land_and_each_keeps_its_compare_and_set() {
        let (store, records) = store_with_instances(50).await;
        let committer = Arc::new(GroupCommitter::start(store.clone()));
        let mut tasks = Vec::new();
        for r in &records {
            let c = committer.clone();
            let commit = to_status(r, "running");
            tasks.push(tokio::spawn(async move { c.commit(commit).await }));
        }
        for t in tasks {
            assert!(t.await.unwrap().unwrap(), "every first transition applies");
        }
        for r in &records {
            assert_eq!(store.find_instance(r.id).await.unwrap().unwrap().status, "running");
        }
        // The same transition again expects `waiting`, which no instance has any more.
        let stale = committer.commit(to_status(&records[0], "running")).await.unwrap();
        assert!(!stale, "a lost compare-and-set reports false");
    }
}
