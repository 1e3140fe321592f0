//! Self-dependency and cross-job dependencies, end to end with real schedules (JOBS.md §4.6,
//! §4.7): jobs scheduled every second (`* * * * * ?`: a one-second period, JOBS.md §4.2's
//! sub-minute decision), so the windows are (t − 1 s, t].

mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::*;

fn every_second(name: &str, node_type: &str) -> serde_json::Value {
    json!({
        "name": name,
        "processType": "BATCH",
        "schedule": {"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+00", "expression": "* * * * * ?"}},
        "nodes": [node("n", node_type, &[])],
    })
}

/// Instances of `job` (newest first) as (status, planTime).
async fn instances(t: &TestEngine, job: &str) -> Vec<(String, i64, Option<String>)> {
    let q = dlf_engine::InstanceListQuery {
        job_name: Some(job.into()),
        precise_query: Some(true),
        limit: Some(1000),
        ..Default::default()
    };
    let list = t.engine.list_instances(&t.tenant, &q).await.unwrap();
    list.instances.into_iter().map(|i| (i.status, i.plan_time, i.error_message)).collect()
}

async fn wait_until<F: Fn(&[(String, i64, Option<String>)]) -> bool>(
    t: &TestEngine,
    job: &str,
    what: &str,
    f: F,
) -> Vec<(String, i64, Option<String>)> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let list = instances(t, job).await;
        if f(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "{what}: {list:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn start(t: &TestEngine, job: &str) {
    t.engine.start_job(&t.tenant, &t.caller, job, &Default::default()).await.unwrap();
}

async fn stop(t: &TestEngine, job: &str) {
    t.engine.stop_job(&t.tenant, job).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_dependent_job_waits_behind_its_failed_previous_instance() {
    let t = TestEngine::start().await;
    let mut doc = every_second("selfdep", "HiveSQL");
    doc["schedule"]["cron"]["dependPrePeriod"] = json!(true);
    t.create(&doc).await;
    start(&t, "selfdep").await;
    let list = wait_until(&t, "selfdep", "one failed and a later one waiting", |l| {
        l.iter().any(|i| i.0 == "fail") && l.iter().filter(|i| i.0 == "waiting").count() >= 2
    })
    .await;
    let failed_plan = list.iter().find(|i| i.0 == "fail").unwrap().1;
    assert!(list.iter().filter(|i| i.0 == "fail").count() == 1, "only the first ran: {list:?}");
    assert!(list.iter().all(|i| i.0 != "running" && (i.0 != "waiting" || i.1 > failed_plan)));
    stop(&t, "selfdep").await;
    let after = instances(&t, "selfdep").await;
    assert!(after.iter().all(|i| i.0 == "fail" || i.0 == "manual-stop"), "stop cancels the waiting ones: {after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_upstream_cancels_the_downstream_instance_under_fail() {
    let t = TestEngine::start().await;
    t.create(&every_second("up", "HiveSQL")).await;
    let mut down = every_second("down", "Dummy");
    down["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["up"], "dependFailPolicy": "FAIL"});
    t.create(&down).await;
    start(&t, "up").await;
    start(&t, "down").await;
    let list =
        wait_until(&t, "down", "a cancelled downstream instance", |l| l.iter().any(|i| i.0 == "manual-stop")).await;
    let cancelled = list.iter().find(|i| i.0 == "manual-stop").unwrap();
    assert!(cancelled.2.as_deref().unwrap_or("").contains("cancel"), "the reason is given: {cancelled:?}");
    assert!(list.iter().all(|i| i.0 != "success"), "no downstream instance ran: {list:?}");
    stop(&t, "down").await;
    stop(&t, "up").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignore_runs_the_downstream_despite_a_failed_upstream() {
    let t = TestEngine::start().await;
    t.create(&every_second("up", "HiveSQL")).await;
    let mut down = every_second("down", "Dummy");
    down["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["up"], "dependFailPolicy": "IGNORE"});
    t.create(&down).await;
    start(&t, "up").await;
    start(&t, "down").await;
    wait_until(&t, "down", "a downstream success", |l| l.iter().any(|i| i.0 == "success")).await;
    stop(&t, "down").await;
    stop(&t, "up").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_keeps_the_downstream_waiting() {
    let t = TestEngine::start().await;
    t.create(&every_second("up", "HiveSQL")).await;
    let mut down = every_second("down", "Dummy");
    down["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["up"], "dependFailPolicy": "SUSPEND"});
    t.create(&down).await;
    start(&t, "up").await;
    start(&t, "down").await;
    // Wait for two failed upstream instances; the downstream ones of those periods still wait.
    wait_until(&t, "up", "two failed upstream instances", |l| l.iter().filter(|i| i.0 == "fail").count() >= 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let list = instances(&t, "down").await;
    assert!(!list.is_empty() && list.iter().all(|i| i.0 == "waiting"), "{list:?}");
    stop(&t, "down").await;
    stop(&t, "up").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_upstream_lets_the_downstream_run() {
    let t = TestEngine::start().await;
    t.create(&every_second("up", "Dummy")).await;
    let mut down = every_second("down", "Dummy");
    down["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["up"]});
    t.create(&down).await;
    start(&t, "up").await;
    start(&t, "down").await;
    let list =
        wait_until(&t, "down", "three downstream successes", |l| l.iter().filter(|i| i.0 == "success").count() >= 3)
            .await;
    assert!(list.iter().all(|i| i.0 != "manual-stop" && i.0 != "fail"), "{list:?}");
    // Stopping the upstream cancels downstream instances that then wait on it.
    stop(&t, "up").await;
    wait_until(&t, "down", "a downstream cancelled because its upstream stopped", |l| {
        l.iter().any(|i| i.0 == "manual-stop" && i.2.as_deref().unwrap_or("").contains("stopped"))
    })
    .await;
    stop(&t, "down").await;
}
