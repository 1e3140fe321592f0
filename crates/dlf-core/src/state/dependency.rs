//! Cross-job dependency decisions (JOBS.md §4.6) and self-dependency (§4.7).
//!
//! [`decide_dependency`] applies the §4.6 decision table to the upstream instances of one
//! upstream job that fall in the window ([`dependency_window`](super::dependency_window)):
//! an upstream instance still pending (`waiting`, `waiting-confirm`, `running`,
//! `running-exception`, `pause`) keeps A waiting whatever the policy; `freeze`, `fail` and
//! `manual-stop` are failures; success-class and `skip-by-depend` satisfy. An empty window skips
//! A in the traditional model (`skip-by-depend`) and runs it in the natural one.
//! [`self_dependency`] is the `dependPrePeriod` rule, [`combine`] merges several upstream jobs.
//!
//! The caller must pass *every* upstream instance whose plan time is in the window, including
//! those the scheduler has yet to create for plan times already due; an instance missing from
//! the list makes the window look emptier than it is.

use crate::model::InstanceStatus;

/// `dependType` of a per-job dependency entry (§2.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DependType {
    /// `ALL` (and `DEFAULT`): every upstream instance in the window must qualify.
    #[default]
    All,
    /// `ANY`: one satisfied instance suffices.
    Any,
    /// `LAST`: only the latest instance in the window counts.
    Last,
}

impl DependType {
    /// Parses `ALL`, `ANY`, `LAST`, `DEFAULT` (= `ALL`), ignoring case (the cloud's exact strings
    /// are unknown, §9).
    pub fn parse(s: &str) -> Option<DependType> {
        match s.to_ascii_uppercase().as_str() {
            "ALL" | "DEFAULT" => Some(DependType::All),
            "ANY" => Some(DependType::Any),
            "LAST" => Some(DependType::Last),
            _ => None,
        }
    }
}

/// `dependFailPolicy`: what a failed upstream instance does to A (§4.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DependFailPolicy {
    /// `FAIL` (default, UI "Cancel"): A ends `manual-stop`.
    #[default]
    Fail,
    /// `IGNORE` (UI "Continue"): A runs; only completion matters.
    Ignore,
    /// `SUSPEND` (UI "Pending"): A keeps waiting until the upstream is rerun or force-succeeded.
    Suspend,
}

impl DependFailPolicy {
    /// Parses `FAIL`, `IGNORE`, `SUSPEND`.
    pub fn parse(s: &str) -> Option<DependFailPolicy> {
        match s {
            "FAIL" => Some(DependFailPolicy::Fail),
            "IGNORE" => Some(DependFailPolicy::Ignore),
            "SUSPEND" => Some(DependFailPolicy::Suspend),
            _ => None,
        }
    }

    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            DependFailPolicy::Fail => "FAIL",
            DependFailPolicy::Ignore => "IGNORE",
            DependFailPolicy::Suspend => "SUSPEND",
        }
    }
}

/// Which period model the workspace uses (§4.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DependencyModel {
    /// Traditional periods (dlf's default): an empty window skips A.
    #[default]
    Traditional,
    /// Natural periods (opt-in): an empty window lets A run.
    Natural,
}

/// Why dependencies cancel A.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DependencyCancel {
    /// An upstream instance in the window failed and the policy is `FAIL`.
    UpstreamFailed {
        /// Plan time of the failed upstream instance (the earliest one for `ALL`/`ANY`).
        plan_ms: i64,
        /// Its status (`fail`, `manual-stop` or `freeze`).
        status: InstanceStatus,
    },
    /// The upstream job is stopped (§4.3); the engine reports it, no window is needed.
    UpstreamJobStopped,
}

/// What dependencies say about a waiting instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DependencyDecision {
    /// Satisfied: A may run (once the other gates are open).
    Run,
    /// Not yet decidable, or held by `SUSPEND`.
    Wait,
    /// A ends `manual-stop`.
    Cancel(DependencyCancel),
    /// A ends `skip-by-depend` (traditional model, empty window).
    SkipByDepend,
}

