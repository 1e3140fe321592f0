//! Process control for script nodes (Shell, Python): run one program text under an
//! interpreter, capture its output, and make sure nothing it started outlives the attempt.
//!
//! [`run_script`] is the one entry point. It
//!
//! 1. makes sure the work directory exists and, unless the program is passed inline, writes the
//!    program text to `attempt-<n>.<ext>` beside the attempt's log file, then runs the
//!    interpreter on that file, or on the program as one argument (`spawn.rs`); user text is
//!    never pasted into a command line that a shell parses;
//! 2. starts the interpreter as the leader of its **own process group** (`process_group(0)`),
//!    with standard input from [`AttemptSpec::stdin`] (or `/dev/null`), the server's environment
//!    plus [`AttemptSpec::env`], and [`AttemptSpec::work_dir`] as working directory;
//! 3. reports the group at once ([`AttemptReport::process_started`]: leader pid = group id,
//!    plus the leader's start time from `/proc/<pid>/stat` so a restarted server can recognise
//!    it);
//! 4. reads stdout and stderr concurrently as raw bytes and appends both to the attempt's log
//!    ([`AttemptContext::log`]) as they arrive (`capture.rs`);
//! 5. keeps only the last [`OUTPUT_TAIL_CHARS`] characters of stdout as the node's output, and
//!    fails the attempt when stdout exceeds [`OUTPUT_LIMIT_BYTES`] (JOBS.md §8);
//! 6. ends on the first of: the leader exits, the attempt is cancelled (a stop, or the engine's
//!    time limit), or the output cap is hit, and then applies the kill policy for how it ended
//!    (`group.rs`), so that nothing the script started outlives the attempt.
//!
//! The files split that work by job, so each can be read and changed alone: `spawn.rs` builds
//! and starts the command, `group.rs` owns the process group and its kill policy, `capture.rs`
//! copies output and `outcome.rs` says how the attempt ended.
//! This file only orchestrates them.

mod capture;
mod group;
pub mod launcher;
mod node_process;
mod outcome;
mod spawn;

pub(crate) use capture::Tail;
pub use capture::{OUTPUT_LIMIT_BYTES, OUTPUT_TAIL_CHARS, OUTPUT_TOO_LARGE};
pub use group::DRAIN_AFTER_EXIT;
pub use outcome::fail_before_start;
pub(crate) use outcome::signal_name;
pub use spawn::{INLINE_PROGRAM_MAX, Interpreter, script_path, start_ticks};

#[cfg(doc)]
use super::AttemptReport;
use super::{AttemptContext, AttemptOutcome, AttemptSpec, ProcessInfo};
use capture::{Capture, Pipes, drain};
use group::{GroupGuard, terminate};
use node_process::NodeProcess;
use outcome::{exit_outcome, failed};
use spawn::{ProgramArg, feed_stdin, prepare_files};
use std::io;
use std::process::ExitStatus;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The failure message when there is no program text.
pub const NO_PROGRAM: &str = "the node has no script or statement to run";

/// Runs `spec.program` under `interpreter` as described in the module docs. Never panics;
/// every failure to prepare or start the process is a `Failed` outcome naming what failed.
pub async fn run_script(interpreter: &Interpreter, spec: &AttemptSpec, ctx: AttemptContext<'_>) -> AttemptOutcome {
    if let Some(host) = spec.connection.as_ref().filter(|c| !c.is_local()) {
        return crate::ssh::run_script(interpreter, spec, ctx, host).await;
    }
    let AttemptContext { cancel, log, report } = ctx;
    let Some(program) = spec.program.as_deref() else {
        return fail_before_start(log, NO_PROGRAM, false).await;
    };
    if cancel.is_cancelled() {
        return AttemptOutcome::Stopped;
    }
    let script = script_path(spec, interpreter.extension);
    let inline = interpreter.inline_flag.filter(|_| program.len() <= INLINE_PROGRAM_MAX);
    let file = if inline.is_some() { None } else { Some((script.clone(), program)) };
    if let Err(e) = prepare_files(spec, file).await {
        return fail_before_start(log, &e.to_string(), true).await;
    }
    let mut capture = Capture::new(log);
    let program_arg = match inline {
        Some(flag) => {
            ProgramArg::Inline { flag, name: script.file_name().unwrap_or_default().to_string_lossy().into_owned() }
        }
        None => ProgramArg::File(script),
    };
    let mut child = match spawn::spawn(interpreter, spec, &program_arg, program).await {
        Ok(child) => child,
        Err(e) => {
            let message = format!("cannot start the interpreter {}: {e}", interpreter.program.display());
            return capture.fail(message, true).await;
        }
    };
    let Some(pgid) = i32::try_from(child.id()).ok().filter(|&id| id > 1) else {
        child.start_kill();
        return capture.fail("the interpreter started but its process id is unknown".into(), true).await;
    };
    report.process_started(ProcessInfo { process_group: pgid, start_ticks: start_ticks(pgid) });
    let mut group = GroupGuard::new(pgid);
    feed_stdin(&mut child, spec.stdin.as_deref());
    let mut pipes = Pipes::new(&mut child);
    let end = supervise(&mut child, &mut pipes, &mut capture, &cancel).await;
    finish(end, spec, &mut child, &mut group, &mut pipes, &mut capture).await
}

/// `now + limit`, or a far future when that does not fit (the drain and kill waits).
fn deadline_after(limit: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(limit).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

/// Why the supervision ended.
enum End {
    Exited(ExitStatus),
    Cancelled,
    TooLarge,
    WaitFailed(io::Error),
}

/// Copies output until the leader exits, the attempt is cancelled or the output cap is hit.
async fn supervise(
    child: &mut NodeProcess,
    pipes: &mut Pipes,
    capture: &mut Capture<'_>,
    cancel: &CancellationToken,
) -> End {
    loop {
        let read = tokio::select! {
            biased;
            _ = cancel.cancelled() => return End::Cancelled,
            status = child.wait() => return match status {
                Ok(status) => End::Exited(status),
                Err(e) => End::WaitFailed(e),
            },
            read = pipes.read() => read,
        };
        capture.take(pipes, read).await;
        if capture.over_limit {
            return End::TooLarge;
        }
    }
}

/// Applies the kill policy for how the attempt ended (`group.rs`) and builds its outcome.
async fn finish(
    end: End,
    spec: &AttemptSpec,
    child: &mut NodeProcess,
    group: &mut GroupGuard,
    pipes: &mut Pipes,
    capture: &mut Capture<'_>,
) -> AttemptOutcome {
    match end {
        End::Exited(status) => {
            // Background children of the script must not outlive the node.
            group.kill();
            drain(pipes, capture, DRAIN_AFTER_EXIT).await;
            group.disarm();
            if capture.over_limit {
                return failed(OUTPUT_TOO_LARGE.into(), true);
            }
            exit_outcome(status, capture)
        }
        End::Cancelled => {
            terminate(child, group, pipes, capture, spec.kill_grace).await;
            AttemptOutcome::Stopped
        }
        End::TooLarge => {
            terminate(child, group, pipes, capture, spec.kill_grace).await;
            failed(OUTPUT_TOO_LARGE.into(), true)
        }
        End::WaitFailed(e) => {
            terminate(child, group, pipes, capture, spec.kill_grace).await;
            failed(format!("cannot wait for the process: {e}"), true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_limits_do_not_overflow() {
        assert!(deadline_after(Duration::MAX) > Instant::now());
    }
}
