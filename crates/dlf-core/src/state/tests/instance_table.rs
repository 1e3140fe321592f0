//! JOBS.md §5.1: one test per row of the instance transition table, the refusals, and the whole
//! status × event matrix against the table written out as data.

use crate::error::{DlfError, ErrorCode};
use crate::model::InstanceStatus as S;
use crate::state::{CancelReason, InstanceEvent as E, InstanceOutcome, RecoverAction, next_instance_status};

const CANCEL_REASONS: [CancelReason; 5] = [
    CancelReason::DependencyFailed,
    CancelReason::UpstreamJobStopped,
    CancelReason::JobStopped,
    CancelReason::WaitingCleanup,
    CancelReason::SupersededByLatest,
];
const OUTCOMES: [InstanceOutcome; 3] =
    [InstanceOutcome::Success, InstanceOutcome::IgnoreSuccess, InstanceOutcome::Fail];
const RECOVERIES: [RecoverAction; 3] = [RecoverAction::Continue, RecoverAction::RetryNode, RecoverAction::SucceedNode];
const TERMINAL: [S; 6] = [S::Success, S::IgnoreSuccess, S::ForceSuccess, S::Fail, S::ManualStop, S::SkipByDepend];
const NON_TERMINAL: [S; 6] = [S::Waiting, S::WaitingConfirm, S::Freeze, S::Running, S::RunningException, S::Pause];

fn go(from: S, event: E) -> Result<S, String> {
    next_instance_status(Some(from), &event).map_err(|e| e.to_string())
}

fn all_events() -> Vec<E> {
    let mut events = Vec::new();
    for manual_confirm in [false, true] {
        for pre_frozen in [false, true] {
            events.push(E::Created { manual_confirm, pre_frozen });
        }
        events.push(E::Rerun { manual_confirm });
    }
    events.extend([E::Confirm, E::GatesOpen, E::DependencyWindowEmpty, E::Freeze, E::Unfreeze]);
    events.extend(CANCEL_REASONS.map(E::Cancel));
    events.extend(OUTCOMES.map(E::AllNodesTerminal));
    events.extend([E::NodeFailedUnderFail, E::NodeFailedUnderSuspend, E::Pause, E::Resume, E::Stop, E::ForceSuccess]);
    events.extend(RECOVERIES.map(E::Recover));
    // Fails to compile when a variant is added without extending the list above.
    for e in &events {
        match e {
            E::Created { .. }
            | E::Confirm
            | E::GatesOpen
            | E::Cancel(_)
            | E::DependencyWindowEmpty
            | E::Freeze
            | E::Unfreeze
            | E::AllNodesTerminal(_)
            | E::NodeFailedUnderFail
            | E::NodeFailedUnderSuspend
            | E::Pause
            | E::Resume
            | E::Recover(_)
            | E::Stop
            | E::ForceSuccess
            | E::Rerun { .. } => {}
        }
    }
    events
}

/// The §5.1 table (plus the [I] rows of the module docs) as data: every allowed
/// `(from, event, to)`.
fn table() -> Vec<(Option<S>, E, S)> {
    let mut rows = vec![
        (None, E::Created { manual_confirm: false, pre_frozen: false }, S::Waiting),
        (None, E::Created { manual_confirm: true, pre_frozen: false }, S::WaitingConfirm),
        (None, E::Created { manual_confirm: false, pre_frozen: true }, S::Freeze),
        (None, E::Created { manual_confirm: true, pre_frozen: true }, S::Freeze),
        (Some(S::WaitingConfirm), E::Confirm, S::Waiting),
        (Some(S::Waiting), E::GatesOpen, S::Running),
        (Some(S::Waiting), E::DependencyWindowEmpty, S::SkipByDepend),
        (Some(S::Waiting), E::Freeze, S::Freeze),
        (Some(S::Freeze), E::Unfreeze, S::Waiting),
        (Some(S::Running), E::NodeFailedUnderFail, S::Fail),
        (Some(S::Running), E::NodeFailedUnderSuspend, S::RunningException),
        (Some(S::Running), E::Pause, S::Pause),
        (Some(S::Pause), E::Resume, S::Running),
        // [I] rows: failures and the outcome while paused or abnormal.
        (Some(S::Pause), E::NodeFailedUnderFail, S::Fail),
        (Some(S::RunningException), E::NodeFailedUnderFail, S::Fail),
        (Some(S::Pause), E::NodeFailedUnderSuspend, S::RunningException),
        (Some(S::RunningException), E::NodeFailedUnderSuspend, S::RunningException),
    ];
    for from in [S::Waiting, S::WaitingConfirm, S::Freeze] {
        rows.extend(CANCEL_REASONS.map(|r| (Some(from), E::Cancel(r), S::ManualStop)));
    }
    for from in [S::Running, S::Pause] {
        rows.extend(OUTCOMES.map(|o| (Some(from), E::AllNodesTerminal(o), o.status())));
    }
    rows.extend(RECOVERIES.map(|r| (Some(S::RunningException), E::Recover(r), S::Running)));
    rows.extend(NON_TERMINAL.map(|from| (Some(from), E::Stop, S::ManualStop)));
    rows.extend(
        [S::Fail, S::ManualStop, S::RunningException].map(|from| (Some(from), E::ForceSuccess, S::ForceSuccess)),
    );
    for from in TERMINAL {
        rows.push((Some(from), E::Rerun { manual_confirm: false }, S::Waiting));
        rows.push((Some(from), E::Rerun { manual_confirm: true }, S::WaitingConfirm));
    }
    rows
}

