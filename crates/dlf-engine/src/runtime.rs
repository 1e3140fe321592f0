//! The engine's moving parts and their wiring: the worker slots, the node runners, the handles
//! of running instances, the caches of job plans, and the channels to the dispatcher and the
//! scheduler. [`Engine::start`] brings them up after reconciling what a previous server left.

use crate::dispatch::{self, DispatchEvent};
use crate::execution::plan::JobPlan;
use crate::execution::{self, Control, InstanceHandle};
use crate::jobs::stored_document;
use crate::runners::Registry;
use crate::scheduler::{self, ScheduleEvent};
use crate::{Engine, internal};
use dlf_core::DlfError;
use dlf_store::InstanceRecord;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// Plans kept in memory (job versions are immutable, so entries never go stale).
const PLAN_CACHE_LIMIT: usize = 4096;

pub(crate) struct Runtime {
    /// This server process; stamped on the attempts it runs and on their processes.
    pub epoch: String,
    pub runners: Registry,
    pub sql_sessions: Arc<crate::sql::Sessions>,
    /// HTTP Trigger nodes waiting for their call (`Engine::fire_http_trigger`).
    pub http_triggers: Arc<crate::runners::http_trigger::HttpTriggers>,
    pub worker_slots: Arc<Semaphore>,
    pub running: Mutex<HashMap<i64, InstanceHandle>>,
    /// Script runs (S6) of this engine not ended yet, by id: cancelling stops one.
    pub script_runs: Mutex<HashMap<String, CancellationToken>>,
    plans: Mutex<HashMap<(i64, i64), Arc<JobPlan>>>,
    projects: Mutex<HashMap<String, String>>,
    pub dispatch: OnceLock<mpsc::UnboundedSender<DispatchEvent>>,
    pub schedule: OnceLock<mpsc::UnboundedSender<ScheduleEvent>>,
    pub shutdown: CancellationToken,
}

impl Runtime {
    pub fn new(config: &crate::EngineConfig) -> Runtime {
        let workers = config.workers.max(1);
        let sql_sessions = Arc::new(crate::sql::Sessions::new(config.store_endpoint.clone()));
        let http_triggers = Arc::new(crate::runners::http_trigger::HttpTriggers::default());
        Runtime {
            epoch: uuid::Uuid::new_v4().simple().to_string(),
            runners: {
                let mut runners = Registry::builtin(&sql_sessions);
                crate::runners::rest::register(&mut runners, config, &http_triggers);
                runners.register("SMN", Arc::new(crate::runners::smn::SmnRunner::new(config.notifiers.clone())));
                runners
            },
            http_triggers,
            sql_sessions,
            worker_slots: Arc::new(Semaphore::new(workers)),
            running: Mutex::new(HashMap::new()),
            script_runs: Mutex::new(HashMap::new()),
            plans: Mutex::new(HashMap::new()),
            projects: Mutex::new(HashMap::new()),
            dispatch: OnceLock::new(),
            schedule: OnceLock::new(),
            shutdown: CancellationToken::new(),
        }
    }
}

