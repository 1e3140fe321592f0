//! One attempt's program on the host: the exec channel that runs the launcher, its output, how it
//! ended, and the kill policy, applied over the same connection.
//!
//! The kill policy is the local one (`runners::process::group`), with remote commands for
//! signals: on a stop, a timeout or the output cap, `kill -TERM -- -<pgid>`, up to
//! [`AttemptSpec::kill_grace`] for the program to end (output still goes to the log), then
//! `kill -KILL -- -<pgid>`; after a normal end, `kill -KILL -- -<pgid>` at once, so background
//! children do not outlive the node. The attempt's directory is removed in every case.

use super::launch::{PGID_MARKER, RemoteDir, kill_command, parse_marker};
use super::session::{DropGuard, Session};
use crate::connections::ResolvedConnection;
use crate::runners::process::{
    DRAIN_AFTER_EXIT, OUTPUT_LIMIT_BYTES, OUTPUT_TOO_LARGE, Tail, fail_before_start, signal_name,
};
use crate::runners::{AttemptOutcome, AttemptSpec, LogSink};
use russh::{ChannelMsg, Sig, client};
use std::time::Duration;
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;

/// How long a stop waits for the launcher to report its process group when it has not yet: the
/// program may be starting right now, and must not be left behind.
const MARKER_WAIT: Duration = Duration::from_secs(3);
/// The longest first line that can be the marker.
const MARKER_MAX: usize = PGID_MARKER.len() + 12;

/// How the program ended, as the host reported it.
#[derive(Clone, Debug)]
enum Status {
    Code(u32),
    Signal(Sig),
}

/// Why supervision ended.
enum End {
    /// The host reported the program's end (the channel may still carry output).
    Exited(Status),
    /// The channel closed without an exit status: the connection was lost.
    Lost,
    Cancelled,
    TooLarge,
}

/// Starts the launcher in `dir`, feeds `stdin`, copies output until the end, applies the kill
/// policy and cleans up. `log` gets stdout and stderr as they arrive; `guard` (armed, with
/// [`cleanup_command`] of `dir`) learns the process group as soon as it is known, so that a
/// dropped attempt still kills it.
pub async fn run(
    session: &Session,
    host: &ResolvedConnection,
    dir: &RemoteDir,
    spec: &AttemptSpec,
    cancel: &CancellationToken,
    log: &mut LogSink,
    guard: &mut DropGuard,
) -> AttemptOutcome {
    let mut channel = match session.exec(&dir.start_command()).await {
        Ok(channel) => channel,
        Err(message) => {
            cleanup(session, dir, None).await;
            return fail_before_start(log, &message, true).await;
        }
    };
    if let Some(stdin) = spec.stdin.as_deref() {
        // A few answers to `read` prompts: far below the channel's window, so sending them
        // does not wait for the program to read them.
        let _ = channel.data(stdin.as_bytes()).await;
    }
    let _ = channel.eof().await;
    let mut output = Output::new(log, &mut guard.command, dir);
    let end = supervise(&mut channel, &mut output, cancel).await;
    let outcome = match end {
        End::Exited(status) => {
            // Background children of the program must not outlive the node.
            if let Some(pgid) = output.pgid {
                signal_group(session, &mut channel, &mut output, "KILL", pgid).await;
            }
            drain(&mut channel, &mut output, DRAIN_AFTER_EXIT).await;
            if output.over_limit {
                fail(&mut output, OUTPUT_TOO_LARGE.into()).await
            } else {
                exit_outcome(&status, &output)
            }
        }
        End::Lost => {
            let lost = format!("the connection to the SSH host {} was lost before the program ended", session.label);
            let message = match stop_after_loss(host, dir, output.pgid).await {
                Ok(()) => format!("{lost}; dlf logged in again and stopped it there"),
                Err(e) => host.redact(&format!("{lost}; it may still be running there (stopping it failed: {e})")),
            };
            return fail(&mut output, message).await;
        }
        End::Cancelled => {
            terminate(session, &mut channel, &mut output, spec.kill_grace).await;
            AttemptOutcome::Stopped
        }
        End::TooLarge => {
            terminate(session, &mut channel, &mut output, spec.kill_grace).await;
            fail(&mut output, OUTPUT_TOO_LARGE.into()).await
        }
    };
    // Output still queued on the channel must not hold up the clean-up: the connection delivers
    // a channel's messages in order, so an unread channel would stall every other one.
    drop(channel);
    cleanup(session, dir, None).await;
    outcome
}

