//! The process group of an attempt, and the policy that kills it.
//!
//! # Kill policy, and why
//!
//! Killing only the interpreter is not enough: a script's children (`sleep 600 &`, a pipeline,
//! a subshell) keep running and keep the stdout/stderr pipes open, so the node would neither
//! stop nor finish reading its output (research/crates.md §2 caveat 5 and §7, verified). So:
//!
//! * **Stop, timeout, output cap:** `SIGTERM` to the whole group; wait up to
//!   [`AttemptSpec::kill_grace`](crate::runners::AttemptSpec::kill_grace) for the leader to exit
//!   (still copying output to the log, so clean-up messages are kept and writers never block on
//!   a full pipe); `SIGKILL` to the group; wait for the leader; then `SIGKILL` the group
//!   **again** after the leader has exited, because a child that ignores `SIGTERM` or was forked
//!   late otherwise survives and holds the pipes (this second kill is what the verified
//!   experiment needed for zero survivors). That is [`terminate`].
//! * **Normal exit:** as soon as the leader exits the group gets `SIGKILL`, so background
//!   children left behind by the script do not outlive the node ("Stop means stop", DESIGN.md).
//! * After the leader is gone, the pipes are drained for at most [`DRAIN_AFTER_EXIT`]; whatever
//!   still holds them then is ignored, so the runner never hangs.
//! * Backstops: the child has `kill_on_drop(true)`, and [`GroupGuard`] `SIGKILL`s the group if
//!   the attempt's future is dropped before it finished.
//!
//! # Limits of a process group
//!
//! A descendant that calls `setsid` (or `setpgid`) leaves the group and escapes all of the
//! above (verified). Containing hostile scripts needs cgroups (a systemd scope or cgroup v2
//! `cgroup.kill`); that is outside this module. Finding leftovers of a server that died is done
//! by the server at start-up from the reported
//! [`ProcessInfo`](crate::runners::ProcessInfo) (`crate::recovery`), not here.
//!
//! After a normal exit the leader has already been reaped when the group is killed, so in
//! theory the group id could have been reused in between; the window is microseconds and the
//! kernel does not reuse a pid while any process of its group is alive, so this is accepted.

use super::capture::{Capture, Pipes, drain};
use super::deadline_after;
use super::node_process::NodeProcess;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::time::Duration;
use tokio::time::sleep_until;

/// How long the pipes are still read after the leader exited and the group was killed.
pub const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(200);

/// Bound on waiting for the leader after `SIGKILL` (it only matters for a process stuck in
/// uninterruptible sleep; the runner returns anyway and `kill_on_drop` takes over).
const KILL_WAIT: Duration = Duration::from_secs(5);

/// Signals the process group; `SIGKILL`s it when dropped while armed (the attempt's future was
/// dropped before it finished).
pub(super) struct GroupGuard {
    pgid: i32,
    armed: bool,
}

impl GroupGuard {
    /// A guard for the group whose id is `pgid` (the leader's pid); armed.
    pub(super) fn new(pgid: i32) -> GroupGuard {
        GroupGuard { pgid, armed: true }
    }

    /// `SIGKILL` to the whole group.
    pub(super) fn kill(&self) {
        self.signal(Signal::SIGKILL);
    }

    fn signal(&self, signal: Signal) {
        // Never 0 (our own group) or 1; `run_script` only builds guards for ids above 1.
        if self.pgid > 1 {
            // ESRCH (group already gone) is the expected result once everything has exited.
            let _ = killpg(Pid::from_raw(self.pgid), signal);
        }
    }

    /// The attempt finished its kill policy: dropping the guard no longer signals.
    pub(super) fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if self.armed {
            self.kill();
        }
    }
}

/// `SIGTERM` the group, wait up to `grace` for the leader, `SIGKILL` the group, wait for the
/// leader, `SIGKILL` the group again, then drain the pipes briefly. Output keeps going to the
/// log meanwhile.
pub(super) async fn terminate(
    child: &mut NodeProcess,
    group: &mut GroupGuard,
    pipes: &mut Pipes,
    capture: &mut Capture<'_>,
    grace: Duration,
) {
    group.signal(Signal::SIGTERM);
    let exited = wait_while_draining(child, pipes, capture, grace).await;
    group.kill();
    if !exited {
        wait_while_draining(child, pipes, capture, KILL_WAIT).await;
    }
    // Again after the leader exited: children that ignored SIGTERM, or were forked meanwhile.
    group.kill();
    drain(pipes, capture, DRAIN_AFTER_EXIT).await;
    group.disarm();
}

/// Waits up to `limit` for the leader to exit, copying output meanwhile. True if it exited.
async fn wait_while_draining(
    child: &mut NodeProcess,
    pipes: &mut Pipes,
    capture: &mut Capture<'_>,
    limit: Duration,
) -> bool {
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
