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
