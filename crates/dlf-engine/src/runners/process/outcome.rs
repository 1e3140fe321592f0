//! How an attempt ended, in the words a user reads on the node: exit codes, signals, timeouts,
//! and failures before any process started (which also go to the log file, so the node's log
//! says why it failed).

use super::capture::Capture;
use crate::runners::{AttemptOutcome, LogSink};
use nix::sys::signal::Signal;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

/// A `Failed` outcome for a failure before any process started, also written to the attempt's
/// log so a user looking at the node's log sees why it failed.
pub async fn fail_before_start(log: &mut LogSink, message: &str, retryable: bool) -> AttemptOutcome {
    log.write(format!("{message}\n").as_bytes()).await;
    failed(message.to_string(), retryable)
}

/// A `Failed` outcome without exit code and not caused by a timeout.
pub(super) fn failed(message: String, retryable: bool) -> AttemptOutcome {
    AttemptOutcome::Failed { message, exit_code: None, timed_out: false, retryable }
}

/// The outcome of a process that exited by itself.
pub(super) fn exit_outcome(status: ExitStatus, capture: &Capture<'_>) -> AttemptOutcome {
    if status.success() {
        return AttemptOutcome::Succeeded { output: capture.output() };
    }
    let (message, exit_code) = match (status.code(), status.signal()) {
        (Some(code), _) => (format!("exit code {code}"), Some(code)),
        (None, Some(signal)) => (format!("killed by signal {signal}{}", signal_name(signal)), None),
        (None, None) => (format!("ended abnormally ({status})"), None),
    };
    AttemptOutcome::Failed { message, exit_code, timed_out: false, retryable: true }
}

/// " (SIGKILL)" etc. for the common signals, else "".
pub(crate) fn signal_name(signal: i32) -> &'static str {
    match Signal::try_from(signal) {
        Ok(Signal::SIGHUP) => " (SIGHUP)",
        Ok(Signal::SIGINT) => " (SIGINT)",
        Ok(Signal::SIGQUIT) => " (SIGQUIT)",
        Ok(Signal::SIGABRT) => " (SIGABRT)",
        Ok(Signal::SIGKILL) => " (SIGKILL)",
        Ok(Signal::SIGSEGV) => " (SIGSEGV)",
        Ok(Signal::SIGPIPE) => " (SIGPIPE)",
        Ok(Signal::SIGTERM) => " (SIGTERM)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_signals_are_named() {
        assert_eq!(signal_name(9), " (SIGKILL)");
        assert_eq!(signal_name(15), " (SIGTERM)");
        assert_eq!(signal_name(10), "");
        assert_eq!(signal_name(0), "");
    }
}
