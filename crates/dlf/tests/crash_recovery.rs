//! `kill -9` while 20 instances run: after a restart every instance reaches a terminal status,
//! none is lost, no (job, plan time) is duplicated, and the dead server's processes are gone.

mod common;

use common::*;
use serde_json::json;
use std::collections::HashSet;
use std::time::{Duration, Instant};

fn shell_job(name: &str, script: &str, marker: &str, cron: Option<&str>) -> serde_json::Value {
    let schedule = match cron {
        Some(expr) => {
            json!({"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+00", "expression": expr, "concurrent": 20}})
        }
        None => json!({"type": "EXECUTE_ONCE"}),
    };
    json!({
        "name": name,
        "processType": "BATCH",
        "schedule": schedule,
        "params": [{"name": "CRASH_MARKER", "value": marker}],
        "nodes": [{
            "name": "work", "type": "Shell", "location": {"x": "0", "y": "0"},
            "retryTimes": 2, "retryInterval": 5,
            "properties": [{"name": "statement", "value": script}]
        }]
    })
}

async fn all_instances(server: &Server) -> Vec<serde_json::Value> {
    let now = chrono::Utc::now().timestamp_millis();
    let (status, list) = server
        .json(
            "GET",
            &format!("/jobs/instances/detail?limit=1000&minPlanTime={}&maxPlanTime={}", now - 3_600_000, now + 60_000),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    list["instances"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_20_instances_run_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let marker = format!("CRASH_MARKER=crash-{}", uuid_like());
    let marker_value = marker.trim_start_matches("CRASH_MARKER=").to_string();
    let mut server = Server::start(&data, &["--workers", "64"]).await;

    // 20 manual runs of a job whose node sleeps (and leaves a background child) ...
    let (s, _) = server
        .json("POST", "/jobs", Some(&shell_job("sleeper", "sleep 4 & sleep 3; echo done", &marker_value, None)))
        .await;
    assert_eq!(s, 204);
    let mut run_ids = Vec::new();
    for _ in 0..20 {
        let (s, body) = server.json("POST", "/jobs/sleeper/run-immediate", Some(&json!({}))).await;
        assert_eq!(s, 200, "{body}");
        run_ids.push(body["instanceId"].as_i64().unwrap());
    }
    // ... and a job scheduled every second, so the crash lands among scheduled plan times.
    let (s, _) =
        server.json("POST", "/jobs", Some(&shell_job("ticker", "sleep 1", &marker_value, Some("* * * * * ?")))).await;
    assert_eq!(s, 204);
    assert_eq!(server.json("POST", "/jobs/ticker/start", None).await.0, 204);

    // Wait until the 20 manual instances are running their node.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let running = all_instances(&server)
            .await
            .iter()
            .filter(|i| i["jobName"] == "sleeper" && i["status"] == "running")
            .count();
        if running == 20 && processes_with_env(&marker).len() >= 20 {
            break;
        }
        assert!(Instant::now() < deadline, "the 20 instances did not all start (running: {running})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before: HashSet<i64> = all_instances(&server).await.iter().map(|i| i["instanceId"].as_i64().unwrap()).collect();

    server.kill9();
    assert!(!processes_with_env(&marker).is_empty(), "the dead server's node processes outlive it until recovery");

    let restarted_at = chrono::Utc::now().timestamp_millis();
    let server = Server::start(&data, &["--workers", "64"]).await;
    // Let the ticker go on for a while, then stop it so the set of instances becomes final.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(server.json("POST", "/jobs/ticker/stop", None).await.0, 204);
    let deadline = Instant::now() + Duration::from_secs(90);
    let instances = loop {
        let instances = all_instances(&server).await;
        let open: Vec<_> = instances
            .iter()
            .filter(|i| {
                !matches!(
                    i["status"].as_str(),
                    Some("success" | "fail" | "manual-stop" | "ignoreSuccess" | "forceSuccess" | "skip-by-depend")
                )
            })
            .collect();
        if open.is_empty() {
            break instances;
        }
        assert!(Instant::now() < deadline, "instances still open after recovery: {open:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let ids: HashSet<i64> = instances.iter().map(|i| i["instanceId"].as_i64().unwrap()).collect();
    assert!(before.is_subset(&ids), "no instance acknowledged before the crash is lost");
    for id in &run_ids {
        let i = instances.iter().find(|i| i["instanceId"] == *id).unwrap();
        assert_eq!(i["status"], "success", "run-now instance {id} recovered and succeeded: {i}");
    }
    let scheduled: Vec<i64> = instances
        .iter()
        .filter(|i| i["jobName"] == "ticker" && i["instanceType"] == 0)
        .map(|i| i["planTime"].as_i64().unwrap())
        .collect();
    let distinct: HashSet<i64> = scheduled.iter().copied().collect();
    assert_eq!(distinct.len(), scheduled.len(), "no plan time of the ticker is duplicated");
    assert!(scheduled.iter().any(|&p| p < restarted_at), "the ticker ran before the crash: {scheduled:?}");
    assert!(scheduled.iter().any(|&p| p > restarted_at), "and is scheduled again after the restart: {scheduled:?}");
    // A recovered attempt is a retry: attempt 2 of the sleeper's node.
    let (_, detail) = server.json("GET", &format!("/jobs/sleeper/instances/{}", run_ids[0]), None).await;
    assert!(
        detail["nodes"][0]["retryTimes"].as_i64().unwrap() >= 1,
        "the orphaned attempt counted as a failure: {detail}"
    );
    assert!(processes_with_env(&marker).is_empty(), "no process of the dead server survives");
}

fn uuid_like() -> String {
    format!("{:x}{:x}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default())
}
