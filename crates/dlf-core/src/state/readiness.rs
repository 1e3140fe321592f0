//! Whether a waiting node can be decided, and how (JOBS.md §5.6 steps 1–3, §5.5).
//!
//! [`readiness`] looks only at the node's upstream nodes. A node is decidable once every
//! upstream is terminal (`success`, `fail`, `skip`, `manual-stop`); then, in order: a canceled
//! upstream or a `FAIL_CHILD` failure cancels it, an un-continued `SUSPEND` failure keeps it
//! waiting, a propagating skip skips it, and otherwise its conditions are evaluated (or, without
//! conditions, it runs). `IGNORE` failures, continued `SUSPEND` failures and non-propagating
//! (`SKIP_NEXT`, operator) skips count as finished.

use crate::model::{FailPolicy, NodeStatus};

/// What a node needs to know about one of its upstream nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpstreamState {
    /// The upstream node's status.
    pub status: NodeStatus,
    /// The upstream node's `failPolicy` (matters when it failed).
    pub fail_policy: FailPolicy,
    /// A `SUSPEND` failure an operator continued: treated as `IGNORE` (§5.5).
    pub continued: bool,
    /// For a skipped upstream: whether its skip propagates (`SKIP_ALL`, or a propagated skip);
    /// `false` for `SKIP_NEXT` and operator skips. Ignored for other statuses.
    pub skip_propagates: bool,
}

impl UpstreamState {
    /// An upstream in `status` with policy `fail_policy`, not continued, whose skip (if skipped)
    /// propagates (the `SKIP_ALL` default).
    pub fn new(status: NodeStatus, fail_policy: FailPolicy) -> UpstreamState {
        UpstreamState { status, fail_policy, continued: false, skip_propagates: true }
    }
}

/// What to do with a waiting node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Readiness {
    /// Some upstream is still `waiting`, `running` or `pause`.
    NotDecidable,
    /// Cancel the node (→ `manual-stop`, [`NodeEvent::CanceledByUpstream`](super::NodeEvent)).
    Cancel,
    /// An upstream failed under `SUSPEND` and was not continued: stay `waiting`.
    WaitSuspended,
    /// Skip the node; `propagates` says whether its own descendants are skipped too.
    Skip {
        /// The skip propagates to the node's descendants.
        propagates: bool,
    },
    /// Evaluate the node's conditions and [`vote`](super::vote).
    CheckConditions,
    /// The node may run (once a slot is free).
    Run,
}

/// The §5.6 decision for a waiting node from its upstream nodes; `has_conditions` says whether
/// the node has any edge conditions (without them, a decidable node runs).
///
/// An upstream failed under `FAIL` cancels the node like `FAIL_CHILD` does \[I\]: the instance
/// fails at once anyway (§5.5) and cancels every node, so this only makes the answer safe.
pub fn readiness(upstreams: &[UpstreamState], has_conditions: bool) -> Readiness {
    if upstreams.iter().any(|u| !u.status.is_terminal()) {
        return Readiness::NotDecidable;
    }
    let failed = |u: &&UpstreamState| u.status == NodeStatus::Fail;
    if upstreams.iter().any(|u| u.status == NodeStatus::ManualStop)
        || upstreams.iter().filter(failed).any(|u| matches!(u.fail_policy, FailPolicy::Fail | FailPolicy::FailChild))
    {
        return Readiness::Cancel;
    }
    if upstreams.iter().filter(failed).any(|u| u.fail_policy == FailPolicy::Suspend && !u.continued) {
        return Readiness::WaitSuspended;
    }
    if upstreams.iter().any(|u| u.status == NodeStatus::Skip && u.skip_propagates) {
        return Readiness::Skip { propagates: true };
    }
    if has_conditions { Readiness::CheckConditions } else { Readiness::Run }
}
