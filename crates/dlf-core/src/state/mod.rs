//! The scheduling and execution rules of DLF as pure functions (JOBS.md §4.6–§4.8, §5.1–§5.9).
//!
//! Nothing here reads a clock, a store or a file: the engine passes the current time, the
//! statuses it holds and the job's settings in, and gets back a status, a decision or a set of
//! node names. Every rule cites its JOBS.md section; choices the spec leaves open are marked
//! \[I\] and listed below.
//!
//! | file | rule | JOBS.md |
//! |---|---|---|
//! | [`instance`](mod@instance) | instance state machine: [`next_instance_status`], [`InstanceEvent`] | §5.1, §5.8, API.md I3/I4 |
//! | [`node`](mod@node) | node state machine: [`next_node_status`], [`NodeEvent`] | §5.2, §5.8 |
//! | [`transition`](mod@transition) | the refusal: [`InvalidTransition`] (400 `DLF.3051`) | §5.1 |
//! | [`retry`](mod@retry) | another attempt or not: [`retry_left`] | §5.3 |
//! | [`timeout`](mod@timeout) | an attempt's time limit: [`attempt_time_limit`] | §5.4 |
//! | [`graph`](mod@graph) | node DAG by name: [`Dag`] | §2.3 |
//! | [`readiness`](mod@readiness) | may a waiting node be decided, and how: [`readiness()`] | §5.6 steps 1–3 |
//! | [`conditions`](mod@conditions) | condition truth and the multi-IF vote: [`vote`] | §5.6 steps 4–5 |
//! | [`outcome`](mod@outcome) | failure policies [`failure_effect`], outcome [`instance_outcome`], suspended nodes [`pending_suspensions`] | §5.5, §5.7, §5.8 |
//! | [`rerun`](mod@rerun) | nodes a rerun resets: [`rerun_reset`] | §5.9 |
//! | `calendar` (private) | natural period starts, stepping by periods in a zone | §4.6 |
//! | [`window`](mod@window) | traditional dependency window: [`dependency_window`] | §4.6 |
//! | [`dependency`](mod@dependency) | decision table, self-dependency, merging: [`decide_dependency`], [`self_dependency`], [`combine`] | §4.6, §4.7 |
//! | [`gates`](mod@gates) | what a waiting instance does now: [`waiting_instance_event`] | §4.4 |
//! | [`concurrency`](mod@concurrency) | instance limits, start order, "run the latest": [`instances_to_start`] | §4.7, §4.8 |
//!
//! The traditional-period rules on *which* dependencies are allowed live with job validation
//! (`validate::dependency_allowed`), not here.
//!
//! # Decisions where JOBS.md is silent \[I\]
//!
//! Instances (§5.1):
//! 1. Created both pre-frozen and needing confirmation → `freeze`; unfreezing gives `waiting` as
//!    the table says (the operator's unfreeze stands in for the confirmation).
//! 2. Operator stop ([`InstanceEvent::Stop`]) is one event accepted from every non-terminal
//!    status (API.md I3); the system cancellations ([`InstanceEvent::Cancel`]: dependency `FAIL`,
//!    upstream job stopped, own job stopped, waiting cleanup, superseded) only from `waiting`,
//!    `waiting-confirm`, `freeze` — a job stop never touches a running instance (§4.3).
//! 3. Rows the table leaves open but a running engine meets: a node failing under `FAIL` while
//!    the instance is `pause` or `running-exception` → `fail` (FAIL ends the plan at once); a
//!    node failing under `SUSPEND` while `pause` or already `running-exception` →
//!    `running-exception`; every node terminal while `pause` → the outcome. After a recovery that
//!    left another un-continued `SUSPEND` failure, the engine applies
//!    [`InstanceEvent::NodeFailedUnderSuspend`] again ([`has_pending_suspension`]).
//!
//! Nodes (§5.2):
//! 4. [`NodeEvent::CanceledByUpstream`] is accepted from `pause` as well as `waiting` (a paused
//!    descendant of a `FAIL_CHILD` failure is canceled with the others).
//! 5. [`NodeEvent::Rerun`] is accepted from `waiting` too (a node that never started).
//! 5a. [`NodeEvent::Interrupted`]: a graceful server shutdown puts a `running` node back to
//!     `waiting` without counting its attempt (a restart is not a failure).
//!
//! DAG and outcome (§5.5–§5.7):
//! 6. An upstream failed under `FAIL` makes [`readiness()`] answer `Cancel`, like `FAIL_CHILD`.
//! 7. A `manual-stop` node with no failure behind it makes the outcome `fail`.
//! 8. The outcome needs no separate "blocked by SUSPEND" flag: an un-continued `SUSPEND` failure
//!    in the node list already yields `None`.
//!
//! Rerun (§5.9):
//! 9. "Node set changed" is computed, not passed: the names of the previous node statuses vs the
//!    nodes of the version the rerun runs. It resets everything whatever `rerunFrom` says.
//! 10. A named `rerunFrom` node resets that node and its descendants even for a success-class
//!     instance; an unknown name is an error. If the default rule would reset nothing, everything
//!     is reset.
//!
//! Dependencies (§4.6, §4.7):
//! 11. Same-period class means the same `intervalType`; any other pair is cross-period. A
//!     period of whole days (days, weeks) or months steps in local calendar units (DST-proof);
//!     minutes and hours in exact milliseconds. Natural periods: top of the minute/hour in the
//!     offset in force, local midnight, Monday midnight (weeks), the 1st of the month, of the
//!     quarter (seasons), Jan 1 (years). A local time in a DST gap moves forward by the gap
//!     (`java.time`); in an overlap it is the later copy when stepping from a plan time (as
//!     Quartz fires) and the earlier copy for a natural period start.
//! 12. `PRE_PERIOD` moves both window edges back by one period of A, also for cross-period
//!     windows (for an hourly-class A with a 2-hour period: 2 hours); `dependOnLastNPeriodValue
//!     = N` moves the lower edge back by N − 1 more periods of A; `None`/0 mean 1.
//! 13. `LAST` takes the instance with the latest plan time (the last listed of equal ones);
//!     `ANY` runs as soon as one instance satisfies, even while others are pending or failed;
//!     a `Cancel` names the earliest failed instance.
//! 14. Several dependencies merge with [`combine`]: Cancel > Wait > SkipByDepend > Run, i.e.
//!     all must say run, one empty traditional window skips A, and A waits until every
//!     dependency is decided so that the result does not depend on finishing order.
//! 15. Dependencies are evaluated only once the plan time has come ([`waiting_instance_event`]).
//! 16. The natural-period model is represented only by its empty-window rule
//!     ([`DependencyModel::Natural`]: run); its windows are not implemented yet.

