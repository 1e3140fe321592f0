//! Child instances of SubJob and For Each nodes (JOBS.md §3.2, `instanceType` 6): the engine's
//! side of [`ChildInstances`], the notification of instance ends they wait on, the save-time
//! refusal of jobs that would run themselves, and the list of a parent's children.
//!
//! - **No cycle of ownership.** The runners are built with the engine, and hold it only through
//!   [`EngineChildren`], a weak handle: the engine owns its runners, never the reverse.
//! - **One child per key.** A child is keyed by (parent instance, node, round, row) in the
//!   store (`child_instances`). The round is `rerun_count * 1000 + counted attempt` of the
//!   parent node: a retry or a rerun creates new children, while an attempt a dead server left
//!   running is counted as interrupted (`NodeRunner::survives_restart`), so the next attempt
//!   has the same round and finds its children again instead of creating second ones.
//! - **Children run as manual runs do**: their plan time is the parent's (due at once), they
//!   ignore their job's schedule, its cross-job dependencies and its instance-concurrency limit
//!   (the parent's `concurrent` bounds a For Each), and run the job's latest submitted version.
//! - **Waiting is a notification**: every instance end (its task's last commit, or a waiting
//!   instance ended by the dispatcher or an operator) is announced to the waiters of that id; a
//!   slow safety re-read of the store covers ends this process does not see.
//! - **Decisions**: a `subJobName` that names no job fails the node at run time, not the save
//!   (JOBS.md §1: targets must exist at run time; the UI saves first). A job that would contain
//!   itself through SubJob / For Each — directly or through other jobs, A → B → A — is refused
//!   at save time (`DLF.3051`, the message naming the cycle); names built with EL cannot be
//!   checked then, so a child whose job is already among its ancestors fails the node at run
//!   time too. Nesting (a child job that itself holds SubJob nodes) is allowed, to a depth of
//!   [`MAX_DEPTH`].

use crate::runners::AttemptSpec;
use crate::runners::subjob::{ChildCall, ChildInstances, ChildScope, StartedChild};
use crate::{Engine, EngineInner, Tenant, internal};
use async_trait::async_trait;
use dlf_core::model::{InstanceStatus, InstanceType, JobDocument, ProcessType};
use dlf_core::state::{self, InstanceEvent};
use dlf_core::{DlfError, ErrorCode};
use dlf_store::{ChildLink, InstanceRecord, NewChild, NewInstance};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::oneshot;

/// Deepest chain of parents a child may have.
pub const MAX_DEPTH: usize = 16;
/// How often a waiter re-reads the store when no end was announced (ends this process cannot
/// see: another server sharing the database, an instance that failed to load).
const SAFETY_RECHECK: Duration = Duration::from_secs(5);

/// Node types that call other jobs, and the property that names the job.
fn calls_jobs(node_type: &str) -> bool {
    matches!(node_type, "SubJob" | "Subjob" | "ForEach")
}

