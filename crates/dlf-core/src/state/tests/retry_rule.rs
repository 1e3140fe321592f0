//! JOBS.md §5.3: attempts = 1 + retryTimes; timeouts retried only with execTimeOutRetry.

use crate::model::NodeStatus;
use crate::state::{AttemptFailure, NodeEvent, next_node_status, retry_left};

#[test]
fn state_retry_attempts_are_one_plus_retry_times() {
    assert!(!retry_left(1, 0, AttemptFailure::Error, false), "no retries configured");
    assert!(retry_left(1, 2, AttemptFailure::Error, false));
    assert!(retry_left(2, 2, AttemptFailure::Error, false));
    assert!(!retry_left(3, 2, AttemptFailure::Error, false), "third attempt was the last");
}

#[test]
fn state_retry_times_cap_at_five() {
    assert!(retry_left(5, 99, AttemptFailure::Error, false));
    assert!(!retry_left(6, 99, AttemptFailure::Error, false));
    assert!(!retry_left(u32::MAX, u32::MAX, AttemptFailure::Error, true), "no overflow");
}

#[test]
fn state_retry_timeout_only_with_exec_timeout_retry() {
    assert!(!retry_left(1, 3, AttemptFailure::Timeout, false));
    assert!(retry_left(1, 3, AttemptFailure::Timeout, true));
}

#[test]
fn state_retry_never_for_a_failure_the_retry_condition_excludes() {
    assert!(!retry_left(1, 5, AttemptFailure::NotRetryable, true));
    assert!(retry_left(1, 5, AttemptFailure::Error, true), "the same attempt, retryable");
}

#[test]
fn state_retry_drives_the_node_through_its_attempts() {
    // retryTimes 1: attempt 1 fails → still running; attempt 2 fails → fail.
    let mut status = next_node_status(NodeStatus::Waiting, &NodeEvent::Start).unwrap();
    for attempt in 1..=2 {
        let event = NodeEvent::AttemptFailed { retry_left: retry_left(attempt, 1, AttemptFailure::Error, false) };
        status = next_node_status(status, &event).unwrap();
    }
    assert_eq!(status, NodeStatus::Fail);
}
