//! The attempt guarantee (ARCHITECTURE.md, "Crash safety"): an attempt is recorded before its
//! work starts, so no attempt's work runs twice and attempt numbers are never reused, whatever
//! moment the server dies or stops at.
//!
//! The spawn window is made wide on purpose: the test holds SQLite's write lock while a node
//! finishes, so the commit that records the next node's attempt cannot land, and kills the
//! server while that commit waits. A server that started the next node's process before its
//! record was committed would run it again after the restart, under the same attempt number.

mod common;

use common::*;
use serde_json::json;
use sqlx::Connection;
use std::time::{Duration, Instant};

/// A chain `first` → `second`: `first` sleeps `first_secs` and fails under IGNORE if it is cut
/// short (so `second` runs after a crash without waiting for a retry); `second` appends
/// "<attempt>" to `marker` and ends.
fn chain(first_script: &str, marker: &std::path::Path) -> serde_json::Value {
    json!({
        "name": "chain",
        "processType": "BATCH",
        "schedule": {"type": "EXECUTE_ONCE"},
        "nodes": [
            {"name": "first", "type": "Shell", "location": {"x": "0", "y": "0"}, "failPolicy": "IGNORE",
             "properties": [{"name": "statement", "value": first_script}]},
            {"name": "second", "type": "Shell", "location": {"x": "1", "y": "0"}, "preNodeName": ["first"],
             "properties": [{"name": "statement", "value": format!("echo \"second $DLF_ATTEMPT\" >> '{}'", marker.display())}]}
        ]
    })
}

async fn instance(server: &Server, id: i64) -> serde_json::Value {
    let (status, detail) = server.json("GET", &format!("/jobs/chain/instances/{id}"), None).await;
    assert_eq!(status, 200, "{detail}");
    detail
}

async fn wait_for_end(server: &Server, id: i64) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let detail = instance(server, id).await;
        if matches!(detail["status"].as_str(), Some("success" | "ignoreSuccess" | "fail" | "manual-stop")) {
            return detail;
        }
        assert!(Instant::now() < deadline, "the instance did not end: {detail}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn node<'a>(detail: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    detail["nodes"].as_array().unwrap().iter().find(|n| n["nodeName"] == name).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_an_attempt_is_being_recorded_never_runs_it_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let marker = dir.path().join("second.marker");
    let first_done = dir.path().join("first.done");
    let mut server = Server::start(&data, &[]).await;
    let first = format!("sleep 1; touch '{}'", first_done.display());
    assert_eq!(server.json("POST", "/jobs", Some(&chain(&first, &marker))).await.0, 204);
    let (status, body) = server.json("POST", "/jobs/chain/run-immediate", Some(&json!({}))).await;
    assert_eq!(status, 200, "{body}");
    let id = body["instanceId"].as_i64().unwrap();

    // While `first` runs, take the database's write lock: the commit that ends `first` and
    // records `second`'s first attempt must wait for it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while node(&instance(&server, id).await, "first")["status"] != "running" {
        assert!(Instant::now() < deadline, "first never ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let url = format!("sqlite://{}", data.join("dlf.db").display());
    let mut lock = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut lock).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !first_done.exists() {
        assert!(Instant::now() < deadline, "first never finished");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // `first` has ended; the server now tries to commit that, with `second` recorded as
    // running. Give it ample time to (wrongly) start `second` before the record lands.
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill9();
    sqlx::raw_sql("ROLLBACK").execute(&mut lock).await.unwrap();
    drop(lock);
    assert!(
        !marker.exists(),
        "second's work started before its attempt was recorded: {:?}",
        std::fs::read_to_string(&marker)
    );

    let server = Server::start(&data, &[]).await;
    let detail = wait_for_end(&server, id).await;
    let lines = std::fs::read_to_string(&marker).unwrap();
    assert_eq!(lines, "second 1\n", "second ran exactly once, as attempt 1: {detail}");
    assert_eq!(node(&detail, "second")["status"], "success", "{detail}");
    // `first` was recorded running when the server died: its attempt counts as failed, and
    // IGNORE lets `second` run.
    assert_eq!(node(&detail, "first")["status"], "fail", "{detail}");
    assert_eq!(detail["status"], "ignoreSuccess", "{detail}");
}

/// A graceful stop interrupts an attempt without spending a retry, and the node runs again
/// after the restart under the next attempt number (`DLF_ATTEMPT` 2): a node can always tell
/// that an earlier attempt of it began.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attempt_interrupted_by_a_shutdown_is_not_counted_and_its_number_is_not_reused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let marker = dir.path().join("attempts.marker");
    let mut server = Server::start(&data, &[]).await;
    // retryTimes 0: a counted failure would fail the node for good.
    let script = format!(
        "echo \"$DLF_ATTEMPT\" >> '{}'; echo \"attempt $DLF_ATTEMPT\"; [ \"$DLF_ATTEMPT\" -gt 1 ] || sleep 30",
        marker.display()
    );
    let job = json!({
        "name": "chain", "processType": "BATCH", "schedule": {"type": "EXECUTE_ONCE"},
        "nodes": [{"name": "only", "type": "Shell", "location": {"x": "0", "y": "0"}, "retryTimes": 0,
                   "properties": [{"name": "statement", "value": script}]}]
    });
    assert_eq!(server.json("POST", "/jobs", Some(&job)).await.0, 204);
    let (_, body) = server.json("POST", "/jobs/chain/run-immediate", Some(&json!({}))).await;
    let id = body["instanceId"].as_i64().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !marker.exists() {
        assert!(Instant::now() < deadline, "the node never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(server.terminate().success(), "dlf serve exits cleanly on SIGTERM");

    let server = Server::start(&data, &[]).await;
    let detail = wait_for_end(&server, id).await;
    assert_eq!(detail["status"], "success", "the interrupted attempt spent no retry: {detail}");
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "1\n2\n", "attempt 1 was interrupted, attempt 2 ran");
    assert_eq!(node(&detail, "only")["retryTimes"], 1, "{detail}");
    // Each attempt keeps its own log.
    for attempt in [1, 2] {
        let url = server.url(&format!("/x/v1/{PROJECT}/jobs/chain/instances/{id}/nodes/only/log?attempt={attempt}"));
        let log = server.client.get(url).send().await.unwrap().text().await.unwrap();
        assert_eq!(log, format!("attempt {attempt}\n"));
    }
}
