//! Operator actions on a running or abnormal instance (JOBS.md §5.8), carried out by the
//! instance's own task so that they and the loop's decisions never race: succeed the instance,
//! continue or retry its suspended nodes, and succeed, retry, skip, pause or resume one node.
//!
//! Each action is first checked against `dlf_core::state` (the instance and node state machines,
//! [`pending_suspensions`](dlf_core::state::pending_suspensions)) without touching anything; a
//! refusal answers `DLF.3051` and changes nothing. An accepted action moves the nodes and the
//! instance through the same `apply_node` / `apply_instance` as the loop's own events, and is
//! persisted (compare-and-set on the stored status) before the operator gets an answer.

use super::InstanceRun;
use super::error::RunError;
use dlf_core::DlfError;
use dlf_core::model::{FailPolicy, NodeStatus};
use dlf_core::state::{self, AbortCause, InstanceEvent, NodeEvent, RecoverAction, SkipCause};

/// What an operator does to one node of a running instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeAction {
    /// A failed `SUSPEND` node → `success`.
    Succeed,
    /// A failed `SUSPEND` node runs again (one more attempt).
    Retry,
    /// A `waiting` or `pause` node → `skip` (as `SKIP_NEXT`: its descendants run).
    Skip,
    /// A `waiting` node → `pause`: it does not start until resumed.
    Pause,
    /// A `pause` node → `waiting`.
    Resume,
}

impl NodeAction {
    /// The action's name in the extension route (`…/nodes/{node_name}/{action}`).
    pub fn parse(s: &str) -> Option<NodeAction> {
        Some(match s {
            "succeed" => NodeAction::Succeed,
            "retry" => NodeAction::Retry,
            "skip" => NodeAction::Skip,
            "pause" => NodeAction::Pause,
            "resume" => NodeAction::Resume,
            _ => return None,
        })
    }
}

/// An action a running instance's task carries out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoopAction {
    /// Succeed an abnormal instance: what still runs is stopped, what waits is canceled, the
    /// instance ends `forceSuccess`.
    Succeed,
    /// Continue an abnormal instance: its suspended failures count as `IGNORE` from now on.
    Continue,
    /// Retry an abnormal instance's suspended nodes.
    Retry,
    /// An action on the node of that name.
    Node(String, NodeAction),
}

impl InstanceRun {
    /// Carries out `action`, or refuses it (the inner error) having changed nothing.
    pub(super) async fn operate(&mut self, action: LoopAction) -> Result<Result<(), DlfError>, RunError> {
        if let Err(refused) = self.check(&action) {
            return Ok(Err(refused));
        }
        match action {
            LoopAction::Succeed => {
                self.cancel_all().await;
                for i in 0..self.nodes.len() {
                    if !self.nodes[i].row.status.is_terminal() {
                        self.apply_node(i, NodeEvent::Abort(AbortCause::InstanceStopped))?;
                        self.nodes[i].row.error_message = Some("the instance was marked successful".into());
                    }
                }
                self.apply_instance(InstanceEvent::ForceSuccess)?;
                self.finish(None).await?;
                return Ok(Ok(()));
            }
            LoopAction::Continue => {
                for i in state::pending_suspensions(&self.outcome_views()) {
                    self.nodes[i].row.continued = true;
                    self.dirty.insert(i);
                }
                self.apply_instance(InstanceEvent::Recover(RecoverAction::Continue))?;
            }
            LoopAction::Retry => {
                let suspended = state::pending_suspensions(&self.outcome_views());
                self.apply_instance(InstanceEvent::Recover(RecoverAction::RetryNode))?;
                for i in suspended {
                    self.retry_node(i).await?;
                }
            }
            LoopAction::Node(name, action) => {
                let i = self.plan.index[&name];
                match action {
                    NodeAction::Succeed => {
                        self.apply_node(i, NodeEvent::OperatorSucceed { policy: FailPolicy::Suspend })?;
                        self.nodes[i].row.error_message = None;
                        self.recover(RecoverAction::SucceedNode)?;
                    }
                    NodeAction::Retry => {
                        self.recover(RecoverAction::RetryNode)?;
                        self.retry_node(i).await?;
                    }
                    NodeAction::Skip => {
                        self.apply_node(i, NodeEvent::Skip(SkipCause::Operator))?;
                        // An operator skip behaves as SKIP_NEXT (§5.6): the descendants run.
                        self.nodes[i].skip_propagates = false;
                        self.nodes[i].row.error_message = Some("skipped by an operator".into());
                    }
                    NodeAction::Pause => {
                        self.apply_node(i, NodeEvent::Pause)?;
                    }
                    NodeAction::Resume => {
                        self.apply_node(i, NodeEvent::Resume)?;
                    }
                }
            }
        }
        self.persist().await?;
        Ok(Ok(()))
    }

