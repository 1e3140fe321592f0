//! An instance run's beginning, its commits and its ends: loading what it runs, resuming what a
//! dead server left, persisting each round of changes, and ending — by its outcome, by an
//! operator's stop, or interrupted by a shutdown.

use super::error::RunError;
use super::nodes::NodeRun;
use super::params::{self, InstanceFacts, InstanceParams};
use super::{Inbox, InstanceRun};
use crate::Engine;
use crate::runners::AttemptOutcome;
use dlf_core::model::{InstanceStatus, InstanceType, NodeStatus};
use dlf_core::state::{self, AbortCause, InstanceEvent, NodeEvent};
use dlf_store::{InstanceCommit, InstanceRecord, NodeInstanceRecord};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use tokio::sync::mpsc;

/// How often a store write is tried before the instance task gives up (the instance is then
/// resumed by the next start-up's reconciliation).
const COMMIT_ATTEMPTS: u32 = 5;
/// How long a cancelled attempt's task may take to stop its work.
const STOP_WAIT: Duration = Duration::from_secs(10);

impl InstanceRun {
    /// Loads what the instance runs and resumes it: parameters resolved (or the instance fails
    /// before any node runs), attempts a dead server left running reconciled.
    pub(super) async fn start(
        engine: Engine,
        record: InstanceRecord,
        fresh: bool,
        control: mpsc::UnboundedReceiver<super::Control>,
    ) -> Result<(InstanceRun, Inbox), RunError> {
        let instance_id = record.id;
        let load = |source| RunError::Load { instance_id, source };
        let plan = engine.job_plan(record.job_id, record.version).await.map_err(load)?;
        let project_id = engine.project_of_workspace(&record.workspace_id).await.map_err(load)?;
        // A fresh instance's rows are each `NodeInstanceRecord::waiting`, built below for every
        // node without a row.
        let rows = if fresh {
            Vec::new()
        } else {
            engine.store().node_instances(record.id).await.map_err(|source| RunError::Store { instance_id, source })?
        };
        let mut by_name: HashMap<String, NodeInstanceRecord> =
            rows.into_iter().map(|n| (n.node_name.clone(), n)).collect();
        let nodes: Vec<NodeRun> = plan
            .doc
            .nodes
            .iter()
            .map(|n| {
                by_name.remove(&n.name).unwrap_or_else(|| NodeInstanceRecord::waiting(record.id, &n.name, &n.node_type))
            })
            .map(NodeRun::new)
            .collect();
        let facts = InstanceFacts {
            job_id: record.job_id,
            job_name: record.job_name.clone(),
            project_id,
            instance_id: record.id,
            plan_time_ms: record.plan_ms,
            start_time_ms: record.start_ms.unwrap_or(record.plan_ms),
            service_zone: engine.config().service_zone,
        };
        let (events_tx, events) = mpsc::unbounded_channel();
        let (retry_tx, retries) = mpsc::unbounded_channel();
        let dry_run = plan.doc.is_dry_run();
        let mut run = InstanceRun {
            engine,
            plan,
            stored_status: record.status,
            record,
            instance_dirty: false,
            facts,
            params: InstanceParams::default(),
            nodes,
            dirty: BTreeSet::new(),
            dry_run,
            events_tx,
            retry_tx,
            awaiting_record: Vec::new(),
            stopping: Vec::new(),
        };
        let inbox = Inbox { events, retries, control };
        match params::resolve(&run.plan, run.record.params.as_deref(), &run.facts, run.engine.now_ms()) {
            Ok(p) => run.params = p,
            Err(e) => {
                run.fail_before_start(e.to_string()).await?;
                return Ok((run, inbox));
            }
        }
        run.reconcile_orphans().await?;
        Ok((run, inbox))
    }

    /// Nodes a dead server left `running`. An attempt in progress is killed if its processes
    /// still exist and counts as a failed attempt (retried or failed per its node's rules); a
    /// retry wait goes on for what is left of it. Then, if a `SUSPEND` failure is pending while
    /// the instance says `running`, the instance is abnormal again (§5.5).
    async fn reconcile_orphans(&mut self) -> Result<(), RunError> {
        let epoch = self.engine.epoch().to_string();
        let now = self.engine.now_ms();
        for i in 0..self.nodes.len() {
            let row = &self.nodes[i].row;
            if row.status != NodeStatus::Running || row.runner_epoch.as_deref() == Some(epoch.as_str()) {
                continue;
            }
            if self.nodes[i].row_waits_to_retry() {
                let due = row
                    .end_ms
                    .unwrap_or(now)
                    .saturating_add(self.plan.node(i).retry_interval_secs().saturating_mul(1000) as i64);
                self.wait_to_retry(i, Duration::from_millis(u64::try_from(due - now).unwrap_or(0)));
                continue;
            }
            if self.engine.runners().get(&row.node_type).is_some_and(|r| r.survives_restart()) {
                // Its work lives on in the store (SubJob's children): the next attempt takes it
                // up, and this one counts as interrupted, not failed.
                self.apply_node(i, NodeEvent::Interrupted)?;
                let row = &mut self.nodes[i].row;
                row.interrupted += 1;
                row.end_ms = None;
                continue;
            }
            if let Some(pgid) = row.process_group {
                crate::recovery::kill_orphan_group(pgid, row.runner_epoch.as_deref()).await;
            }
            let attempt = u32::try_from(row.attempts.max(1)).unwrap_or(u32::MAX);
            let outcome = AttemptOutcome::failed("the server stopped while this attempt was running", true);
            self.attempt_ended(i, attempt, outcome).await?;
        }
        if self.record.status == InstanceStatus::Running && state::has_pending_suspension(&self.outcome_views()) {
            self.apply_instance(InstanceEvent::NodeFailedUnderSuspend)?;
        }
        Ok(())
    }

