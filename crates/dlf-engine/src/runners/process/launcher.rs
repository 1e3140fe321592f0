//! The node launcher: a small process that starts node processes as the node user.
//!
//! Why: a child that must change user (`setgid`, `setuid` between `fork` and `exec`) cannot be
//! started with `posix_spawn` — the `vfork` fast path std uses otherwise — so the server would
//! `fork` itself for every node. Forking a server with tens of megabytes mapped and busy threads
//! costs a millisecond and more per node: copying page tables, then copy-on-write faults while
//! its threads keep running (measured: +20 % on W1, +60 % on W3). So with `--run-as`, `dlf serve`
//! starts one launcher at start-up — its own binary in a hidden mode (`dlf __node-launcher`),
//! switched to the node user once, small and nearly idle — and asks it to start every node
//! process. The launcher already is the node user, so it starts them with `posix_spawn`.
//!
//! The protocol, over a `SOCK_SEQPACKET` socket pair (one message per packet, each a JSON
//! object):
//! - server → launcher: [`SpawnRequest`] with three descriptors attached (`SCM_RIGHTS`): the
//!   child's stdin, stdout and stderr. The launcher starts the program with exactly those, an
//!   environment of exactly `env`, `cwd`, and a new process group;
//! - launcher → server: [`LauncherMessage::Started`] (its pid) or [`LauncherMessage::Failed`]
//!   for each request, in order; then [`LauncherMessage::Exited`] (its raw wait status) when the
//!   process ends. A start is always told before its end.
//!
//! Trust: the launcher runs as the node user, so it can do nothing a node cannot; only the
//! server holds the other end of its socket; its environment is empty and every descriptor of
//! the server is close-on-exec. A node, being the same user, could signal the launcher (as it can
//! any other node's process, docs/security.md); the server then reports node starts failing
//! with "the node launcher is gone". When the server goes away the launcher reads end of file and
//! exits; node processes it started live on like those of a server that was killed, and the
//! next server's recovery finds them by their `DLF_RUNNER_EPOCH`.

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::sys::socket::{
    AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags, SockFlag, SockType, recvmsg, sendmsg, socketpair,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::oneshot;

/// The hidden subcommand of the `dlf` binary that runs [`serve`] on its standard input.
pub const LAUNCHER_SUBCOMMAND: &str = "__node-launcher";
/// The largest message: a request carries a program of up to 64 KiB inline plus its environment.
const MAX_MESSAGE: usize = 512 * 1024;

/// What the server asks the launcher to start.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SpawnRequest {
    pub id: u64,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
}

/// What the launcher tells the server.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum LauncherMessage {
    /// Request `id` started as process `pid` (the leader of its own process group).
    Started { id: u64, pid: u32 },
    /// Request `id` could not start.
    Failed { id: u64, error: String },
    /// Process `pid` ended with this raw wait status.
    Exited { pid: u32, status: i32 },
}

/// A socket of the pair, non-blocking and driven by the runtime.
struct Channel(AsyncFd<OwnedFd>);

