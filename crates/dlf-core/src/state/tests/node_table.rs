//! JOBS.md §5.2: one test per row of the node transition table, the refusals, and the whole
//! status × event matrix against the table written out as data.

use crate::model::{FailPolicy, NodeStatus as S};
use crate::state::{AbortCause, NodeEvent as E, SkipCause, next_node_status};

const POLICIES: [FailPolicy; 4] = [FailPolicy::Fail, FailPolicy::FailChild, FailPolicy::Ignore, FailPolicy::Suspend];
const SKIPS: [SkipCause; 4] =
    [SkipCause::ConditionsFalse, SkipCause::PropagatedSkip, SkipCause::Operator, SkipCause::InstanceSkipped];
const ABORTS: [AbortCause; 2] = [AbortCause::InstanceStopped, AbortCause::InstanceFailed];
const TERMINAL: [S; 4] = [S::Success, S::Fail, S::Skip, S::ManualStop];

fn go(from: S, event: E) -> Result<S, String> {
    next_node_status(from, &event).map_err(|e| e.to_string())
}

fn all_events() -> Vec<E> {
    let mut events = vec![
        E::Start,
        E::DryRun,
        E::CanceledByUpstream,
        E::Pause,
        E::Resume,
        E::AttemptSucceeded,
        E::AttemptFailed { retry_left: true },
        E::AttemptFailed { retry_left: false },
        E::Rerun,
        E::Interrupted,
    ];
    events.extend(SKIPS.map(E::Skip));
    events.extend(ABORTS.map(E::Abort));
    events.extend(POLICIES.map(|policy| E::OperatorSucceed { policy }));
    events.extend(POLICIES.map(|policy| E::OperatorRetry { policy }));
    // Fails to compile when a variant is added without extending the list above.
    for e in &events {
        match e {
            E::Start
            | E::DryRun
            | E::Skip(_)
            | E::CanceledByUpstream
            | E::Pause
            | E::Resume
            | E::AttemptSucceeded
            | E::AttemptFailed { .. }
            | E::Abort(_)
            | E::OperatorSucceed { .. }
            | E::OperatorRetry { .. }
            | E::Rerun
            | E::Interrupted => {}
        }
    }
    events
}

/// The §5.2 table (plus the [I] rows of the module docs) as data.
fn table() -> Vec<(S, E, S)> {
    let mut rows = vec![
        (S::Waiting, E::Start, S::Running),
        (S::Waiting, E::DryRun, S::Success),
        (S::Waiting, E::CanceledByUpstream, S::ManualStop),
        (S::Pause, E::CanceledByUpstream, S::ManualStop), // [I]
        (S::Waiting, E::Pause, S::Pause),
        (S::Pause, E::Resume, S::Waiting),
        (S::Pause, E::Skip(SkipCause::Operator), S::Skip),
        (S::Running, E::AttemptSucceeded, S::Success),
        (S::Running, E::AttemptFailed { retry_left: true }, S::Running),
        (S::Running, E::AttemptFailed { retry_left: false }, S::Fail),
        (S::Fail, E::OperatorSucceed { policy: FailPolicy::Suspend }, S::Success),
        (S::Fail, E::OperatorRetry { policy: FailPolicy::Suspend }, S::Running),
        (S::Waiting, E::Rerun, S::Waiting),       // [I]
        (S::Running, E::Interrupted, S::Waiting), // [I]
    ];
    rows.extend(SKIPS.map(|c| (S::Waiting, E::Skip(c), S::Skip)));
    for from in [S::Waiting, S::Running, S::Pause] {
        rows.extend(ABORTS.map(|a| (from, E::Abort(a), S::ManualStop)));
    }
    rows.extend(TERMINAL.map(|from| (from, E::Rerun, S::Waiting)));
    rows
}

