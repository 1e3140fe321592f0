//! A node is a tenant, not the server (docs/security.md): the attacks of a project-bound key's
//! Shell nodes against the server that runs them, each of which must fail.
//!
//! The server runs as root with `--run-as` an unprivileged user, its first key in its environment
//! (`DLF_ACCESS_KEY`, `DLF_SECRET_KEY`) and its master key in `master.key` (the environment's
//! `DLF_MASTER_KEY` is covered by `serve_cli.rs`, which needs no root). One job of a project-bound key tries:
//! printing the environment, reading `master.key` and `dlf.db`, writing the database, reading
//! another instance's log, minting a key for another project with `dlf keys create` against the
//! data directory (from the node's directory and from `../..`), and reading the server's
//! `/proc/<pid>/environ`. Every attempt prints `BREACH` if it succeeded, `DENIED` if not.
//!
//! It needs root and a user to switch to: `DLF_TEST_RUN_AS=<user>` (`.ci/run` creates `dlf-node`
//! and sets it). Without them the test says why and does nothing.

mod common;

use common::{PROJECT, free_port};
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN_AK: &str = "HOSTILEADMINKEY";
const ADMIN_SK: &str = "hostile-admin-secret-value-0123456789";

struct Signed {
    child: Child,
    port: u16,
    client: reqwest::Client,
}

