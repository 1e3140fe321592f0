//! Properties over arbitrary inputs: the rules never panic and do not depend on input order.

use crate::model::{FailPolicy, InstanceStatus, NodeStatus};
use crate::state::{
    Dag, DependFailPolicy, DependType, DependencyDecision, DependencyModel, NodeOutcomeView, RerunFrom, UpstreamState,
    decide_dependency, instance_outcome, readiness, rerun_reset,
};
use proptest::prelude::*;

fn instance_status() -> impl Strategy<Value = InstanceStatus> {
    proptest::sample::select(InstanceStatus::ALL.to_vec())
}

fn node_status() -> impl Strategy<Value = NodeStatus> {
    proptest::sample::select(NodeStatus::ALL.to_vec())
}

fn fail_policy() -> impl Strategy<Value = FailPolicy> {
    proptest::sample::select(vec![FailPolicy::Fail, FailPolicy::FailChild, FailPolicy::Ignore, FailPolicy::Suspend])
}

fn upstream() -> impl Strategy<Value = UpstreamState> {
    (node_status(), fail_policy(), any::<bool>(), any::<bool>()).prop_map(|(status, fail_policy, continued, skip)| {
        UpstreamState { status, fail_policy, continued, skip_propagates: skip }
    })
}

proptest! {
    #[test]
    fn state_dependency_decision_total_and_satisfied_windows_run(
        window in proptest::collection::vec((any::<i64>(), instance_status()), 0..8),
        policy in proptest::sample::select(vec![DependFailPolicy::Fail, DependFailPolicy::Ignore, DependFailPolicy::Suspend]),
        dep_type in proptest::sample::select(vec![DependType::All, DependType::Any, DependType::Last]),
    ) {
        let decision = decide_dependency(&window, policy, dep_type, DependencyModel::Traditional);
        if !window.is_empty() && window.iter().all(|(_, s)| s.satisfies_dependency()) {
            prop_assert_eq!(decision, DependencyDecision::Run);
        }
        if window.iter().any(|(_, s)| !s.satisfies_dependency() && !s.fails_dependency()) && dep_type == DependType::All {
            prop_assert_eq!(decision, DependencyDecision::Wait);
        }
    }

    #[test]
    fn state_readiness_and_outcome_ignore_order(ups in proptest::collection::vec(upstream(), 0..6), conditions in any::<bool>()) {
        let mut reversed = ups.clone();
        reversed.reverse();
        prop_assert_eq!(readiness(&ups, conditions), readiness(&reversed, conditions));
        let views: Vec<NodeOutcomeView> =
            ups.iter().map(|u| NodeOutcomeView { status: u.status, fail_policy: u.fail_policy, continued: u.continued }).collect();
        let mut reversed_views = views.clone();
        reversed_views.reverse();
        prop_assert_eq!(instance_outcome(&views), instance_outcome(&reversed_views));
    }

    #[test]
    fn state_rerun_reset_is_total(
        edges in proptest::collection::vec((0usize..6, proptest::collection::vec(0usize..8, 0..3)), 0..6),
        statuses in proptest::collection::vec((0usize..8, node_status()), 0..8),
        instance in instance_status(),
        from in proptest::sample::select(vec!["", "FIRST_NODE", "n1", "n7"]),
    ) {
        let name = |i: usize| format!("n{i}");
        let dag = Dag::new(edges.iter().map(|(n, ups)| (name(*n), ups.iter().map(|u| name(*u)).collect::<Vec<_>>())));
        let previous: Vec<(String, NodeStatus)> = statuses.iter().map(|(n, s)| (name(*n), *s)).collect();
        if let Ok(reset) = rerun_reset(&previous, &dag, instance, &RerunFrom::parse(from)) {
            prop_assert!(reset.iter().all(|n| dag.contains(n)), "only nodes of the graph are reset");
            prop_assert!(dag.nodes().is_empty() || !reset.is_empty(), "a rerun always runs something");
        }
    }
}
