//! SubJob and For Each (JOBS.md §3.2): the node runs other jobs as child instances
//! (`instanceType` 6) and ends as they end.
//!
//! One runner serves both types: a SubJob node is a For Each over one row with `concurrent` 1.
//! What each child gets — its parameters, its `jobInstanceName` — is computed by the engine when
//! it prepares the attempt ([`AttemptSpec::child_calls`]): the For Each `dataset` is evaluated
//! once and each row's `jobParams` with `Loop` bound, in the parent's EL context, which only the
//! engine has. The runner creates, watches and stops the children through [`ChildInstances`],
//! which the engine implements over a weak handle on itself: a runner never keeps the engine
//! alive, and never touches the store.
//!
//! - at most `concurrent` children run at once; more start as others end;
//! - a child that ends `fail` or `manual-stop` fails the node: no further child starts, the
//!   running ones are waited for, then the node fails;
//! - a cancel (stop, timeout, a `FAIL` failure elsewhere) stops every running child before the
//!   attempt returns `Stopped`; at a server shutdown the children are left alone, and the
//!   node's next attempt finds them again (the engine keys children by parent instance, node,
//!   round and row, [`NodeRunner::survives_restart`]);
//! - waiting for a child is a notification of its end, not a poll of the store.

use super::{AttemptContext, AttemptOutcome, AttemptSpec, NodeRunner};
use async_trait::async_trait;
use dlf_core::model::InstanceStatus;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;

/// One child to start: its row (0 for SubJob), its parameter overrides (a JSON object; `None`:
/// the child job's own values) and its `jobInstanceName`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildCall {
    pub row: i64,
    pub params: Option<String>,
    pub instance_name: String,
}

/// What the engine resolved for one attempt's children: the parent and the child job's
/// latest submitted version. Opaque to the runner; handed back on every start.
#[derive(Clone, Debug)]
pub struct ChildScope {
    pub workspace_id: String,
    pub parent_instance_id: i64,
    pub parent_node: String,
    /// Tells the parent's runs apart (rerun of the instance, counted attempt of the node).
    pub round: i64,
    pub plan_ms: i64,
    pub job_id: i64,
    pub job_name: String,
    pub version: i64,
    pub submit_ms: i64,
    pub nodes: Arc<Vec<(String, String)>>,
}

/// A child that exists: created now, or found again after a restart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartedChild {
    pub instance_id: i64,
    pub created: bool,
}

/// What a SubJob or For Each attempt asks of the engine.
#[async_trait]
pub trait ChildInstances: Send + Sync {
    /// Resolves the child job (`subJobName`, latest submitted version) for this attempt, or
    /// why the node cannot call it (missing, not submitted, real-time, a job that would run
    /// itself).
    async fn open(&self, spec: &AttemptSpec, job_name: &str) -> Result<ChildScope, String>;
    /// Creates the children of `calls` (or finds the ones started before a restart), in order.
    async fn start(&self, scope: &ChildScope, calls: &[ChildCall]) -> Result<Vec<StartedChild>, String>;
    /// Waits until the child instance has ended; its final status (`None`: the server is
    /// going away, or the instance is gone).
    async fn ended(&self, instance_id: i64) -> Option<InstanceStatus>;
    /// Stops a child; returns once its end is persisted.
    async fn stop(&self, instance_id: i64);
    /// The server is shutting down: a cancel then leaves the children for the next start.
    fn shutting_down(&self) -> bool;
}

/// The SubJob (`for_each: false`) and For Each runner.
pub struct ChildJobRunner {
    children: Arc<dyn ChildInstances>,
    for_each: bool,
}

impl ChildJobRunner {
    pub fn new(children: Arc<dyn ChildInstances>, for_each: bool) -> ChildJobRunner {
        ChildJobRunner { children, for_each }
    }

    /// `concurrent` of a For Each node (≥ 1, default 1); 1 for SubJob.
    fn concurrency(&self, spec: &AttemptSpec) -> Result<usize, String> {
        if !self.for_each {
            return Ok(1);
        }
        match spec.property("concurrent").map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(1),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(format!("concurrent must be a whole number of at least 1, not '{v}'")),
            },
        }
    }

    /// Stops every child still running, all at once.
    async fn stop_all(&self, running: &HashMap<i64, i64>) {
        let mut stops = JoinSet::new();
        for &id in running.keys() {
            let children = self.children.clone();
            stops.spawn(async move { children.stop(id).await });
        }
        while stops.join_next().await.is_some() {}
    }
}

