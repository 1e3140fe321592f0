//! Plan times that pass while the server is down (JOBS.md §4.4 decision, `--missed-runs`):
//! by default they are created late with their original plan times; `skip` creates none.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;

async fn ticker_plan_times(server: &Server) -> Vec<i64> {
    let now = chrono::Utc::now().timestamp_millis();
    let (status, list) = server
        .json(
            "GET",
            &format!(
                "/jobs/instances/detail?jobName=ticker&preciseQuery=true&limit=1000&minPlanTime={}&maxPlanTime={}",
                now - 600_000,
                now + 5_000
            ),
            None,
        )
        .await;
    assert_eq!(status, 200, "{list}");
    let mut plans: Vec<i64> =
        list["instances"].as_array().unwrap().iter().map(|i| i["planTime"].as_i64().unwrap()).collect();
    plans.sort();
    plans
}

/// Runs a per-second job, stops the server for ~3 s, restarts it with `policy`, and returns
/// (plan times, stop instant, restart instant).
async fn outage(policy: &str) -> (Vec<i64>, i64, i64) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(&data, &["--missed-runs", policy]).await;
    let job = json!({
        "name": "ticker", "processType": "BATCH",
        "schedule": {"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+00", "expression": "* * * * * ?"}},
        "nodes": [{"name": "n", "type": "Dummy", "location": {"x": "0", "y": "0"}, "properties": []}]
    });
    assert_eq!(server.json("POST", "/jobs", Some(&job)).await.0, 204);
    assert_eq!(server.json("POST", "/jobs/ticker/start", None).await.0, 204);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert!(server.terminate().success(), "graceful shutdown exits 0");
    let stopped = chrono::Utc::now().timestamp_millis();
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let restarted = chrono::Utc::now().timestamp_millis();
    let server = Server::start(&data, &["--missed-runs", policy]).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(server.json("POST", "/jobs/ticker/stop", None).await.0, 204);
    let plans = ticker_plan_times(&server).await;
    drop(server);
    (plans, stopped, restarted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missed_plan_times_run_late_by_default() {
    let (plans, stopped, restarted) = outage("all").await;
    let gap: Vec<i64> = plans.iter().copied().filter(|&p| p > stopped && p < restarted - 1000).collect();
    assert!(gap.len() >= 2, "the seconds of the outage got instances: {plans:?}");
    for pair in plans.windows(2) {
        assert_eq!(pair[1] - pair[0], 1000, "one instance per second, none missing, none twice: {plans:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_creates_nothing_for_the_outage() {
    let (plans, stopped, restarted) = outage("skip").await;
    let gap: Vec<i64> = plans.iter().copied().filter(|&p| p > stopped + 1000 && p < restarted - 1000).collect();
    assert!(gap.is_empty(), "no instance for the outage: {gap:?} in {plans:?}");
    assert!(plans.iter().any(|&p| p > restarted), "scheduling resumed: {plans:?}");
    let distinct: std::collections::HashSet<i64> = plans.iter().copied().collect();
    assert_eq!(distinct.len(), plans.len());
}
