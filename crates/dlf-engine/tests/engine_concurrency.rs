//! Concurrency gates end to end (JOBS.md §4.7, §4.8): the cap on `cron.concurrent`, and
//! `isSkipSelfDepJob` ("skip waiting instances and run the latest"), with jobs scheduled every
//! second and nodes that outlast a period.

mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::*;

fn every_second(name: &str, cron_extra: serde_json::Value, statement: &str) -> serde_json::Value {
    let mut cron = json!({"startTime": "2024-01-01T00:00:00+00", "expression": "* * * * * ?"});
    for (k, v) in cron_extra.as_object().unwrap() {
        cron[k] = v.clone();
    }
    json!({
        "name": name,
        "processType": "BATCH",
        "schedule": {"type": "CRON", "cron": cron},
        "nodes": [shell("n", statement, &[])],
    })
}

/// (status, error message) of every instance of `job`.
async fn instances(t: &TestEngine, job: &str) -> Vec<(String, Option<String>)> {
    let q = dlf_engine::InstanceListQuery {
        job_name: Some(job.into()),
        precise_query: Some(true),
        limit: Some(1000),
        ..Default::default()
    };
    let list = t.engine.list_instances(&t.tenant, &q).await.unwrap();
    list.instances.into_iter().map(|i| (i.status, i.error_message)).collect()
}

fn count(list: &[(String, Option<String>)], status: &str) -> usize {
    list.iter().filter(|(s, _)| s == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cron_concurrent_is_capped_by_the_server_setting() {
    let t = TestEngine::start_with(|config| config.job_concurrency_cap = 2).await;
    t.create(&every_second("capped", json!({"concurrent": 10}), "sleep 30")).await;
    t.engine.start_job(&t.tenant, &t.caller, "capped", &Default::default()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let list = instances(&t, "capped").await;
        assert!(count(&list, "running") <= 2, "never more than the cap: {list:?}");
        if count(&list, "waiting") >= 2 {
            assert_eq!(count(&list, "running"), 2, "the cap, not the job's 10, limits it: {list:?}");
            break;
        }
        assert!(Instant::now() < deadline, "instances did not queue behind the cap: {list:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    t.engine.stop_job(&t.tenant, "capped").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_self_dep_job_cancels_older_queued_instances_and_runs_the_latest() {
    let t = TestEngine::start().await;
    let doc = every_second("latest", json!({"concurrent": 1, "isSkipSelfDepJob": "true"}), "sleep 3");
    t.create(&doc).await;
    t.engine.start_job(&t.tenant, &t.caller, "latest", &Default::default()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let list = loop {
        let list = instances(&t, "latest").await;
        assert!(count(&list, "running") <= 1, "one at a time: {list:?}");
        assert!(count(&list, "waiting") <= 1, "only the newest queued instance waits: {list:?}");
        // The first run ended and a later one (the newest queued then) runs.
        if count(&list, "success") >= 1 && count(&list, "manual-stop") >= 2 {
            break list;
        }
        assert!(Instant::now() < deadline, "no instance was superseded: {list:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    t.engine.stop_job(&t.tenant, "latest").await.unwrap();
    let superseded =
        list.iter().filter(|(s, m)| s == "manual-stop" && m.as_deref().is_some_and(|m| m.contains("isSkipSelfDepJob")));
    assert!(superseded.count() >= 2, "the canceled ones say why: {list:?}");
}
