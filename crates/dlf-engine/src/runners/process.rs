//! Process control for script nodes (Shell, Python): run one program text under an
//! interpreter, capture its output, and make sure nothing it started outlives the attempt.
//!
//! [`run_script`] is the one entry point. It
//!
//! 1. makes sure the work directory exists and, unless the program is passed inline, writes the
//!    program text to `attempt-<n>.<ext>` beside the attempt's log file (through a temporary
//!    file and a rename, so an interpreter that is still reading an older copy is never
//!    disturbed), in one blocking call; then runs `<interpreter> <file> <arguments...>`, or, for
//!    an interpreter with an inline flag and a program of at most [`INLINE_PROGRAM_MAX`] bytes,
//!    `<interpreter> -c <program> attempt-<n>.<ext> <arguments...>` (see
//!    [`Interpreter::inline_flag`]). User text is never pasted into a command line that a shell
//!    parses: it is one argument;
//! 2. starts the interpreter as the leader of its **own process group** (`process_group(0)`),
//!    with standard input from [`AttemptSpec::stdin`] (or `/dev/null`), the server's environment
//!    plus [`AttemptSpec::env`], and [`AttemptSpec::work_dir`] as working directory;
//! 3. reports the group at once through `started` (leader pid = group id, plus the leader's
//!    start time from `/proc/<pid>/stat` so a restarted server can recognise it);
//! 4. reads stdout and stderr concurrently as raw bytes and appends both to the attempt's log
//!    file as they arrive, flushing each chunk so a follower of the log sees it promptly. The
//!    log file (and its directory) is created with the first byte of output: an attempt that
//!    writes nothing leaves no file, which the log endpoint reads as an empty log. On a file
//!    system where a new inode is slow (ext4 without a journal skips recently freed inodes one by
//!    one), the files of a silent node were most of its overhead;
//! 5. keeps only the last [`OUTPUT_TAIL_CHARS`] characters of stdout (a small byte ring, decoded
//!    as lossy UTF-8 at the end) as the node's output, and fails the attempt when stdout exceeds
//!    [`OUTPUT_LIMIT_BYTES`] (JOBS.md §8);
//! 6. ends on the first of: the leader exits, `maxExecutionTime` passes, the attempt is
//!    cancelled (Stop), or the output cap is hit.
//!
//! # Kill policy, and why
//!
//! Killing only the interpreter is not enough: a script's children (`sleep 600 &`, a pipeline,
//! a subshell) keep running and keep the stdout/stderr pipes open, so the node would neither
//! stop nor finish reading its output (research/crates.md §2 caveat 5 and §7, verified). So:
//!
//! * **Stop, timeout, output cap:** `SIGTERM` to the whole group; wait up to
//!   [`AttemptSpec::kill_grace`] for the leader to exit (still copying output to the log, so
//!   clean-up messages are kept and writers never block on a full pipe); `SIGKILL` to the
//!   group; wait for the leader; then `SIGKILL` the group **again** after the leader has exited,
//!   because a child that ignores `SIGTERM` or was forked late otherwise survives and holds the
//!   pipes (this second kill is what the verified experiment needed for zero survivors).
//! * **Normal exit:** as soon as the leader exits the group gets `SIGKILL`, so background
//!   children left behind by the script do not outlive the node ("Stop means stop", DESIGN.md).
//! * After the leader is gone, the pipes are drained for at most [`DRAIN_AFTER_EXIT`]; whatever
//!   still holds them then is ignored, so the runner never hangs.
//! * Backstops: the child has `kill_on_drop(true)`, and a guard `SIGKILL`s the group if the
//!   attempt's future is dropped before it finished.
//!
//! # Limits of a process group
//!
//! A descendant that calls `setsid` (or `setpgid`) leaves the group and escapes all of the
//! above (verified). Containing hostile scripts needs cgroups (a systemd scope or cgroup v2
//! `cgroup.kill`); that is outside this module. Finding leftovers of a server that died is done
//! by the server at start-up from the reported [`ProcessInfo`], not here.
//!
//! After a normal exit the leader has already been reaped when the group is killed, so in
//! theory the group id could have been reused in between; the window is microseconds and the
//! kernel does not reuse a pid while any process of its group is alive, so this is accepted.

use super::{AttemptOutcome, AttemptSpec, ProcessInfo};
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStderr, ChildStdout, Command};
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;