mod calendar;
pub mod concurrency;
pub mod conditions;
pub mod dependency;
pub mod gates;
pub mod graph;
pub mod instance;
pub mod node;
pub mod outcome;
pub mod readiness;
pub mod rerun;
pub mod retry;
pub mod timeout;
pub mod transition;
pub mod window;

#[cfg(test)]
mod tests;

pub use concurrency::{
    DEFAULT_CONCURRENT, DEFAULT_CONCURRENT_CAP, instance_limit, instances_to_start, superseded_by_latest,
};
pub use conditions::{ConditionResult, MultiIfPolicy, SkipPolicy, condition_is_true, vote};
pub use dependency::{
    DEPENDENCY_CANCEL_MESSAGE, DependFailPolicy, DependType, DependencyCancel, DependencyDecision, DependencyModel,
    combine, decide_dependency, self_dependency,
};
pub use gates::{GateInput, waiting_instance_event};
pub use graph::Dag;
pub use instance::{
    CancelReason, InstanceEvent, InstanceOutcome, InvalidInstanceTransition, RecoverAction, next_instance_status,
};
pub use node::{AbortCause, InvalidNodeTransition, NodeEvent, SkipCause, next_node_status};
pub use outcome::{
    FailureEffect, NodeOutcomeView, failure_effect, has_pending_suspension, instance_outcome, pending_suspensions,
};
pub use readiness::{Readiness, UpstreamState, readiness};
pub use rerun::{RerunFrom, UnknownRerunNode, rerun_reset};
pub use retry::{AttemptFailure, MAX_RETRY_TIMES, retry_left};
pub use timeout::attempt_time_limit;
pub use transition::InvalidTransition;
pub use window::{DependPeriod, Window, dependency_window};