impl Channel {
    fn new(socket: OwnedFd) -> io::Result<Channel> {
        let flags = OFlag::from_bits_truncate(fcntl(&socket, FcntlArg::F_GETFL)?);
        fcntl(&socket, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
        // `AsyncFd::new` is deprecated because a `T` that does not own its descriptor could
        // close it while registered; an `OwnedFd` owns it, so the concern does not apply here.
        #[allow(deprecated)]
        Ok(Channel(AsyncFd::new(socket)?))
    }

    async fn send(&self, bytes: &[u8], fds: &[RawFd]) -> io::Result<()> {
        self.0
            .async_io(Interest::WRITABLE, |socket| {
                let iov = [IoSlice::new(bytes)];
                let rights = [ControlMessage::ScmRights(fds)];
                let cmsgs: &[ControlMessage] = if fds.is_empty() { &[] } else { &rights };
                sendmsg::<()>(socket.as_raw_fd(), &iov, cmsgs, MsgFlags::empty(), None).map_err(io::Error::from)
            })
            .await
            .map(|_| ())
    }

    /// One packet and the descriptors that came with it; `None` at end of file.
    async fn recv(&self, buf: &mut [u8]) -> io::Result<Option<(usize, Vec<OwnedFd>)>> {
        self.0.async_io(Interest::READABLE, |socket| recv_packet(socket.as_raw_fd(), buf)).await
    }
}

fn recv_packet(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<(usize, Vec<OwnedFd>)>> {
    let mut cmsg = nix::cmsg_space!([RawFd; 3]);
    let mut iov = [IoSliceMut::new(buf)];
    let msg = recvmsg::<()>(fd, &mut iov, Some(&mut cmsg), MsgFlags::MSG_CMSG_CLOEXEC)?;
    if msg.bytes == 0 {
        return Ok(None);
    }
    let mut fds = Vec::new();
    for c in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(raw) = c {
            for fd in raw {
                // SAFETY: the kernel has just installed this descriptor in our table for this
                // message (close-on-exec); nothing else refers to it, so we take ownership.
                #[allow(unsafe_code)]
                fds.push(unsafe { OwnedFd::from_raw_fd(fd) });
            }
        }
    }
    Ok(Some((msg.bytes, fds)))
}

/// The launcher's side: starts what `socket` asks for until it reads end of file, and reports
/// each process's end. Runs its own single-threaded runtime.
pub fn serve(socket: OwnedFd) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let channel = Arc::new(Channel::new(socket)?);
        let mut buf = vec![0u8; MAX_MESSAGE];
        loop {
            let Some((len, fds)) = channel.recv(&mut buf).await? else { return Ok(()) };
            let (id, started) = match serde_json::from_slice::<SpawnRequest>(&buf[..len]) {
                Ok(request) => (request.id, start(&request, fds)),
                Err(e) => (0, Err(io::Error::other(format!("unreadable request: {e}")))),
            };
            match started {
                Ok(mut child) => {
                    let pid = child.id().unwrap_or(0);
                    // The start is told before anything can tell the end.
                    channel.send(&serde_json::to_vec(&LauncherMessage::Started { id, pid })?, &[]).await?;
                    let channel = channel.clone();
                    tokio::spawn(async move {
                        let status = child.wait().await.map(|s| s.into_raw()).unwrap_or(-1);
                        if let Ok(bytes) = serde_json::to_vec(&LauncherMessage::Exited { pid, status }) {
                            let _ = channel.send(&bytes, &[]).await;
                        }
                    });
                }
                Err(e) => {
                    let failed = LauncherMessage::Failed { id, error: e.to_string() };
                    channel.send(&serde_json::to_vec(&failed)?, &[]).await?;
                }
            }
        }
    })
}

/// Starts one request's process (`posix_spawn`: no user to switch here).
fn start(request: &SpawnRequest, fds: Vec<OwnedFd>) -> io::Result<tokio::process::Child> {
    let Ok([stdin, stdout, stderr]) = <[OwnedFd; 3]>::try_from(fds) else {
        return Err(io::Error::other("a request needs exactly three descriptors"));
    };
    tokio::process::Command::new(&request.program)
        .args(&request.args)
        .env_clear()
        .envs(request.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&request.cwd)
        .stdin(Stdio::from(stdin))
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr))
        .process_group(0)
        .spawn()
}

/// A process the launcher started: its pid and, when it ends, its exit status.
pub struct Launched {
    pub pid: u32,
    pub exit: oneshot::Receiver<ExitStatus>,
}

type Pending = HashMap<u64, oneshot::Sender<io::Result<Launched>>>;

/// One conversation with one launcher process.
struct Connection {
    channel: Arc<Channel>,
    next_id: Mutex<u64>,
    pending: Arc<Mutex<Pending>>,
    process: Mutex<Option<std::process::Child>>,
    /// The launcher went away (its socket closed).
    gone: Arc<std::sync::atomic::AtomicBool>,
}

impl Connection {
    fn over(socket: OwnedFd, process: Option<std::process::Child>) -> io::Result<Connection> {
        let channel = Arc::new(Channel::new(socket)?);
        let pending: Arc<Mutex<Pending>> = Arc::default();
        let gone = Arc::new(std::sync::atomic::AtomicBool::new(false));
        tokio::spawn(read_replies(channel.clone(), pending.clone(), gone.clone()));
        Ok(Connection { channel, next_id: Mutex::new(0), pending, process: Mutex::new(process), gone })
    }

    fn is_gone(&self) -> bool {
        self.gone.load(std::sync::atomic::Ordering::Acquire)
    }

    async fn spawn(&self, mut request: SpawnRequest, stdio: &[OwnedFd; 3]) -> io::Result<Launched> {
        let (tx, rx) = oneshot::channel();
        {
            let mut next = self.next_id.lock().expect("lock");
            *next += 1;
            request.id = *next;
            self.pending.lock().expect("lock").insert(request.id, tx);
        }
        let bytes = serde_json::to_vec(&request)?;
        let fds = [stdio[0].as_raw_fd(), stdio[1].as_raw_fd(), stdio[2].as_raw_fd()];
        if let Err(e) = self.channel.send(&bytes, &fds).await {
            self.pending.lock().expect("lock").remove(&request.id);
            return Err(e);
        }
        rx.await.unwrap_or_else(|_| Err(gone()))
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(mut child) = self.process.lock().expect("lock").take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the node launcher is gone")
}

/// The server's side: the launcher, started again when it went away (a node, being its user,
/// can kill it).
pub struct Launcher {
    /// How to start it again; `None` for a launcher given at construction (tests).
    exe: Option<PathBuf>,
    connection: tokio::sync::Mutex<Arc<Connection>>,
    /// The user the launcher runs as (and so every process it starts).
    pub user: (u32, u32),
}

impl std::fmt::Debug for Launcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Launcher").field("user", &self.user).finish_non_exhaustive()
    }
}

