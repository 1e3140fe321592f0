//! Shell and Python on SSH hosts (`HOST` connections): a node or script run whose connection is
//! a `HOST` runs its program on that host over SSH, with the same environment, output rules,
//! exit codes and stop semantics as on the dlf server (`runners::process`).
//!
//! # Why russh
//!
//! dlf speaks SSH with `russh` (pure Rust, async on tokio) built with its `ring` backend
//! (`default-features = false`, features `ring` and `rsa`). It needs no system binary on the
//! server — the `openssh` crate would drive the `ssh` client, which a minimal container image
//! lacks, and would read the server user's `~/.ssh/config` and agent, which a node must not
//! inherit — and it gives the exit status, the exit signal and separate stdout and stderr
//! streams as channel messages, and several exec channels on one connection, which is what
//! the kill policy needs (signals are sent over the connection that started the program).
//! `ring` rather than the default `aws-lc-rs` keeps the build to a C compiler and nothing
//! else (no CMake, no second large C library).
//!
//! # One attempt on a host
//!
//! One connection per attempt (`session.rs`: connect, host key check, login with the
//! connection's `privateKey` and/or `password`, within 10 s), then on exec channels of it
//! (`launch.rs` has every command text, `attempt.rs` runs them):
//!
//! 1. `mkdir -m 700 /tmp/dlf-<uuid>` and the program written to `attempt-<n>.sh|py` in it from
//!    the channel's standard input; the launcher script written to `launch.sh` beside it. This
//!    directory is the program's **working directory**; it is private to the login user and
//!    removed when the attempt ends (whatever a program must keep, it writes elsewhere);
//! 2. `exec bash /tmp/dlf-<uuid>/launch.sh`: the launcher `cd`s there, `export`s the node's
//!    environment (job parameters, `DLF_*` variables, `PYTHONUNBUFFERED=1` for Python; each
//!    value single-quoted; names that are not shell identifiers go through `env`) — but not
//!    `PATH`, `HOME`, `USER`, `LOGNAME` or `SHELL`, which describe the dlf server's user: the
//!    login's own apply — prints `dlf-pgid <id>` as its first stdout line, and `exec`s
//!    `bash` or `python3` (found on the login's `PATH`) on the program file with the node's
//!    arguments. OpenSSH starts every command in a new session, so the launcher's pid is its
//!    process group; elsewhere `setsid -w` makes one;
//! 3. [`AttemptSpec::stdin`] (interactive arguments) is sent on the channel, then end of file;
//!    stdout and stderr go to the attempt's log as they arrive, the last 4,000 characters of
//!    stdout (marker line removed) are the node's output, stdout over 30 MB fails the attempt;
//!    the exit status maps as locally: 0 succeeds, `N` fails with "exit code N", a signal with
//!    "killed by signal N (SIGX)";
//! 4. on a stop or the engine's time limit (`ctx.cancel`) or the output cap:
//!    `kill -TERM -- -<pgid>` on a new channel, [`AttemptSpec::kill_grace`] for the program to
//!    end, `kill -KILL -- -<pgid>`; after a normal end `kill -KILL -- -<pgid>` at once, so
//!    background children do not outlive the node; then `rm -rf` of the directory. Output is
//!    still read while a `kill` runs: one connection delivers its channels' messages in order,
//!    so an unread, full channel would hold up the `kill`'s own. If the attempt's future is
//!    dropped before its end (a caller's own time limit), a guard runs the same kill and
//!    clean-up from a task of its own.
//!
//! A failure to connect or log in fails the attempt before anything started, retryably, with
//! the host's or the client's words and every secret of the connection masked. A connection
//! lost while the program runs fails the attempt; dlf logs in again to kill the group and
//! remove the directory, and when that fails too the message says the program may still run
//! there (a host that cannot be reached cannot be told to stop). Remote process groups are not reported to the
//! engine as [`ProcessInfo`](crate::runners::ProcessInfo): those are local process groups that a
//! restarted server would kill; a program that a dead server left running on a host is not
//! found by the next one.
//!
//! # Host keys
//!
//! A connection may pin the host's key with `hostKeyFingerprint` (`SHA256:...` as
//! `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints it): a host showing another key is
//! refused, with both fingerprints in the message. Without it the key is accepted and its
//! fingerprint logged at warn level (trust on every use: the connection is encrypted but not
//! authenticated against a man in the middle). dlf keeps no `known_hosts` file of its own:
//! the connection, which users manage through the API, is where the trust is written down.

