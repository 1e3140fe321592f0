//! A started node process, however it was started: by the server itself (`posix_spawn`, the
//! fast path, when nodes run as the server's user) or by the node launcher (when they run as
//! another user, [`super::launcher`]). The rest of the runner sees one thing: a pid that leads
//! its own process group, three pipes, and an exit status to wait for.

use super::launcher::{Launcher, SpawnRequest};
use nix::fcntl::OFlag;
use nix::unistd::pipe2;
use std::ffi::OsString;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::unix::pipe;
use tokio::sync::oneshot;

/// What to start: a program, its arguments, its whole environment and directory, and the user
/// to run as.
pub(super) struct NodeCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
    /// Text will be written to its standard input (else it reads `/dev/null`).
    pub piped_stdin: bool,
    /// `(uid, gid)` to run as, when not the server's own user.
    pub user: Option<(u32, u32)>,
}

/// How the process's end is learnt.
enum Exit {
    /// The server's own child.
    Child(tokio::process::Child),
    /// The launcher's child: the launcher reports its end.
    Launched(oneshot::Receiver<ExitStatus>),
    /// Already known.
    Done(ExitStatus),
    /// The launcher went away before telling the end: the end cannot be learnt any more.
    Lost,
}

/// A running node process, leader of its own process group.
pub(super) struct NodeProcess {
    pid: u32,
    exit: Exit,
    pub stdin: Option<Box<dyn AsyncWrite + Send + Unpin>>,
    pub stdout: Option<Box<dyn AsyncRead + Send + Unpin>>,
    pub stderr: Option<Box<dyn AsyncRead + Send + Unpin>>,
}

impl NodeProcess {
    /// Starts `command` as the server's own child (`user` then makes std fork and switch in the
    /// child; only without a launcher).
    pub fn spawn_direct(command: NodeCommand) -> io::Result<NodeProcess> {
        let mut cmd = tokio::process::Command::new(&command.program);
        cmd.args(&command.args)
            .env_clear()
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&command.cwd)
            .stdin(if command.piped_stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        if let Some((uid, gid)) = command.user {
            cmd.uid(uid).gid(gid);
        }
        let mut child = cmd.spawn()?;
        let pid = child.id().ok_or_else(|| io::Error::other("the process id is unknown"))?;
        Ok(NodeProcess {
            pid,
            stdin: child.stdin.take().map(|s| Box::new(s) as Box<dyn AsyncWrite + Send + Unpin>),
            stdout: child.stdout.take().map(|s| Box::new(s) as Box<dyn AsyncRead + Send + Unpin>),
            stderr: child.stderr.take().map(|s| Box::new(s) as Box<dyn AsyncRead + Send + Unpin>),
            exit: Exit::Child(child),
        })
    }

    /// Asks `launcher` to start `command`, as the launcher's user (which must be the command's).
    pub async fn spawn_launched(launcher: &Launcher, command: NodeCommand) -> io::Result<NodeProcess> {
        if command.user != Some(launcher.user) {
            return Err(io::Error::other("the node launcher runs as another user than the node"));
        }
        let (stdin_child, stdin_ours) = if command.piped_stdin {
            let (read, write) = pipe2(OFlag::O_CLOEXEC)?;
            (read, Some(write))
        } else {
            (OwnedFd::from(std::fs::File::open("/dev/null")?), None)
        };
        let (stdout_ours, stdout_child) = pipe2(OFlag::O_CLOEXEC)?;
        let (stderr_ours, stderr_child) = pipe2(OFlag::O_CLOEXEC)?;
        let request = SpawnRequest {
            id: 0,
            program: command.program,
            args: command.args.into_iter().map(|a| String::from_utf8_lossy(&a.into_vec()).into_owned()).collect(),
            env: command.env,
            cwd: command.cwd,
        };
        let launched = launcher.spawn(request, [stdin_child, stdout_child, stderr_child]).await?;
        Ok(NodeProcess {
            pid: launched.pid,
            exit: Exit::Launched(launched.exit),
            stdin: stdin_ours
                .map(pipe::Sender::from_owned_fd)
                .transpose()?
                .map(|s| Box::new(s) as Box<dyn AsyncWrite + Send + Unpin>),
            stdout: Some(Box::new(pipe::Receiver::from_owned_fd(stdout_ours)?)),
            stderr: Some(Box::new(pipe::Receiver::from_owned_fd(stderr_ours)?)),
        })
    }

    /// The leader's pid, which is also its process group's id.
    pub fn id(&self) -> u32 {
        self.pid
    }

    /// Waits for the leader to exit. Cancel-safe: a wait that did not complete can be repeated.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        if let Exit::Launched(report) = &mut self.exit {
            // A completed receiver must not be polled again, so its result is kept either way.
            self.exit = match report.await {
                Ok(status) => Exit::Done(status),
                Err(_) => Exit::Lost,
            };
        }
        match &mut self.exit {
            Exit::Child(child) => child.wait().await,
            Exit::Done(status) => Ok(*status),
            Exit::Lost | Exit::Launched(_) => Err(launcher_gone()),
        }
    }

    /// Kills the leader (the group is the kill policy's business).
    pub fn start_kill(&mut self) {
        match &mut self.exit {
            Exit::Child(child) => {
                let _ = child.start_kill();
            }
            Exit::Launched(_) | Exit::Lost => {
                // Never 0 or 1 (our own group, init): a pid the launcher reported is above both.
                if let Ok(pid) = i32::try_from(self.pid)
                    && pid > 1
                {
                    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
                }
            }
            Exit::Done(_) => {}
        }
    }
}

fn launcher_gone() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the node launcher went away before the process ended")
}

#[cfg(test)]
mod tests {
    use super::super::launcher::launcher_that_dies_after_one_start;
    use super::*;

    #[tokio::test]
    async fn waiting_for_a_process_whose_launcher_went_away_is_an_error_every_time() {
        let launcher = launcher_that_dies_after_one_start();
        let command = NodeCommand {
            program: "/bin/true".into(),
            args: vec![],
            env: vec![],
            cwd: "/".into(),
            piped_stdin: false,
            user: Some(launcher.user),
        };
        let mut process = NodeProcess::spawn_launched(&launcher, command).await.unwrap();
        for _ in 0..3 {
            let err = process.wait().await.expect_err("an error");
            assert!(err.to_string().contains("launcher went away"), "{err}");
        }
        process.start_kill(); // a pid that cannot be a process is not signalled
    }
}
