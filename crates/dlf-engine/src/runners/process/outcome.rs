//! How an attempt ended, in the words a user reads on the node: exit codes, signals, timeouts,
//! and failures before any process started (which also go to the log file, so the node's log
//! says why it failed).

use super::capture::Capture;
use super::log_sink::create_with_dir;
use crate::runners::{AttemptOutcome, AttemptSpec};
use nix::sys::signal::Signal;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;

/// A `Failed` outcome for a failure before any process started, also written to the log file
/// (best effort, creating its directory if needed) so a user looking at the node's log
/// sees why it failed.
pub async fn fail_before_start(spec: &AttemptSpec, message: &str, retryable: bool) -> AttemptOutcome {
    let (path, text) = (spec.log_path.clone(), format!("{message}\n"));
    let written = tokio::task::spawn_blocking(move || std::io::Write::write_all(&mut create_with_dir(&path)?, text.as_bytes()))
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)));
    if let Err(e) = written {
        tracing::warn!(path = %spec.log_path.display(), error = %e, "cannot write the node log");
    }
    failed(message.to_string(), retryable)
}

/// A `Failed` outcome without exit code and not caused by a timeout.
pub(super) fn failed(message: String, retryable: bool) -> AttemptOutcome {
    AttemptOutcome::Failed { message, exit_code: None, timed_out: false, retryable }
}

/// The outcome of a process that exited by itself.
pub(super) fn exit_outcome(status: ExitStatus, capture: &Capture) -> AttemptOutcome {
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
fn signal_name(signal: i32) -> &'static str {
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

/// "60 min", "30 s", "300 ms".
pub(super) fn describe_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    if duration.subsec_nanos() != 0 {
        format!("{} ms", duration.as_millis())
    } else if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(describe_duration(Duration::from_secs(3600)), "60 min");
        assert_eq!(describe_duration(Duration::from_secs(90)), "90 s");
        assert_eq!(describe_duration(Duration::from_millis(300)), "300 ms");
    }

    #[test]
    fn common_signals_are_named() {
        assert_eq!(signal_name(9), " (SIGKILL)");
        assert_eq!(signal_name(15), " (SIGTERM)");
        assert_eq!(signal_name(10), "");
        assert_eq!(signal_name(0), "");
    }
}
