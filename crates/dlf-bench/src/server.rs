//! A fresh `dlf serve` for one benchmark run: its embedded default (SQLite in a temporary data
//! directory), a free loopback port and a known access key, killed and removed on drop.

use anyhow::{Context, Result, bail};
use nix::sys::prctl::set_pdeathsig;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::Client;

/// The access key every benchmark server is started with (`DLF_ACCESS_KEY`/`DLF_SECRET_KEY`).
pub const ACCESS_KEY: &str = "BENCHAKBENCHAKBENCHAK";
pub const SECRET_KEY: &str = "bench-secret-key-bench-secret-key-0123";

/// A running server; the data directory lives as long as it does, unless it was given.
pub struct Server {
    child: Child,
    pub port: u16,
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts `dlf serve` on a new temporary data directory.
    pub async fn fresh(dlf: &Path) -> Result<Server> {
        Server::fresh_with(dlf, &[]).await
    }

    /// Starts `dlf serve --run-as user` on a new temporary data directory: nodes run as `user`
    /// (the harness must be root), in `<temp>/data-work`.
    pub async fn fresh_as(dlf: &Path, user: &str) -> Result<Server> {
        Server::fresh_with(dlf, &["--run-as", user]).await
    }

    async fn fresh_with(dlf: &Path, extra: &[&str]) -> Result<Server> {
        let mut temp = tempfile::Builder::new().prefix("dlf-bench-").tempdir()?;
        // The node user must reach its work directory `<temp>/data-work/<instance>`.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o711))?;
        // DLF_BENCH_KEEP: keep the data directory (database, logs) for a look afterwards.
        if std::env::var_os("DLF_BENCH_KEEP").is_some() {
            temp.disable_cleanup(true);
            eprintln!("keeping {}", temp.path().display());
        }
        let data_dir = temp.path().join("data");
        let mut server = Server::start_with(dlf, &data_dir, extra).await?;
        server._temp = Some(temp);
        Ok(server)
    }

    /// Starts `dlf serve` on `data_dir` (created if missing), which outlives the server.
    pub async fn start_on(dlf: &Path, data_dir: &Path) -> Result<Server> {
        Server::start_with(dlf, data_dir, &[]).await
    }

    async fn start_with(dlf: &Path, data_dir: &Path, extra: &[&str]) -> Result<Server> {
        std::fs::create_dir_all(data_dir)?;
        let port = free_port()?;
        let log = std::fs::File::create(data_dir.join("bench-server.log"))?;
        let mut command = Command::new(dlf);
        // The server dies with the harness (Ctrl-C, a timeout): no orphan keeps a port or a core.
        // The parent-death signal must be set in the child between fork and exec; std offers no
        // safe way to run code there, hence the one `unsafe` block.
        // SAFETY: the closure runs in the forked child, where only async-signal-safe calls are
        // allowed: it makes one prctl(2) system call and builds an `io::Error` from an errno
        // code, neither of which allocates, takes a lock or touches the parent's state.
        #[allow(unsafe_code)]
        unsafe {
            use std::os::unix::process::CommandExt;
            command.pre_exec(|| Ok(set_pdeathsig(Signal::SIGKILL)?));
        }
        let child = command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env("DLF_ACCESS_KEY", ACCESS_KEY)
            .env("DLF_SECRET_KEY", SECRET_KEY)
            .env("DLF_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", dlf.display()))?;
        let mut server = Server { child, port, data_dir: data_dir.to_path_buf(), _temp: None };
        server.wait_healthy().await?;
        Ok(server)
    }

    async fn wait_healthy(&mut self) -> Result<()> {
        let http = reqwest::Client::new();
        let url = format!("http://127.0.0.1:{}/healthz", self.port);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(resp) = http.get(&url).send().await
                && resp.status() == 200
            {
                // Healthy, and it is ours: a server that failed to bind has exited by now.
                tokio::time::sleep(Duration::from_millis(20)).await;
                if let Some(status) = self.child.try_wait()? {
                    bail!(
                        "dlf serve exited with {status} although port {} answers: another process holds it",
                        self.port
                    );
                }
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!("dlf serve exited with {status}; see {}", self.data_dir.join("bench-server.log").display());
            }
            if Instant::now() > deadline {
                bail!("dlf serve did not answer /healthz within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A signed client for this server (its own connection pool).
    pub fn client(&self) -> Client {
        Client::new(self.port, ACCESS_KEY, SECRET_KEY)
    }

    /// Resident set size now and its peak so far, in MB (`VmRSS`, `VmHWM` of /proc).
    pub fn rss_mb(&self) -> Result<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let field = |name: &str| -> Result<f64> {
            let line = status.lines().find(|l| l.starts_with(name)).with_context(|| format!("no {name}"))?;
            let kb: f64 = line.split_whitespace().nth(1).context("no value")?.parse()?;
            Ok(kb / 1024.0)
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// SIGTERM, then wait for the exit (SIGKILL after 10 s).
    pub fn stop(mut self) -> Result<()> {
        self.terminate();
        Ok(())
    }

    fn terminate(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.terminate();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
