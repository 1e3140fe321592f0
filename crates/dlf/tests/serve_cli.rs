//! `dlf serve` and the offline administration commands, run as a user runs them.

mod common;

use common::*;
use std::process::Command;

fn dlf() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dlf"));
    // A developer's DLF_* settings must not leak into these runs.
    for (k, _) in std::env::vars() {
        if k.starts_with("DLF_") {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn no_auth_is_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        dlf().args(["serve", "--no-auth", "--listen", "0.0.0.0:0", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--no-auth is refused"), "{err}");
}

#[test]
fn bad_settings_are_reported_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let out = dlf().args(["serve", "--missed-runs", "sometimes", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--missed-runs"));
    let out = dlf().args(["serve", "--time-zone", "Mars/Base", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Mars/Base"));
    let out = dlf().args(["serve", "--config", "/nonexistent/dlf.toml"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

#[test]
fn workspace_and_key_commands_work_offline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dlf()
        .args(["workspace", "create", "--project", "p1", "--data-dir"])
        .arg(dir.path())
        .arg("dev")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let id = stdout.lines().last().unwrap();
    assert_eq!(id.len(), 32, "the id alone on the last line: {stdout:?}");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let again = dlf()
        .args(["workspace", "create", "--project", "p1", "--data-dir"])
        .arg(dir.path())
        .arg("dev")
        .output()
        .unwrap();
    assert!(!again.status.success(), "a second workspace of the same name is refused");
    let out = dlf()
        .args(["keys", "create", "--project", "p1", "--output", "json", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(key["project_id"], "p1");
    assert_eq!(key["access_key"].as_str().unwrap().len(), 20);
    assert_eq!(key["secret_key"].as_str().unwrap().len(), 40);
    let master = std::fs::metadata(dir.path().join("master.key")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(master.permissions().mode() & 0o777, 0o600, "the master key is private");
    let sk = key["secret_key"].as_str().unwrap();
    for file in ["dlf.db", "dlf.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(!bytes.windows(sk.len()).any(|w| w == sk.as_bytes()), "the secret key is not in {file} in the clear");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("data"), &[]).await;
    let (status, _) = server.json("GET", "/jobs", None).await;
    assert_eq!(status, 200);
    let started = std::time::Instant::now();
    assert!(server.terminate().success(), "exit code 0 on SIGTERM");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "bounded shutdown");
}

/// A second server on a data directory in use is refused with a clear message, and leaves the
/// first one running; once the first is killed (even with SIGKILL), the directory is free.
#[tokio::test]
async fn one_server_per_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut first = Server::start(&data, &[]).await;
    let second = dlf()
        .args(["serve", "--no-auth", "--listen", &format!("127.0.0.1:{}", free_port()), "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains(&format!("another dlf server (pid {})", first.child.id())), "{err}");
    assert!(err.contains("one server per data directory"), "{err}");
    assert_eq!(first.json("GET", "/jobs", None).await.0, 200, "the first server still serves");
    first.kill9();
    let again = Server::start(&data, &[]).await;
    assert_eq!(again.json("GET", "/jobs", None).await.0, 200);
}

/// What a node runs with is its own, never the server's: the server's secrets are taken out of
/// its environment at start and nodes start from a cleared environment, with the allowlist and
/// `--node-env` only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_environment_never_reaches_a_node() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let secrets = [
        ("DLF_MASTER_KEY", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        ("DLF_ACCESS_KEY", "ENVADMINKEY"),
        ("DLF_SECRET_KEY", "env-admin-secret-value"),
        ("SERVER_ONLY_TOKEN", "server-only-value"),
        ("PASSED_ON", "passed-on-value"),
    ];
    let server =
        Server::start_with_env(&data, &["--node-env", "PASSED_ON", "--node-env", "SET_HERE=set-here-value"], &secrets)
            .await;
    let job = serde_json::json!({"name": "envdump", "processType": "BATCH", "schedule": {"type": "EXECUTE_ONCE"},
        "nodes": [{"name": "env", "type": "Shell", "location": {"x": "0", "y": "0"},
                   "properties": [{"name": "statement", "value": "env | sort"}]}]});
    assert_eq!(server.json("POST", "/jobs", Some(&job)).await.0, 204);
    let (_, run) = server.json("POST", "/jobs/envdump/run-immediate", Some(&serde_json::json!({}))).await;
    let id = run["instanceId"].as_i64().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server.json("GET", &format!("/jobs/envdump/instances/{id}"), None).await.1["status"] != "success" {
        assert!(std::time::Instant::now() < deadline, "the node did not succeed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let log =
        std::fs::read_to_string(data.join("logs").join(id.to_string()).join("env").join("attempt-1.log")).unwrap();
    for (name, value) in &secrets[..4] {
        assert!(!log.contains(value) && !log.contains(name), "the node saw {name}:\n{log}");
    }
    assert!(log.contains("PASSED_ON=passed-on-value"), "--node-env NAME passes it on:\n{log}");
    assert!(log.contains("SET_HERE=set-here-value"), "--node-env NAME=VALUE sets it:\n{log}");
    assert!(log.contains("DLF_JOB_NAME=envdump") && log.contains("DLF_ATTEMPT=1"), "{log}");
    assert!(log.lines().any(|l| l.starts_with("PATH=")), "{log}");
}

/// Files of the data directory are the server's alone, and the nodes work outside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_is_private_and_nodes_work_outside_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]).await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    for name in ["dlf.db", "master.key", "credentials"] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }
    let job = serde_json::json!({"name": "where", "processType": "BATCH", "schedule": {"type": "EXECUTE_ONCE"},
        "nodes": [{"name": "pwd", "type": "Shell", "location": {"x": "0", "y": "0"},
                   "properties": [{"name": "statement", "value": "pwd; echo hi > left-for-later"}]}]});
    assert_eq!(server.json("POST", "/jobs", Some(&job)).await.0, 204);
    let (_, run) = server.json("POST", "/jobs/where/run-immediate", Some(&serde_json::json!({}))).await;
    let id = run["instanceId"].as_i64().unwrap();
    let log_path = data.join("logs").join(id.to_string()).join("pwd").join("attempt-1.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server.json("GET", &format!("/jobs/where/instances/{id}"), None).await.1["status"] != "success" {
        assert!(std::time::Instant::now() < deadline, "the node did not succeed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let work = std::fs::canonicalize(dir.path().join("data-work").join(id.to_string())).unwrap();
    assert_eq!(std::fs::read_to_string(&log_path).unwrap().trim(), work.display().to_string());
    assert!(work.join("left-for-later").exists());
    assert_eq!(mode(&work), 0o700, "an instance's work directory is private");
    assert_eq!(mode(&log_path), 0o600, "logs are the server's");
}

/// `--data-dir` relative to where an offline command runs names the same directory for the
/// database and the master key.
#[test]
fn a_relative_data_dir_names_one_directory() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let out = dlf()
        .current_dir(&elsewhere)
        .args(["keys", "create", "--project", "p1", "--output", "json", "--data-dir", "../data"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let data = dir.path().join("data");
    assert!(data.join("dlf.db").exists() && data.join("master.key").exists(), "both in ../data");
    let listed = dlf().args(["keys", "list", "--output", "json", "--data-dir"]).arg(&data).output().unwrap();
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let keys: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(keys[0]["access_key"], key["access_key"], "{keys}");
    assert!(!String::from_utf8_lossy(&listed.stdout).contains(key["secret_key"].as_str().unwrap()), "no secret listed");
    // Disable, enable, delete.
    let ak = key["access_key"].as_str().unwrap();
    for action in ["disable", "enable", "delete"] {
        let out = dlf().args(["keys", action, "--data-dir"]).arg(&data).arg(ak).output().unwrap();
        assert!(out.status.success(), "{action}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let listed = dlf().args(["keys", "list", "--output", "json", "--data-dir"]).arg(&data).output().unwrap();
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&listed.stdout).unwrap(), serde_json::json!([]));
    let gone = dlf().args(["keys", "delete", "--data-dir"]).arg(&data).arg(ak).output().unwrap();
    assert!(!gone.status.success() && String::from_utf8_lossy(&gone.stderr).contains("does not exist"));
}
