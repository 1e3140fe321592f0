//! JOBS.md §5.5 (failure policies), §5.6 (edges, conditions, skipping) and §5.7 (outcome),
//! rule by rule.

use crate::model::{Condition, FailPolicy, Node, NodeStatus};
use crate::state::{
    ConditionResult, Dag, InstanceEvent, InstanceOutcome, MultiIfPolicy, NodeOutcomeView, Readiness, SkipPolicy,
    UpstreamState, condition_is_true, failure_effect, has_pending_suspension, instance_outcome, readiness, vote,
};

use FailPolicy::{Fail, FailChild, Ignore, Suspend};
use NodeStatus as N;

fn up(status: NodeStatus) -> UpstreamState {
    UpstreamState::new(status, FailChild)
}

fn failed(policy: FailPolicy) -> UpstreamState {
    UpstreamState::new(N::Fail, policy)
}

pub(super) fn cond(upstream: &str, rendered: &str, skip_policy: SkipPolicy) -> ConditionResult {
    ConditionResult { upstream: upstream.into(), value: condition_is_true(rendered), skip_policy }
}

// ---- §5.6 steps 1–3: readiness -------------------------------------------------------------

#[test]
fn state_readiness_waits_until_every_upstream_is_terminal() {
    for pending in [N::Waiting, N::Running, N::Pause] {
        assert_eq!(readiness(&[up(N::Success), up(pending)], false), Readiness::NotDecidable, "{pending}");
    }
    // Even a canceled upstream does not decide the node while another is still running.
    assert_eq!(readiness(&[up(N::ManualStop), up(N::Running)], false), Readiness::NotDecidable);
}

#[test]
fn state_readiness_step1_canceled_or_fail_child_upstream_cancels() {
    assert_eq!(readiness(&[up(N::ManualStop)], false), Readiness::Cancel);
    assert_eq!(readiness(&[up(N::Success), failed(FailChild)], true), Readiness::Cancel);
    assert_eq!(readiness(&[failed(Fail)], false), Readiness::Cancel, "[I] FAIL behaves like FAIL_CHILD here");
    // Step 1 comes before steps 2 and 3.
    assert_eq!(readiness(&[failed(Suspend), up(N::ManualStop)], false), Readiness::Cancel);
    assert_eq!(readiness(&[up(N::Skip), failed(FailChild)], false), Readiness::Cancel);
}

#[test]
fn state_readiness_step2_suspend_failure_keeps_waiting() {
    assert_eq!(readiness(&[failed(Suspend)], false), Readiness::WaitSuspended);
    assert_eq!(readiness(&[failed(Suspend), up(N::Skip)], false), Readiness::WaitSuspended, "step 2 before 3");
}

#[test]
fn state_readiness_continued_suspend_acts_as_ignore() {
    let continued = UpstreamState { continued: true, ..failed(Suspend) };
    assert_eq!(readiness(&[continued], false), Readiness::Run);
    assert_eq!(readiness(&[continued], true), Readiness::CheckConditions);
}

#[test]
fn state_readiness_ignore_failure_counts_as_finished() {
    assert_eq!(readiness(&[failed(Ignore), up(N::Success)], false), Readiness::Run);
}

#[test]
fn state_readiness_step3_only_propagating_skips_skip() {
    assert_eq!(readiness(&[up(N::Skip), up(N::Success)], true), Readiness::Skip { propagates: true });
    let skip_next = UpstreamState { skip_propagates: false, ..up(N::Skip) };
    assert_eq!(readiness(&[skip_next], false), Readiness::Run, "SKIP_NEXT / operator skip = finished");
}

#[test]
fn state_readiness_without_upstream_or_conditions_runs() {
    assert_eq!(readiness(&[], false), Readiness::Run);
    assert_eq!(readiness(&[up(N::Success)], false), Readiness::Run);
    assert_eq!(readiness(&[up(N::Success)], true), Readiness::CheckConditions);
}

// ---- §5.6 steps 4–5: conditions ------------------------------------------------------------

#[test]
fn state_conditions_true_is_trimmed_case_insensitive_true() {
    for yes in ["true", "TRUE", " True\n", "\ttrue "] {
        assert!(condition_is_true(yes), "{yes:?}");
    }
    for no in ["false", "", "1", "yes", "truee", "t rue", "null"] {
        assert!(!condition_is_true(no), "{no:?}");
    }
}

