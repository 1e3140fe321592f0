//! Starting the real `dlf` binary for tests, and a small JSON client for it (`--no-auth`, so
//! requests need no signature).

#![allow(dead_code)]

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PROJECT: &str = "p0000000000000000000000000000001";

/// A running `dlf serve`.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub data_dir: PathBuf,
    pub client: reqwest::Client,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Server {
    /// Starts `dlf serve --no-auth` on `data_dir` and waits for `/healthz`.
    pub async fn start(data_dir: &Path, extra: &[&str]) -> Server {
        Server::start_with_env(data_dir, extra, &[]).await
    }

    /// As [`Server::start`], with these variables added to the server's environment.
    pub async fn start_with_env(data_dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dlf"));
        command.args(["serve", "--no-auth"]).args(extra).env("DLF_LOG", "info").envs(env.iter().copied());
        Server::spawn(command, data_dir).await
    }

    /// Starts `dlf serve` with authentication on (it writes its first key to
    /// `<data_dir>/credentials`) and waits for `/healthz`.
    pub async fn start_authenticated(data_dir: &Path) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dlf"));
        command.arg("serve").env_remove("DLF_ACCESS_KEY").env_remove("DLF_SECRET_KEY");
        Server::spawn(command, data_dir).await
    }

    /// Adds the listener and the data directory to a `dlf serve` command, starts it with its log
    /// beside the data directory, and waits for `/healthz`.
    async fn spawn(mut command: Command, data_dir: &Path) -> Server {
        let port = free_port();
        let log = std::fs::File::create(data_dir.with_extension(format!("{port}.log"))).unwrap();
        let child = command
            .args(["--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start dlf serve");
        dlf_engine::install_crypto_provider();
        let server = Server { child, port, data_dir: data_dir.to_path_buf(), client: reqwest::Client::new() };
        server.wait_healthy().await;
        server
    }

    async fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = self.client.get(self.url("/healthz")).send().await
                && r.status() == 200
            {
                return;
            }
            assert!(Instant::now() < deadline, "dlf serve did not become healthy");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn v1(&self, rest: &str) -> String {
        self.url(&format!("/v1/{PROJECT}{rest}"))
    }

    /// Sends a request; returns (status, JSON body or Null).
    pub async fn json(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, self.v1(path)).header("Content-Type", "application/json");
        if let Some(b) = body {
            req = req.body(serde_json::to_vec(b).unwrap());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// SIGKILL: no shutdown, no cleanup.
    pub fn kill9(&mut self) {
        let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGKILL);
        let _ = self.child.wait();
    }

    /// SIGTERM and wait for the exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM);
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every process on this host whose environment contains `needle` (e.g. a `MARKER=uuid`).
pub fn processes_with_env(needle: &str) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        if let Ok(env) = std::fs::read(format!("/proc/{pid}/environ"))
            && env.split(|b| *b == 0).any(|e| e == needle.as_bytes())
        {
            found.push(pid);
        }
    }
    found
}