/// How many characters of stdout (the last ones) become the node's output (JOBS.md §8).
pub const OUTPUT_TAIL_CHARS: usize = 4_000;
/// Stdout larger than this fails the attempt ("30 MB", JOBS.md §8; read as MiB).
pub const OUTPUT_LIMIT_BYTES: u64 = 30 * 1024 * 1024;
/// The failure message when stdout exceeds [`OUTPUT_LIMIT_BYTES`].
pub const OUTPUT_TOO_LARGE: &str = "output is larger than 30 MB";
/// The failure message when there is no program text.
pub const NO_PROGRAM: &str = "the node has no script or statement to run";
/// How long the pipes are still read after the leader exited and the group was killed.
pub const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(200);

/// Bound on waiting for the leader after `SIGKILL` (it only matters for a process stuck in
/// uninterruptible sleep; the runner returns anyway and `kill_on_drop` takes over).
const KILL_WAIT: Duration = Duration::from_secs(5);
/// Bytes kept of the end of stdout: enough for [`OUTPUT_TAIL_CHARS`] characters of up to four
/// bytes each, plus a partial character at the cut.
const TAIL_BYTES: usize = OUTPUT_TAIL_CHARS * 4 + 4;
/// Read size per pipe.
const CHUNK: usize = 64 * 1024;

/// The interpreter a script node runs under.
#[derive(Clone, Debug)]
pub struct Interpreter {
    /// Path (or name) of the interpreter executable.
    pub program: PathBuf,
    /// Extension of the script file written to the work directory, without the dot.
    pub extension: &'static str,
    /// Environment set before [`AttemptSpec::env`] (which therefore can override it).
    pub env: Vec<(String, String)>,
    /// The flag that makes the interpreter take its program as an argument (`-c` for bash), if
    /// it has one that keeps the program's meaning. With it, a program of at most
    /// [`INLINE_PROGRAM_MAX`] bytes is passed as that argument and no script file is written —
    /// on an ext4 file system without a journal a new inode can cost a tenth of a millisecond
    /// or more, and a Shell node `true` costs about a millisecond in all. `$0` is then
    /// `attempt-<n>.<ext>`, the script file's name, so the interpreter's error messages read as
    /// they would with the file.
    pub inline_flag: Option<&'static str>,
}

/// The largest program passed inline (see [`Interpreter::inline_flag`]); larger ones go
/// through the script file. Linux refuses a single argument over 128 KiB (`MAX_ARG_STRLEN`),
/// and the environment shares the same limit on the whole command line.
pub const INLINE_PROGRAM_MAX: usize = 64 * 1024;