    /// The instance leaves `running-exception`; if another `SUSPEND` failure is still pending it
    /// is abnormal again at once (both moves in one commit).
    fn recover(&mut self, how: RecoverAction) -> Result<(), RunError> {
        self.apply_instance(InstanceEvent::Recover(how))?;
        if state::has_pending_suspension(&self.outcome_views()) {
            self.apply_instance(InstanceEvent::NodeFailedUnderSuspend)?;
        }
        Ok(())
    }

    /// A failed `SUSPEND` node runs again: one more attempt, with the node's own rules.
    async fn retry_node(&mut self, i: usize) -> Result<(), RunError> {
        let policy = self.plan.node(i).fail_policy();
        self.apply_node(i, NodeEvent::OperatorRetry { policy })?;
        self.nodes[i].row.error_message = None;
        self.launch_attempt(i).await
    }

    /// Whether `action` is allowed now, as the state machines say; nothing changes here.
    fn check(&self, action: &LoopAction) -> Result<(), DlfError> {
        let id = self.record.id;
        let instance = |event: InstanceEvent| {
            state::next_instance_status(Some(self.record.status), &event)
                .map(|_| ())
                .map_err(|e| DlfError::invalid_param(format!("Job instance {id}: {e}.")))
        };
        match action {
            LoopAction::Succeed => instance(InstanceEvent::ForceSuccess),
            LoopAction::Continue => instance(InstanceEvent::Recover(RecoverAction::Continue)),
            LoopAction::Retry => instance(InstanceEvent::Recover(RecoverAction::RetryNode)),
            LoopAction::Node(name, action) => {
                let Some(&i) = self.plan.index.get(name) else {
                    return Err(DlfError::invalid_param(format!(
                        "Job instance {id}: the job version it runs has no node '{name}'."
                    )));
                };
                let row = &self.nodes[i].row;
                let policy = self.plan.node(i).fail_policy();
                let node = |event: NodeEvent| {
                    state::next_node_status(row.status, &event)
                        .map(|_| ())
                        .map_err(|e| DlfError::invalid_param(format!("Job instance {id}, node '{name}': {e}.")))
                };
                let suspended = || {
                    if row.status == NodeStatus::Fail && row.continued {
                        Err(DlfError::invalid_param(format!(
                            "Job instance {id}, node '{name}': its failure was continued past already."
                        )))
                    } else {
                        Ok(())
                    }
                };
                match action {
                    NodeAction::Succeed => {
                        node(NodeEvent::OperatorSucceed { policy })?;
                        suspended()?;
                        instance(InstanceEvent::Recover(RecoverAction::SucceedNode))
                    }
                    NodeAction::Retry => {
                        node(NodeEvent::OperatorRetry { policy })?;
                        suspended()?;
                        instance(InstanceEvent::Recover(RecoverAction::RetryNode))
                    }
                    NodeAction::Skip if self.nodes.len() < 2 => Err(DlfError::invalid_param(format!(
                        "Job instance {id}: the node of a single-node job cannot be skipped."
                    ))),
                    NodeAction::Skip => node(NodeEvent::Skip(SkipCause::Operator)),
                    NodeAction::Pause => node(NodeEvent::Pause),
                    NodeAction::Resume => node(NodeEvent::Resume),
                }
            }
        }
    }
}