/// The jobs a document calls by a fixed name (names built with EL are checked at run time).
fn called_jobs(doc: &JobDocument) -> Vec<String> {
    let mut names: Vec<String> = doc
        .nodes
        .iter()
        .filter(|n| calls_jobs(&n.node_type))
        .filter_map(|n| n.property("subJobName"))
        .map(str::trim)
        .filter(|n| !n.is_empty() && !n.contains("${") && !n.contains("#{"))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Who waits for which instance to end.
#[derive(Default)]
pub(crate) struct EndWatch {
    waiters: Mutex<HashMap<i64, Vec<oneshot::Sender<InstanceStatus>>>>,
}

impl EndWatch {
    fn watch(&self, instance_id: i64) -> oneshot::Receiver<InstanceStatus> {
        let (tx, rx) = oneshot::channel();
        let mut waiters = self.waiters.lock().expect("lock");
        let list = waiters.entry(instance_id).or_default();
        list.retain(|w| !w.is_closed());
        list.push(tx);
        rx
    }

    fn notify(&self, instance_id: i64, status: InstanceStatus) {
        let waiting = self.waiters.lock().expect("lock").remove(&instance_id);
        for tx in waiting.into_iter().flatten() {
            let _ = tx.send(status);
        }
    }
}

/// The engine as SubJob and For Each runners see it: a weak handle.
pub(crate) struct EngineChildren {
    engine: Weak<EngineInner>,
}

impl EngineChildren {
    pub(crate) fn new(engine: Weak<EngineInner>) -> EngineChildren {
        EngineChildren { engine }
    }

    fn engine(&self) -> Option<Engine> {
        self.engine.upgrade().map(|inner| Engine { inner })
    }
}

#[async_trait]
impl ChildInstances for EngineChildren {
    async fn open(&self, spec: &AttemptSpec, job_name: &str) -> Result<ChildScope, String> {
        let engine = self.engine().ok_or("the server is shutting down")?;
        engine.child_scope(spec, job_name).await
    }

    async fn start(&self, scope: &ChildScope, calls: &[ChildCall]) -> Result<Vec<StartedChild>, String> {
        let engine = self.engine().ok_or("the server is shutting down")?;
        engine.start_children(scope, calls).await
    }

    async fn ended(&self, instance_id: i64) -> Option<InstanceStatus> {
        loop {
            let watch = {
                let engine = self.engine()?;
                let watch = engine.inner.instance_ends.watch(instance_id);
                match engine.store().find_instance(instance_id).await {
                    Ok(Some(i)) if i.status.is_terminal() => return Some(i.status),
                    Ok(None) => return None,
                    Ok(Some(_)) => {}
                    Err(e) => {
                        let _ = internal(e);
                    }
                }
                watch
                // The engine is not held while waiting.
            };
            if let Ok(Ok(status)) = tokio::time::timeout(SAFETY_RECHECK, watch).await {
                return Some(status);
            }
        }
    }

    async fn stop(&self, instance_id: i64) {
        let Some(engine) = self.engine() else { return };
        if let Err(e) = engine.stop_instance_id(instance_id).await {
            tracing::warn!(instance_id, error = %e.message, "cannot stop a child instance");
        }
    }

    fn shutting_down(&self) -> bool {
        self.engine().is_none_or(|e| e.inner.runtime.shutdown.is_cancelled())
    }
}

impl Engine {
    /// Announces that an instance ended (with `status`) to whoever waits for it.
    pub(crate) fn instance_end_notify(&self, instance_id: i64, status: InstanceStatus) {
        self.inner.instance_ends.notify(instance_id, status);
    }

    /// Resolves what one attempt's children need (see [`ChildInstances::open`]).
    async fn child_scope(&self, spec: &AttemptSpec, job_name: &str) -> Result<ChildScope, String> {
        let store_failed = |e| internal(e).message;
        let parent = self
            .store()
            .find_instance(spec.instance_id)
            .await
            .map_err(store_failed)?
            .ok_or_else(|| format!("the instance {} is gone", spec.instance_id))?;
        let rows = self.store().node_instances(parent.id).await.map_err(store_failed)?;
        let row = rows
            .iter()
            .find(|r| r.node_name == spec.node_name)
            .ok_or_else(|| format!("the node '{}' has no row", spec.node_name))?;
        let counted = (row.attempts - row.interrupted).max(1);
        let round = parent.rerun_count.saturating_mul(1000).saturating_add(counted);
        let job = self
            .store()
            .find_job(&parent.workspace_id, job_name)
            .await
            .map_err(store_failed)?
            .ok_or_else(|| format!("the job '{job_name}' named by subJobName does not exist"))?;
        if job.summary.process_type == ProcessType::RealTime.as_str() {
            return Err(format!("the job '{job_name}' is a real-time job; SubJob and ForEach call batch jobs only"));
        }
        self.check_ancestry(&parent, job.id(), job_name).await?;
        let (version, submit_ms, _) = self.submitted_document(&job).await.map_err(|e| e.message)?;
        let plan = self.job_plan(job.id(), version).await.map_err(|e| e.message)?;
        Ok(ChildScope {
            workspace_id: parent.workspace_id.clone(),
            parent_instance_id: parent.id,
            parent_node: spec.node_name.clone(),
            round,
            plan_ms: parent.plan_ms,
            job_id: job.id(),
            job_name: job.name().to_string(),
            version,
            submit_ms,
            nodes: Arc::new(plan.doc.nodes.iter().map(|n| (n.name.clone(), n.node_type.clone())).collect()),
        })
    }

    /// Refuses a child whose job is the parent's or one of its ancestors' (a cycle that a name
    /// built with EL hid from the save-time check), or a chain deeper than [`MAX_DEPTH`].
    async fn check_ancestry(&self, parent: &InstanceRecord, job_id: i64, job_name: &str) -> Result<(), String> {
        let mut chain = vec![job_name.to_string()];
        let mut current = parent.clone();
        for _ in 0..MAX_DEPTH {
            chain.push(current.job_name.clone());
            if current.job_id == job_id {
                chain.reverse();
                return Err(format!("the job '{job_name}' would run itself: {}", chain.join(" -> ")));
            }
            let links = self.store().child_links(&[current.id]).await.map_err(|e| internal(e).message)?;
            let Some(link) = links.first() else { return Ok(()) };
            match self.store().find_instance(link.parent_instance_id).await.map_err(|e| internal(e).message)? {
                Some(up) => current = up,
                None => return Ok(()),
            }
        }
        Err(format!("SubJob and ForEach nest deeper than {MAX_DEPTH} levels"))
    }

    /// Creates (or finds again) children, and hands the new ones to the dispatcher.
    async fn start_children(&self, scope: &ChildScope, calls: &[ChildCall]) -> Result<Vec<StartedChild>, String> {
        let now = self.now_ms();
        let created = InstanceEvent::Created { manual_confirm: false, pre_frozen: false };
        let status = state::next_instance_status(None, &created).map_err(|e| e.to_string())?;
        let children: Vec<NewChild> = calls
            .iter()
            .map(|call| NewChild {
                instance: NewInstance {
                    workspace_id: scope.workspace_id.clone(),
                    job_id: scope.job_id,
                    job_name: scope.job_name.clone(),
                    instance_type: InstanceType::SubJob,
                    plan_ms: scope.plan_ms,
                    status,
                    version: scope.version,
                    submit_ms: scope.submit_ms,
                    created_ms: now,
                    params: call.params.clone(),
                    ignore_depend: true,
                    nodes: scope.nodes.as_ref().clone(),
                },
                link: ChildLink {
                    instance_id: 0,
                    parent_instance_id: scope.parent_instance_id,
                    parent_node: scope.parent_node.clone(),
                    parent_round: scope.round,
                    parent_row: call.row,
                    instance_name: call.instance_name.clone(),
                },
            })
            .collect();
        let inserted = self.store().insert_children(&children).await.map_err(|e| internal(e).message)?;
        Ok(inserted
            .into_iter()
            .map(|(record, _, created)| {
                let instance_id = record.id;
                if created {
                    self.enqueue(record);
                }
                StartedChild { instance_id, created }
            })
            .collect())
    }

    /// Refuses a job document that would run itself through SubJob / For Each, directly or
    /// through the jobs it calls (their development documents and submitted versions).
    pub(crate) async fn check_no_subjob_cycle(&self, tenant: &Tenant, doc: &JobDocument) -> Result<(), DlfError> {
        let root = doc.name.clone();
        // Depth-first over job names; `path` is the chain from the root.
        let mut stack: Vec<(Vec<String>, String)> =
            called_jobs(doc).into_iter().map(|n| (vec![root.clone()], n)).collect();
        let mut seen: HashMap<String, Vec<String>> = HashMap::new();
        while let Some((path, name)) = stack.pop() {
            if name == root {
                let mut chain = path.clone();
                chain.push(name);
                return Err(DlfError::with_message(
                    ErrorCode::InvalidParameter,
                    format!(
                        "The request parameter is invalid: the job {root} would run itself through SubJob/ForEach: {}",
                        chain.join(" -> ")
                    ),
                ));
            }
            if seen.contains_key(&name) || path.len() > 64 {
                continue;
            }
            seen.insert(name.clone(), path.clone());
            let Some(job) = self.store().find_job(tenant.workspace_id(), &name).await.map_err(internal)? else {
                continue;
            };
            let mut docs = vec![crate::jobs::stored_document(&job.document)?];
            if job.summary.submitted_version > 0
                && let Ok((_, _, submitted)) = self.submitted_document(&job).await
            {
                docs.push(submitted);
            }
            let mut next_path = path.clone();
            next_path.push(name.clone());
            for d in &docs {
                for called in called_jobs(d) {
                    stack.push((next_path.clone(), called));
                }
            }
        }
        Ok(())
    }

    /// Stops an instance by id (a child whose parent stopped): as StopJobInstance does.
    pub(crate) async fn stop_instance_id(&self, instance_id: i64) -> Result<(), DlfError> {
        let instance = self
            .store()
            .find_instance(instance_id)
            .await
            .map_err(internal)?
            .ok_or_else(DlfError::instance_not_found)?;
        if instance.status.is_terminal() {
            return Ok(());
        }
        self.stop_instance_record(instance).await
    }

    /// Extension: the children a parent instance started, oldest first, with their links.
    pub async fn instance_children(
        &self,
        tenant: &Tenant,
        instance_id: &str,
    ) -> Result<Vec<(InstanceRecord, ChildLink)>, DlfError> {
        let id: i64 = instance_id.trim().parse().map_err(|_| DlfError::instance_not_found())?;
        let parent =
            self.store().find_instance(id).await.map_err(internal)?.ok_or_else(DlfError::instance_not_found)?;
        if parent.workspace_id != tenant.workspace_id() {
            return Err(DlfError::instance_not_found());
        }
        self.store().children_of(id).await.map_err(internal)
    }
}
