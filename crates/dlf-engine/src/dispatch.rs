//! The dispatcher: decides when a `waiting` instance starts (JOBS.md §4.4).
//!
//! An instance starts when its plan time has come, its self-dependency and cross-job
//! dependencies are satisfied, and its job has a free concurrency slot (manual runs skip every
//! gate; reruns need only the slot). The dispatcher keeps the waiting instances in memory — a
//! cache of the store — and re-evaluates them when something that could open a gate happens:
//! an instance was created or ended, or a plan time was reached (a timer, not a polling loop).
//! A slow safety re-check runs only while some instance waits on another job, because another
//! server sharing the database may finish that job's instance.

use crate::dependencies::{self, Gate};
use crate::{internal, Engine};
use dlf_core::model::{InstanceStatus, InstanceType, NodeStatus};
use dlf_store::{InstanceCommit, InstanceRecord, NodeInstanceRecord, Start};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use tokio::sync::mpsc;

/// How often instances blocked on other jobs are re-checked without an event.
const DEPENDENCY_RECHECK: Duration = Duration::from_secs(5);

pub(crate) enum DispatchEvent {
    /// A new (or rerun) instance in `waiting` / `waiting-confirm` / `freeze`.
    Enqueue(Box<InstanceRecord>),
    /// An instance task ended.
    Ended { job_id: i64 },
    /// A waiting instance was cancelled elsewhere.
    Forget(i64),
}

struct Dispatcher {
    engine: Engine,
    /// Waiting instances by (plan time, id): oldest first.
    waiting: BTreeMap<(i64, i64), InstanceRecord>,
    /// Running instances per job (concurrency).
    active: HashMap<i64, usize>,
    /// Some waiting instance is blocked on another job (the safety re-check is on).
    blocked_on_jobs: bool,
}

