//! The job-instance state machine (JOBS.md §5.1, operator actions §5.8, API.md I3/I4).
//!
//! [`next_instance_status`] answers one question: from this status, where does this event lead?
//! It encodes the §5.1 transition table row by row; everything the table does not list is an
//! [`InvalidInstanceTransition`]. The only additions are the \[I\] rows named in the module docs
//! of [`crate::state`] (node failures and the outcome arriving while the instance is paused or
//! already abnormal), which the table leaves open but a running engine meets.

use super::transition::InvalidTransition;
use crate::model::InstanceStatus;
use std::fmt;

/// Why a not-yet-running instance (`waiting`, `waiting-confirm`, `freeze`) is canceled
/// (→ `manual-stop`) by the system rather than by an operator's stop (JOBS.md §5.1 row 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CancelReason {
    /// An upstream instance in the dependency window failed and `dependFailPolicy` is `FAIL` (§4.6).
    DependencyFailed,
    /// An upstream job in `dependJobs` is stopped (§4.3).
    UpstreamJobStopped,
    /// This instance's own job was stopped (§4.3; running instances are left alone).
    JobStopped,
    /// Waiting longer than `cleanOverdueDays` (§4.10).
    WaitingCleanup,
    /// A newer queued instance superseded it under `isSkipSelfDepJob` (§4.7).
    SupersededByLatest,
}

/// What an operator does to an abnormal (`running-exception`) instance to let it go on (§5.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecoverAction {
    /// "Continue": the suspended failed node counts as an `IGNORE` failure from now on.
    Continue,
    /// Re-run the suspended failed node(s).
    RetryNode,
    /// Mark the suspended failed node(s) `success`.
    SucceedNode,
}

/// The result of a run whose nodes are all terminal (JOBS.md §5.7); see
/// [`instance_outcome`](super::instance_outcome).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstanceOutcome {
    /// Every node ended well (skipped nodes are fine).
    Success,
    /// Some node failed under `IGNORE` (or a continued `SUSPEND`), nothing worse.
    IgnoreSuccess,
    /// Some node failed under `FAIL`/`FAIL_CHILD`, or was canceled.
    Fail,
}

impl InstanceOutcome {
    /// The instance status this outcome gives.
    pub fn status(self) -> InstanceStatus {
        match self {
            InstanceOutcome::Success => InstanceStatus::Success,
            InstanceOutcome::IgnoreSuccess => InstanceStatus::IgnoreSuccess,
            InstanceOutcome::Fail => InstanceStatus::Fail,
        }
    }
}

impl From<InstanceOutcome> for InstanceStatus {
    fn from(outcome: InstanceOutcome) -> InstanceStatus {
        outcome.status()
    }
}

/// Something that happens to a job instance: one variant per event column of the §5.1 table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstanceEvent {
    /// The instance is created (scheduler, start-once, run-now, event, PatchData, Subjob/For Each).
    /// `pre_frozen` wins over `manual_confirm` (see the decisions in [`crate::state`]).
    Created {
        /// The job has `requireManualConfirmBeforeExecute` (§4.9).
        manual_confirm: bool,
        /// The plan time was frozen before the instance existed (§5.8).
        pre_frozen: bool,
    },
    /// An operator confirms a `waiting-confirm` instance (§4.9).
    Confirm,
    /// Every gate of §4.4 is open: plan time reached, dependencies satisfied, a slot free.
    GatesOpen,
    /// The system cancels a not-yet-running instance.
    Cancel(CancelReason),
    /// Traditional dependency model: no upstream instance in the window (§4.6).
    DependencyWindowEmpty,
    /// An operator freezes a waiting instance (§5.8).
    Freeze,
    /// An operator unfreezes a frozen instance (§5.8).
    Unfreeze,
    /// Every node is terminal; the outcome of §5.7.
    AllNodesTerminal(InstanceOutcome),
    /// A node failed after its last attempt and its policy is `FAIL` (§5.5).
    NodeFailedUnderFail,
    /// A node failed after its last attempt and its policy is `SUSPEND` (§5.5).
    NodeFailedUnderSuspend,
    /// An operator pauses a running instance.
    Pause,
    /// An operator resumes a paused instance.
    Resume,
    /// An operator continues, retries a node or succeeds a node of an abnormal instance.
    Recover(RecoverAction),
    /// An operator stops the instance (stop-instance, API.md I3; not a job stop).
    Stop,
    /// An operator marks a failed, canceled or abnormal instance successful.
    ForceSuccess,
    /// An operator reruns a finished instance (§5.9, API.md I4).
    Rerun {
        /// The job has `requireManualConfirmBeforeExecute` (§4.9: reruns need confirmation too).
        manual_confirm: bool,
    },
}

