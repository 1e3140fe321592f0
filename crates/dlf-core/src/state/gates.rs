//! When a waiting instance moves on (JOBS.md §4.4).
//!
//! A `waiting` instance becomes `running` when its plan time has come, self-dependency and every
//! cross-job dependency are satisfied, and a concurrency slot is free (not frozen and not
//! waiting for confirmation is its status being `waiting`). Dependencies may also end it:
//! canceled (`manual-stop`) or, in the traditional model, skipped (`skip-by-depend`).
//! Dependencies are looked at only once the plan time has come.

use super::dependency::{DependencyCancel, DependencyDecision};
use super::instance::{CancelReason, InstanceEvent};

/// What the gates of one waiting instance look like now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GateInput {
    /// The current time (the engine's clock), epoch ms.
    pub now_ms: i64,
    /// The instance's plan time, epoch ms.
    pub plan_ms: i64,
    /// Self-dependency and every cross-job dependency, merged with [`combine`](super::combine).
    /// Pass [`DependencyDecision::Run`] where dependencies do not apply: run-now, reruns (§5.9),
    /// "execute without dependency" (§5.8).
    pub dependencies: DependencyDecision,
    /// A concurrency slot is free for this instance ([`instances_to_start`](super::instances_to_start));
    /// `true` for run-now instances, which ignore the limit (§4.3).
    pub slot_free: bool,
}

/// The event a waiting instance should receive now, or `None` to keep it waiting.
pub fn waiting_instance_event(input: &GateInput) -> Option<InstanceEvent> {
    if input.now_ms < input.plan_ms {
        return None;
    }
    match input.dependencies {
        DependencyDecision::Wait => None,
        DependencyDecision::Run => input.slot_free.then_some(InstanceEvent::GatesOpen),
        DependencyDecision::SkipByDepend => Some(InstanceEvent::DependencyWindowEmpty),
        DependencyDecision::Cancel(cancel) => Some(InstanceEvent::Cancel(cancel_reason(cancel))),
    }
}

/// The instance cancel reason for a dependency cancel.
fn cancel_reason(cancel: DependencyCancel) -> CancelReason {
    match cancel {
        DependencyCancel::UpstreamFailed { .. } => CancelReason::DependencyFailed,
        DependencyCancel::UpstreamJobStopped => CancelReason::UpstreamJobStopped,
    }
}