/// After the connection was lost: logs in again, kills the group (if known) and removes the
/// attempt's directory.
async fn stop_after_loss(host: &ResolvedConnection, dir: &RemoteDir, pgid: Option<u32>) -> Result<(), String> {
    let session = Session::connect(host).await?;
    let ran = session.run(&cleanup_command(dir, pgid), b"").await;
    session.close().await;
    ran?.ok_or("stopping the program")
}

/// Kills the group (if any) and removes the attempt's directory, in one command.
pub fn cleanup_command(dir: &RemoteDir, pgid: Option<u32>) -> String {
    match pgid {
        Some(pgid) => format!("{}; {}", kill_command("KILL", pgid), dir.remove_command()),
        None => dir.remove_command(),
    }
}

/// Runs [`cleanup_command`].
pub async fn cleanup(session: &Session, dir: &RemoteDir, pgid: Option<u32>) {
    if let Err(message) = session.run(&cleanup_command(dir, pgid), b"").await {
        tracing::warn!(host = %session.label, dir = dir.path(), error = %message, "cannot clean up after an attempt on an SSH host");
    }
}

/// `TERM` to the group, up to `grace` for the program to end, `KILL` to the group, then a short
/// drain. When the group is not known yet, first waits up to [`MARKER_WAIT`] for it.
async fn terminate(
    session: &Session,
    channel: &mut russh::Channel<client::Msg>,
    output: &mut Output<'_>,
    grace: Duration,
) {
    if output.pgid.is_none() {
        copy_until(channel, output, MARKER_WAIT, |o| o.pgid.is_some() || o.status.is_some()).await;
    }
    let Some(pgid) = output.pgid else {
        // The program never started (or the host does not report it): nothing to kill.
        return;
    };
    signal_group(session, channel, output, "TERM", pgid).await;
    copy_until(channel, output, grace, |o| o.status.is_some()).await;
    signal_group(session, channel, output, "KILL", pgid).await;
    drain(channel, output, DRAIN_AFTER_EXIT).await;
}

/// Sends `signal` to the group on a new channel, copying the program's output meanwhile (an
/// unread channel would stall the connection, and with it the `kill`).
async fn signal_group(
    session: &Session,
    channel: &mut russh::Channel<client::Msg>,
    output: &mut Output<'_>,
    signal: &str,
    pgid: u32,
) {
    let command = kill_command(signal, pgid);
    let kill = session.run(&command, b"");
    tokio::pin!(kill);
    loop {
        let message = tokio::select! {
            biased;
            _ = &mut kill => return,
            message = channel.wait(), if !output.closed => message,
        };
        output.take(message).await;
    }
}

/// Copies output until the program ends, the attempt is cancelled, or the output cap is hit.
async fn supervise(
    channel: &mut russh::Channel<client::Msg>,
    output: &mut Output<'_>,
    cancel: &CancellationToken,
) -> End {
    loop {
        let message = tokio::select! {
            biased;
            _ = cancel.cancelled() => return End::Cancelled,
            message = channel.wait() => message,
        };
        output.take(message).await;
        if output.over_limit {
            return End::TooLarge;
        }
        if let Some(status) = output.status.clone() {
            return End::Exited(status);
        }
        if output.closed {
            return End::Lost;
        }
    }
}