pub(crate) async fn run(engine: Engine, mut events: mpsc::UnboundedReceiver<DispatchEvent>, initial: Vec<InstanceRecord>) {
    let mut d = Dispatcher { engine: engine.clone(), waiting: BTreeMap::new(), active: HashMap::new(), blocked_on_jobs: false };
    for instance in initial {
        d.waiting.insert((instance.plan_ms, instance.id), instance);
    }
    if let Ok(open) = engine.store().open_instances().await {
        for i in open.iter().filter(|i| matches!(i.status.as_str(), "running" | "running-exception" | "pause")) {
            *d.active.entry(i.job_id).or_default() += 1;
        }
    }
    let shutdown = engine.inner.runtime.shutdown.clone();
    loop {
        let now = engine.now_ms();
        d.start_due(now).await;
        let next_plan = d.waiting.keys().map(|(plan, _)| *plan).find(|plan| *plan > now);
        let mut wait = next_plan.map(|p| Duration::from_millis((p - now) as u64));
        if d.blocked_on_jobs {
            wait = Some(wait.map_or(DEPENDENCY_RECHECK, |w| w.min(DEPENDENCY_RECHECK)));
        }
        let sleep = async {
            match wait {
                Some(w) => tokio::time::sleep(w).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { return };
                d.apply(event);
                // Take everything already queued before re-evaluating (bursts come in batches).
                while let Ok(event) = events.try_recv() {
                    d.apply(event);
                }
            }
            _ = sleep => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

impl Dispatcher {
    fn apply(&mut self, event: DispatchEvent) {
        match event {
            DispatchEvent::Enqueue(instance) => {
                self.waiting.insert((instance.plan_ms, instance.id), *instance);
            }
            DispatchEvent::Ended { job_id } => self.release(job_id),
            DispatchEvent::Forget(id) => self.waiting.retain(|(_, i), _| *i != id),
        }
    }

    /// Starts every due instance whose gates are open, in plan-time order.
    async fn start_due(&mut self, now: i64) {
        self.blocked_on_jobs = false;
        let due: Vec<(i64, i64)> = self.waiting.range(..=(now, i64::MAX)).map(|(k, _)| *k).collect();
        let mut to_start = Vec::new();
        for key in due {
            let Some(instance) = self.waiting.get(&key).cloned() else { continue };
            if instance.status != InstanceStatus::Waiting.as_str() {
                continue; // waiting-confirm / freeze wait for an operator
            }
            let gate = match self.gate(&instance).await {
                Ok(g) => g,
                Err(e) => {
                    tracing::error!(instance_id = instance.id, error = %e.message, "cannot evaluate an instance's gates");
                    self.blocked_on_jobs = true;
                    continue;
                }
            };
            match gate {
                Gate::Open => {
                    self.waiting.remove(&key);
                    // Count the slot now so later instances of the same job see it taken.
                    *self.active.entry(instance.job_id).or_default() += 1;
                    to_start.push(instance);
                }
                Gate::WaitForJobs => self.blocked_on_jobs = true,
                Gate::WaitForSlot => {}
                Gate::Cancel(message) => {
                    self.waiting.remove(&key);
                    self.end_waiting(instance, InstanceStatus::ManualStop, NodeStatus::ManualStop, message).await;
                }
                Gate::SkipByDepend => {
                    self.waiting.remove(&key);
                    let message = "no upstream instance in the dependency window".to_string();
                    self.end_waiting(instance, InstanceStatus::SkipByDepend, NodeStatus::Skip, message).await;
                }
            }
        }
        self.start(to_start).await;
    }

    async fn gate(&self, instance: &InstanceRecord) -> Result<Gate, dlf_core::DlfError> {
        if instance.instance_type == InstanceType::Manual.code() {
            return Ok(Gate::Open);
        }
        let plan = self.engine.job_plan(instance.job_id, instance.version).await?;
        let limit = plan.doc.cron().and_then(|c| c.concurrent).unwrap_or(self.engine.config().default_job_concurrency).max(1);
        if self.active.get(&instance.job_id).copied().unwrap_or(0) as i64 >= limit {
            return Ok(Gate::WaitForSlot);
        }
        if instance.ignore_depend || instance.instance_type != InstanceType::Normal.code() {
            return Ok(Gate::Open);
        }
        dependencies::check(&self.engine, instance, &plan).await
    }

    /// Moves waiting instances to `running` (one transaction and a few multi-row statements for
    /// the whole batch: a cron storm starts a thousand instances in one write) and hands each to
    /// its own task.
    async fn start(&mut self, instances: Vec<InstanceRecord>) {
        if instances.is_empty() {
            return;
        }
        let now = self.engine.now_ms();
        let running: Vec<InstanceRecord> = instances
            .iter()
            .map(|i| {
                let mut r = i.clone();
                r.status = InstanceStatus::Running.as_str().to_string();
                r.start_ms = Some(now);
                r
            })
            .collect();
        let starts: Vec<(i64, String)> = instances.iter().map(|i| (i.id, i.status.clone())).collect();
        match self.engine.store().start_instances(&starts, now).await {
            Ok(applied) => {
                for ((record, original), start) in running.into_iter().zip(instances).zip(applied) {
                    match start {
                        Start::Started { fresh } => self.engine.spawn_instance(record, fresh),
                        // Cancelled meanwhile (StopJob / StopJobInstance): give the slot back.
                        Start::NotStarted => self.release(original.job_id),
                    }
                }
            }
            Err(e) => {
                let _ = internal(e);
                for i in instances {
                    self.release(i.job_id);
                    self.waiting.insert((i.plan_ms, i.id), i);
                }
            }
        }
    }

    fn release(&mut self, job_id: i64) {
        if let Some(n) = self.active.get_mut(&job_id) {
            *n = n.saturating_sub(1);
        }
    }

    /// Ends a waiting instance without running it.
    async fn end_waiting(&self, instance: InstanceRecord, status: InstanceStatus, node_status: NodeStatus, message: String) {
        let now = self.engine.now_ms();
        let mut ended = instance.clone();
        ended.status = status.as_str().to_string();
        ended.end_ms = Some(now);
        ended.error_message = Some(message);
        let nodes = match self.engine.store().node_instances(instance.id).await {
            Ok(rows) => rows
                .into_iter()
                .map(|mut n: NodeInstanceRecord| {
                    n.status = node_status.as_str().to_string();
                    n.end_ms = Some(now);
                    n
                })
                .collect(),
            Err(e) => {
                let _ = internal(e);
                Vec::new()
            }
        };
        let commit = InstanceCommit {
            instance: Some((ended, instance.status.clone())),
            nodes,
            job_last_instance: Some((instance.job_id, status.as_str().to_string(), now)),
            ..Default::default()
        };
        if let Err(e) = self.engine.store().commit(&commit).await {
            let _ = internal(e);
        }
    }
}
