//! Running one job instance: its DAG in dependency order, independent branches in parallel.
//!
//! One task per running instance ([`run_instance`]) owns the instance's state in memory — a
//! cache of what the store holds — and persists every change before acting on it. Node attempts
//! run as separate tasks (bounded by the engine's worker semaphore) and report back on a
//! channel; operators reach the task through [`Control`] messages. The rules themselves (which
//! node may run, what a failure does, how the instance ends) are `dlf_core::state`'s pure
//! functions; this module only applies them.

pub mod attempt;
pub mod params;
pub mod plan;

use crate::runners::{unsupported_message, AttemptOutcome, ProcessInfo};
use crate::Engine;
use attempt::NodesSnapshot;
use dlf_core::el;
use dlf_core::model::{FailPolicy, InstanceStatus, InstanceType, NodeStatus};
use dlf_core::state::{self, ConditionResult, MultiIfPolicy, NodeOutcomeView, Readiness, SkipPolicy, UpstreamState};
use dlf_store::{InstanceCommit, InstanceRecord, NodeInstanceRecord};
use params::{InstanceFacts, InstanceNodes, InstanceParams, Params};
use plan::JobPlan;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// Messages an operator sends to a running instance.
#[derive(Debug)]
pub enum Control {
    /// StopJobInstance: kill running nodes, cancel the rest, end `manual-stop`. Replies once the
    /// stop is persisted.
    Stop { reply: oneshot::Sender<()> },
    /// The server is shutting down: interrupt running attempts and leave the instance `running`
    /// in the store, with the interrupted nodes back to `waiting` (not counted as failures), so
    /// the next start runs them again.
    Shutdown { reply: oneshot::Sender<()> },
}

/// A handle on a running instance.
#[derive(Clone, Debug)]
pub struct InstanceHandle {
    pub control: mpsc::UnboundedSender<Control>,
}

/// What node attempt tasks report.
enum Event {
    Spawned { node: usize, attempt: u32, info: ProcessInfo },
    Finished { node: usize, attempt: u32, outcome: AttemptOutcome },
    RetryDue { node: usize },
}

/// An attempt (or a retry wait) in progress.
struct Active {
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    /// Waiting to retry (no process), rather than running an attempt.
    retry_wait: bool,
}

/// How long a store write is retried before the instance task gives up (the instance is then
/// resumed by the next start-up's reconciliation).
const COMMIT_ATTEMPTS: u32 = 5;

struct InstanceRun {
    engine: Engine,
    plan: Arc<JobPlan>,
    record: InstanceRecord,
    facts: InstanceFacts,
    params: InstanceParams,
    nodes: Vec<NodeInstanceRecord>,
    statuses: Vec<NodeStatus>,
    /// For each skipped node: does its skip propagate to its descendants?
    skip_propagates: Vec<bool>,
    active: HashMap<usize, Active>,
    events_tx: mpsc::UnboundedSender<Event>,
    dirty: Vec<usize>,
    dry_run: bool,
}

/// Runs an instance that is `running` (or `running-exception` after a restart) until it ends or
/// is stopped. `record` must be the persisted row; `fresh` says its node rows are still as
/// created ([`dlf_store::Start`]), which saves reading them back.
pub async fn run_instance(engine: Engine, record: InstanceRecord, fresh: bool, mut control: mpsc::UnboundedReceiver<Control>) {
    let instance_id = record.id;
    let job_id = record.job_id;
    match InstanceRun::start(engine.clone(), record, fresh).await {
        Ok((mut run, mut events)) => {
            let result = run.drive(&mut events, &mut control).await;
            if let Err(e) = result {
                tracing::error!(instance_id, error = %e, "an instance run stopped on a store error; it resumes at the next start");
                run.cancel_all().await;
            }
        }
        Err(e) => tracing::error!(instance_id, error = %e, "cannot run an instance"),
    }
    engine.instance_ended(job_id, instance_id);
}