#[test]
fn state_conditions_skip_policy_defaults_to_skip_all() {
    let mut condition = Condition { pre_node_name: "A".into(), expression: "#{true}".into(), ..Default::default() };
    assert_eq!(SkipPolicy::of(&condition), SkipPolicy::SkipAll);
    condition.skip_policy = Some("SKIP_NEXT".into());
    assert_eq!(SkipPolicy::of(&condition), SkipPolicy::SkipNext);
    condition.skip_policy = Some("bogus".into());
    assert_eq!(SkipPolicy::of(&condition), SkipPolicy::SkipAll);
    assert_eq!(SkipPolicy::parse(SkipPolicy::SkipNext.as_str()), Some(SkipPolicy::SkipNext));
    assert_eq!(MultiIfPolicy::parse("AND"), Some(MultiIfPolicy::And));
    assert_eq!(MultiIfPolicy::default(), MultiIfPolicy::Or);
}

#[test]
fn state_conditions_or_needs_one_true() {
    let results = [cond("A", "false", SkipPolicy::SkipAll), cond("B", "true", SkipPolicy::SkipAll)];
    assert_eq!(vote(&results, MultiIfPolicy::Or), Readiness::Run);
    let none = [cond("A", "false", SkipPolicy::SkipAll), cond("B", "no", SkipPolicy::SkipAll)];
    assert_eq!(vote(&none, MultiIfPolicy::Or), Readiness::Skip { propagates: true });
}

#[test]
fn state_conditions_and_needs_all_true() {
    let results = [cond("A", "false", SkipPolicy::SkipNext), cond("B", "true", SkipPolicy::SkipAll)];
    assert_eq!(
        vote(&results, MultiIfPolicy::And),
        Readiness::Skip { propagates: false },
        "only B's true edge is SKIP_ALL"
    );
    let all = [cond("A", "true", SkipPolicy::SkipAll), cond("B", "TRUE", SkipPolicy::SkipAll)];
    assert_eq!(vote(&all, MultiIfPolicy::And), Readiness::Run);
}

#[test]
fn state_conditions_skip_propagates_if_any_false_condition_is_skip_all() {
    let mixed = [cond("A", "false", SkipPolicy::SkipNext), cond("B", "false", SkipPolicy::SkipAll)];
    assert_eq!(vote(&mixed, MultiIfPolicy::Or), Readiness::Skip { propagates: true });
    let next_only = [cond("A", "false", SkipPolicy::SkipNext)];
    assert_eq!(vote(&next_only, MultiIfPolicy::Or), Readiness::Skip { propagates: false });
}

#[test]
fn state_conditions_no_conditions_vote_true() {
    assert_eq!(vote(&[], MultiIfPolicy::Or), Readiness::Run);
    assert_eq!(vote(&[], MultiIfPolicy::And), Readiness::Run);
}

// ---- §5.7: outcome -------------------------------------------------------------------------

fn view(status: NodeStatus, fail_policy: FailPolicy) -> NodeOutcomeView {
    NodeOutcomeView { status, fail_policy, continued: false }
}

#[test]
fn state_outcome_none_while_work_is_left() {
    for pending in [N::Waiting, N::Running, N::Pause] {
        assert_eq!(instance_outcome(&[view(N::Success, Fail), view(pending, Fail)]), None, "{pending}");
    }
    let suspended = [view(N::Fail, Suspend), view(N::Success, Fail)];
    assert_eq!(instance_outcome(&suspended), None, "blocked behind an un-continued SUSPEND failure");
    assert!(has_pending_suspension(&suspended));
}

#[test]
fn state_outcome_fail_for_fail_or_fail_child_or_canceled() {
    assert_eq!(instance_outcome(&[view(N::Fail, Fail)]), Some(InstanceOutcome::Fail));
    assert_eq!(
        instance_outcome(&[view(N::Fail, FailChild), view(N::ManualStop, Fail), view(N::Success, Fail)]),
        Some(InstanceOutcome::Fail)
    );
    assert_eq!(instance_outcome(&[view(N::Fail, Ignore), view(N::Fail, FailChild)]), Some(InstanceOutcome::Fail));
    assert_eq!(instance_outcome(&[view(N::ManualStop, Ignore)]), Some(InstanceOutcome::Fail), "[I] canceled work");
}

