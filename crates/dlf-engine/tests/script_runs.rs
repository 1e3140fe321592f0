//! Script runs (S6–S8) through the engine: what a restart does to runs a dead server left,
//! the time limit, and the retention of results.

mod support;

use dlf_core::model::ScriptRunStatus;
use dlf_engine::{Engine, EngineConfig, SystemClock};
use dlf_store::ScriptRunRecord;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::TestEngine;

async fn create_script(t: &TestEngine, name: &str, content: &str) {
    let info = json!({"name": name, "type": "Shell", "content": content});
    t.engine.create_script(&t.tenant, &t.caller, &serde_json::to_vec(&info).unwrap()).await.unwrap();
}

async fn until_ended(t: &TestEngine, name: &str, id: &str) -> (String, Option<String>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = t.engine.script_run_results(&t.tenant, name, id).await.unwrap();
        if r.status == "FINISHED" || r.status == "FAILED" {
            return (r.status.to_string(), r.message);
        }
        assert!(Instant::now() < deadline, "the run did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_a_dead_server_left_fails_at_start_and_its_processes_die() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("dlf.db");
    let store = dlf_store::open(url.to_str().unwrap()).await.unwrap();
    let ws = store.default_workspace("proj", 0).await.unwrap();
    store
        .insert_script_run(&ScriptRunRecord {
            id: "left-open".into(),
            workspace_id: ws.id.clone(),
            script_name: "report".into(),
            script_type: "Shell".into(),
            status: ScriptRunStatus::Running,
            message: None,
            results: None,
            runner_epoch: "epoch-of-a-dead-server".into(),
            create_user: "u".into(),
            created_ms: 1,
            ended_ms: None,
        })
        .await
        .unwrap();
    let mut orphan = std::process::Command::new("sleep")
        .arg("30")
        .env("DLF_RUNNER_EPOCH", "epoch-of-a-dead-server")
        .spawn()
        .unwrap();

    let engine = Engine::new(
        store.clone(),
        EngineConfig::new(dir.path().join("data")),
        Arc::new(SystemClock),
        dlf_store::SecretBox::from_key(&[1; 32]),
    );
    let _runtime = engine.start().await.unwrap();
    let run = store.find_script_run(&ws.id, "left-open").await.unwrap().unwrap();
    assert_eq!(run.status, ScriptRunStatus::Failed);
    assert_eq!(run.message.as_deref(), Some("the server stopped while the script ran"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while orphan.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the dead server's script process still runs");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_past_its_time_limit_is_stopped_and_fails() {
    let t = TestEngine::start_with(|c| c.script_run_timeout_ms = 500).await;
    let marker = t.dir.path().join("went-on");
    create_script(&t, "slow", &format!("sleep 5; touch '{}'", marker.display())).await;
    let started = Instant::now();
    let id = t.engine.execute_script(&t.tenant, &t.caller, "slow", b"").await.unwrap().instance_id;
    let (status, message) = until_ended(&t, "slow", &id).await;
    assert_eq!((status.as_str(), message.as_deref()), ("FAILED", Some("the script ran longer than 500 ms")));
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!marker.exists(), "the script went on past its limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_are_deleted_with_their_log_when_their_retention_ends() {
    let t = TestEngine::start_with(|c| c.script_run_retention_ms = 0).await;
    create_script(&t, "quick", "echo done").await;
    let first = t.engine.execute_script(&t.tenant, &t.caller, "quick", b"").await.unwrap().instance_id;
    assert_eq!(until_ended(&t, "quick", &first).await.0, "FINISHED");
    let log = t.dir.path().join("data").join("logs").join("script-runs").join(format!("{first}.log"));
    assert!(log.exists(), "the run wrote its log");
    tokio::time::sleep(Duration::from_millis(5)).await;
    // The next run sweeps what ended before it.
    let second = t.engine.execute_script(&t.tenant, &t.caller, "quick", b"").await.unwrap().instance_id;
    let err = t.engine.script_run_results(&t.tenant, "quick", &first).await.unwrap_err();
    assert_eq!(err.code.code(), "DLF.6205");
    assert!(!log.exists(), "its log went with it");
    assert_eq!(until_ended(&t, "quick", &second).await.0, "FINISHED");
}