/// Stops the engine's tasks when asked ([`RuntimeGuard::shutdown`], graceful) or dropped
/// (scheduling and dispatching stop at once; running instances are left to their runtime).
pub struct RuntimeGuard {
    engine: Engine,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for RuntimeGuard {
    fn drop(&mut self) {
        self.engine.inner.runtime.shutdown.cancel();
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl RuntimeGuard {
    /// Graceful shutdown: stop scheduling, interrupt running attempts (they run again at the
    /// next start, without counting as failures), and wait for the instance tasks.
    pub async fn shutdown(mut self) {
        let rt = &self.engine.inner.runtime;
        rt.shutdown.cancel();
        let handles: Vec<InstanceHandle> = rt.running.lock().expect("lock").values().cloned().collect();
        let mut replies = Vec::new();
        for h in handles {
            let (tx, rx) = oneshot::channel();
            if h.control.send(Control::Shutdown { reply: tx }).is_ok() {
                replies.push(rx);
            }
        }
        for rx in replies {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(15), rx).await;
        }
        for t in self.tasks.drain(..) {
            t.abort();
        }
    }
}

impl Engine {
    pub(crate) fn epoch(&self) -> &str {
        &self.inner.runtime.epoch
    }

    pub(crate) fn runners(&self) -> &Registry {
        &self.inner.runtime.runners
    }

    pub(crate) fn worker_slots(&self) -> Arc<Semaphore> {
        self.inner.runtime.worker_slots.clone()
    }

    /// The plan of a submitted job version (cached: a submitted version never changes, and a
    /// job deleted and created again gets a new id).
    pub(crate) async fn job_plan(&self, job_id: i64, version: i64) -> Result<Arc<JobPlan>, DlfError> {
        if let Some(plan) = self.inner.runtime.plans.lock().expect("lock").get(&(job_id, version)) {
            return Ok(plan.clone());
        }
        let stored = self
            .store()
            .job_version(job_id, version)
            .await
            .map_err(internal)?
            .ok_or_else(|| DlfError::internal(format!("version {version} of job {job_id} is missing")))?;
        let doc = stored_document(&stored.document)?;
        let plan = Arc::new(JobPlan::new(job_id, version, stored.submit_ms, doc).map_err(DlfError::internal)?);
        let mut cache = self.inner.runtime.plans.lock().expect("lock");
        if cache.len() >= PLAN_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert((job_id, version), plan.clone());
        Ok(plan)
    }

    /// The project a workspace belongs to (cached).
    pub(crate) async fn project_of_workspace(&self, workspace_id: &str) -> Result<String, DlfError> {
        if let Some(p) = self.inner.runtime.projects.lock().expect("lock").get(workspace_id) {
            return Ok(p.clone());
        }
        let ws = self
            .store()
            .workspace_by_id(workspace_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| DlfError::internal(format!("workspace {workspace_id} is missing")))?;
        self.inner.runtime.projects.lock().expect("lock").insert(workspace_id.to_string(), ws.project_id.clone());
        Ok(ws.project_id)
    }

    /// Hands a new `waiting` instance to the dispatcher (no-op when the engine is not started:
    /// the next start picks it up from the store).
    pub(crate) fn enqueue(&self, instance: InstanceRecord) {
        if let Some(tx) = self.inner.runtime.dispatch.get() {
            let _ = tx.send(DispatchEvent::Enqueue(Box::new(instance)));
        }
    }

    /// Tells the dispatcher an instance task ended (slots free, dependents may start).
    pub(crate) fn instance_ended(&self, job_id: i64, instance_id: i64) {
        self.inner.runtime.running.lock().expect("lock").remove(&instance_id);
        if let Some(tx) = self.inner.runtime.dispatch.get() {
            let _ = tx.send(DispatchEvent::Ended { job_id });
        }
    }

    /// Tells the dispatcher to drop a waiting instance (cancelled by an operator).
    pub(crate) fn forget_waiting(&self, instance_id: i64) {
        if let Some(tx) = self.inner.runtime.dispatch.get() {
            let _ = tx.send(DispatchEvent::Forget(instance_id));
        }
    }

    /// Tells the scheduler that a job's schedule or status changed.
    pub(crate) fn schedule_changed(&self, job_id: i64) {
        if let Some(tx) = self.inner.runtime.schedule.get() {
            let _ = tx.send(ScheduleEvent::Refresh(job_id));
        }
    }

    /// The handle of an instance running in this process.
    pub(crate) fn running_handle(&self, instance_id: i64) -> Option<InstanceHandle> {
        self.inner.runtime.running.lock().expect("lock").get(&instance_id).cloned()
    }

    /// Spawns the task that runs a `running` instance. `fresh`: its node rows are as created
    /// (see [`dlf_store::Start`]), so the task need not read them.
    pub(crate) fn spawn_instance(&self, record: InstanceRecord, fresh: bool) {
        let (tx, rx) = mpsc::unbounded_channel();
        self.inner.runtime.running.lock().expect("lock").insert(record.id, InstanceHandle { control: tx });
        tokio::spawn(execution::run_instance(self.clone(), record, fresh, rx));
    }

    /// Starts scheduling and execution: reconciles what a dead server left (killing its
    /// processes, resuming or retrying its instances), then runs the dispatcher and the
    /// scheduler. Call once, inside a Tokio runtime.
    pub async fn start(&self) -> Result<RuntimeGuard, DlfError> {
        let rt = &self.inner.runtime;
        let (dispatch_tx, dispatch_rx) = mpsc::unbounded_channel();
        let (schedule_tx, schedule_rx) = mpsc::unbounded_channel();
        if rt.dispatch.set(dispatch_tx).is_err() || rt.schedule.set(schedule_tx).is_err() {
            return Err(DlfError::internal("the engine is already started"));
        }
        let script_epochs = self.fail_orphaned_script_runs().await;
        self.fail_interrupted_system_tasks().await;
        let killed = crate::recovery::kill_leftover_processes(self).await
            + crate::recovery::kill_processes_of(&script_epochs).await;
        self.sweep_script_runs().await;
        if killed > 0 {
            tracing::warn!(killed, "killed processes left behind by a previous server");
        }
        let open = self.store().open_instances().await.map_err(internal)?;
        let mut waiting = Vec::new();
        for instance in open {
            if instance.status.holds_slot() {
                tracing::info!(instance_id = instance.id, job = %instance.job_name, "resuming an instance after a restart");
                self.spawn_instance(instance, false);
            } else {
                waiting.push(instance);
            }
        }
        let mut tasks = vec![
            tokio::spawn(dispatch::run(self.clone(), dispatch_rx, waiting)),
            tokio::spawn(scheduler::run(self.clone(), schedule_rx)),
        ];
        tasks.extend(self.start_notifications().await);
        Ok(RuntimeGuard { engine: self.clone(), tasks })
    }
}