/// Copies output for up to `limit`, until the channel closes or `done` holds.
async fn copy_until(
    channel: &mut russh::Channel<client::Msg>,
    output: &mut Output<'_>,
    limit: Duration,
    done: impl Fn(&Output<'_>) -> bool,
) {
    let deadline = Instant::now() + limit;
    while !output.closed && !done(output) {
        let message = tokio::select! {
            biased;
            _ = sleep_until(deadline) => return,
            message = channel.wait() => message,
        };
        output.take(message).await;
    }
}

/// Copies output until the channel closes or `limit` has passed; then whatever was held back
/// as a possible marker is output.
async fn drain(channel: &mut russh::Channel<client::Msg>, output: &mut Output<'_>, limit: Duration) {
    copy_until(channel, output, limit, |_| false).await;
    output.flush_first_line().await;
}

/// Where the program's output goes: the log (stdout and stderr as they arrive), the stdout tail
/// (the node's output) and the stdout count (the 30 MB cap). The launcher's first stdout line,
/// the process group marker, is taken off first.
struct Output<'a> {
    log: &'a mut LogSink,
    /// The drop guard's command: kills the group once it is known.
    on_drop: &'a mut String,
    dir: &'a RemoteDir,
    tail: Tail,
    stdout_bytes: u64,
    over_limit: bool,
    /// Stdout until the first newline, while it may still be the marker.
    first_line: Option<Vec<u8>>,
    pgid: Option<u32>,
    status: Option<Status>,
    closed: bool,
}

