//! Running one job instance: its DAG in dependency order, independent branches in parallel.
//!
//! # The engine decides nothing; it asks `state` and persists the answer
//!
//! One task per running instance ([`run_instance`]) owns the instance's state in memory — a
//! cache of what the store holds, one [`NodeRun`](nodes::NodeRun) per node — and repeats three
//! steps:
//!
//! 1. **decide** (`decide.rs`): ask `dlf_core::state` what every waiting node does now
//!    (readiness, edge conditions, skips), start the attempts it allows, and turn every event
//!    that arrived (an attempt's end, a retry wait's end) into node and instance events through
//!    the state machines (`nodes.rs`, [`InstanceRun::apply_instance`]): retries, failure
//!    policies and the outcome are all `state`'s rules. Nothing else changes a status.
//! 2. **persist** (`lifecycle.rs`): write every changed row in one commit, through the group
//!    committer; an instance whose end is decided ends in that same commit.
//! 3. **release, then wait**: attempts recorded as running in that commit may now start their
//!    work — no process starts, no query is sent, before the store shows its attempt running
//!    (ARCHITECTURE.md, "Crash safety") — then wait for the next event: an attempt ended, a
//!    retry wait ended, an operator stopped the instance, the server shuts down.
//!
//! Attempts run as tasks of their own (`attempt_task.rs`), bounded by the engine's worker
//! slots, and report back on a channel; operators reach the instance through [`Control`]
//! (stop, and the actions of `operator.rs`).

pub mod attempt;
mod attempt_task;
mod child_calls;
mod decide;
pub mod error;
mod lifecycle;
mod node_effects;
mod nodes;
pub mod operator;
pub mod params;
pub mod plan;

use crate::Engine;
use attempt_task::AttemptEvent;
use dlf_core::model::InstanceStatus;
use dlf_core::state::{self, InstanceEvent};
use dlf_store::InstanceRecord;
use error::RunError;
use nodes::NodeRun;
use params::{InstanceFacts, InstanceParams};
use plan::JobPlan;
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Messages an operator sends to a running instance.
#[derive(Debug)]
pub enum Control {
    /// StopJobInstance: kill running nodes, cancel the rest, end `manual-stop`. Replies once the
    /// stop is persisted.
    Stop { reply: oneshot::Sender<()> },
    /// The server is shutting down: interrupt running attempts and leave the instance `running`
    /// in the store, with the interrupted nodes back to `waiting` (their attempts not counted
    /// against their retries), so the next start runs them again.
    Shutdown { reply: oneshot::Sender<()> },
    /// An operator action (JOBS.md §5.8, `operator.rs`): answered once it is persisted, or
    /// refused with nothing changed.
    Operator { action: operator::LoopAction, reply: oneshot::Sender<Result<(), dlf_core::DlfError>> },
}

/// A handle on a running instance.
#[derive(Clone, Debug)]
pub struct InstanceHandle {
    pub control: mpsc::UnboundedSender<Control>,
}

/// The state of one running instance (see the module docs).
struct InstanceRun {
    engine: Engine,
    plan: Arc<JobPlan>,
    /// The instance as this task sees it; its status may be ahead of the store's.
    record: InstanceRecord,
    /// The status the store holds: the compare-and-set of the next instance write.
    stored_status: InstanceStatus,
    /// The instance row changed since the last commit.
    instance_dirty: bool,
    facts: InstanceFacts,
    params: InstanceParams,
    nodes: Vec<NodeRun>,
    /// Nodes whose rows changed since the last commit.
    dirty: BTreeSet<usize>,
    /// The job (or its version) dry-runs every node.
    dry_run: bool,
    events_tx: mpsc::UnboundedSender<AttemptEvent>,
    /// Nodes whose retry wait ended.
    retry_tx: mpsc::UnboundedSender<usize>,
    /// Attempts recorded as running in memory: each starts its work once the record is
    /// committed (the sender fires) and never if it is not (the sender is dropped).
    awaiting_record: Vec<oneshot::Sender<()>>,
    /// Tasks of cancelled work; awaited before the instance ends, so its processes are gone.
    stopping: Vec<JoinHandle<()>>,
}

/// The channels an instance's task waits on.
struct Inbox {
    events: mpsc::UnboundedReceiver<AttemptEvent>,
    retries: mpsc::UnboundedReceiver<usize>,
    control: mpsc::UnboundedReceiver<Control>,
}

