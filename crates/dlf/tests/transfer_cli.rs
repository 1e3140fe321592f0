//! `dlf export` and `dlf import` against live servers: a workspace moves from one `dlf serve` to
//! another with two commands, a failed import exits non-zero, and the client signs its requests
//! so that an authenticating server accepts them (keys from the server's credentials file).

mod common;

use common::*;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

/// Runs the `dlf` binary with `args` against `server` (keys from the environment).
fn dlf(server: &Server, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlf"))
        .args(args)
        .env("DLF_ENDPOINT", server.url(""))
        .env("DLF_PROJECT", PROJECT)
        .env("DLF_ACCESS_KEY", "AKTESTTESTTESTTEST01")
        .env("DLF_SECRET_KEY", "sk-test")
        .output()
        .expect("run dlf")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn job(name: &str) -> Value {
    json!({
        "name": name,
        "processType": "BATCH",
        "directory": "/moved",
        "schedule": {"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+08", "expression": "0 0 3 * * ?"}},
        "params": [{"name": "region", "value": "eu", "type": "variable"}],
        "basicConfig": {"owner": "ops", "priority": 1},
        "nodes": [
            {"name": "extract", "type": "Shell", "location": {"x": "10", "y": "20"},
             "properties": [{"name": "scriptName", "value": "extract_sh"}, {"name": "arguments", "value": "${region}"}]},
            {"name": "load", "type": "Dummy", "location": {"x": "10", "y": "120"}, "preNodeName": ["extract"]}
        ]
    })
}

/// ShowJob without what only describes the job's life on one server.
async fn show_job(server: &Server, name: &str) -> Value {
    let (status, mut body) = server.json("GET", &format!("/jobs/{name}"), None).await;
    assert_eq!(status, 200, "{body}");
    if let Some(map) = body.as_object_mut() {
        for key in ["createTime", "lastUpdateTime", "lastUpdateUser", "version", "status", "createUser", "id"] {
            map.remove(key);
        }
    }
    body
}

async fn seed(server: &Server) {
    let script = json!({"name": "extract_sh", "type": "Shell", "content": "echo $1", "directory": "/moved"});
    let (status, body) = server.json("POST", "/scripts", Some(&script)).await;
    assert_eq!(status, 204, "{body}");
    let connection = json!({"name": "edge", "type": "HOST",
        "config": {"ip": "10.0.0.9", "port": "22", "userName": "etl", "password": "s3cret-pass"}});
    let (status, body) = server.json("POST", "/connections", Some(&connection)).await;
    assert!(status == 200 || status == 204, "{status} {body}");
    for name in ["daily_load", "weekly_load"] {
        let (status, body) = server.json("POST", "/jobs", Some(&job(name))).await;
        assert_eq!(status, 204, "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workspace_moves_between_two_servers_with_two_commands() {
    let dir = tempfile::tempdir().unwrap();
    let source = Server::start(&dir.path().join("a"), &[]).await;
    let target = Server::start(&dir.path().join("b"), &[]).await;
    seed(&source).await;
    let file = dir.path().join("ws.zip");

    let exported = dlf(&source, &["export", "-o", file.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", text(&exported));
    let bytes = std::fs::read(&file).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("s3cret-pass"), "no secret leaves the server");

    // The export holds no password: the HOST connection cannot be created without one, and
    // the import says so with a failing exit status; the jobs are imported all the same.
    let without = dlf(&target, &["import", file.to_str().unwrap()]);
    assert_eq!(without.status.code(), Some(1), "{}", text(&without));
    assert!(text(&without).contains("password"), "{}", text(&without));
    let (status, _) = target.json("GET", "/connections/edge", None).await;
    assert_eq!(status, 400, "no half-made connection");

    let secrets = dir.path().join("secrets.json");
    std::fs::write(&secrets, r#"{"edge": {"password": "new-pass"}}"#).unwrap();
    let imported = dlf(&target, &["import", file.to_str().unwrap(), "--connection-params", secrets.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(text(&imported).contains("SUCCESSFUL"), "{}", text(&imported));

    for name in ["daily_load", "weekly_load"] {
        assert_eq!(show_job(&target, name).await, show_job(&source, name).await, "job {name}");
    }
    let (_, script) = target.json("GET", "/scripts/extract_sh", None).await;
    assert_eq!((script["content"].as_str(), script["directory"].as_str()), (Some("echo $1"), Some("/moved")));
    let (status, connection) = target.json("GET", "/connections/edge", None).await;
    assert_eq!(status, 200, "{connection}");
    assert_eq!(connection["config"]["ip"], "10.0.0.9");

    // Another import with the default policy skips what exists and still succeeds.
    let again = dlf(&target, &["import", file.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again));
}

fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_import_exits_non_zero_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("a"), &[]).await;
    let file = dir.path().join("broken.zip");
    write_zip(&file, &[("jobs/broken/broken.job", b"{ not json")]);
    let output = dlf(&server, &["import", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("FAILED"), "{}", text(&output));
    let (_, list) = server.json("GET", "/jobs", None).await;
    assert_eq!(list["total"], 0, "nothing was imported: {list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_signs_like_the_sdk_with_the_servers_credentials_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a");
    let server = Server::start_authenticated(&data).await;
    let file = dir.path().join("empty.zip");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_dlf"))
            .args(["export", "-o", file.to_str().unwrap(), "--credentials-dir", data.to_str().unwrap()])
            .args(extra)
            .env("DLF_ENDPOINT", server.url(""))
            .env("DLF_PROJECT", PROJECT)
            .env_remove("DLF_ACCESS_KEY")
            .env_remove("DLF_SECRET_KEY")
            .output()
            .unwrap()
    };
    let ok = run(&[]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("exported 0 job(s)"), "{}", text(&ok));
    let refused = run(&["--secret-key", "wrong"]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("APIGW.0301"), "{}", text(&refused));
}