#[test]
fn state_node_matrix_matches_the_table_exactly() {
    let table = table();
    let mut allowed = 0;
    for &from in S::ALL {
        for event in all_events() {
            let expected = table.iter().find(|(f, e, _)| *f == from && *e == event).map(|(_, _, to)| *to);
            let got = next_node_status(from, &event);
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
fn state_node_row_waiting_decidable_and_slot_free_starts() {
    assert_eq!(go(S::Waiting, E::Start), Ok(S::Running));
}

#[test]
fn state_node_row_waiting_dry_run() {
    assert_eq!(go(S::Waiting, E::DryRun), Ok(S::Success));
}

#[test]
fn state_node_row_waiting_skipped() {
    for cause in SKIPS {
        assert_eq!(go(S::Waiting, E::Skip(cause)), Ok(S::Skip), "{cause:?}");
    }
}

#[test]
fn state_node_row_waiting_upstream_fail_child_or_canceled() {
    assert_eq!(go(S::Waiting, E::CanceledByUpstream), Ok(S::ManualStop));
}

#[test]
fn state_node_row_waiting_operator_pause() {
    assert_eq!(go(S::Waiting, E::Pause), Ok(S::Pause));
}

#[test]
fn state_node_row_pause_operator_resume_or_skip() {
    assert_eq!(go(S::Pause, E::Resume), Ok(S::Waiting));
    assert_eq!(go(S::Pause, E::Skip(SkipCause::Operator)), Ok(S::Skip));
    assert!(go(S::Pause, E::Skip(SkipCause::ConditionsFalse)).is_err(), "a paused node is not decided");
}

#[test]
fn state_node_row_running_attempt_ok() {
    assert_eq!(go(S::Running, E::AttemptSucceeded), Ok(S::Success));
}

#[test]
fn state_node_row_running_attempt_failed_with_retry_left_stays_running() {
    assert_eq!(go(S::Running, E::AttemptFailed { retry_left: true }), Ok(S::Running));
}

#[test]
fn state_node_row_running_attempt_failed_without_retry_fails() {
    assert_eq!(go(S::Running, E::AttemptFailed { retry_left: false }), Ok(S::Fail));
}

#[test]
fn state_node_row_instance_stopped_or_failed_cancels() {
    for from in [S::Waiting, S::Running, S::Pause] {
        for cause in ABORTS {
            assert_eq!(go(from, E::Abort(cause)), Ok(S::ManualStop), "{from} {cause:?}");
        }
    }
}

#[test]
fn state_node_row_fail_operator_succeed_or_retry_only_under_suspend() {
    assert_eq!(go(S::Fail, E::OperatorSucceed { policy: FailPolicy::Suspend }), Ok(S::Success));
    assert_eq!(go(S::Fail, E::OperatorRetry { policy: FailPolicy::Suspend }), Ok(S::Running));
    for policy in [FailPolicy::Fail, FailPolicy::FailChild, FailPolicy::Ignore] {
        assert!(go(S::Fail, E::OperatorSucceed { policy }).is_err(), "{policy:?}");
        assert!(go(S::Fail, E::OperatorRetry { policy }).is_err(), "{policy:?}");
    }
    assert_eq!(
        go(S::Fail, E::OperatorRetry { policy: FailPolicy::Ignore }),
        Err("node is fail; cannot retry it (its failPolicy is IGNORE; only SUSPEND nodes can be retried or succeeded)"
            .to_string())
    );
}

#[test]
fn state_node_row_terminal_included_in_rerun() {
    for from in TERMINAL {
        assert_eq!(go(from, E::Rerun), Ok(S::Waiting), "{from}");
    }
}

#[test]
fn state_node_a_shutdown_puts_a_running_node_back_to_waiting() {
    assert_eq!(go(S::Running, E::Interrupted), Ok(S::Waiting));
    for from in [S::Waiting, S::Pause, S::Success, S::Fail, S::Skip, S::ManualStop] {
        assert!(go(from, E::Interrupted).is_err(), "only a running node is interrupted: {from}");
    }
}

#[test]
fn state_node_refuses_representative_invalid_moves() {
    assert_eq!(go(S::Success, E::Start), Err("node is success; cannot start it".to_string()));
    assert!(go(S::Success, E::AttemptFailed { retry_left: false }).is_err());
    assert!(go(S::ManualStop, E::Abort(AbortCause::InstanceStopped)).is_err(), "already canceled");
    assert!(go(S::Skip, E::Start).is_err());
    assert!(go(S::Running, E::Pause).is_err(), "only waiting nodes pause");
    assert!(go(S::Running, E::Skip(SkipCause::Operator)).is_err());
    assert!(go(S::Running, E::Rerun).is_err());
    assert!(go(S::Waiting, E::AttemptSucceeded).is_err());
    assert!(go(S::Success, E::OperatorSucceed { policy: FailPolicy::Suspend }).is_err());
}