impl InstanceRun {
    async fn start(engine: Engine, record: InstanceRecord, fresh: bool) -> Result<(Self, mpsc::UnboundedReceiver<Event>), String> {
        let plan = engine.job_plan(record.job_id, record.version).await.map_err(|e| e.message)?;
        let project_id = engine.project_of_workspace(&record.workspace_id).await.map_err(|e| e.message)?;
        // A fresh instance's rows are each `NodeInstanceRecord::waiting`, built below for every
        // node without a row.
        let rows = if fresh { Vec::new() } else { engine.store().node_instances(record.id).await.map_err(|e| e.to_string())? };
        let mut by_name: HashMap<String, NodeInstanceRecord> = rows.into_iter().map(|n| (n.node_name.clone(), n)).collect();
        let nodes: Vec<NodeInstanceRecord> = plan
            .doc
            .nodes
            .iter()
            .map(|n| by_name.remove(&n.name).unwrap_or_else(|| NodeInstanceRecord::waiting(record.id, &n.name, &n.node_type)))
            .collect();
        let statuses = nodes.iter().map(|n| NodeStatus::parse(&n.status).unwrap_or(NodeStatus::Waiting)).collect();
        let facts = InstanceFacts {
            job_id: record.job_id,
            job_name: record.job_name.clone(),
            project_id,
            instance_id: record.id,
            plan_time_ms: record.plan_ms,
            start_time_ms: record.start_ms.unwrap_or(record.plan_ms),
            service_zone: engine.config().service_zone,
        };
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let dry_run = plan.doc.is_dry_run();
        let len = plan.len();
        let mut run = InstanceRun {
            engine,
            plan,
            record,
            facts,
            params: InstanceParams::default(),
            nodes,
            statuses,
            skip_propagates: vec![true; len],
            active: HashMap::new(),
            events_tx,
            dirty: Vec::new(),
            dry_run,
        };
        match params::resolve(&run.plan, run.record.params.as_deref(), &run.facts, run.engine.now_ms()) {
            Ok(p) => run.params = p,
            Err(message) => {
                run.fail_before_start(message).await?;
                return Ok((run, events_rx));
            }
        }
        run.reconcile_orphans().await;
        Ok((run, events_rx))
    }

    fn is_ended(&self) -> bool {
        InstanceStatus::parse(&self.record.status).is_some_and(InstanceStatus::is_terminal)
    }

    /// The main loop: decide, persist, wait for the next event.
    async fn drive(
        &mut self,
        events: &mut mpsc::UnboundedReceiver<Event>,
        control: &mut mpsc::UnboundedReceiver<Control>,
    ) -> Result<(), String> {
        loop {
            if self.is_ended() {
                return Ok(());
            }
            self.progress().await;
            // When nothing can run any more, the last node changes go with the instance's end in
            // one commit.
            if let Some(outcome) = self.outcome() {
                return self.finish(outcome, None).await;
            }
            self.flush(None).await?;
            tokio::select! {
                Some(event) = events.recv() => self.handle(event).await?,
                message = control.recv() => match message {
                    Some(Control::Stop { reply }) => {
                        self.stop().await?;
                        let _ = reply.send(());
                        return Ok(());
                    }
                    Some(Control::Shutdown { reply }) => {
                        self.interrupt().await?;
                        let _ = reply.send(());
                        return Ok(());
                    }
                    None => {
                        self.interrupt().await?;
                        return Ok(());
                    }
                },
            }
        }
    }