/// Starts `<exe> __node-launcher` as `user` over a new socket pair.
fn launch(exe: &Path, (uid, gid): (u32, u32)) -> io::Result<Connection> {
    let (ours, theirs) = seqpacket_pair()?;
    let child = std::process::Command::new(exe)
        .arg(LAUNCHER_SUBCOMMAND)
        .env_clear()
        .current_dir("/")
        .stdin(Stdio::from(theirs))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .gid(gid)
        .uid(uid)
        .spawn()?;
    Connection::over(ours, Some(child))
}

impl Launcher {
    /// Starts `<exe> __node-launcher` (the `dlf` binary) as `uid`/`gid` (supplementary groups
    /// dropped), with an empty environment and `/` as its directory, talking over a socket pair
    /// on its standard input. Call inside the runtime.
    pub fn start(exe: &Path, uid: u32, gid: u32) -> io::Result<Launcher> {
        let connection = launch(exe, (uid, gid))?;
        Ok(Launcher {
            exe: Some(exe.to_path_buf()),
            connection: tokio::sync::Mutex::new(Arc::new(connection)),
            user: (uid, gid),
        })
    }

    /// A launcher on the far end of `socket` that runs as `user` ([`serve`] in a thread of this
    /// process, in tests); it is not started again. Call inside the runtime.
    pub fn over(socket: OwnedFd, process: Option<std::process::Child>, user: (u32, u32)) -> io::Result<Launcher> {
        let connection = Connection::over(socket, process)?;
        Ok(Launcher { exe: None, connection: tokio::sync::Mutex::new(Arc::new(connection)), user })
    }

    /// Starts `request` (its `id` is set here) with `stdio` as the child's stdin, stdout and
    /// stderr. A launcher that went away is started again, once per call.
    pub async fn spawn(&self, request: SpawnRequest, stdio: [OwnedFd; 3]) -> io::Result<Launched> {
        let connection = self.connection.lock().await.clone();
        match connection.spawn(request.clone(), &stdio).await {
            Err(e) if connection.is_gone() || e.kind() == io::ErrorKind::BrokenPipe => {
                let Some(fresh) = self.restart(&connection).await? else { return Err(e) };
                fresh.spawn(request, &stdio).await
            }
            result => result,
        }
        // `stdio` closes here: the launcher holds its own copies.
    }

    /// A new launcher in place of `dead` (or the one another caller already started).
    async fn restart(&self, dead: &Arc<Connection>) -> io::Result<Option<Arc<Connection>>> {
        let Some(exe) = &self.exe else { return Ok(None) };
        let mut current = self.connection.lock().await;
        if Arc::ptr_eq(&current, dead) {
            tracing::warn!("the node launcher went away; starting it again");
            *current = Arc::new(launch(exe, self.user)?);
        }
        Ok(Some(current.clone()))
    }
}

/// The server's reader: answers each request, and hands each process's exit to whoever waits
/// for it. A process's exit always comes after its start, so its waiter is registered before.
async fn read_replies(
    channel: Arc<Channel>,
    pending: Arc<Mutex<Pending>>,
    is_gone: Arc<std::sync::atomic::AtomicBool>,
) {
    let mut exits: HashMap<u32, oneshot::Sender<ExitStatus>> = HashMap::new();
    let mut buf = vec![0u8; MAX_MESSAGE];
    loop {
        let message = match channel.recv(&mut buf).await {
            Ok(Some((len, _))) => serde_json::from_slice::<LauncherMessage>(&buf[..len]),
            Ok(None) | Err(_) => break,
        };
        match message {
            Ok(LauncherMessage::Started { id, pid }) => {
                let (tx, exit) = oneshot::channel();
                exits.insert(pid, tx);
                if let Some(reply) = pending.lock().expect("lock").remove(&id) {
                    let _ = reply.send(Ok(Launched { pid, exit }));
                }
            }
            Ok(LauncherMessage::Failed { id, error }) => {
                if let Some(reply) = pending.lock().expect("lock").remove(&id) {
                    let _ = reply.send(Err(io::Error::other(error)));
                }
            }
            Ok(LauncherMessage::Exited { pid, status }) => {
                if let Some(waiter) = exits.remove(&pid) {
                    let _ = waiter.send(ExitStatus::from_raw(status));
                }
            }
            Err(e) => tracing::error!(error = %e, "unreadable message from the node launcher"),
        }
    }
    is_gone.store(true, std::sync::atomic::Ordering::Release);
    for (_, reply) in pending.lock().expect("lock").drain() {
        let _ = reply.send(Err(gone()));
    }
}