impl<'a> Output<'a> {
    fn new(log: &'a mut LogSink, on_drop: &'a mut String, dir: &'a RemoteDir) -> Output<'a> {
        Output {
            log,
            on_drop,
            dir,
            tail: Tail::default(),
            stdout_bytes: 0,
            over_limit: false,
            first_line: Some(Vec::new()),
            pgid: None,
            status: None,
            closed: false,
        }
    }

    /// Takes one message of the program's channel (`None`: the channel is gone).
    async fn take(&mut self, message: Option<ChannelMsg>) {
        match message {
            Some(ChannelMsg::Data { data }) => self.stdout(&data).await,
            Some(ChannelMsg::ExtendedData { data, .. }) => self.stderr(&data).await,
            Some(ChannelMsg::ExitStatus { exit_status }) => self.status = Some(Status::Code(exit_status)),
            Some(ChannelMsg::ExitSignal { signal_name, .. }) => self.status = Some(Status::Signal(signal_name)),
            Some(ChannelMsg::Close) | None => {
                self.closed = true;
                self.flush_first_line().await;
            }
            Some(_) => {}
        }
    }

    async fn stdout(&mut self, data: &[u8]) {
        let Some(mut line) = self.first_line.take() else {
            return self.program_stdout(data).await;
        };
        line.extend_from_slice(data);
        match line.iter().position(|&b| b == b'\n') {
            Some(end) => {
                self.pgid = parse_marker(&line[..end]);
                if self.pgid.is_some() {
                    *self.on_drop = cleanup_command(self.dir, self.pgid);
                }
                let rest = if self.pgid.is_some() { &line[end + 1..] } else { &line[..] };
                self.program_stdout(rest).await;
            }
            None if line.len() > MARKER_MAX => self.program_stdout(&line).await,
            None => self.first_line = Some(line),
        }
    }

    /// Output held back as a possible marker, when no newline will come.
    async fn flush_first_line(&mut self) {
        if let Some(line) = self.first_line.take() {
            self.program_stdout(&line).await;
        }
    }

    async fn program_stdout(&mut self, data: &[u8]) {
        if data.is_empty() || self.over_limit {
            return;
        }
        self.tail.push(data);
        self.stdout_bytes += data.len() as u64;
        self.over_limit = self.stdout_bytes > OUTPUT_LIMIT_BYTES;
        self.log.write(data).await;
    }

    async fn stderr(&mut self, data: &[u8]) {
        if !self.over_limit {
            self.log.write(data).await;
        }
    }

    fn output(&self) -> Option<String> {
        (self.stdout_bytes > 0).then(|| self.tail.text())
    }
}

/// Appends `message` to the log and returns it as a retryable failure.
async fn fail(output: &mut Output<'_>, message: String) -> AttemptOutcome {
    output.log.write(format!("{message}\n").as_bytes()).await;
    AttemptOutcome::failed(message, true)
}

/// The outcome of a program that ended by itself, in the local runner's words.
fn exit_outcome(status: &Status, output: &Output<'_>) -> AttemptOutcome {
    let (message, exit_code) = match status {
        Status::Code(0) => return AttemptOutcome::Succeeded { output: output.output() },
        Status::Code(code) => {
            let code = i32::try_from(*code).unwrap_or(i32::MAX);
            (format!("exit code {code}"), Some(code))
        }
        Status::Signal(signal) => match (signal_number(signal), signal) {
            (Some(number), _) => (format!("killed by signal {number}{}", signal_name(number)), None),
            (None, Sig::Custom(name)) => (format!("killed by signal SIG{name}"), None),
            (None, other) => (format!("killed by signal {other:?}"), None),
        },
    };
    AttemptOutcome::Failed { message, exit_code, timed_out: false, retryable: true }
}

/// The Linux number of a signal the host named.
fn signal_number(signal: &Sig) -> Option<i32> {
    Some(match signal {
        Sig::HUP => 1,
        Sig::INT => 2,
        Sig::QUIT => 3,
        Sig::ILL => 4,
        Sig::ABRT => 6,
        Sig::FPE => 8,
        Sig::KILL => 9,
        Sig::USR1 => 10,
        Sig::SEGV => 11,
        Sig::PIPE => 13,
        Sig::ALRM => 14,
        Sig::TERM => 15,
        Sig::Custom(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_marker_is_taken_off_stdout_even_when_split() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = LogSink::new(dir.path().join("a.log"));
        let (mut on_drop, dir_name) = (String::new(), RemoteDir::new());
        let mut output = Output::new(&mut log, &mut on_drop, &dir_name);
        output.stdout(b"dlf-pg").await;
        output.stdout(b"id 321\nhello\n").await;
        output.stdout(b"world\n").await;
        assert_eq!(output.pgid, Some(321));
        assert_eq!(output.output().as_deref(), Some("hello\nworld\n"));
        drop(output);
        assert!(on_drop.starts_with("kill -KILL -- -321 ") && on_drop.ends_with(dir_name.path()), "{on_drop}");
        assert_eq!(std::fs::read_to_string(dir.path().join("a.log")).unwrap(), "hello\nworld\n");
    }

    #[tokio::test]
    async fn output_without_a_marker_is_kept_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (mut on_drop, dir_name) = (String::new(), RemoteDir::new());
        let mut log = LogSink::new(dir.path().join("a.log"));
        let mut output = Output::new(&mut log, &mut on_drop, &dir_name);
        output.stdout(b"no").await;
        output.flush_first_line().await;
        assert_eq!((output.pgid, output.output().as_deref()), (None, Some("no")));
        let mut log = LogSink::new(dir.path().join("b.log"));
        let mut on_drop = String::new();
        let mut output = Output::new(&mut log, &mut on_drop, &dir_name);
        output.stdout(b"first line\nsecond").await;
        assert_eq!((output.pgid, output.output().as_deref()), (None, Some("first line\nsecond")));
    }

    #[test]
    fn exits_read_like_local_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = LogSink::new(dir.path().join("a.log"));
        let (mut on_drop, dir_name) = (String::new(), RemoteDir::new());
        let output = Output::new(&mut log, &mut on_drop, &dir_name);
        assert_eq!(exit_outcome(&Status::Code(0), &output), AttemptOutcome::Succeeded { output: None });
        assert!(matches!(
            exit_outcome(&Status::Code(3), &output),
            AttemptOutcome::Failed { ref message, exit_code: Some(3), .. } if message == "exit code 3"
        ));
        assert!(matches!(
            exit_outcome(&Status::Signal(Sig::KILL), &output),
            AttemptOutcome::Failed { ref message, exit_code: None, .. } if message == "killed by signal 9 (SIGKILL)"
        ));
        assert!(matches!(
            exit_outcome(&Status::Signal(Sig::Custom("XCPU".into())), &output),
            AttemptOutcome::Failed { ref message, .. } if message == "killed by signal SIGXCPU"
        ));
    }
}
