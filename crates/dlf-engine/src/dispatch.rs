//! The dispatcher: when a `waiting` instance starts, or ends without running (JOBS.md §4.4).
//!
//! The gates are `dlf_core::state`'s: [`waiting_instance_event`] (plan time, dependencies, a
//! slot), [`instance_limit`] and [`instances_to_start`] (concurrency, §4.8),
//! [`superseded_by_latest`] (`isSkipSelfDepJob`, §4.7); the dependency decision is
//! `crate::dependencies`'. Manual (run-now) instances skip every gate but the plan time; reruns
//! and non-scheduled instances skip the dependencies but need a slot.
//!
//! The dispatcher keeps the waiting instances in memory — a cache of the store — and
//! re-evaluates them when something that could open a gate happens: an instance was created
//! or ended, or a plan time was reached (a timer, not a polling loop). A slow safety re-check
//! runs only while some instance waits on another job, because another server sharing the
//! database may finish that job's instance.

use crate::dependencies::{self, Dependencies};
use crate::{Engine, internal};
use dlf_core::model::{InstanceStatus, InstanceType};
use dlf_core::state::{
    self, AbortCause, CancelReason, DependencyDecision, GateInput, InstanceEvent, NodeEvent, SkipCause,
};
use dlf_store::{InstanceCommit, InstanceRecord, Start};
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

/// A waiting instance's place in the queue: (plan time, id), oldest first.
type Key = (i64, i64);

struct Dispatcher {
    engine: Engine,
    waiting: BTreeMap<Key, InstanceRecord>,
    /// Instances holding a slot, per job (concurrency).
    active: HashMap<i64, usize>,
    /// Some waiting instance is blocked on another job (the safety re-check is on).
    blocked_on_jobs: bool,
}