/// A connected pair of `SOCK_SEQPACKET` Unix sockets, close-on-exec.
pub fn seqpacket_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    Ok(socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_CLOEXEC)?)
}

/// A launcher that answers the first request with a start (of a pid that is not there) and
/// then goes away, as one killed by a node does.
#[cfg(test)]
pub(super) fn launcher_that_dies_after_one_start() -> Launcher {
    let (ours, theirs) = seqpacket_pair().unwrap();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; MAX_MESSAGE];
        let (len, _stdio) = recv_packet(theirs.as_raw_fd(), &mut buf).unwrap().unwrap();
        let request: SpawnRequest = serde_json::from_slice(&buf[..len]).unwrap();
        let started = serde_json::to_vec(&LauncherMessage::Started { id: request.id, pid: u32::MAX }).unwrap();
        nix::sys::socket::send(theirs.as_raw_fd(), &started, MsgFlags::empty()).unwrap();
        // `theirs` closes here: the launcher is gone.
    });
    let user = (nix::unistd::Uid::current().as_raw(), nix::unistd::Gid::current().as_raw());
    Launcher::over(ours, None, user).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::unistd::{Gid, Uid, pipe2};
    use std::io::Read;

    fn in_process_launcher() -> Launcher {
        let (ours, theirs) = seqpacket_pair().unwrap();
        std::thread::spawn(move || serve(theirs));
        Launcher::over(ours, None, (Uid::current().as_raw(), Gid::current().as_raw())).unwrap()
    }

    #[tokio::test]
    async fn a_launched_process_gets_its_stdio_environment_directory_and_reports_its_end() {
        let launcher = in_process_launcher();
        let dir = tempfile::tempdir().unwrap();
        let (stdin_r, _stdin_w) = pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
        let (out_r, out_w) = pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
        let (err_r, err_w) = pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
        drop(_stdin_w);
        let request = SpawnRequest {
            id: 0,
            program: "/bin/sh".into(),
            args: vec![
                "-c".into(),
                "echo \"$ONLY $(pwd) $(ps -o pgid= $$ | tr -d ' ')=$$\"; echo err >&2; exit 3".into(),
            ],
            env: vec![("ONLY".into(), "this".into()), ("PATH".into(), "/usr/bin:/bin".into())],
            cwd: dir.path().to_path_buf(),
        };
        let launched = launcher.spawn(request, [stdin_r, out_w, err_w]).await.unwrap();
        let status = launched.exit.await.unwrap();
        assert_eq!(status.code(), Some(3));
        let mut out = String::new();
        std::fs::File::from(out_r).read_to_string(&mut out).unwrap();
        let cwd = std::fs::canonicalize(dir.path()).unwrap();
        let pid = launched.pid;
        assert_eq!(out, format!("this {} {pid}={pid}\n", cwd.display()), "its own process group");
        let mut err = String::new();
        std::fs::File::from(err_r).read_to_string(&mut err).unwrap();
        assert_eq!(err, "err\n");
    }

    #[tokio::test]
    async fn a_process_that_cannot_start_is_an_error() {
        let launcher = in_process_launcher();
        let null = || OwnedFd::from(std::fs::File::open("/dev/null").unwrap());
        let request = SpawnRequest {
            id: 0,
            program: "/nonexistent/interpreter".into(),
            args: vec![],
            env: vec![],
            cwd: "/".into(),
        };
        let err = launcher.spawn(request, [null(), null(), null()]).await.err().expect("an error");
        assert!(err.to_string().contains("No such file"), "{err}");
    }

    #[tokio::test]
    async fn a_launcher_that_goes_away_fails_its_waiters_and_later_starts() {
        let launcher = launcher_that_dies_after_one_start();
        let null = || OwnedFd::from(std::fs::File::open("/dev/null").unwrap());
        let request = SpawnRequest { id: 0, program: "/bin/true".into(), args: vec![], env: vec![], cwd: "/".into() };
        let launched = launcher.spawn(request.clone(), [null(), null(), null()]).await.unwrap();
        assert!(launched.exit.await.is_err(), "no exit status can come from a launcher that is gone");
        let err = launcher.spawn(request, [null(), null(), null()]).await.err().expect("an error");
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{err}");
    }
}