/// Runs an instance that is `running` (or `running-exception` after a restart) until it ends or
/// is stopped. `record` must be the persisted row; `fresh` says its node rows are still as
/// created ([`dlf_store::Start`]), which saves reading them back.
pub async fn run_instance(
    engine: Engine,
    record: InstanceRecord,
    fresh: bool,
    control: mpsc::UnboundedReceiver<Control>,
) {
    let (instance_id, job_id) = (record.id, record.job_id);
    match InstanceRun::start(engine.clone(), record, fresh, control).await {
        Ok((mut run, mut inbox)) => {
            if let Err(e) = run.drive(&mut inbox).await {
                tracing::error!(instance_id, error = %e, "an instance run stopped; it resumes at the next start of the server");
                run.cancel_all().await;
            }
            if run.stored_status.is_terminal() {
                engine.instance_end_notify(instance_id, run.stored_status);
            }
        }
        Err(e) => tracing::error!(instance_id, error = %e, "cannot run an instance"),
    }
    engine.instance_ended(job_id, instance_id);
}

impl InstanceRun {
    /// The loop: decide, persist, release, wait.
    async fn drive(&mut self, inbox: &mut Inbox) -> Result<(), RunError> {
        loop {
            if self.stored_status.is_terminal() {
                return Ok(());
            }
            self.decide().await?;
            if self.settle()? {
                // The last node changes go with the instance's end in one commit.
                return self.finish(None).await;
            }
            self.persist().await?;
            tokio::select! {
                Some(event) = inbox.events.recv() => self.on_attempt_event(event).await?,
                Some(node) = inbox.retries.recv() => self.on_retry_due(node).await?,
                message = inbox.control.recv() => {
                    if let Some(Control::Operator { action, reply }) = message {
                        let answer = self.operate(action).await?;
                        let _ = reply.send(answer);
                        continue;
                    }
                    match message {
                        Some(Control::Stop { reply }) => {
                            self.stop().await?;
                            let _ = reply.send(());
                        }
                        Some(Control::Shutdown { reply }) => {
                            self.interrupt().await?;
                            let _ = reply.send(());
                        }
                        Some(Control::Operator { .. }) | None => self.interrupt().await?,
                    }
                    return Ok(());
                }
            }
        }
    }

    /// What an attempt task reported.
    async fn on_attempt_event(&mut self, event: AttemptEvent) -> Result<(), RunError> {
        match event {
            AttemptEvent::ProcessStarted { node, attempt, info } => {
                // Kept with the row and written with its next change: orphans of a crashed
                // server are found by their environment stamp anyway (`recovery`), so this costs
                // no extra write per attempt.
                if self.nodes[node].runs_attempt(attempt) {
                    self.nodes[node].row.process_group = Some(i64::from(info.process_group));
                    self.nodes[node].row.process_start = info.start_ticks.map(|t| t.to_string());
                }
                Ok(())
            }
            AttemptEvent::Progress { node, attempt, note } => {
                tracing::info!(instance_id = self.record.id, node = %self.nodes[node].row.node_name, attempt, %note, "progress");
                Ok(())
            }
            AttemptEvent::Finished { node, attempt, outcome } => {
                // An attempt the engine cancelled (its node already moved on) is not news.
                if !self.nodes[node].runs_attempt(attempt) {
                    return Ok(());
                }
                self.attempt_ended(node, attempt, outcome).await
            }
        }
    }

    /// A retry wait ended: the node's next attempt starts.
    async fn on_retry_due(&mut self, node: usize) -> Result<(), RunError> {
        let waiting = matches!(&self.nodes[node].work, Some(w) if w.kind == nodes::WorkKind::RetryWait);
        if !waiting {
            return Ok(());
        }
        self.nodes[node].work = None;
        self.launch_attempt(node).await
    }

    /// Moves the instance on `event` as `dlf_core::state` decides; written with the next commit.
    fn apply_instance(&mut self, event: InstanceEvent) -> Result<InstanceStatus, RunError> {
        let to = state::next_instance_status(Some(self.record.status), &event)
            .map_err(|source| RunError::InstanceTransition { instance_id: self.record.id, source })?;
        self.record.status = to;
        self.instance_dirty = true;
        Ok(to)
    }
}
