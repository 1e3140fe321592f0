//! The decision pass: what each waiting node does now, and what an attempt's end means.
//!
//! Every answer comes from `dlf_core::state`: [`readiness`](dlf_core::state::readiness) and
//! [`vote`](dlf_core::state::vote) (with [`condition_is_true`](dlf_core::state::condition_is_true))
//! for a waiting node; [`retry_left`](dlf_core::state::retry_left) after a failed attempt;
//! [`failure_effect`](dlf_core::state::failure_effect) after a node's final failure;
//! [`instance_outcome`](dlf_core::state::instance_outcome) once nothing runs. This file turns
//! those answers into node and instance events and starts the attempts they call for; it
//! decides nothing itself.

use super::InstanceRun;
use super::attempt::NodesSnapshot;
use super::attempt_task::{self, AttemptInput, LoopReport};
use super::error::{AttemptError, RunError};
use super::nodes::{Work, WorkKind};
use super::params::{self, InstanceNodes, Params};
use crate::runners::{AttemptOutcome, Execution, LogSink, NodeRunner};
use dlf_core::el;
use dlf_core::model::NodeStatus;
use dlf_core::state::{
    self, AttemptFailure, ConditionResult, InstanceEvent, MultiIfPolicy, NodeEvent, Readiness, SkipCause, SkipPolicy,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

impl InstanceRun {
    /// Decides every waiting node whose upstream nodes allow it, in dependency order (a node
    /// decided early in the pass may make the next one decidable in the same pass).
    pub(super) async fn decide(&mut self) -> Result<(), RunError> {
        for i in self.plan.order.clone() {
            if self.nodes[i].row.status != NodeStatus::Waiting || self.nodes[i].work.is_some() {
                continue;
            }
            let has_conditions = !self.plan.node(i).conditions().is_empty();
            let (readiness, skip_cause) = match state::readiness(&self.upstream_states(i), has_conditions) {
                Readiness::CheckConditions => match self.vote(i) {
                    Ok(vote) => (vote, SkipCause::ConditionsFalse),
                    Err(e) => {
                        self.fail_unstarted(i, e).await?;
                        continue;
                    }
                },
                other => (other, SkipCause::PropagatedSkip),
            };
            match readiness {
                Readiness::NotDecidable | Readiness::WaitSuspended | Readiness::CheckConditions => {}
                Readiness::Cancel => {
                    self.apply_node(i, NodeEvent::CanceledByUpstream)?;
                    self.nodes[i].row.error_message = Some("an upstream node failed or was canceled".into());
                }
                Readiness::Skip { propagates } => {
                    self.nodes[i].skip_propagates = propagates;
                    self.apply_node(i, NodeEvent::Skip(skip_cause))?;
                }
                Readiness::Run => self.start_node(i).await?,
            }
        }
        Ok(())
    }

    /// Evaluates node `i`'s edge conditions and votes (§5.6 step 4).
    fn vote(&self, i: usize) -> Result<Readiness, AttemptError> {
        let snapshot = self.snapshot();
        let nodes = InstanceNodes {
            plan: &self.plan,
            statuses: &snapshot.statuses,
            outputs: &snapshot.outputs,
            for_node: Some(i),
        };
        let current = self.current_params();
        let lookup = Params { resolved: &current, script: None };
        let ctx = params::context(&self.facts, self.engine.now_ms(), &lookup, &nodes);
        let mut results = Vec::new();
        for cond in self.plan.node(i).conditions() {
            let rendered = el::render(&cond.expression, &ctx)
                .map_err(|source| AttemptError::Condition { upstream: cond.pre_node_name.clone(), source })?;
            results.push(ConditionResult {
                upstream: cond.pre_node_name.clone(),
                value: state::condition_is_true(&rendered),
                skip_policy: SkipPolicy::of(cond),
            });
        }
        Ok(state::vote(&results, MultiIfPolicy::Or))
    }

    /// The node statuses and outputs an attempt's expressions see.
    pub(super) fn snapshot(&self) -> NodesSnapshot {
        NodesSnapshot {
            statuses: self.nodes.iter().map(|n| n.row.status).collect(),
            outputs: self.nodes.iter().map(|n| n.row.output.clone()).collect(),
        }
    }

    /// A decidable node may run: it dry-runs, or its first attempt starts.
    async fn start_node(&mut self, i: usize) -> Result<(), RunError> {
        if self.dry_run || self.plan.node(i).is_dry_run() {
            self.apply_node(i, NodeEvent::DryRun)?;
            let row = &mut self.nodes[i].row;
            row.attempts = row.attempts.max(1);
            row.output = None;
            return Ok(());
        }
        self.apply_node(i, NodeEvent::Start)?;
        self.launch_attempt(i).await
    }

    /// Starts the next attempt of `running` node `i`: records it (number, times, log, this
    /// server's epoch), then runs it as its runner asks — inline at once, or in a task that
    /// waits for the record's commit.
    pub(super) async fn launch_attempt(&mut self, i: usize) -> Result<(), RunError> {
        let now = self.engine.now_ms();
        let node_type = self.plan.node(i).node_type.clone();
        let logs = self.engine.config().logs_dir();
        let attempt = {
            let row = &mut self.nodes[i].row;
            row.attempts += 1;
            if row.start_ms.is_none() || row.attempts == 1 {
                row.start_ms = Some(now);
            }
            row.end_ms = None;
            row.log_path = Some(
                crate::logs::attempt_log(&logs, self.record.id, &row.node_name, row.attempts).display().to_string(),
            );
            row.runner_epoch = Some(self.engine.epoch().to_string());
            u32::try_from(row.attempts).unwrap_or(u32::MAX)
        };
        self.dirty.insert(i);
        let Some(runner) = self.engine.runners().get(&node_type) else {
            let message = AttemptError::Unsupported(node_type).to_string();
            self.write_attempt_log(i, attempt, &message).await;
            return self.attempt_ended(i, attempt, AttemptOutcome::failed(message, false)).await;
        };
        let input = self.attempt_input(i, attempt, runner.clone());
        match runner.execution() {
            Execution::Inline => {
                let outcome = match input.prepare().await {
                    Ok(spec) => {
                        let report = LoopReport { node: i, attempt, events: self.events_tx.clone() };
                        attempt_task::execute(
                            runner.as_ref(),
                            &spec,
                            input.time_limit(),
                            &CancellationToken::new(),
                            &report,
                        )
                        .await
                    }
                    Err(failed) => failed,
                };
                self.attempt_ended(i, attempt, outcome).await
            }
            Execution::Task => {
                let (recorded, wait_for_record) = oneshot::channel();
                let cancel = CancellationToken::new();
                let task = attempt_task::spawn(input, wait_for_record, cancel.clone(), self.events_tx.clone());
                self.awaiting_record.push(recorded);
                self.nodes[i].work = Some(Work { kind: WorkKind::Attempt(attempt), cancel, task });
                Ok(())
            }
        }
    }

    fn attempt_input(&self, i: usize, attempt: u32, runner: Arc<dyn NodeRunner>) -> AttemptInput {
        AttemptInput {
            engine: self.engine.clone(),
            runner,
            plan: self.plan.clone(),
            workspace_id: self.record.workspace_id.clone(),
            facts: self.facts.clone(),
            params: self.current_params(),
            snapshot: self.snapshot(),
            node: i,
            attempt,
        }
    }

    async fn write_attempt_log(&self, i: usize, attempt: u32, message: &str) {
        let path = crate::logs::attempt_log(
            &self.engine.config().logs_dir(),
            self.record.id,
            &self.nodes[i].row.node_name,
            i64::from(attempt),
        );
        LogSink::new(&path).write(format!("{message}\n").as_bytes()).await;
    }

    /// A waiting node that fails before any attempt could start (an edge condition did not
    /// evaluate): it fails as an attempt that no retry can fix, and its own `failPolicy` applies
    /// (§5.6 step 4).
    async fn fail_unstarted(&mut self, i: usize, error: AttemptError) -> Result<(), RunError> {
        self.apply_node(i, NodeEvent::Start)?;
        let now = self.engine.now_ms();
        let row = &mut self.nodes[i].row;
        row.attempts += 1;
        row.start_ms.get_or_insert(now);
        let attempt = u32::try_from(row.attempts).unwrap_or(u32::MAX);
        let message = error.to_string();
        self.write_attempt_log(i, attempt, &message).await;
        self.attempt_ended(i, attempt, AttemptOutcome::failed(message, false)).await
    }

    /// Attempt `attempt` of node `i` ended with `outcome` (§5.2, §5.3).
    pub(super) async fn attempt_ended(
        &mut self,
        i: usize,
        attempt: u32,
        outcome: AttemptOutcome,
    ) -> Result<(), RunError> {
        self.nodes[i].work = None;
        self.nodes[i].row.process_group = None;
        self.nodes[i].row.process_start = None;
        let (message, failure) = match outcome {
            AttemptOutcome::Succeeded { output } => {
                self.nodes[i].row.output = output;
                self.nodes[i].row.error_message = None;
                self.apply_node(i, NodeEvent::AttemptSucceeded)?;
                return Ok(());
            }
            AttemptOutcome::Failed { message, timed_out, .. } if self.trigger_expired(i, timed_out) => {
                return self.stop_on_trigger_expiry(i, message).await;
            }
            AttemptOutcome::Failed { message, timed_out, retryable, .. } => {
                let failure = match (retryable, timed_out) {
                    (false, _) => AttemptFailure::NotRetryable,
                    (true, true) => AttemptFailure::Timeout,
                    (true, false) => AttemptFailure::Error,
                };
                (message, failure)
            }
            // The engine stops attempts only after moving their node on (stop, shutdown, a
            // `FAIL` failure), whose outcome then no longer matters; a runner that stops by
            // itself has failed.
            AttemptOutcome::Stopped => ("the attempt stopped before it ended".to_string(), AttemptFailure::Error),
        };
        let spec = self.plan.node(i);
        let counted = u32::try_from(self.nodes[i].row.attempts - self.nodes[i].row.interrupted).unwrap_or(attempt);
        let retry = state::retry_left(counted, spec.retry_times(), failure, spec.retry_after_timeout());
        let retry_interval = Duration::from_secs(spec.retry_interval_secs());
        self.nodes[i].row.error_message = Some(message.clone());
        self.apply_node(i, NodeEvent::AttemptFailed { retry_left: retry })?;
        if retry {
            self.mark_retry_wait(i);
            self.wait_to_retry(i, retry_interval);
            Ok(())
        } else {
            self.node_failed(i, &message)
        }
    }

    /// Waits `wait`, then tells the loop to start node `i`'s next attempt.
    pub(super) fn wait_to_retry(&mut self, i: usize, wait: Duration) {
        let cancel = CancellationToken::new();
        let task_cancel = cancel.clone();
        let due = self.retry_tx.clone();
        let task = tokio::spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(wait) => { let _ = due.send(i); }
                _ = task_cancel.cancelled() => {}
            }
        });
        self.nodes[i].work = Some(Work { kind: WorkKind::RetryWait, cancel, task });
    }

    /// Node `i` failed for good: its failure policy decides what else ends (§5.5).
    fn node_failed(&mut self, i: usize, message: &str) -> Result<(), RunError> {
        let name = self.plan.node(i).name.clone();
        let policy = self.plan.node(i).fail_policy();
        let effect = state::failure_effect(&name, policy, &self.plan.dag, &self.statuses_by_name());
        for other in &effect.cancel {
            let Some(&j) = self.plan.index.get(other) else { continue };
            self.cancel_work(j);
            self.apply_node(j, effect.cancel_with)?;
            self.nodes[j].row.error_message = Some(format!("node '{name}' failed"));
        }
        if let Some(event) = effect.instance_event {
            self.apply_instance(event)?;
            if event == InstanceEvent::NodeFailedUnderSuspend {
                self.record.error_message = Some(format!("node '{name}' failed: {message}"));
            }
        }
        Ok(())
    }

    /// The instance's end, once nothing runs any more: the §5.7 outcome, or the end a `FAIL`
    /// failure already gave it. `None` while something runs or waits.
    pub(super) fn settle(&mut self) -> Result<bool, RunError> {
        if self.record.status.is_terminal() {
            return Ok(true);
        }
        if self.has_work() {
            return Ok(false);
        }
        match state::instance_outcome(&self.outcome_views()) {
            Some(outcome) => {
                self.apply_instance(InstanceEvent::AllNodesTerminal(outcome))?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}