impl Drop for Signed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Signed {
    async fn start(exe: &Path, data: &Path, run_as: &str) -> Signed {
        let port = free_port();
        let log_path = data.with_extension("log");
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(exe)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--run-as", run_as, "--data-dir"])
            .arg(data)
            .env("DLF_ACCESS_KEY", ADMIN_AK)
            .env("DLF_SECRET_KEY", ADMIN_SK)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        dlf_engine::install_crypto_provider();
        let mut server = Signed { child, port, client: reqwest::Client::new() };
        let deadline = Instant::now() + Duration::from_secs(60);
        while server.client.get(format!("http://127.0.0.1:{port}/healthz")).send().await.is_err() {
            let exited = server.child.try_wait().unwrap();
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                panic!("dlf serve did not start ({exited:?}):\n{log}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// A signed request to `/v1/{PROJECT}{rest}` (or any path starting with `/x/`).
    async fn call(&self, ak: &str, sk: &str, method: &str, rest: &str, body: Option<&Value>) -> (u16, Value) {
        let path = if rest.starts_with("/x/") { rest.to_string() } else { format!("/v1/{PROJECT}{rest}") };
        let (path_only, query) = match path.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (path.clone(), None),
        };
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default();
        let mut headers = vec![
            ("Host".to_string(), format!("127.0.0.1:{}", self.port)),
            ("Content-Type".to_string(), "application/json".to_string()),
        ];
        let date = dlf_signature::format_sdk_date(chrono::Utc::now());
        let authorization =
            dlf_signature::sign(method, &path_only, query.as_deref(), &mut headers, &bytes, ak, sk, &date);
        let mut req = self
            .client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("http://127.0.0.1:{}{path}", self.port),
            )
            .header("Authorization", authorization)
            .body(bytes);
        for (k, v) in headers.iter().filter(|(k, _)| k != "Host") {
            req = req.header(k.as_str(), v.as_str());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn wait_for_end(&self, ak: &str, sk: &str, job: &str, id: i64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (status, detail) = self.call(ak, sk, "GET", &format!("/jobs/{job}/instances/{id}"), None).await;
            assert_eq!(status, 200, "{detail}");
            if matches!(detail["status"].as_str(), Some("success" | "ignoreSuccess" | "fail" | "manual-stop")) {
                return detail;
            }
            assert!(Instant::now() < deadline, "the instance did not end: {detail}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn shell(name: &str, statement: &str) -> Value {
    json!({"name": name, "type": "Shell", "location": {"x": "0", "y": "0"}, "failPolicy": "IGNORE",
           "properties": [{"name": "statement", "value": statement}]})
}

/// `attempt` printing BREACH when it succeeds and DENIED when it fails.
fn attack(name: &str, attempt: &str) -> Value {
    // One stream, so the attempt's error message and the verdict cannot interleave in the log.
    shell(name, &format!("exec 2>&1; if {attempt}; then echo BREACH; else echo DENIED; fi"))
}

/// The `dlf` binary placed in a new directory `dir` of mode `mode` (a hard link, or a copy
/// across file systems).
fn placed_binary(dir: &Path, mode: u32) -> std::path::PathBuf {
    std::fs::create_dir(dir).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
    let exe = dir.join("dlf");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_dlf"), &exe).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_dlf"), &exe).unwrap();
    }
    exe
}

fn run_as_user() -> Option<String> {
    let Ok(user) = std::env::var("DLF_TEST_RUN_AS") else {
        eprintln!("DLF_TEST_RUN_AS is not set: the hostile-node suite does not run (.ci/run runs it as root)");
        return None;
    };
    if !nix::unistd::geteuid().is_root() {
        eprintln!("not root: --run-as cannot switch users, the hostile-node suite does not run");
        return None;
    }
    Some(user)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_keys_nodes_cannot_reach_the_servers_secrets_data_or_other_tenants() {
    let Some(run_as) = run_as_user() else { return };
    let dir = tempfile::tempdir().unwrap();
    // The node user must be able to reach its work directory under the test's directory.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    let data = dir.path().join("data");
    // The server's binary lies where the node user cannot go (as in a root-only checkout): its
    // node launcher must start all the same. The nodes' attacks use a copy they can run.
    let server_exe = placed_binary(&dir.path().join("root-only"), 0o700);
    let dlf = placed_binary(&dir.path().join("public"), 0o755);
    let server = Signed::start(&server_exe, &data, &run_as).await;

    // The data directory and its files are the server's alone.
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    for name in ["dlf.db", "master.key", "credentials"] {
        if data.join(name).exists() {
            assert_eq!(mode(&data.join(name)), 0o600, "{name}");
        }
    }

    // A project-bound key, and another tenant whose log holds a secret.
    let (status, key) =
        server.call(ADMIN_AK, ADMIN_SK, "POST", &format!("/x/v1/{PROJECT}/access-keys"), Some(&json!({}))).await;
    assert_eq!(status, 200, "{key}");
    let (ak, sk) = (key["access_key"].as_str().unwrap().to_string(), key["secret_key"].as_str().unwrap().to_string());
    let other_job = json!({"name": "other", "processType": "BATCH", "schedule": {"type": "EXECUTE_ONCE"},
                           "nodes": [shell("speak", "echo the-other-tenants-secret")]});
    assert_eq!(server.call(ADMIN_AK, ADMIN_SK, "POST", "/jobs", Some(&other_job)).await.0, 204);
    let (_, run) = server.call(ADMIN_AK, ADMIN_SK, "POST", "/jobs/other/run-immediate", Some(&json!({}))).await;
    let other_id = run["instanceId"].as_i64().unwrap();
    server.wait_for_end(ADMIN_AK, ADMIN_SK, "other", other_id).await;
    let other_log = data.join("logs").join(other_id.to_string()).join("speak").join("attempt-1.log");
    assert!(other_log.exists(), "the other tenant's node wrote its log");

    let d = data.display();
    let nodes = vec![
        shell("env", "env"),
        // The control: the node can run `dlf`, so what stops `dlf keys create` is the data.
        shell("runs_dlf", &format!("'{}' --version && echo DLF-RUNS", dlf.display())),
        attack("master_key", &format!("cat '{d}/master.key' >/dev/null")),
        attack("database", &format!("cat '{d}/dlf.db' >/dev/null")),
        attack("write_database", &format!("echo x >> '{d}/dlf.db'")),
        attack("list_data", &format!("ls '{d}' >/dev/null")),
        attack("other_log", &format!("cat '{}' >/dev/null", other_log.display())),
        attack(
            "keys_create",
            &format!(
                "'{}' keys create --project ffffffffffffffffffffffffffffffff --data-dir '{d}' >/dev/null",
                dlf.display()
            ),
        ),
        attack(
            "keys_create_up",
            &format!(
                "cd ../.. && '{}' keys create --project ffffffffffffffffffffffffffffffff --data-dir data >/dev/null",
                dlf.display()
            ),
        ),
        attack("server_environ", &format!("cat /proc/{}/environ >/dev/null", server.child.id())),
        attack("server_root", &format!("ls '{d}/logs' >/dev/null")),
    ];
    let names: Vec<String> = nodes.iter().map(|n| n["name"].as_str().unwrap().to_string()).collect();
    let hostile =
        json!({"name": "hostile", "processType": "BATCH", "schedule": {"type": "EXECUTE_ONCE"}, "nodes": nodes});
    let (status, body) = server.call(&ak, &sk, "POST", "/jobs", Some(&hostile)).await;
    assert_eq!(status, 204, "{body}");
    let (status, run) = server.call(&ak, &sk, "POST", "/jobs/hostile/run-immediate", Some(&json!({}))).await;
    assert_eq!(status, 200, "{run}");
    let id = run["instanceId"].as_i64().unwrap();
    let detail = server.wait_for_end(&ak, &sk, "hostile", id).await;

    let mut logs = String::new();
    for name in &names {
        let (status, log) = server
            .call(&ak, &sk, "GET", &format!("/x/v1/{PROJECT}/jobs/hostile/instances/{id}/nodes/{name}/log"), None)
            .await;
        assert_eq!(status, 200, "{name}: {log}");
        let log = log.as_str().map(str::to_string).unwrap_or_else(|| log.to_string());
        if name == "runs_dlf" {
            assert!(log.lines().any(|l| l == "DLF-RUNS"), "the node could not run dlf:\n{log}");
        } else if name != "env" {
            let denied = log.lines().any(|l| l == "DENIED") && !log.lines().any(|l| l == "BREACH");
            assert!(denied, "{name} was not denied; its log:\n{log}\n{detail}");
        }
        logs.push_str(&log);
    }
    let master_key = std::fs::read_to_string(data.join("master.key")).unwrap();
    for secret in
        [master_key.trim(), ADMIN_SK, ADMIN_AK, "DLF_SECRET_KEY", "DLF_ACCESS_KEY", "the-other-tenants-secret"]
    {
        assert!(!logs.contains(secret), "a node saw '{secret}':\n{logs}");
    }
    // The environment it saw is its own: the node user, no server variable.
    assert!(logs.contains(&format!("USER={run_as}")), "{logs}");
    // A node can kill the launcher that started it (they are the same user): the server starts
    // another one, and the next node runs.
    let killer = json!({"name": "killer", "processType": "BATCH", "schedule": {"type": "EXECUTE_ONCE"},
                        "nodes": [shell("kill", "kill -KILL $PPID; sleep 1")]});
    assert_eq!(server.call(&ak, &sk, "POST", "/jobs", Some(&killer)).await.0, 204);
    let (_, run) = server.call(&ak, &sk, "POST", "/jobs/killer/run-immediate", Some(&json!({}))).await;
    let detail = server.wait_for_end(&ak, &sk, "killer", run["instanceId"].as_i64().unwrap()).await;
    assert_eq!(detail["nodes"][0]["status"], "fail", "its end could not be learnt, so it failed: {detail}");
    let after = json!({"name": "after", "processType": "BATCH", "schedule": {"type": "EXECUTE_ONCE"},
                       "nodes": [shell("still", "echo still-running")]});
    assert_eq!(server.call(&ak, &sk, "POST", "/jobs", Some(&after)).await.0, 204);
    let (_, run) = server.call(&ak, &sk, "POST", "/jobs/after/run-immediate", Some(&json!({}))).await;
    let detail = server.wait_for_end(&ak, &sk, "after", run["instanceId"].as_i64().unwrap()).await;
    assert_eq!(detail["status"], "success", "a new launcher started the next node: {detail}");
    // No key was made for another project.
    let (_, keys) =
        server.call(ADMIN_AK, ADMIN_SK, "GET", "/x/v1/ffffffffffffffffffffffffffffffff/access-keys", None).await;
    assert_eq!(keys["total"], 0, "{keys}");
}