/// How the program reaches the interpreter.
enum ProgramArg {
    /// `<interpreter> <path> <arguments...>`.
    File(PathBuf),
    /// `<interpreter> <flag> <program> <name> <arguments...>`.
    Inline { flag: &'static str, name: String },
}

/// Runs `spec.program` under `interpreter` as described in the module docs. Never panics;
/// every failure to prepare or start the process is a `Failed` outcome naming what failed.
pub async fn run_script(
    interpreter: &Interpreter,
    spec: &AttemptSpec,
    cancel: CancellationToken,
    started: &(dyn Fn(ProcessInfo) + Send + Sync),
) -> AttemptOutcome {
    let Some(program) = spec.program.as_deref() else {
        return fail_before_start(spec, NO_PROGRAM, false).await;
    };
    if cancel.is_cancelled() {
        return AttemptOutcome::Stopped;
    }
    let script = script_path(spec, interpreter.extension);
    let inline = interpreter.inline_flag.filter(|_| program.len() <= INLINE_PROGRAM_MAX);
    let file = if inline.is_some() { None } else { Some((script.clone(), program)) };
    if let Err(message) = prepare_files(spec, file).await {
        return fail_before_start(spec, &message, true).await;
    }
    let mut capture = Capture::new(LogSink::new(&spec.log_path));
    let program_arg = match inline {
        Some(flag) => ProgramArg::Inline { flag, name: script.file_name().unwrap_or_default().to_string_lossy().into_owned() },
        None => ProgramArg::File(script),
    };
    let mut child = match spawn(interpreter, spec, &program_arg, program) {
        Ok(child) => child,
        Err(e) => {
            let message = format!("cannot start the interpreter {}: {e}", interpreter.program.display());
            return capture.fail(message, true).await;
        }
    };
    let Some(pgid) = child.id().and_then(|id| i32::try_from(id).ok()).filter(|&id| id > 1) else {
        let _ = child.start_kill();
        return capture.fail("the interpreter started but its process id is unknown".into(), true).await;
    };
    started(ProcessInfo { process_group: pgid, start_ticks: start_ticks(pgid) });
    let mut group = GroupGuard::new(pgid);
    feed_stdin(&mut child, spec.stdin.as_deref());
    let mut pipes = Pipes::new(&mut child);
    let deadline = deadline_after(spec.timeout);
    let end = supervise(&mut child, &mut pipes, &mut capture, deadline, &cancel).await;
    finish(end, spec, &mut child, &mut group, &mut pipes, &mut capture).await
}

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
fn failed(message: String, retryable: bool) -> AttemptOutcome {
    AttemptOutcome::Failed { message, exit_code: None, timed_out: false, retryable }
}

/// The script file of this attempt: `attempt-<n>.<ext>` beside its log file.
pub fn script_path(spec: &AttemptSpec, extension: &str) -> PathBuf {
    spec.log_path.with_file_name(format!("attempt-{}.{extension}", spec.attempt))
}

/// The attempt's files, in one trip to the blocking pool (each trip costs a thread hand-off
/// both ways): the work directory and, when `script` is given, the program text in the script
/// file — in its own directory, created here, written to a temporary file and renamed, so an
/// interpreter still reading an older copy is never disturbed. The error names what failed.
async fn prepare_files(spec: &AttemptSpec, script: Option<(PathBuf, &str)>) -> Result<(), String> {
    let dir = spec.work_dir.clone();
    let script = script.map(|(path, program)| (path, program.to_string()));
    let prepared = tokio::task::spawn_blocking(move || {
        let script_dir = script.as_ref().and_then(|(path, _)| path.parent());
        for dir in [Some(dir.as_path()), script_dir].into_iter().flatten() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
        }
        if let Some((path, program)) = script {
            let mut temporary = path.clone().into_os_string();
            temporary.push(format!(".tmp-{}", std::process::id()));
            let written = std::fs::write(&temporary, program).and_then(|()| std::fs::rename(&temporary, &path));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&temporary);
                return Err(format!("cannot write the script file {}: {e}", path.display()));
            }
        }
        Ok(())
    });
    prepared.await.unwrap_or_else(|e| Err(format!("cannot prepare the attempt's files: {e}")))
}

/// Starts the interpreter on the program ([`ProgramArg`]) as the leader of a new process group.
fn spawn(interpreter: &Interpreter, spec: &AttemptSpec, program_arg: &ProgramArg, program: &str) -> io::Result<Child> {
    let stdin = if spec.stdin.is_some() { Stdio::piped() } else { Stdio::null() };
    let mut command = Command::new(&interpreter.program);
    match program_arg {
        ProgramArg::File(path) => command.arg(path),
        ProgramArg::Inline { flag, name } => command.arg(flag).arg(program).arg(name),
    };
    command
        .args(&spec.arguments)
        .envs(interpreter.env.iter().map(|(k, v)| (k, v)))
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&spec.work_dir)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
}

/// Feeds the stdin text from a separate task (a process that never reads it must not block
/// the runner), ending it with a newline so the last `read` sees a complete line. The pipe is
/// closed afterwards, so further reads see end of file.
fn feed_stdin(child: &mut Child, text: Option<&str>) {
    let (Some(mut pipe), Some(text)) = (child.stdin.take(), text) else { return };
    let mut bytes = text.as_bytes().to_vec();
    if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    tokio::spawn(async move {
        // A process that exits without reading everything closes the pipe: not an error.
        let _ = pipe.write_all(&bytes).await;
    });
}

/// The leader's start time: field 22 of `/proc/<pid>/stat`, if readable.
pub fn start_ticks(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_start_ticks(&stat)
}

/// Field 22 (`starttime`) of a `/proc/<pid>/stat` line. The command name (field 2) may contain
/// spaces and parentheses, so fields are counted after its last `)`.
fn parse_start_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(22 - 3)?.parse().ok()
}

/// `now + timeout`, or a far future when that does not fit.
fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout).unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

/// Why the supervision ended.
enum End {
    Exited(ExitStatus),
    TimedOut,
    Cancelled,
    TooLarge,
    WaitFailed(io::Error),
}

