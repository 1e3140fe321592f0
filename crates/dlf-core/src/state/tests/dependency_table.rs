//! JOBS.md §4.6 decision table (row by row for every `dependFailPolicy`), `dependType` ANY and
//! LAST, the empty window in both models, self-dependency (§4.7) and merging dependencies.

use super::at;
use crate::model::InstanceStatus as S;
use crate::state::{
    DependFailPolicy as P, DependType as T, DependencyCancel, DependencyDecision as D, DependencyModel as M, combine,
    decide_dependency, self_dependency,
};

const SH: &str = "Asia/Shanghai";
const PENDING: [S; 5] = [S::Waiting, S::WaitingConfirm, S::Running, S::RunningException, S::Pause];
const SATISFIED: [S; 4] = [S::Success, S::IgnoreSuccess, S::ForceSuccess, S::SkipByDepend];
const FAILED: [S; 3] = [S::Fail, S::ManualStop, S::Freeze];
const POLICIES: [P; 3] = [P::Fail, P::Ignore, P::Suspend];

fn t(hhmm: &str) -> i64 {
    at(&format!("2026-08-02 {hhmm}"), SH)
}

fn decide(instances: &[(i64, S)], policy: P, dep_type: T) -> D {
    decide_dependency(instances, policy, dep_type, M::Traditional)
}

fn canceled_by(plan_ms: i64, status: S) -> D {
    D::Cancel(DependencyCancel::UpstreamFailed { plan_ms, status })
}

#[test]
fn state_dependency_row_all_success_class_runs_under_every_policy() {
    for policy in POLICIES {
        for status in SATISFIED {
            assert_eq!(
                decide(&[(t("10:10"), status), (t("10:20"), S::Success)], policy, T::All),
                D::Run,
                "{policy:?} {status}"
            );
        }
    }
}

#[test]
fn state_dependency_row_failed_upstream_under_suspend_keeps_waiting() {
    for status in FAILED {
        assert_eq!(decide(&[(t("10:10"), S::Success), (t("10:20"), status)], P::Suspend, T::All), D::Wait, "{status}");
    }
}

#[test]
fn state_dependency_row_failed_upstream_under_fail_cancels_naming_it() {
    for status in FAILED {
        let got = decide(&[(t("10:10"), S::Success), (t("10:20"), status)], P::Fail, T::All);
        assert_eq!(got, canceled_by(t("10:20"), status), "{status}");
    }
    // Of several failures, the earliest is named.
    let got = decide(&[(t("10:20"), S::ManualStop), (t("10:10"), S::Fail)], P::Fail, T::All);
    assert_eq!(got, canceled_by(t("10:10"), S::Fail));
}

#[test]
fn state_dependency_row_failed_upstream_under_ignore_runs() {
    for status in FAILED {
        assert_eq!(decide(&[(t("10:10"), status), (t("10:20"), S::Success)], P::Ignore, T::All), D::Run, "{status}");
    }
}

#[test]
fn state_dependency_pending_upstream_waits_whatever_the_policy() {
    for policy in POLICIES {
        for pending in PENDING {
            assert_eq!(decide(&[(t("10:10"), S::Success), (t("10:20"), pending)], policy, T::All), D::Wait);
            // Even next to a failure: the decision is taken once every instance is terminal.
            assert_eq!(decide(&[(t("10:10"), S::Fail), (t("10:20"), pending)], policy, T::All), D::Wait);
        }
    }
}

#[test]
fn state_dependency_empty_window_skips_traditional_runs_natural() {
    for policy in POLICIES {
        for dep_type in [T::All, T::Any, T::Last] {
            assert_eq!(decide_dependency(&[], policy, dep_type, M::Traditional), D::SkipByDepend);
            assert_eq!(decide_dependency(&[], policy, dep_type, M::Natural), D::Run);
        }
    }
}

#[test]
fn state_dependency_any_needs_one_satisfied_instance() {
    let window = [(t("10:10"), S::Fail), (t("10:20"), S::Success), (t("10:30"), S::Running)];
    assert_eq!(decide(&window, P::Fail, T::Any), D::Run, "one success suffices, even next to a failure");
    assert_eq!(decide(&[(t("10:10"), S::Fail), (t("10:20"), S::Running)], P::Fail, T::Any), D::Wait);
    let all_failed = [(t("10:10"), S::Fail), (t("10:20"), S::ManualStop)];
    assert_eq!(decide(&all_failed, P::Fail, T::Any), canceled_by(t("10:10"), S::Fail));
    assert_eq!(decide(&all_failed, P::Ignore, T::Any), D::Run);
    assert_eq!(decide(&all_failed, P::Suspend, T::Any), D::Wait);
}

#[test]
fn state_dependency_last_only_the_latest_counts() {
    let older_failed = [(t("10:20"), S::Success), (t("10:10"), S::Fail)];
    assert_eq!(decide(&older_failed, P::Fail, T::Last), D::Run);
    let older_pending = [(t("10:10"), S::Running), (t("10:20"), S::Success)];
    assert_eq!(decide(&older_pending, P::Fail, T::Last), D::Run);
    let latest_failed = [(t("10:10"), S::Success), (t("10:20"), S::Fail)];
    assert_eq!(decide(&latest_failed, P::Fail, T::Last), canceled_by(t("10:20"), S::Fail));
    assert_eq!(decide(&latest_failed, P::Suspend, T::Last), D::Wait);
    assert_eq!(decide(&[(t("10:10"), S::Success), (t("10:20"), S::Waiting)], P::Ignore, T::Last), D::Wait);
}

#[test]
fn state_dependency_type_and_policy_strings() {
    assert_eq!(T::parse("any"), Some(T::Any));
    assert_eq!(T::parse("DEFAULT"), Some(T::All));
    assert_eq!(T::parse("Last"), Some(T::Last));
    assert_eq!(T::parse("first"), None);
    for policy in POLICIES {
        assert_eq!(P::parse(policy.as_str()), Some(policy));
    }
    assert_eq!(P::default(), P::Fail);
}

#[test]
fn state_self_dependency() {
    assert_eq!(self_dependency(None), D::Run, "first instance after a start does not wait");
    for status in SATISFIED {
        assert_eq!(self_dependency(Some(status)), D::Run, "{status}");
    }
    for status in FAILED.into_iter().chain(PENDING) {
        assert_eq!(self_dependency(Some(status)), D::Wait, "{status}: waits, never cancels");
    }
}

#[test]
fn state_dependency_combine_every_dependency_must_let_a_run() {
    let cancel = D::Cancel(DependencyCancel::UpstreamJobStopped);
    assert_eq!(combine([]), D::Run);
    assert_eq!(combine([D::Run, D::Run]), D::Run);
    assert_eq!(combine([D::Run, D::SkipByDepend]), D::SkipByDepend);
    assert_eq!(combine([D::SkipByDepend, D::Wait, D::Run]), D::Wait);
    assert_eq!(combine([D::Wait, cancel, D::Run]), cancel);
    let first = canceled_by(1, S::Fail);
    assert_eq!(combine([first, cancel]), first, "the first cancel is reported");
    // Self-dependency merges the same way.
    assert_eq!(combine([self_dependency(Some(S::Fail)), D::Run]), D::Wait);
}