mod attempt;
mod launch;
mod session;

use crate::connections::ResolvedConnection;
use crate::runners::process::{Interpreter, NO_PROGRAM, fail_before_start};
use crate::runners::{AttemptContext, AttemptOutcome, AttemptSpec};
use launch::{RemoteDir, RemoteInterpreter};
use session::Session;

/// Logs in to the host of `connection` and runs `true`; the host's or the client's error text
/// when that fails (the caller masks secrets).
pub async fn probe(connection: &ResolvedConnection) -> Result<(), String> {
    let session = Session::connect(connection).await?;
    let ran = session.run("true", b"").await;
    session.close().await;
    ran?.ok_or("the test command `true`")
}

/// Runs `spec.program` under `interpreter`'s counterpart on the SSH host `host` (module docs).
pub async fn run_script(
    interpreter: &Interpreter,
    spec: &AttemptSpec,
    ctx: AttemptContext<'_>,
    host: &ResolvedConnection,
) -> AttemptOutcome {
    let AttemptContext { cancel, log, report } = ctx;
    let Some(program) = spec.program.as_deref() else {
        return fail_before_start(log, NO_PROGRAM, false).await;
    };
    if cancel.is_cancelled() {
        return AttemptOutcome::Stopped;
    }
    let session = tokio::select! {
        biased;
        _ = cancel.cancelled() => return AttemptOutcome::Stopped,
        session = Session::connect(host) => session,
    };
    let session = match session {
        Ok(session) => session,
        Err(message) => return fail_before_start(log, &host.redact(&message), true).await,
    };
    report.progress(&format!("logged in to {}", session.label));
    let remote = RemoteInterpreter::of(interpreter);
    let dir = RemoteDir::new();
    // If this future is dropped before the end (a caller's own time limit), the guard still
    // kills what runs and removes the directory.
    let mut guard = session.guard(attempt::cleanup_command(&dir, None));
    let outcome = match upload(&session, &dir, spec, interpreter, &remote, program).await {
        Ok(()) if cancel.is_cancelled() => {
            attempt::cleanup(&session, &dir, None).await;
            AttemptOutcome::Stopped
        }
        Ok(()) => attempt::run(&session, host, &dir, spec, &cancel, log, &mut guard).await,
        Err(message) => {
            attempt::cleanup(&session, &dir, None).await;
            fail_before_start(log, &host.redact(&message), true).await
        }
    };
    guard.disarm();
    session.close().await;
    outcome
}

/// Makes the attempt's directory and writes the program, the node's resources (through the
/// same SSH connection, each as a file of the directory, which is the program's working
/// directory) and the launcher into it.
async fn upload(
    session: &Session,
    dir: &RemoteDir,
    spec: &AttemptSpec,
    interpreter: &Interpreter,
    remote: &RemoteInterpreter,
    program: &str,
) -> Result<(), String> {
    let program_file = dir.program(spec, remote);
    session
        .run(&dir.upload_program_command(&program_file), program.as_bytes())
        .await?
        .ok_or("writing the program to the attempt's directory")?;
    for resource in &spec.resources {
        let bytes = tokio::fs::read(&resource.source)
            .await
            .map_err(|e| format!("cannot read the resource '{}': {e}", resource.name))?;
        let file = format!("{}/{}", dir.path(), resource.file_name);
        session
            .run(&format!("cat > {}", launch::quote(&file)), &bytes)
            .await?
            .ok_or(&format!("copying the resource '{}' to the host", resource.name))?;
    }
    let launcher = launch::launcher(spec, interpreter, remote, dir);
    session.run(&dir.upload_launcher_command(), launcher.as_bytes()).await?.ok_or("writing the launcher")
}