#[test]
fn state_outcome_ignore_and_continued_suspend_give_ignore_success() {
    assert_eq!(
        instance_outcome(&[view(N::Fail, Ignore), view(N::Success, Fail)]),
        Some(InstanceOutcome::IgnoreSuccess)
    );
    let continued = NodeOutcomeView { continued: true, ..view(N::Fail, Suspend) };
    assert_eq!(instance_outcome(&[continued]), Some(InstanceOutcome::IgnoreSuccess));
    assert!(!has_pending_suspension(&[continued]));
}

#[test]
fn state_outcome_success_with_skipped_nodes() {
    assert_eq!(instance_outcome(&[view(N::Success, Fail), view(N::Skip, Fail)]), Some(InstanceOutcome::Success));
    assert_eq!(instance_outcome(&[]), Some(InstanceOutcome::Success));
}

// ---- §5.5: failure effects -----------------------------------------------------------------

fn diamond_plus_branch() -> Dag {
    // A → B → D, A → C → D, X → Y (independent)
    Dag::new([
        ("A", vec![]),
        ("B", vec!["A"]),
        ("C", vec!["A"]),
        ("D", vec!["B", "C"]),
        ("X", vec![]),
        ("Y", vec!["X"]),
    ])
}

#[test]
fn state_failure_fail_cancels_every_unfinished_node_and_fails_the_instance() {
    let statuses =
        [("A", N::Fail), ("B", N::Waiting), ("C", N::Waiting), ("D", N::Waiting), ("X", N::Success), ("Y", N::Running)];
    let effect = failure_effect("A", Fail, &diamond_plus_branch(), &statuses);
    assert_eq!(effect.cancel.iter().map(String::as_str).collect::<Vec<_>>(), ["B", "C", "D", "Y"]);
    assert_eq!(effect.cancel_with, crate::state::NodeEvent::Abort(crate::state::AbortCause::InstanceFailed));
    assert_eq!(effect.instance_event, Some(InstanceEvent::NodeFailedUnderFail));
}

#[test]
fn state_failure_fail_child_cancels_descendants_only() {
    let statuses =
        [("A", N::Success), ("B", N::Fail), ("C", N::Running), ("D", N::Waiting), ("X", N::Running), ("Y", N::Waiting)];
    let effect = failure_effect("B", FailChild, &diamond_plus_branch(), &statuses);
    assert_eq!(effect.cancel.iter().map(String::as_str).collect::<Vec<_>>(), ["D"]);
    assert_eq!(effect.cancel_with, crate::state::NodeEvent::CanceledByUpstream);
    assert_eq!(effect.instance_event, None);
}

#[test]
fn state_failure_ignore_and_suspend_cancel_nothing() {
    let statuses = [("A", N::Fail), ("B", N::Waiting)];
    let dag = diamond_plus_branch();
    assert_eq!(failure_effect("A", Ignore, &dag, &statuses).cancel.len(), 0);
    let suspend = failure_effect("A", Suspend, &dag, &statuses);
    assert!(suspend.cancel.is_empty());
    assert_eq!(suspend.instance_event, Some(InstanceEvent::NodeFailedUnderSuspend));
}

#[test]
fn state_dag_walks_are_safe() {
    let dag = diamond_plus_branch();
    assert_eq!(dag.descendants("A").into_iter().collect::<Vec<_>>(), ["B", "C", "D"]);
    assert!(dag.descendants("nope").is_empty());
    assert_eq!(dag.upstreams("D"), ["B", "C"]);
    let cyclic = Dag::new([("P", vec!["Q"]), ("Q", vec!["P"]), ("P", vec!["ignored duplicate"])]);
    assert_eq!(cyclic.descendants("P").into_iter().collect::<Vec<_>>(), ["Q"]);
    let nodes = vec![
        Node { name: "a".into(), ..Default::default() },
        Node { name: "b".into(), pre_node_name: Some(vec!["a".into(), "a".into()]), ..Default::default() },
    ];
    let from_nodes = Dag::from_nodes(&nodes);
    assert_eq!(from_nodes.downstreams("a"), ["b"]);
    assert_eq!(from_nodes.nodes(), ["a", "b"]);
}
