//! How long one attempt may run (JOBS.md §5.4).
//!
//! Each attempt of a node is limited by its `maxExecutionTime` (minutes, default 60): past it,
//! the attempt is killed and fails as a timeout ([`AttemptFailure::Timeout`](super::AttemptFailure)),
//! which is retried only with `execTimeOutRetry` ([`retry_left`](super::retry_left)). The limit is
//! the engine's to enforce, the same way for every node type: the runner is cancelled when it
//! passes. A limit of 0 minutes (which validation refuses, 5–1440) counts as 1 \[I\].

use std::time::Duration;

/// The time limit of one attempt of a node whose `maxExecutionTime` is `max_execution_minutes`.
pub fn attempt_time_limit(max_execution_minutes: u64) -> Duration {
    Duration::from_secs(max_execution_minutes.max(1).saturating_mul(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_timeout_is_max_execution_time_in_minutes_at_least_one() {
        assert_eq!(attempt_time_limit(60), Duration::from_secs(3600));
        assert_eq!(attempt_time_limit(5), Duration::from_secs(300));
        assert_eq!(attempt_time_limit(0), Duration::from_secs(60));
        assert_eq!(attempt_time_limit(u64::MAX), Duration::from_secs(u64::MAX), "no overflow");
    }
}