impl InstanceEvent {
    /// What the event does, as the end of "cannot … it" in an error message.
    pub fn action(&self) -> &'static str {
        match self {
            InstanceEvent::Created { .. } => "create it",
            InstanceEvent::Confirm => "confirm it",
            InstanceEvent::GatesOpen => "start it",
            InstanceEvent::Cancel(_) => "cancel it",
            InstanceEvent::DependencyWindowEmpty => "skip it by dependency",
            InstanceEvent::Freeze => "freeze it",
            InstanceEvent::Unfreeze => "unfreeze it",
            InstanceEvent::AllNodesTerminal(_) => "finish it",
            InstanceEvent::NodeFailedUnderFail => "fail it",
            InstanceEvent::NodeFailedUnderSuspend => "suspend it",
            InstanceEvent::Pause => "pause it",
            InstanceEvent::Resume => "resume it",
            InstanceEvent::Recover(RecoverAction::Continue) => "continue it",
            InstanceEvent::Recover(RecoverAction::RetryNode) => "retry its node",
            InstanceEvent::Recover(RecoverAction::SucceedNode) => "succeed its node",
            InstanceEvent::Stop => "stop it",
            InstanceEvent::ForceSuccess => "mark it successful",
            InstanceEvent::Rerun { .. } => "rerun it",
        }
    }
}

/// A refused instance transition; `from` is `None` before the instance exists.
pub type InvalidInstanceTransition = InvalidTransition<Option<InstanceStatus>, InstanceEvent>;

impl fmt::Display for InvalidInstanceTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.from {
            Some(status) => write!(f, "instance is {status}; cannot {}", self.event.action()),
            None => write!(f, "instance does not exist yet; cannot {}", self.event.action()),
        }
    }
}

/// The status an instance in `from` (`None` = not created yet) moves to on `event`
/// (JOBS.md §5.1), or the refusal.
pub fn next_instance_status(
    from: Option<InstanceStatus>,
    event: &InstanceEvent,
) -> Result<InstanceStatus, InvalidInstanceTransition> {
    use InstanceEvent as E;
    use InstanceStatus as S;
    let refuse = || InvalidTransition { from, event: *event };
    let Some(status) = from else {
        return match *event {
            E::Created { pre_frozen: true, .. } => Ok(S::Freeze),
            E::Created { manual_confirm: true, .. } => Ok(S::WaitingConfirm),
            E::Created { .. } => Ok(S::Waiting),
            _ => Err(refuse()),
        };
    };
    let to = match (status, *event) {
        (S::WaitingConfirm, E::Confirm) => S::Waiting,
        (S::Waiting, E::GatesOpen) => S::Running,
        (S::Waiting | S::WaitingConfirm | S::Freeze, E::Cancel(_)) => S::ManualStop,
        (S::Waiting, E::DependencyWindowEmpty) => S::SkipByDepend,
        (S::Waiting, E::Freeze) => S::Freeze,
        (S::Freeze, E::Unfreeze) => S::Waiting,
        // \[I\] A paused instance whose last running node ends has nothing left to pause.
        (S::Running | S::Pause, E::AllNodesTerminal(outcome)) => outcome.status(),
        // \[I\] `FAIL` ends the plan at once, also while paused or abnormal.
        (S::Running | S::RunningException | S::Pause, E::NodeFailedUnderFail) => S::Fail,
        // \[I\] A `SUSPEND` failure while paused (or a second one) parks the instance abnormal.
        (S::Running | S::RunningException | S::Pause, E::NodeFailedUnderSuspend) => S::RunningException,
        (S::Running, E::Pause) => S::Pause,
        (S::Pause, E::Resume) => S::Running,
        (S::RunningException, E::Recover(_)) => S::Running,
        (s, E::Stop) if !s.is_terminal() => S::ManualStop,
        (S::Fail | S::ManualStop | S::RunningException, E::ForceSuccess) => S::ForceSuccess,
        (s, E::Rerun { manual_confirm }) if s.is_terminal() => {
            if manual_confirm {
                S::WaitingConfirm
            } else {
                S::Waiting
            }
        }
        _ => return Err(refuse()),
    };
    Ok(to)
}