    /// Decides every waiting node whose upstream nodes have all ended.
    async fn progress(&mut self) {
        let order = self.plan.order.clone();
        for i in order {
            if self.statuses[i] != NodeStatus::Waiting || self.active.contains_key(&i) {
                continue;
            }
            let upstreams: Vec<UpstreamState> = self.plan.upstream[i]
                .iter()
                .map(|&u| UpstreamState {
                    status: self.statuses[u],
                    fail_policy: self.plan.node(u).fail_policy(),
                    continued: self.nodes[u].continued,
                    skip_propagates: self.skip_propagates[u],
                })
                .collect();
            let has_conditions = !self.plan.node(i).conditions().is_empty();
            let mut readiness = state::readiness(&upstreams, has_conditions);
            if readiness == Readiness::CheckConditions {
                readiness = match self.vote(i) {
                    Ok(r) => r,
                    Err(message) => {
                        self.node_failed(i, message).await;
                        continue;
                    }
                };
            }
            match readiness {
                Readiness::NotDecidable | Readiness::WaitSuspended | Readiness::CheckConditions => {}
                Readiness::Cancel => self.set_node(i, NodeStatus::ManualStop, Some("an upstream node failed or was canceled".into())),
                Readiness::Skip { propagates } => {
                    self.skip_propagates[i] = propagates;
                    self.set_node(i, NodeStatus::Skip, None);
                }
                Readiness::Run => {
                    let next_attempt = self.nodes[i].attempts as u32 + 1;
                    self.launch(i, next_attempt).await
                }
            }
        }
    }

    /// Evaluates node `i`'s edge conditions and votes (§5.6 step 4).
    fn vote(&self, i: usize) -> Result<Readiness, String> {
        let outputs: Vec<Option<String>> = self.nodes.iter().map(|n| n.output.clone()).collect();
        let nodes = InstanceNodes { plan: &self.plan, statuses: &self.statuses, outputs: &outputs, for_node: Some(i) };
        let lookup = Params { resolved: &self.params, script: None };
        let ctx = params::context(&self.facts, self.engine.now_ms(), &lookup, &nodes);
        let mut results = Vec::new();
        for cond in self.plan.node(i).conditions() {
            let value = el::eval_condition(&cond.expression, &ctx)
                .map_err(|e| format!("the condition on the edge from '{}' failed: {e}", cond.pre_node_name))?;
            let skip_policy = SkipPolicy::of(cond);
            results.push(ConditionResult { upstream: cond.pre_node_name.clone(), value, skip_policy });
        }
        Ok(state::vote(&results, MultiIfPolicy::Or))
    }

    fn set_node(&mut self, i: usize, status: NodeStatus, error: Option<String>) {
        let now = self.engine.now_ms();
        let row = &mut self.nodes[i];
        row.status = status.as_str().to_string();
        if status.is_terminal() {
            row.end_ms = Some(now);
            row.start_ms.get_or_insert(now);
            row.process_group = None;
            row.process_start = None;
        }
        if error.is_some() {
            row.error_message = error;
        }
        self.statuses[i] = status;
        self.dirty.push(i);
    }