/// Copies output until the leader exits, the deadline passes, the attempt is cancelled or the
/// output cap is hit.
async fn supervise(child: &mut Child, pipes: &mut Pipes, capture: &mut Capture, deadline: Instant, cancel: &CancellationToken) -> End {
    loop {
        let read = tokio::select! {
            biased;
            _ = cancel.cancelled() => return End::Cancelled,
            status = child.wait() => return match status {
                Ok(status) => End::Exited(status),
                Err(e) => End::WaitFailed(e),
            },
            _ = sleep_until(deadline) => return End::TimedOut,
            read = pipes.read() => read,
        };
        capture.take(pipes, read).await;
        if capture.over_limit {
            return End::TooLarge;
        }
    }
}

/// Applies the kill policy for how the attempt ended and builds its outcome.
async fn finish(end: End, spec: &AttemptSpec, child: &mut Child, group: &mut GroupGuard, pipes: &mut Pipes, capture: &mut Capture) -> AttemptOutcome {
    match end {
        End::Exited(status) => {
            // Background children of the script must not outlive the node.
            group.signal(libc::SIGKILL);
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
        End::TimedOut => {
            terminate(child, group, pipes, capture, spec.kill_grace).await;
            let message = format!("timed out after {}", describe_duration(spec.timeout));
            AttemptOutcome::Failed { message, exit_code: None, timed_out: true, retryable: true }
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

/// `SIGTERM` the group, wait up to `grace` for the leader, `SIGKILL` the group, wait for the
/// leader, `SIGKILL` the group again, then drain the pipes briefly. Output keeps going to the
/// log meanwhile.
async fn terminate(child: &mut Child, group: &mut GroupGuard, pipes: &mut Pipes, capture: &mut Capture, grace: Duration) {
    group.signal(libc::SIGTERM);
    let exited = wait_while_draining(child, pipes, capture, grace).await;
    group.signal(libc::SIGKILL);
    if !exited {
        wait_while_draining(child, pipes, capture, KILL_WAIT).await;
    }
    // Again after the leader exited: children that ignored SIGTERM, or were forked meanwhile.
    group.signal(libc::SIGKILL);
    drain(pipes, capture, DRAIN_AFTER_EXIT).await;
    group.disarm();
}

/// Waits up to `limit` for the leader to exit, copying output meanwhile. True if it exited.
async fn wait_while_draining(child: &mut Child, pipes: &mut Pipes, capture: &mut Capture, limit: Duration) -> bool {
    let deadline = deadline_after(limit);
    loop {
        let read = tokio::select! {
            biased;
            status = child.wait() => return status.is_ok(),
            _ = sleep_until(deadline) => return false,
            read = pipes.read() => read,
        };
        capture.take(pipes, read).await;
    }
}

/// Copies output until both pipes are at end of file or `limit` has passed.
async fn drain(pipes: &mut Pipes, capture: &mut Capture, limit: Duration) {
    let deadline = deadline_after(limit);
    while !pipes.is_done() {
        let read = tokio::select! {
            biased;
            _ = sleep_until(deadline) => return,
            read = pipes.read() => read,
        };
        capture.take(pipes, read).await;
    }
}

/// The outcome of a process that exited by itself.
fn exit_outcome(status: ExitStatus, capture: &Capture) -> AttemptOutcome {
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
    match signal {
        libc::SIGHUP => " (SIGHUP)",
        libc::SIGINT => " (SIGINT)",
        libc::SIGQUIT => " (SIGQUIT)",
        libc::SIGABRT => " (SIGABRT)",
        libc::SIGKILL => " (SIGKILL)",
        libc::SIGSEGV => " (SIGSEGV)",
        libc::SIGPIPE => " (SIGPIPE)",
        libc::SIGTERM => " (SIGTERM)",
        _ => "",
    }
}

/// "60 min", "30 s", "300 ms".
fn describe_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    if duration.subsec_nanos() != 0 {
        format!("{} ms", duration.as_millis())
    } else if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

/// Signals the process group; `SIGKILL`s it when dropped while armed (the attempt's future was
/// dropped before it finished).
struct GroupGuard {
    pgid: i32,
    armed: bool,
}

impl GroupGuard {
    fn new(pgid: i32) -> GroupGuard {
        GroupGuard { pgid, armed: true }
    }

    fn signal(&self, signal: i32) {
        // Never 0 (our own group) or 1; `run_script` only builds guards for ids above 1.
        if self.pgid > 1 {
            // SAFETY: killpg has no memory-safety preconditions. ESRCH (group already gone) is
            // the expected result once everything has exited, so the return value is ignored.
            unsafe {
                libc::killpg(self.pgid, signal);
            }
        }
    }

    fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if self.armed {
            self.signal(libc::SIGKILL);
        }
    }
}

/// Which pipe a read came from.
enum Stream {
    Stdout,
    Stderr,
}

/// The child's stdout and stderr, `None` once at end of file.
struct Pipes {
    stdout: Option<ChildStdout>,
    stderr: Option<ChildStderr>,
    stdout_buf: Vec<u8>,
    stderr_buf: Vec<u8>,
}

impl Pipes {
    fn new(child: &mut Child) -> Pipes {
        Pipes { stdout: child.stdout.take(), stderr: child.stderr.take(), stdout_buf: vec![0; CHUNK], stderr_buf: vec![0; CHUNK] }
    }

    fn is_done(&self) -> bool {
        self.stdout.is_none() && self.stderr.is_none()
    }

    /// The next read from either pipe (pending forever when both are done). Cancel-safe: a
    /// read that did not complete consumed nothing.
    async fn read(&mut self) -> (Stream, io::Result<usize>) {
        let Pipes { stdout, stderr, stdout_buf, stderr_buf } = self;
        tokio::select! {
            read = read_pipe(stdout, stdout_buf) => (Stream::Stdout, read),
            read = read_pipe(stderr, stderr_buf) => (Stream::Stderr, read),
        }
    }
}

async fn read_pipe<R: AsyncRead + Unpin>(pipe: &mut Option<R>, buf: &mut [u8]) -> io::Result<usize> {
    match pipe {
        Some(pipe) => pipe.read(buf).await,
        None => std::future::pending().await,
    }
}

/// Where output goes: the log file, the stdout tail, the stdout byte count.
struct Capture {
    log: LogSink,
    tail: Tail,
    stdout_bytes: u64,
    /// Stdout passed [`OUTPUT_LIMIT_BYTES`]; further output is discarded.
    over_limit: bool,
}

impl Capture {
    fn new(log: LogSink) -> Capture {
        Capture { log, tail: Tail::default(), stdout_bytes: 0, over_limit: false }
    }

    /// Handles one read: end of file or a read error closes that pipe; data goes to the log
    /// (and, for stdout, to the tail and the count).
    async fn take(&mut self, pipes: &mut Pipes, (stream, read): (Stream, io::Result<usize>)) {
        let n = match read {
            Ok(n) if n > 0 => n,
            Ok(_) | Err(_) => {
                match stream {
                    Stream::Stdout => pipes.stdout = None,
                    Stream::Stderr => pipes.stderr = None,
                }
                return;
            }
        };
        if self.over_limit {
            return;
        }
        let data = match stream {
            Stream::Stdout => {
                let data = &pipes.stdout_buf[..n];
                self.tail.push(data);
                self.stdout_bytes += n as u64;
                self.over_limit = self.stdout_bytes > OUTPUT_LIMIT_BYTES;
                data
            }
            Stream::Stderr => &pipes.stderr_buf[..n],
        };
        self.log.write(data).await;
    }

    /// Stdout as the node's output: its last [`OUTPUT_TAIL_CHARS`] characters, `None` if empty.
    fn output(&self) -> Option<String> {
        (self.stdout_bytes > 0).then(|| self.tail.text())
    }

    /// Appends `message` to the log and returns it as a `Failed` outcome.
    async fn fail(&mut self, message: String, retryable: bool) -> AttemptOutcome {
        self.log.write(format!("{message}\n").as_bytes()).await;
        failed(message, retryable)
    }
}

/// The attempt's log file, created (with its directory) by the first write. A failure to
/// create or write it is logged once and further output is not written (the attempt itself
/// goes on: its result does not depend on the log).
struct LogSink {
    state: LogState,
    path: PathBuf,
}

enum LogState {
    NotCreated,
    Open(tokio::fs::File),
    Broken,
}

impl LogSink {
    fn new(path: &Path) -> LogSink {
        LogSink { state: LogState::NotCreated, path: path.to_path_buf() }
    }

    async fn write(&mut self, data: &[u8]) {
        if let LogState::NotCreated = self.state {
            self.state = match create_log(&self.path).await {
                Ok(file) => LogState::Open(file),
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), error = %e, "cannot create the node log; output is not logged");
                    LogState::Broken
                }
            };
        }
        let LogState::Open(file) = &mut self.state else { return };
        let written = async {
            file.write_all(data).await?;
            file.flush().await
        }
        .await;
        if let Err(e) = written {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot write the node log; further output is not logged");
            self.state = LogState::Broken;
        }
    }
}