#[test]
fn state_instance_matrix_matches_the_table_exactly() {
    let table = table();
    let mut froms: Vec<Option<S>> = vec![None];
    froms.extend(S::ALL.iter().copied().map(Some));
    let mut allowed = 0;
    for from in &froms {
        for event in all_events() {
            let expected = table.iter().find(|(f, e, _)| f == from && *e == event).map(|(_, _, to)| *to);
            let got = next_instance_status(*from, &event);
            match expected {
                Some(to) => {
                    allowed += 1;
                    assert_eq!(got, Ok(to), "{from:?} + {event:?}");
                }
                None => assert!(got.is_err(), "{from:?} + {event:?} should be refused, got {got:?}"),
            }
        }
    }
    assert_eq!(allowed, table.len(), "the table lists a transition twice");
}

#[test]
fn state_instance_row_created() {
    let created = |manual_confirm, pre_frozen| next_instance_status(None, &E::Created { manual_confirm, pre_frozen });
    assert_eq!(created(false, false), Ok(S::Waiting));
    assert_eq!(created(true, false), Ok(S::WaitingConfirm));
    assert_eq!(created(false, true), Ok(S::Freeze));
    assert_eq!(created(true, true), Ok(S::Freeze), "[I] frozen wins over confirmation");
}

#[test]
fn state_instance_row_waiting_confirm_operator_confirms() {
    assert_eq!(go(S::WaitingConfirm, E::Confirm), Ok(S::Waiting));
}

#[test]
fn state_instance_row_waiting_gates_open() {
    assert_eq!(go(S::Waiting, E::GatesOpen), Ok(S::Running));
}

#[test]
fn state_instance_row_waiting_statuses_canceled() {
    for from in [S::Waiting, S::WaitingConfirm, S::Freeze] {
        for reason in CANCEL_REASONS {
            assert_eq!(go(from, E::Cancel(reason)), Ok(S::ManualStop), "{from} {reason:?}");
        }
        assert_eq!(go(from, E::Stop), Ok(S::ManualStop), "stop instance from {from}");
    }
}

#[test]
fn state_instance_row_waiting_dependency_window_empty() {
    assert_eq!(go(S::Waiting, E::DependencyWindowEmpty), Ok(S::SkipByDepend));
}

#[test]
fn state_instance_row_waiting_freeze() {
    assert_eq!(go(S::Waiting, E::Freeze), Ok(S::Freeze));
}

#[test]
fn state_instance_row_freeze_unfreeze() {
    assert_eq!(go(S::Freeze, E::Unfreeze), Ok(S::Waiting));
}

#[test]
fn state_instance_row_running_all_nodes_terminal() {
    assert_eq!(go(S::Running, E::AllNodesTerminal(InstanceOutcome::Success)), Ok(S::Success));
    assert_eq!(go(S::Running, E::AllNodesTerminal(InstanceOutcome::IgnoreSuccess)), Ok(S::IgnoreSuccess));
    assert_eq!(go(S::Running, E::AllNodesTerminal(InstanceOutcome::Fail)), Ok(S::Fail));
}

#[test]
fn state_instance_row_running_node_fails_under_fail() {
    assert_eq!(go(S::Running, E::NodeFailedUnderFail), Ok(S::Fail));
}

#[test]
fn state_instance_row_running_node_fails_under_suspend() {
    assert_eq!(go(S::Running, E::NodeFailedUnderSuspend), Ok(S::RunningException));
}

#[test]
fn state_instance_row_running_operator_pauses() {
    assert_eq!(go(S::Running, E::Pause), Ok(S::Pause));
}

#[test]
fn state_instance_row_pause_operator_resumes() {
    assert_eq!(go(S::Pause, E::Resume), Ok(S::Running));
}