pub(crate) async fn run(
    engine: Engine,
    mut events: mpsc::UnboundedReceiver<DispatchEvent>,
    initial: Vec<InstanceRecord>,
) {
    let mut d =
        Dispatcher { engine: engine.clone(), waiting: BTreeMap::new(), active: HashMap::new(), blocked_on_jobs: false };
    for instance in initial {
        d.waiting.insert((instance.plan_ms, instance.id), instance);
    }
    if let Ok(open) = engine.store().open_instances().await {
        for i in open.iter().filter(|i| i.status.holds_slot()) {
            *d.active.entry(i.job_id).or_default() += 1;
        }
    }
    let shutdown = engine.inner.runtime.shutdown.clone();
    loop {
        let now = engine.now_ms();
        d.start_due(now).await;
        let next_plan = d.waiting.keys().map(|(plan, _)| *plan).find(|plan| *plan > now);
        let mut wait = next_plan.map(|p| Duration::from_millis(u64::try_from(p - now).unwrap_or(0)));
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

/// The gates of one instance now, with `slot_free` to fill in.
fn gates(now_ms: i64, instance: &InstanceRecord, dependencies: DependencyDecision, slot_free: bool) -> GateInput {
    GateInput { now_ms, plan_ms: instance.plan_ms, dependencies, slot_free }
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

    /// Starts every due instance whose gates are open, job by job, in plan-time order.
    async fn start_due(&mut self, now: i64) {
        self.blocked_on_jobs = false;
        let mut jobs: Vec<i64> = Vec::new();
        let mut due: HashMap<i64, Vec<Key>> = HashMap::new();
        for (key, instance) in self.waiting.range(..=(now, i64::MAX)) {
            if instance.status != InstanceStatus::Waiting {
                continue; // waiting-confirm / freeze wait for an operator
            }
            let keys = due.entry(instance.job_id).or_default();
            if keys.is_empty() {
                jobs.push(instance.job_id);
            }
            keys.push(*key);
        }
        let mut to_start = Vec::new();
        for job_id in jobs {
            let keys = due.remove(&job_id).unwrap_or_default();
            if let Err(e) = self.gate_job(job_id, &keys, now, &mut to_start).await {
                tracing::error!(job_id, error = %e.message, "cannot evaluate the gates of a job's instances");
                self.blocked_on_jobs = true;
            }
        }
        self.start(to_start).await;
    }

    /// The gates of one job's due instances (`keys`, oldest first): the ones that start now are
    /// moved to `to_start`, the ones the gates end are ended.
    async fn gate_job(
        &mut self,
        job_id: i64,
        keys: &[Key],
        now: i64,
        to_start: &mut Vec<InstanceRecord>,
    ) -> Result<(), dlf_core::DlfError> {
        let Some(newest) = keys.last().and_then(|k| self.waiting.get(k)) else { return Ok(()) };
        // Job-level settings come from the newest instance's version (the job as it is now).
        let plan = self.engine.job_plan(job_id, newest.version).await?;
        let cron = plan.doc.cron();
        let self_dependent = cron.and_then(|c| c.depend_pre_period) == Some(true);
        let limit = state::instance_limit(
            cron.and_then(|c| c.concurrent),
            self.engine.config().job_concurrency_cap,
            self_dependent,
        );
        let latest_only = cron.is_some_and(|c| c.runs_latest_only());
        let running = self.active.get(&job_id).copied().unwrap_or(0);
        let mut ready: Vec<(i64, Key)> = Vec::new();
        for key in keys {
            let Some(instance) = self.waiting.get(key).cloned() else { continue };
            if matches!(instance.instance_type, InstanceType::Manual | InstanceType::SubJob) {
                // A manual run ignores dependencies and the concurrency limit (§4.3); so does a
                // SubJob / For Each child, whose parent's `concurrent` bounds it instead.
                if state::waiting_instance_event(&gates(now, &instance, DependencyDecision::Run, true))
                    == Some(InstanceEvent::GatesOpen)
                {
                    self.take_slot(key, to_start);
                }
                continue;
            }
            let dependencies = if instance.ignore_depend || instance.instance_type != InstanceType::Normal {
                Dependencies::none()
            } else if running + ready.len() >= usize::try_from(limit).unwrap_or(usize::MAX) && !latest_only {
                // No slot can open for it now: its dependencies are looked at when one does.
                continue;
            } else {
                let version_plan = self.engine.job_plan(job_id, instance.version).await?;
                dependencies::check(&self.engine, &instance, &version_plan).await?
            };
            match state::waiting_instance_event(&gates(now, &instance, dependencies.decision, false)) {
                Some(event) => {
                    self.waiting.remove(key);
                    self.end_waiting(instance, event, dependencies.reason).await;
                }
                None if dependencies.decision == DependencyDecision::Run => ready.push((instance.plan_ms, *key)),
                None => self.blocked_on_jobs |= dependencies.decision == DependencyDecision::Wait,
            }
        }
        if latest_only {
            for key in state::superseded_by_latest(&ready) {
                if let Some(instance) = self.waiting.remove(&key) {
                    let reason = "Canceled: a newer instance of the job runs instead (isSkipSelfDepJob).".to_string();
                    self.end_waiting(instance, InstanceEvent::Cancel(CancelReason::SupersededByLatest), Some(reason))
                        .await;
                }
            }
            ready.retain(|(_, key)| self.waiting.contains_key(key));
        }
        for key in state::instances_to_start(&ready, running, limit) {
            let opens = self.waiting.get(&key).map(|i| {
                state::waiting_instance_event(&gates(now, i, DependencyDecision::Run, true))
                    == Some(InstanceEvent::GatesOpen)
            });
            if opens == Some(true) {
                self.take_slot(&key, to_start);
            }
        }
        Ok(())
    }

    /// Moves a waiting instance to the start list, counting its slot at once so the job's later
    /// instances see it taken.
    fn take_slot(&mut self, key: &Key, to_start: &mut Vec<InstanceRecord>) {
        if let Some(instance) = self.waiting.remove(key) {
            *self.active.entry(instance.job_id).or_default() += 1;
            to_start.push(instance);
        }
    }

    /// Moves instances to `running` (one transaction and a few multi-row statements for the
    /// whole batch: a cron storm starts a thousand instances in one write) and hands each to
    /// its own task.
    async fn start(&mut self, instances: Vec<InstanceRecord>) {
        if instances.is_empty() {
            return;
        }
        let now = self.engine.now_ms();
        let mut running = Vec::with_capacity(instances.len());
        let mut starts = Vec::with_capacity(instances.len());
        for instance in &instances {
            match state::next_instance_status(Some(instance.status), &InstanceEvent::GatesOpen) {
                Ok(to) => {
                    let mut started = instance.clone();
                    started.status = to;
                    started.start_ms = Some(now);
                    starts.push((instance.id, instance.status));
                    running.push(started);
                }
                Err(e) => tracing::error!(instance_id = instance.id, error = %e, "a dispatched instance cannot start"),
            }
        }
        match self.engine.store().start_instances(&starts, now).await {
            Ok(applied) => {
                for (record, start) in running.into_iter().zip(applied) {
                    match start {
                        Start::Started { fresh } => self.engine.spawn_instance(record, fresh),
                        // Cancelled meanwhile (StopJob / StopJobInstance): give the slot back.
                        Start::NotStarted => self.release(record.job_id),
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

    /// Ends a waiting instance without running it, on `event` (a cancel, or an empty
    /// dependency window); its nodes end with it.
    async fn end_waiting(&self, instance: InstanceRecord, event: InstanceEvent, reason: Option<String>) {
        if let Err(e) = end_waiting_instance(&self.engine, instance, event, reason).await {
            tracing::error!(error = %e, "cannot end a waiting instance");
        }
    }
}

/// Ends a not-yet-running instance on `event` as the state machines say: the instance moves on
/// the event, and each of its nodes is canceled with it (or skipped, for an empty dependency
/// window). Returns whether the compare-and-set on its status held. Shared by the dispatcher
/// and StopJobInstance.
pub(crate) async fn end_waiting_instance(
    engine: &Engine,
    instance: InstanceRecord,
    event: InstanceEvent,
    reason: Option<String>,
) -> Result<bool, EndWaitingError> {
    let status = state::next_instance_status(Some(instance.status), &event)?;
    let node_event = match event {
        InstanceEvent::DependencyWindowEmpty => NodeEvent::Skip(SkipCause::InstanceSkipped),
        _ => NodeEvent::Abort(AbortCause::InstanceStopped),
    };
    let now = engine.now_ms();
    let mut ended = instance.clone();
    ended.status = status;
    ended.end_ms = Some(now);
    ended.error_message = reason;
    let mut nodes = Vec::new();
    for mut node in engine.store().node_instances(instance.id).await? {
        node.status = state::next_node_status(node.status, &node_event)?;
        node.end_ms = Some(now);
        nodes.push(node);
    }
    let commit = InstanceCommit {
        instance: Some((ended, instance.status)),
        nodes,
        job_last_instance: Some((instance.job_id, status, now)),
        ..Default::default()
    };
    let done = engine.store().commit(&commit).await?;
    if done {
        engine.instance_end_notify(instance.id, status);
    }
    if done && instance.instance_type == InstanceType::Once {
        engine.once_instance_ended(instance.job_id).await;
    }
    if let (true, Some((record, _))) = (done, commit.instance) {
        engine.notify_instance_end(crate::notify::EndedInstance { record, failed_node: None });
    }
    Ok(done)
}

/// Why a waiting instance could not be ended.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EndWaitingError {
    #[error(transparent)]
    Store(#[from] dlf_store::StoreError),
    #[error(transparent)]
    Instance(#[from] dlf_core::state::InvalidInstanceTransition),
    #[error(transparent)]
    Node(#[from] dlf_core::state::InvalidNodeTransition),
}