    /// Writes what changed since the last commit, then lets the attempts recorded in it start.
    pub(super) async fn persist(&mut self) -> Result<(), RunError> {
        if !self.dirty.is_empty() || self.instance_dirty {
            let commit = InstanceCommit {
                instance: self.instance_dirty.then(|| (self.record.clone(), self.stored_status)),
                nodes: self.dirty.iter().map(|&i| self.nodes[i].row.clone()).collect(),
                ..Default::default()
            };
            self.commit(commit).await?;
        }
        for recorded in self.awaiting_record.drain(..) {
            let _ = recorded.send(());
        }
        Ok(())
    }

    /// One commit, compare-and-set on the stored status, retried on store errors.
    async fn commit(&mut self, commit: InstanceCommit) -> Result<(), RunError> {
        let instance_id = self.record.id;
        let mut delay = Duration::from_millis(50);
        let mut tries = 0;
        let applied = loop {
            tries += 1;
            match self.engine.commit_instance(commit.clone()).await {
                Ok(applied) => break applied,
                Err(e) if tries < COMMIT_ATTEMPTS => {
                    tracing::warn!(instance_id, error = %e, "store write failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(source) => return Err(RunError::Store { instance_id, source }),
            }
        };
        if !applied {
            return Err(RunError::Conflict { instance_id });
        }
        self.stored_status = self.record.status;
        self.instance_dirty = false;
        self.dirty.clear();
        Ok(())
    }

    /// Ends the instance as its status now says (terminal), with the job's "last instance"
    /// columns, once every cancelled attempt has stopped its work. `error` replaces the message
    /// taken from the first failed node.
    pub(super) async fn finish(&mut self, error: Option<String>) -> Result<(), RunError> {
        self.await_stopping().await;
        let status = self.record.status;
        let now = self.engine.now_ms();
        self.record.end_ms = Some(now);
        self.record.error_message = if status.is_success_class() {
            None
        } else {
            error.or_else(|| {
                self.nodes.iter().find(|n| n.row.status == NodeStatus::Fail).map(|n| {
                    format!("node '{}' failed: {}", n.row.node_name, n.row.error_message.clone().unwrap_or_default())
                })
            })
        };
        let commit = InstanceCommit {
            instance: Some((self.record.clone(), self.stored_status)),
            nodes: self.dirty.iter().map(|&i| self.nodes[i].row.clone()).collect(),
            job_last_instance: Some((self.record.job_id, status, now)),
            ..Default::default()
        };
        self.commit(commit).await?;
        if self.record.instance_type == InstanceType::Once {
            self.engine.once_instance_ended(self.record.job_id).await;
        }
        // After the commit: a notification reports an end that is durable, and never delays it.
        let failed_node = self.nodes.iter().find(|n| n.row.status == NodeStatus::Fail).map(|n| n.row.node_name.clone());
        self.engine.notify_instance_end(crate::notify::EndedInstance { record: self.record.clone(), failed_node });
        Ok(())
    }

    /// StopJobInstance: kill, cancel, end `manual-stop`.
    pub(super) async fn stop(&mut self) -> Result<(), RunError> {
        self.cancel_all().await;
        for i in 0..self.nodes.len() {
            if !self.nodes[i].row.status.is_terminal() {
                self.apply_node(i, NodeEvent::Abort(AbortCause::InstanceStopped))?;
                self.nodes[i].row.error_message = Some("the instance was stopped".into());
            }
        }
        self.apply_instance(InstanceEvent::Stop)?;
        self.finish(Some("The instance was stopped by an operator.".into())).await
    }

    /// Cancels all work and waits until it has stopped.
    pub(super) async fn cancel_all(&mut self) {
        for i in 0..self.nodes.len() {
            self.cancel_work(i);
        }
        self.awaiting_record.clear();
        self.await_stopping().await;
    }

    async fn await_stopping(&mut self) {
        for task in self.stopping.drain(..) {
            let _ = tokio::time::timeout(STOP_WAIT, task).await;
        }
    }

    /// Shutdown: running nodes go back to `waiting` (§5.2 [I] `Interrupted`); an interrupted
    /// attempt keeps its number but does not count against the node's retries.
    pub(super) async fn interrupt(&mut self) -> Result<(), RunError> {
        let running: Vec<(usize, bool)> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].row.status == NodeStatus::Running)
            .map(|i| (i, !self.nodes[i].row_waits_to_retry()))
            .collect();
        self.cancel_all().await;
        for (i, in_attempt) in running {
            self.apply_node(i, NodeEvent::Interrupted)?;
            let row = &mut self.nodes[i].row;
            if in_attempt {
                row.interrupted += 1;
            }
            row.process_group = None;
            row.process_start = None;
            row.end_ms = None;
        }
        self.persist().await
    }

    /// The job parameters could not be evaluated: every node is canceled and the instance
    /// ends with the outcome that gives (`fail`, §5.7), before any node ran.
    async fn fail_before_start(&mut self, message: String) -> Result<(), RunError> {
        for i in 0..self.nodes.len() {
            if !self.nodes[i].row.status.is_terminal() {
                self.apply_node(i, NodeEvent::Abort(AbortCause::InstanceFailed))?;
                self.nodes[i].row.error_message = Some("the instance failed before it started".into());
            }
        }
        if !self.settle()? {
            return Ok(());
        }
        self.finish(Some(message)).await
    }
}