async fn fail(ctx: &mut AttemptContext<'_>, message: String, retryable: bool) -> AttemptOutcome {
    ctx.log.write(format!("{message}\n").as_bytes()).await;
    AttemptOutcome::failed(message, retryable)
}

#[async_trait]
impl NodeRunner for ChildJobRunner {
    fn needs_worker_slot(&self) -> bool {
        // It only waits; a slot held here could starve the children of the slots they need.
        false
    }

    fn survives_restart(&self) -> bool {
        true
    }

    async fn run(&self, spec: &AttemptSpec, mut ctx: AttemptContext<'_>) -> AttemptOutcome {
        let job_name = spec.property("subJobName").unwrap_or_default().trim().to_string();
        if job_name.is_empty() {
            return fail(&mut ctx, format!("a {} node needs the property 'subJobName'", spec.node_type), false).await;
        }
        let concurrent = match self.concurrency(spec) {
            Ok(n) => n,
            Err(m) => return fail(&mut ctx, m, false).await,
        };
        let calls = &spec.child_calls;
        if calls.is_empty() {
            ctx.log.write(b"the dataset is empty: no child instance to run\n").await;
            return AttemptOutcome::Succeeded { output: None };
        }
        let scope = match self.children.open(spec, &job_name).await {
            Ok(scope) => scope,
            Err(m) => return fail(&mut ctx, m, false).await,
        };
        let mut next = 0;
        // Child instance id -> row, for the children not ended yet.
        let mut running: HashMap<i64, i64> = HashMap::new();
        let mut waits: JoinSet<(i64, Option<InstanceStatus>)> = JoinSet::new();
        let mut failure: Option<String> = None;
        loop {
            if failure.is_none() && next < calls.len() && running.len() < concurrent {
                let end = (next + concurrent - running.len()).min(calls.len());
                match self.children.start(&scope, &calls[next..end]).await {
                    Ok(started) => {
                        let mut lines = String::new();
                        for (call, child) in calls[next..end].iter().zip(started) {
                            let how = if child.created { "started" } else { "found again" };
                            lines.push_str(&format!(
                                "{how} child instance {} of job {} ({}, row {})\n",
                                child.instance_id,
                                scope.job_name,
                                call.instance_name,
                                call.row + 1
                            ));
                            running.insert(child.instance_id, call.row);
                            let children = self.children.clone();
                            let id = child.instance_id;
                            waits.spawn(async move { (id, children.ended(id).await) });
                        }
                        ctx.log.write(lines.as_bytes()).await;
                    }
                    Err(m) => failure = Some(m),
                }
                next = end;
            }
            if running.is_empty() {
                break;
            }
            tokio::select! {
                _ = ctx.cancel.cancelled() => {
                    if !self.children.shutting_down() {
                        self.stop_all(&running).await;
                    }
                    return AttemptOutcome::Stopped;
                }
                joined = waits.join_next() => {
                    // Every child that has ended by now is taken in this turn, so the next
                    // batch of children starts in one store transaction, not one per child.
                    let mut ended = vec![joined];
                    while let Some(more) = waits.try_join_next() {
                        ended.push(Some(more));
                    }
                    let mut lines = String::new();
                    for joined in ended {
                        let Some(Ok((id, status))) = joined else {
                            self.stop_all(&running).await;
                            return fail(&mut ctx, "lost track of the child instances".to_string(), true).await;
                        };
                        let row = running.remove(&id).unwrap_or_default();
                        match status {
                            Some(s) if s.is_success_class() => {
                                lines.push_str(&format!("child instance {id} ended {}\n", s.as_str()));
                            }
                            Some(s) => {
                                let message = format!(
                                    "child instance {id} of job {} (row {}) ended {}",
                                    scope.job_name,
                                    row + 1,
                                    s.as_str()
                                );
                                lines.push_str(&format!("{message}\n"));
                                failure.get_or_insert(message);
                            }
                            None => {
                                ctx.log.write(lines.as_bytes()).await;
                                return AttemptOutcome::Stopped;
                            }
                        }
                    }
                    ctx.log.write(lines.as_bytes()).await;
                }
            }
        }
        match failure {
            Some(message) => AttemptOutcome::failed(message, true),
            None => AttemptOutcome::Succeeded { output: None },
        }
    }
}
