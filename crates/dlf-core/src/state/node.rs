//! The node-instance state machine (JOBS.md §5.2, operator actions §5.8).
//!
//! [`next_node_status`] encodes the §5.2 transition table; everything it does not list is an
//! [`InvalidNodeTransition`]. Operator "succeed"/"retry" on a failed node carry the node's
//! `failPolicy` because they are allowed only for `SUSPEND` nodes.

use super::transition::InvalidTransition;
use crate::model::{FailPolicy, NodeStatus};
use std::fmt;

/// Why a waiting node is skipped (§5.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SkipCause {
    /// Its edge conditions voted false (§5.6 step 5).
    ConditionsFalse,
    /// An upstream skip propagated to it (§5.6 step 3).
    PropagatedSkip,
    /// An operator skipped it (`waiting` or `pause` node; behaves as `SKIP_NEXT`, so it does not
    /// propagate). Refusing it for single-node jobs is the caller's check (§5.8).
    Operator,
    /// Its instance ended `skip-by-depend` before running (§4.6): no node of it runs.
    InstanceSkipped,
}

/// Why a node is canceled by its instance rather than by its upstream (§5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AbortCause {
    /// The instance was stopped (running attempts are killed, retry waits end).
    InstanceStopped,
    /// Another node failed under `FAIL`, which ends the whole instance (§5.5).
    InstanceFailed,
}

/// Something that happens to a node instance: one variant per event of the §5.2 table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeEvent {
    /// The node is decidable, allowed to run (§5.6) and has a slot (§4.8): an attempt starts.
    Start,
    /// The node dry-runs (`emptyRunningJob`, calendar non-working day): success without running.
    DryRun,
    /// The node is skipped.
    Skip(SkipCause),
    /// An upstream failed under `FAIL_CHILD`, or an upstream was canceled (§5.6 step 1).
    CanceledByUpstream,
    /// An operator pauses a waiting node.
    Pause,
    /// An operator resumes a paused node.
    Resume,
    /// The running attempt ended well.
    AttemptSucceeded,
    /// The running attempt failed; `retry_left` per §5.3 (see [`retry_left`](super::retry_left)).
    AttemptFailed {
        /// Another attempt is allowed and left: the node stays `running` through the retry wait.
        retry_left: bool,
    },
    /// The instance was stopped, or failed under `FAIL`.
    Abort(AbortCause),
    /// An operator marks the failed node successful; allowed only when `policy` is `SUSPEND`.
    OperatorSucceed {
        /// The node's `failPolicy`.
        policy: FailPolicy,
    },
    /// An operator retries the failed node; allowed only when `policy` is `SUSPEND`.
    OperatorRetry {
        /// The node's `failPolicy`.
        policy: FailPolicy,
    },
    /// The node is included in a rerun of its instance (§5.9).
    Rerun,
    /// \[I\] The server shuts down gracefully while the node is `running` (an attempt or a retry
    /// wait): the attempt is interrupted and not counted, and the node waits to run again when
    /// the server is back, so a restart spends none of its retries.
    Interrupted,
}

impl NodeEvent {
    /// What the event does, as the end of "cannot … it" in an error message.
    pub fn action(&self) -> &'static str {
        match self {
            NodeEvent::Start => "start it",
            NodeEvent::DryRun => "dry-run it",
            NodeEvent::Skip(_) => "skip it",
            NodeEvent::CanceledByUpstream => "cancel it",
            NodeEvent::Pause => "pause it",
            NodeEvent::Resume => "resume it",
            NodeEvent::AttemptSucceeded => "end its attempt successfully",
            NodeEvent::AttemptFailed { .. } => "fail its attempt",
            NodeEvent::Abort(_) => "cancel it",
            NodeEvent::OperatorSucceed { .. } => "mark it successful",
            NodeEvent::OperatorRetry { .. } => "retry it",
            NodeEvent::Rerun => "rerun it",
            NodeEvent::Interrupted => "interrupt it",
        }
    }
}

/// A refused node transition.
pub type InvalidNodeTransition = InvalidTransition<NodeStatus, NodeEvent>;

impl fmt::Display for InvalidNodeTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node is {}; cannot {}", self.from, self.event.action())?;
        match self.event {
            NodeEvent::OperatorSucceed { policy } | NodeEvent::OperatorRetry { policy }
                if self.from == NodeStatus::Fail && policy != FailPolicy::Suspend =>
            {
                write!(f, " (its failPolicy is {}; only SUSPEND nodes can be retried or succeeded)", policy.as_str())
            }
            _ => Ok(()),
        }
    }
}

/// The status a node in `from` moves to on `event` (JOBS.md §5.2), or the refusal.
pub fn next_node_status(from: NodeStatus, event: &NodeEvent) -> Result<NodeStatus, InvalidNodeTransition> {
    use NodeEvent as E;
    use NodeStatus as S;
    let to = match (from, *event) {
        (S::Waiting, E::Start) => S::Running,
        (S::Waiting, E::DryRun) => S::Success,
        (S::Waiting, E::Skip(_)) => S::Skip,
        (S::Running, E::Interrupted) => S::Waiting,
        (S::Pause, E::Skip(SkipCause::Operator)) => S::Skip,
        // [I] `pause` too: a paused descendant of a FAIL_CHILD failure is canceled with the rest.
        (S::Waiting | S::Pause, E::CanceledByUpstream) => S::ManualStop,
        (S::Waiting, E::Pause) => S::Pause,
        (S::Pause, E::Resume) => S::Waiting,
        (S::Running, E::AttemptSucceeded) => S::Success,
        (S::Running, E::AttemptFailed { retry_left: true }) => S::Running,
        (S::Running, E::AttemptFailed { retry_left: false }) => S::Fail,
        (S::Waiting | S::Running | S::Pause, E::Abort(_)) => S::ManualStop,
        (S::Fail, E::OperatorSucceed { policy: FailPolicy::Suspend }) => S::Success,
        (S::Fail, E::OperatorRetry { policy: FailPolicy::Suspend }) => S::Running,
        // [I] `waiting` too: a node that never started (instance canceled before it ran) is
        // already where a rerun puts it.
        (s, E::Rerun) if s.is_terminal() || s == S::Waiting => S::Waiting,
        _ => return Err(InvalidTransition { from, event: *event }),
    };
    Ok(to)
}