/// Creates the log file and its directory, in one blocking call.
async fn create_log(path: &Path) -> io::Result<tokio::fs::File> {
    let path = path.to_path_buf();
    let file = tokio::task::spawn_blocking(move || create_with_dir(&path)).await.unwrap_or_else(|e| Err(io::Error::other(e)))?;
    Ok(tokio::fs::File::from_std(file))
}

/// Creates (truncates) the file at `path`, and its directory if missing. Blocking.
fn create_with_dir(path: &Path) -> io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::File::create(path)
}

/// The last [`TAIL_BYTES`] bytes of a stream, without keeping the whole stream.
#[derive(Default)]
struct Tail {
    buf: Vec<u8>,
}

impl Tail {
    fn push(&mut self, data: &[u8]) {
        if data.len() >= TAIL_BYTES {
            self.buf.clear();
            self.buf.extend_from_slice(&data[data.len() - TAIL_BYTES..]);
            return;
        }
        self.buf.extend_from_slice(data);
        // Compact only when twice the size, so the copying stays amortised.
        if self.buf.len() > 2 * TAIL_BYTES {
            let excess = self.buf.len() - TAIL_BYTES;
            self.buf.drain(..excess);
        }
    }

    /// The last [`OUTPUT_TAIL_CHARS`] characters, invalid UTF-8 replaced by U+FFFD. A character
    /// cut at the start of the kept bytes only affects characters that are dropped anyway.
    fn text(&self) -> String {
        let kept = &self.buf[self.buf.len().saturating_sub(TAIL_BYTES)..];
        let text = String::from_utf8_lossy(kept);
        let chars = text.chars().count();
        text.chars().skip(chars.saturating_sub(OUTPUT_TAIL_CHARS)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_characters() {
        let mut tail = Tail::default();
        for i in 0..10_000u32 {
            tail.push(format!("{}", i % 10).as_bytes());
        }
        let text = tail.text();
        assert_eq!(text.chars().count(), OUTPUT_TAIL_CHARS);
        let expected: String = (6_000..10_000u32).map(|i| char::from(b'0' + (i % 10) as u8)).collect();
        assert_eq!(text, expected);
    }

    #[test]
    fn tail_counts_characters_not_bytes() {
        let mut tail = Tail::default();
        // 5,000 four-byte characters in uneven chunks, so some chunks split characters.
        let all = "𝄞".repeat(5_000);
        for chunk in all.as_bytes().chunks(4097) {
            tail.push(chunk);
        }
        assert_eq!(tail.text(), "𝄞".repeat(OUTPUT_TAIL_CHARS));
    }

    #[test]
    fn tail_short_output_is_kept_whole() {
        let mut tail = Tail::default();
        tail.push(b"hi\n");
        assert_eq!(tail.text(), "hi\n");
        let mut big = Tail::default();
        big.push(&vec![b'x'; 100_000]);
        assert_eq!(big.text(), "x".repeat(OUTPUT_TAIL_CHARS));
    }

    #[test]
    fn tail_replaces_invalid_utf8() {
        let mut tail = Tail::default();
        tail.push(b"a\xff\xfeb");
        assert_eq!(tail.text(), "a\u{fffd}\u{fffd}b");
    }

    #[test]
    fn start_ticks_is_field_22() {
        let stat = "1234 (a) b (c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(parse_start_ticks(stat), Some(987_654));
        assert_eq!(parse_start_ticks("garbage"), None);
        assert!(start_ticks(std::process::id() as i32).is_some());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(describe_duration(Duration::from_secs(3600)), "60 min");
        assert_eq!(describe_duration(Duration::from_secs(90)), "90 s");
        assert_eq!(describe_duration(Duration::from_millis(300)), "300 ms");
    }

    #[test]
    fn huge_timeouts_do_not_overflow() {
        assert!(deadline_after(Duration::MAX) > Instant::now());
    }
}
