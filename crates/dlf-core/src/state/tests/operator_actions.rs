//! The rules behind the operator actions of JOBS.md §5.8 that act on a running or abnormal
//! instance: which failed nodes "continue" and "retry" act on, and the node moves of pause,
//! resume, skip, succeed and retry.

use crate::model::FailPolicy::{self, *};
use crate::model::InstanceStatus as S;
use crate::model::NodeStatus as N;
use crate::state::{
    InstanceEvent, NodeEvent, NodeOutcomeView, RecoverAction, SkipCause, has_pending_suspension, instance_outcome,
    next_instance_status, next_node_status, pending_suspensions,
};

fn view(status: N, fail_policy: FailPolicy, continued: bool) -> NodeOutcomeView {
    NodeOutcomeView { status, fail_policy, continued }
}

#[test]
fn operator_pending_suspensions_are_the_uncontinued_suspend_failures() {
    let nodes = [
        view(N::Fail, Suspend, false),
        view(N::Fail, Suspend, true),
        view(N::Fail, Ignore, false),
        view(N::Waiting, Suspend, false),
        view(N::Fail, Suspend, false),
    ];
    assert_eq!(pending_suspensions(&nodes), [0, 4]);
    assert!(pending_suspensions(&nodes[1..4]).is_empty());
}

#[test]
fn operator_continue_lets_the_instance_end_ignore_success() {
    let mut nodes = vec![view(N::Fail, Suspend, false), view(N::Success, Fail, false)];
    assert_eq!(instance_outcome(&nodes), None, "a pending suspension holds the instance");
    for i in pending_suspensions(&nodes) {
        nodes[i].continued = true;
    }
    assert!(!has_pending_suspension(&nodes));
    assert_eq!(
        next_instance_status(Some(S::RunningException), &InstanceEvent::Recover(RecoverAction::Continue)),
        Ok(S::Running)
    );
    assert_eq!(instance_outcome(&nodes).map(|o| o.status()), Some(S::IgnoreSuccess));
}

#[test]
fn operator_recover_and_force_success_only_from_their_statuses() {
    for from in [S::Waiting, S::Running, S::Pause, S::Success, S::Fail, S::Freeze] {
        for action in [RecoverAction::Continue, RecoverAction::RetryNode, RecoverAction::SucceedNode] {
            assert!(next_instance_status(Some(from), &InstanceEvent::Recover(action)).is_err(), "{from} {action:?}");
        }
    }
    for from in [S::Fail, S::ManualStop, S::RunningException] {
        assert_eq!(next_instance_status(Some(from), &InstanceEvent::ForceSuccess), Ok(S::ForceSuccess));
    }
    for from in [S::Waiting, S::Running, S::Success, S::IgnoreSuccess, S::Freeze, S::SkipByDepend] {
        assert!(next_instance_status(Some(from), &InstanceEvent::ForceSuccess).is_err(), "{from}");
    }
    assert_eq!(next_instance_status(Some(S::Waiting), &InstanceEvent::Freeze), Ok(S::Freeze));
    assert_eq!(next_instance_status(Some(S::Freeze), &InstanceEvent::Unfreeze), Ok(S::Waiting));
    assert!(next_instance_status(Some(S::Running), &InstanceEvent::Freeze).is_err());
    assert!(next_instance_status(Some(S::Waiting), &InstanceEvent::Unfreeze).is_err());
}

#[test]
fn operator_node_actions_follow_the_node_table() {
    assert_eq!(next_node_status(N::Waiting, &NodeEvent::Pause), Ok(N::Pause));
    assert_eq!(next_node_status(N::Pause, &NodeEvent::Resume), Ok(N::Waiting));
    assert_eq!(next_node_status(N::Pause, &NodeEvent::Skip(SkipCause::Operator)), Ok(N::Skip));
    assert_eq!(next_node_status(N::Waiting, &NodeEvent::Skip(SkipCause::Operator)), Ok(N::Skip));
    for from in [N::Running, N::Success, N::Fail, N::Skip] {
        assert!(next_node_status(from, &NodeEvent::Pause).is_err(), "pause {from}");
        assert!(next_node_status(from, &NodeEvent::Skip(SkipCause::Operator)).is_err(), "skip {from}");
    }
    assert!(next_node_status(N::Waiting, &NodeEvent::Resume).is_err());
    assert_eq!(next_node_status(N::Fail, &NodeEvent::OperatorRetry { policy: Suspend }), Ok(N::Running));
    assert_eq!(next_node_status(N::Fail, &NodeEvent::OperatorSucceed { policy: Suspend }), Ok(N::Success));
    let refused = next_node_status(N::Fail, &NodeEvent::OperatorRetry { policy: FailChild }).unwrap_err();
    assert!(refused.to_string().contains("only SUSPEND nodes"), "{refused}");
}