    /// Starts attempt `attempt` of node `i` (dry runs and Dummy end at once).
    async fn launch(&mut self, i: usize, attempt: u32) {
        let node = self.plan.node(i).clone();
        let now = self.engine.now_ms();
        if self.dry_run || node.is_dry_run() || node.node_type == "Dummy" {
            let row = &mut self.nodes[i];
            row.start_ms = Some(now);
            row.attempts = row.attempts.max(1);
            row.output = None;
            self.set_node(i, NodeStatus::Success, None);
            return;
        }
        let Some(runner) = self.engine.runners().get(&node.node_type) else {
            self.nodes[i].attempts = attempt as i64;
            self.node_failed(i, unsupported_message(&node.node_type)).await;
            return;
        };
        let logs = self.engine.config().logs_dir();
        {
            let row = &mut self.nodes[i];
            row.status = NodeStatus::Running.as_str().to_string();
            if attempt == 1 {
                row.start_ms = Some(now);
            }
            row.end_ms = None;
            row.attempts = attempt as i64;
            row.log_path = Some(crate::logs::attempt_log(&logs, self.record.id, &node.name, attempt as i64).display().to_string());
            row.runner_epoch = Some(self.engine.epoch().to_string());
        }
        self.statuses[i] = NodeStatus::Running;
        self.dirty.push(i);
        let snapshot = NodesSnapshot { statuses: self.statuses.clone(), outputs: self.nodes.iter().map(|n| n.output.clone()).collect() };
        let cancel = CancellationToken::new();
        let task_cancel = cancel.clone();
        let engine = self.engine.clone();
        let plan = self.plan.clone();
        let facts = self.facts.clone();
        let resolved = self.params.clone();
        let workspace_id = self.record.workspace_id.clone();
        let events = self.events_tx.clone();
        let task = tokio::spawn(async move {
            let outcome = tokio::select! {
                permit = engine.worker_slots().acquire_owned() => {
                    let _permit = permit;
                    let view = attempt::InstanceView { plan: &plan, workspace_id: &workspace_id, facts: &facts, params: &resolved, nodes: &snapshot };
                    match attempt::prepare(&engine, &view, i, attempt).await {
                        Ok(spec) => {
                            let spawned = events.clone();
                            let started = move |info: ProcessInfo| {
                                let _ = spawned.send(Event::Spawned { node: i, attempt, info });
                            };
                            runner.run(&spec, task_cancel.clone(), &started).await
                        }
                        Err(message) => AttemptOutcome::Failed { message, exit_code: None, timed_out: false, retryable: false },
                    }
                }
                _ = task_cancel.cancelled() => AttemptOutcome::Stopped,
            };
            let _ = events.send(Event::Finished { node: i, attempt, outcome });
        });
        self.active.insert(i, Active { cancel, task, retry_wait: false });
    }

    async fn handle(&mut self, event: Event) -> Result<(), String> {
        match event {
            Event::Spawned { node, attempt, info } => {
                // Kept with the row (written with its next change). Orphans of a crashed server
                // are found by their environment stamp anyway (`recovery`), so this costs no
                // extra write per attempt.
                if self.nodes[node].attempts == attempt as i64 && self.statuses[node] == NodeStatus::Running {
                    self.nodes[node].process_group = Some(info.process_group as i64);
                    self.nodes[node].process_start = info.start_ticks.map(|t| t.to_string());
                }
            }
            Event::Finished { node, attempt, outcome } => {
                if self.nodes[node].attempts != attempt as i64 {
                    return Ok(());
                }
                self.active.remove(&node);
                self.nodes[node].process_group = None;
                self.nodes[node].process_start = None;
                match outcome {
                    AttemptOutcome::Succeeded { output } => {
                        self.nodes[node].output = output;
                        self.nodes[node].error_message = None;
                        self.set_node(node, NodeStatus::Success, None);
                    }
                    AttemptOutcome::Failed { message, timed_out, retryable, .. } => {
                        let spec = self.plan.node(node);
                        let attempts_left = (attempt as i64) < 1 + spec.retry_times() as i64;
                        let retry_allowed = retryable && (!timed_out || spec.retry_after_timeout());
                        if attempts_left && retry_allowed {
                            self.nodes[node].error_message = Some(message);
                            self.dirty.push(node);
                            self.schedule_retry(node, Duration::from_secs(spec.retry_interval_secs()));
                        } else {
                            self.node_failed(node, message).await;
                        }
                    }
                    AttemptOutcome::Stopped => {
                        self.set_node(node, NodeStatus::ManualStop, Some("stopped".into()));
                    }
                }
            }
            Event::RetryDue { node } => {
                if self.statuses[node] == NodeStatus::Running {
                    self.active.remove(&node);
                    let next = self.nodes[node].attempts as u32 + 1;
                    self.launch(node, next).await;
                }
            }
        }
        Ok(())
    }