/// The message a dependency-canceled instance shows (§4.6, from the cloud's FAQ).
pub const DEPENDENCY_CANCEL_MESSAGE: &str =
    "The node start execute failed, so the current node status is set to cancel.";

enum Class {
    Satisfied,
    Failed,
    Pending,
}

fn class_of(status: InstanceStatus) -> Class {
    if status.satisfies_dependency() {
        Class::Satisfied
    } else if status.fails_dependency() {
        Class::Failed
    } else {
        Class::Pending
    }
}

/// The §4.6 decision for one upstream job from its instances in the window, `(plan_ms, status)`
/// in any order.
pub fn decide_dependency(
    upstream_in_window: &[(i64, InstanceStatus)],
    fail_policy: DependFailPolicy,
    dep_type: DependType,
    model: DependencyModel,
) -> DependencyDecision {
    let counted: Vec<(i64, InstanceStatus)> = match dep_type {
        // The latest plan time; of equal ones the last listed.
        DependType::Last => upstream_in_window.iter().copied().max_by_key(|(plan, _)| *plan).into_iter().collect(),
        DependType::All | DependType::Any => upstream_in_window.to_vec(),
    };
    if counted.is_empty() {
        return match model {
            DependencyModel::Traditional => DependencyDecision::SkipByDepend,
            DependencyModel::Natural => DependencyDecision::Run,
        };
    }
    let satisfied = counted.iter().filter(|(_, s)| matches!(class_of(*s), Class::Satisfied)).count();
    let pending = counted.iter().any(|(_, s)| matches!(class_of(*s), Class::Pending));
    if dep_type == DependType::Any && satisfied > 0 {
        return DependencyDecision::Run;
    }
    if pending {
        return DependencyDecision::Wait;
    }
    let first_failure =
        counted.iter().filter(|(_, s)| matches!(class_of(*s), Class::Failed)).min_by_key(|(plan, _)| *plan).copied();
    match (first_failure, fail_policy) {
        (None, _) | (Some(_), DependFailPolicy::Ignore) => DependencyDecision::Run,
        (Some(_), DependFailPolicy::Suspend) => DependencyDecision::Wait,
        (Some((plan_ms, status)), DependFailPolicy::Fail) => {
            DependencyDecision::Cancel(DependencyCancel::UpstreamFailed { plan_ms, status })
        }
    }
}

/// The §4.7 self-dependency rule (`dependPrePeriod = true`): `previous` is the status of the
/// job's `instanceType` 0 instance of the previous plan time, `None` if there is none.
/// It never cancels: after a failure the next instance waits until it is rerun or
/// force-succeeded (or the waiting cleanup cancels the waiting one).
pub fn self_dependency(previous: Option<InstanceStatus>) -> DependencyDecision {
    match previous {
        None => DependencyDecision::Run,
        Some(status) if status.satisfies_dependency() => DependencyDecision::Run,
        Some(_) => DependencyDecision::Wait,
    }
}

/// Merges the decisions of several dependencies (each upstream job, and self-dependency) \[I\]:
/// every dependency must let A run. Precedence `Cancel` > `Wait` > `SkipByDepend` > `Run`, so
/// one canceling upstream cancels A, A waits while any dependency is undecided (the result is
/// then the same whatever order the upstreams finish in), one empty traditional window skips A,
/// and A runs only when all say run. No decisions at all = `Run`. Of several cancels, the first.
pub fn combine(decisions: impl IntoIterator<Item = DependencyDecision>) -> DependencyDecision {
    let mut result = DependencyDecision::Run;
    for decision in decisions {
        let rank = |d: &DependencyDecision| match d {
            DependencyDecision::Run => 0,
            DependencyDecision::SkipByDepend => 1,
            DependencyDecision::Wait => 2,
            DependencyDecision::Cancel(_) => 3,
        };
        if rank(&decision) > rank(&result) {
            result = decision;
        }
    }
    result
}