#[test]
fn state_instance_row_running_exception_continue_retry_or_succeed() {
    for action in RECOVERIES {
        assert_eq!(go(S::RunningException, E::Recover(action)), Ok(S::Running), "{action:?}");
    }
}

#[test]
fn state_instance_row_running_statuses_stop_instance() {
    for from in [S::Running, S::RunningException, S::Pause] {
        assert_eq!(go(from, E::Stop), Ok(S::ManualStop), "{from}");
    }
}

#[test]
fn state_instance_row_operator_succeed_gives_force_success() {
    for from in [S::Fail, S::ManualStop, S::RunningException] {
        assert_eq!(go(from, E::ForceSuccess), Ok(S::ForceSuccess), "{from}");
    }
}

#[test]
fn state_instance_row_terminal_rerun() {
    // API.md I4: success, fail, manual-stop, and in dlf forceSuccess, ignoreSuccess, skip-by-depend.
    for from in TERMINAL {
        assert_eq!(go(from, E::Rerun { manual_confirm: false }), Ok(S::Waiting), "{from}");
        assert_eq!(go(from, E::Rerun { manual_confirm: true }), Ok(S::WaitingConfirm), "{from}");
    }
}

#[test]
fn state_instance_unlisted_rows_of_decision_three() {
    assert_eq!(go(S::Pause, E::NodeFailedUnderFail), Ok(S::Fail));
    assert_eq!(go(S::RunningException, E::NodeFailedUnderFail), Ok(S::Fail));
    assert_eq!(go(S::Pause, E::NodeFailedUnderSuspend), Ok(S::RunningException));
    assert_eq!(go(S::RunningException, E::NodeFailedUnderSuspend), Ok(S::RunningException));
    assert_eq!(go(S::Pause, E::AllNodesTerminal(InstanceOutcome::Success)), Ok(S::Success));
}

#[test]
fn state_instance_refuses_success_to_running() {
    assert!(go(S::Success, E::GatesOpen).is_err());
    assert!(go(S::Success, E::Resume).is_err());
    assert!(go(S::Success, E::Recover(RecoverAction::Continue)).is_err());
}

#[test]
fn state_instance_refuses_stopping_a_finished_instance() {
    for from in TERMINAL {
        assert!(go(from, E::Stop).is_err(), "{from}");
    }
    assert_eq!(go(S::ManualStop, E::Stop), Err("instance is manual-stop; cannot stop it".to_string()));
    assert_eq!(go(S::Success, E::Stop), Err("instance is success; cannot stop it".to_string()));
}

#[test]
fn state_instance_refuses_rerun_of_an_unfinished_instance() {
    for from in NON_TERMINAL {
        assert!(go(from, E::Rerun { manual_confirm: false }).is_err(), "{from}");
    }
    assert_eq!(go(S::Running, E::Rerun { manual_confirm: false }), Err("instance is running; cannot rerun it".into()));
}

#[test]
fn state_instance_job_stop_leaves_running_instances_alone() {
    for from in [S::Running, S::RunningException, S::Pause] {
        assert!(go(from, E::Cancel(CancelReason::JobStopped)).is_err(), "{from}");
    }
}

#[test]
fn state_instance_refuses_force_success_of_success_class_and_skipped() {
    for from in [S::Success, S::IgnoreSuccess, S::ForceSuccess, S::SkipByDepend, S::Waiting, S::Running] {
        assert!(go(from, E::ForceSuccess).is_err(), "{from}");
    }
}

#[test]
fn state_instance_refuses_events_before_creation_and_creation_twice() {
    assert_eq!(
        next_instance_status(None, &E::Confirm).map_err(|e| e.to_string()),
        Err("instance does not exist yet; cannot confirm it".to_string())
    );
    let created = E::Created { manual_confirm: false, pre_frozen: false };
    assert!(go(S::Waiting, created).is_err());
    assert!(go(S::WaitingConfirm, E::Freeze).is_err(), "freeze applies to waiting only (§5.8)");
    assert!(go(S::WaitingConfirm, E::GatesOpen).is_err(), "confirmation first");
}

#[test]
fn state_instance_refusal_is_dlf_3051_and_keeps_its_parts() {
    let err = next_instance_status(Some(S::Success), &E::Stop).unwrap_err();
    assert_eq!(err.from, Some(S::Success));
    assert_eq!(err.event, E::Stop);
    let dlf = DlfError::from(err);
    assert_eq!(dlf.code, ErrorCode::InvalidParameter);
    assert!(dlf.message.ends_with("instance is success; cannot stop it"), "{}", dlf.message);
}