    fn schedule_retry(&mut self, node: usize, wait: Duration) {
        let cancel = CancellationToken::new();
        let task_cancel = cancel.clone();
        let events = self.events_tx.clone();
        let task = tokio::spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(wait) => { let _ = events.send(Event::RetryDue { node }); }
                _ = task_cancel.cancelled() => {}
            }
        });
        self.active.insert(node, Active { cancel, task, retry_wait: true });
    }

    /// A node failed for good: apply its failure policy (§5.5).
    async fn node_failed(&mut self, i: usize, message: String) {
        self.set_node(i, NodeStatus::Fail, Some(message.clone()));
        match self.plan.node(i).fail_policy() {
            FailPolicy::Fail => {
                self.cancel_all().await;
                for j in 0..self.statuses.len() {
                    if !self.statuses[j].is_terminal() {
                        self.set_node(j, NodeStatus::ManualStop, Some(format!("node '{}' failed", self.plan.node(i).name)));
                    }
                }
            }
            FailPolicy::Suspend => {
                if self.record.status == InstanceStatus::Running.as_str() {
                    let mut next = self.record.clone();
                    next.status = InstanceStatus::RunningException.as_str().to_string();
                    next.error_message = Some(format!("node '{}' failed: {message}", self.plan.node(i).name));
                    if let Err(e) = self.flush(Some(next)).await {
                        tracing::error!(instance_id = self.record.id, error = %e, "cannot persist running-exception");
                    }
                }
            }
            FailPolicy::FailChild | FailPolicy::Ignore => {}
        }
    }

    /// The instance's result once nothing can run any more (§5.7).
    fn outcome(&self) -> Option<InstanceStatus> {
        let views: Vec<NodeOutcomeView> = (0..self.statuses.len())
            .map(|i| NodeOutcomeView {
                status: self.statuses[i],
                fail_policy: self.plan.node(i).fail_policy(),
                continued: self.nodes[i].continued,
            })
            .collect();
        if !self.active.is_empty() {
            return None;
        }
        state::instance_outcome(&views).map(InstanceStatus::from)
    }

    /// Persists dirty node rows, and `instance` (compare-and-set on the current status).
    async fn flush(&mut self, instance: Option<InstanceRecord>) -> Result<(), String> {
        if self.dirty.is_empty() && instance.is_none() {
            return Ok(());
        }
        self.dirty.sort_unstable();
        self.dirty.dedup();
        let commit = InstanceCommit {
            instance: instance.clone().map(|r| (r, self.record.status.clone())),
            nodes: self.dirty.iter().map(|&i| self.nodes[i].clone()).collect(),
            ..Default::default()
        };
        if self.commit(&commit).await? {
            if let Some(r) = instance {
                self.record = r;
            }
        } else {
            return Err("the instance was changed by someone else".into());
        }
        self.dirty.clear();
        Ok(())
    }

    async fn commit(&self, commit: &InstanceCommit) -> Result<bool, String> {
        let mut delay = Duration::from_millis(50);
        for attempt in 1..=COMMIT_ATTEMPTS {
            match self.engine.commit_instance(commit.clone()).await {
                Ok(applied) => return Ok(applied),
                Err(e) if attempt < COMMIT_ATTEMPTS => {
                    tracing::warn!(instance_id = self.record.id, error = %e, "store write failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        Err("unreachable".into())
    }

    /// Ends the instance with `status`, persisting it with the job's "last instance" columns.
    async fn finish(&mut self, status: InstanceStatus, error: Option<String>) -> Result<(), String> {
        let now = self.engine.now_ms();
        let mut next = self.record.clone();
        next.status = status.as_str().to_string();
        next.end_ms = Some(now);
        next.error_message = error.or_else(|| {
            (0..self.statuses.len())
                .find(|&i| self.statuses[i] == NodeStatus::Fail)
                .map(|i| format!("node '{}' failed: {}", self.plan.node(i).name, self.nodes[i].error_message.clone().unwrap_or_default()))
        });
        if status.is_success_class() {
            next.error_message = None;
        }
        self.dirty.sort_unstable();
        self.dirty.dedup();
        let commit = InstanceCommit {
            instance: Some((next.clone(), self.record.status.clone())),
            nodes: self.dirty.iter().map(|&i| self.nodes[i].clone()).collect(),
            job_last_instance: Some((self.record.job_id, status.as_str().to_string(), now)),
            ..Default::default()
        };
        if !self.commit(&commit).await? {
            return Err("the instance was changed by someone else".into());
        }
        self.dirty.clear();
        self.record = next;
        if self.record.instance_type == InstanceType::Once.code() {
            self.engine.once_instance_ended(self.record.job_id).await;
        }
        Ok(())
    }

    /// StopJobInstance: kill, cancel, end `manual-stop`.
    async fn stop(&mut self) -> Result<(), String> {
        self.cancel_all().await;
        for i in 0..self.statuses.len() {
            if !self.statuses[i].is_terminal() {
                self.set_node(i, NodeStatus::ManualStop, Some("the instance was stopped".into()));
            }
        }
        self.finish(InstanceStatus::ManualStop, Some("The instance was stopped by an operator.".into())).await
    }

    /// Cancels every attempt and retry wait and waits for their tasks (their processes are
    /// killed by the runners before they return).
    async fn cancel_all(&mut self) {
        for active in self.active.values() {
            active.cancel.cancel();
        }
        for (_, active) in self.active.drain() {
            let _ = tokio::time::timeout(Duration::from_secs(10), active.task).await;
        }
    }

    /// Shutdown: cancel attempts; nodes that were running go back to `waiting` and the attempt
    /// is not counted, so a restart of the server does not spend a node's retries.
    async fn interrupt(&mut self) -> Result<(), String> {
        let interrupted: Vec<(usize, bool)> = (0..self.statuses.len())
            .filter(|&i| self.statuses[i] == NodeStatus::Running)
            .map(|i| (i, self.active.get(&i).is_some_and(|a| a.retry_wait)))
            .collect();
        self.cancel_all().await;
        for (i, retry_wait) in interrupted {
            let row = &mut self.nodes[i];
            row.status = NodeStatus::Waiting.as_str().to_string();
            if !retry_wait {
                row.attempts = (row.attempts - 1).max(0);
            }
            row.process_group = None;
            row.process_start = None;
            row.end_ms = None;
            self.statuses[i] = NodeStatus::Waiting;
            self.dirty.push(i);
        }
        self.flush(None).await
    }

    /// The job parameters could not be evaluated: the instance fails before any node runs.
    async fn fail_before_start(&mut self, message: String) -> Result<(), String> {
        for i in 0..self.statuses.len() {
            if !self.statuses[i].is_terminal() {
                self.set_node(i, NodeStatus::ManualStop, Some("the instance failed before it started".into()));
            }
        }
        self.finish(InstanceStatus::Fail, Some(message)).await
    }

    /// Attempts left `running` by a server that died: their processes are killed if they still
    /// exist, and each counts as a failed attempt (retried or failed per policy, DESIGN.md).
    async fn reconcile_orphans(&mut self) {
        let epoch = self.engine.epoch().to_string();
        for i in 0..self.nodes.len() {
            if self.statuses[i] != NodeStatus::Running || self.nodes[i].runner_epoch.as_deref() == Some(epoch.as_str()) {
                continue;
            }
            if let Some(pgid) = self.nodes[i].process_group {
                crate::recovery::kill_orphan_group(pgid, self.nodes[i].runner_epoch.as_deref()).await;
            }
            let attempt = self.nodes[i].attempts.max(1) as u32;
            let message = "the server stopped while this attempt was running".to_string();
            let outcome = AttemptOutcome::Failed { message, exit_code: None, timed_out: false, retryable: true };
            let _ = self.handle(Event::Finished { node: i, attempt, outcome }).await;
        }
    }
}
