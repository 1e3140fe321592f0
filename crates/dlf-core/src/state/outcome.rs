//! What a node's final failure does (JOBS.md §5.5) and how an instance ends (§5.7).
//!
//! [`failure_effect`] says which other nodes to cancel and which instance event to apply when a
//! node has failed after its last attempt. [`instance_outcome`] says how the instance ends once
//! nothing is left to run: `fail` if a node failed under `FAIL`/`FAIL_CHILD` (or was canceled),
//! else `ignoreSuccess` if a node failed under `IGNORE` (or a continued `SUSPEND`), else
//! `success`.

use super::graph::Dag;
use super::instance::{InstanceEvent, InstanceOutcome};
use super::node::{AbortCause, NodeEvent};
use crate::model::{FailPolicy, NodeStatus};
use std::collections::BTreeSet;

/// What the outcome rule needs to know about one node of the instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeOutcomeView {
    /// The node's status.
    pub status: NodeStatus,
    /// The node's `failPolicy`.
    pub fail_policy: FailPolicy,
    /// A `SUSPEND` failure an operator continued (counts as `IGNORE`).
    pub continued: bool,
}

impl NodeOutcomeView {
    fn is_pending_suspension(&self) -> bool {
        self.status == NodeStatus::Fail && self.fail_policy == FailPolicy::Suspend && !self.continued
    }
}

/// Whether some node failed under `SUSPEND` and no operator has continued, retried or succeeded
/// it yet: the instance belongs in `running-exception` (apply
/// [`InstanceEvent::NodeFailedUnderSuspend`] again after a recovery that left one behind).
pub fn has_pending_suspension(nodes: &[NodeOutcomeView]) -> bool {
    nodes.iter().any(NodeOutcomeView::is_pending_suspension)
}

/// The nodes (indexes into `nodes`) whose `SUSPEND` failure is pending: what an operator's
/// "continue" (they count as `IGNORE` from then on) and "retry" (they run again) act on (§5.8).
pub fn pending_suspensions(nodes: &[NodeOutcomeView]) -> Vec<usize> {
    nodes.iter().enumerate().filter(|(_, n)| n.is_pending_suspension()).map(|(i, _)| i).collect()
}

/// The §5.7 outcome, or `None` while any node is `waiting`, `running` or `pause`, or a `SUSPEND`
/// failure is not continued (the instance stays `running`/`running-exception`).
///
/// A `manual-stop` node with no failure behind it (e.g. an HTTP Trigger that gave up waiting)
/// makes the instance `fail` \[I\]: canceled work is not success.
pub fn instance_outcome(nodes: &[NodeOutcomeView]) -> Option<InstanceOutcome> {
    if nodes.iter().any(|n| !n.status.is_terminal()) || has_pending_suspension(nodes) {
        return None;
    }
    let hard_failure = |n: &NodeOutcomeView| match n.status {
        NodeStatus::Fail => matches!(n.fail_policy, FailPolicy::Fail | FailPolicy::FailChild),
        NodeStatus::ManualStop => true,
        _ => false,
    };
    if nodes.iter().any(hard_failure) {
        return Some(InstanceOutcome::Fail);
    }
    if nodes.iter().any(|n| n.status == NodeStatus::Fail) {
        // What is left is IGNORE or continued SUSPEND.
        return Some(InstanceOutcome::IgnoreSuccess);
    }
    Some(InstanceOutcome::Success)
}

/// The consequences of one node's final failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailureEffect {
    /// Nodes to cancel now (→ `manual-stop`; running ones are killed).
    pub cancel: BTreeSet<String>,
    /// The event each of them is canceled with: [`NodeEvent::Abort`] when the whole instance
    /// fails (`FAIL`), [`NodeEvent::CanceledByUpstream`] for a failed ancestor (`FAIL_CHILD`).
    pub cancel_with: NodeEvent,
    /// The instance event to apply, if any.
    pub instance_event: Option<InstanceEvent>,
}

/// What node `failed`, with policy `policy`, does to the others when it fails after its last
/// attempt (§5.5). `statuses` are the current node statuses; only nodes still `waiting`,
/// `running` or `pause` are canceled.
///
/// - `FAIL`: every other unfinished node is canceled ([`NodeEvent::Abort`](super::NodeEvent)),
///   the instance fails at once ([`InstanceEvent::NodeFailedUnderFail`]).
/// - `FAIL_CHILD`: the failed node's unfinished descendants are canceled
///   ([`NodeEvent::CanceledByUpstream`](super::NodeEvent)); independent branches go on.
/// - `IGNORE`: nothing; descendants treat the node as finished.
/// - `SUSPEND`: nothing is canceled (descendants wait, see [`readiness`](fn@super::readiness));
///   the instance becomes abnormal ([`InstanceEvent::NodeFailedUnderSuspend`]).
pub fn failure_effect<S: AsRef<str>>(
    failed: &str,
    policy: FailPolicy,
    dag: &Dag,
    statuses: &[(S, NodeStatus)],
) -> FailureEffect {
    let unfinished = |name: &str| statuses.iter().any(|(n, status)| n.as_ref() == name && !status.is_terminal());
    match policy {
        FailPolicy::Fail => FailureEffect {
            cancel_with: NodeEvent::Abort(AbortCause::InstanceFailed),
            cancel: statuses
                .iter()
                .filter(|(n, status)| n.as_ref() != failed && !status.is_terminal())
                .map(|(n, _)| n.as_ref().to_string())
                .collect(),
            instance_event: Some(InstanceEvent::NodeFailedUnderFail),
        },
        FailPolicy::FailChild => FailureEffect {
            cancel: dag.descendants(failed).into_iter().filter(|n| unfinished(n)).collect(),
            cancel_with: NodeEvent::CanceledByUpstream,
            instance_event: None,
        },
        FailPolicy::Ignore => {
            FailureEffect { cancel: BTreeSet::new(), cancel_with: NodeEvent::CanceledByUpstream, instance_event: None }
        }
        FailPolicy::Suspend => FailureEffect {
            cancel: BTreeSet::new(),
            cancel_with: NodeEvent::CanceledByUpstream,
            instance_event: Some(InstanceEvent::NodeFailedUnderSuspend),
        },
    }
}
