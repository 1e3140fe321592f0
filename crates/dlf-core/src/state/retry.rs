//! Whether a failed attempt is followed by another (JOBS.md §5.3).
//!
//! A node gets 1 + `retryTimes` attempts (`retryTimes` 0–5). An attempt that failed because it
//! exceeded `maxExecutionTime` is retried only when `execTimeOutRetry` is `"true"`. The answer
//! feeds [`NodeEvent::AttemptFailed`](super::NodeEvent::AttemptFailed). A crash-orphaned
//! attempt counts as an ordinary failed attempt. Whether a Shell exit code is in the node's
//! `retryExitCodes` is the runner's to say; it reports [`AttemptFailure::NotRetryable`] when not.

/// Most extra attempts a node may have (§5.3).
pub const MAX_RETRY_TIMES: u32 = 5;

/// How an attempt failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttemptFailure {
    /// Any failure other than the time limit (non-zero exit, error, server crash).
    Error,
    /// The attempt exceeded `maxExecutionTime` and was killed.
    Timeout,
    /// A failure the node's own retry condition excludes (Shell `retryExitCodes` without the
    /// exit code), or one no retry can fix (the node's type has no runner, its properties do
    /// not render): never retried.
    NotRetryable,
}

/// Whether the node gets another attempt after its `attempts_made`-th attempt (counting the one
/// that just failed) failed with `failure`; `retry_times` is the node's `retryTimes` (capped at
/// [`MAX_RETRY_TIMES`]) and `retry_after_timeout` its `execTimeOutRetry`.
pub fn retry_left(attempts_made: u32, retry_times: u32, failure: AttemptFailure, retry_after_timeout: bool) -> bool {
    let attempts_allowed = 1 + retry_times.min(MAX_RETRY_TIMES);
    let retryable = match failure {
        AttemptFailure::Error => true,
        AttemptFailure::Timeout => retry_after_timeout,
        AttemptFailure::NotRetryable => false,
    };
    retryable && attempts_made < attempts_allowed
}
