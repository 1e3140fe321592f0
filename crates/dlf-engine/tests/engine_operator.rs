//! Operator actions (JOBS.md §5.8) and rerun options (§5.9), end to end through the engine:
//! each action's effect, and its refusal from a wrong status with nothing changed.

mod support;

use dlf_core::state::RerunFrom;
use dlf_engine::instances::RerunOptions;
use dlf_engine::operator::{InstanceAction, NodeAction};
use serde_json::json;
use std::time::{Duration, Instant};
use support::*;

const SECONDS_20: Duration = Duration::from_secs(20);

/// A Shell node that fails the first time it runs in an instance and succeeds afterwards (a
/// marker file in the instance's work directory remembers the first run).
fn flaky(name: &str, upstream: &[&str]) -> serde_json::Value {
    with(
        shell(name, &format!("if [ -f {name}.ran ]; then echo ok; else touch {name}.ran; exit 3; fi"), upstream),
        "failPolicy",
        json!("SUSPEND"),
    )
}

async fn act(t: &TestEngine, job: &str, id: i64, action: InstanceAction) -> Result<(), dlf_core::DlfError> {
    t.engine.instance_action(&t.tenant, job, &id.to_string(), action).await
}

async fn act_node(
    t: &TestEngine,
    job: &str,
    id: i64,
    node: &str,
    action: NodeAction,
) -> Result<(), dlf_core::DlfError> {
    t.engine.node_action(&t.tenant, job, &id.to_string(), node, action).await
}

/// The refusal is DLF.3051 and says why.
fn assert_refused(result: Result<(), dlf_core::DlfError>, says: &str) {
    let e = result.expect_err("refused");
    assert_eq!(e.code.code(), "DLF.3051", "{e}");
    assert!(e.to_string().contains(says), "'{e}' should say '{says}'");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_instance_continued_ends_ignore_success() {
    let t = TestEngine::start().await;
    t.create(&job("j", vec![flaky("bad", &[]), node("after", "Dummy", &["bad"]), node("other", "Dummy", &[])])).await;
    let id = t.run("j", &[]).await;
    let d = t.wait_for("j", id, &["running-exception"], SECONDS_20).await;
    assert_eq!(node_status(&d, "after"), "waiting");
    // Actions for other statuses are refused and change nothing.
    assert_refused(act(&t, "j", id, InstanceAction::Freeze).await, "cannot freeze it");
    assert_refused(act_node(&t, "j", id, "other", NodeAction::Retry).await, "node is success");
    assert_eq!(t.show("j", id).await.status, "running-exception");
    act(&t, "j", id, InstanceAction::Continue).await.unwrap();
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "ignoreSuccess");
    assert_eq!((node_status(&d, "bad"), node_status(&d, "after")), ("fail".into(), "success".into()));
    assert_refused(act(&t, "j", id, InstanceAction::Continue).await, "instance is ignoreSuccess; cannot continue it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_instance_retried_runs_its_failed_node_again_to_success() {
    let t = TestEngine::start().await;
    t.create(&job("j", vec![flaky("bad", &[]), node("after", "Dummy", &["bad"])])).await;
    let id = t.run("j", &[]).await;
    t.wait_for("j", id, &["running-exception"], SECONDS_20).await;
    act(&t, "j", id, InstanceAction::Retry).await.unwrap();
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "success");
    assert_eq!((node_status(&d, "bad"), node_status(&d, "after")), ("success".into(), "success".into()));
    let bad = d.nodes.iter().find(|n| n.node_name == "bad").unwrap();
    assert_eq!(bad.retry_times, 1, "the operator's retry was a second attempt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_retry_and_node_succeed_move_a_suspended_instance_on() {
    let t = TestEngine::start().await;
    t.create(&job("j", vec![flaky("a", &[]), flaky("b", &[]), node("after", "Dummy", &["a", "b"])])).await;
    let id = t.run("j", &[]).await;
    t.wait_for("j", id, &["running-exception"], SECONDS_20).await;
    // Both fail; wait until both are suspended.
    wait_node(&t, id, "a", "fail").await;
    wait_node(&t, id, "b", "fail").await;
    act_node(&t, "j", id, "a", NodeAction::Retry).await.unwrap();
    // `b` is still suspended: the instance stays abnormal, `after` waits.
    wait_node(&t, id, "a", "success").await;
    let d = t.show("j", id).await;
    assert_eq!((d.status.as_str(), node_status(&d, "after").as_str()), ("running-exception", "waiting"));
    act_node(&t, "j", id, "b", NodeAction::Succeed).await.unwrap();
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "success");
    assert_eq!(node_status(&d, "b"), "success");
    assert_eq!(node_status(&d, "after"), "success");
}

/// Waits until node `node` of instance `id` of job `j` is `status`.
async fn wait_node(t: &TestEngine, id: i64, node: &str, status: &str) {
    let deadline = Instant::now() + SECONDS_20;
    while node_status(&t.show("j", id).await, node) != status {
        assert!(Instant::now() < deadline, "node {node} never became {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_node_that_is_not_suspend_cannot_be_retried() {
    let t = TestEngine::start().await;
    t.create(&job("j", vec![with(shell("bad", "exit 1", &[]), "failPolicy", json!("FAIL"))])).await;
    let id = t.run("j", &[]).await;
    assert_eq!(t.finished("j", id).await.status, "fail");
    assert_refused(act_node(&t, "j", id, "bad", NodeAction::Retry).await, "only while its instance runs");
    assert_refused(act_node(&t, "j", id, "nope", NodeAction::Retry).await, "no node 'nope'");
    assert_eq!(t.show("j", id).await.status, "fail");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn succeed_marks_failed_and_abnormal_instances_force_success() {
    let t = TestEngine::start().await;
    t.create(&job("f", vec![shell("bad", "exit 1", &[])])).await;
    let failed = t.run("f", &[]).await;
    assert_eq!(t.finished("f", failed).await.status, "fail");
    act(&t, "f", failed, InstanceAction::Succeed).await.unwrap();
    let d = t.show("f", failed).await;
    assert_eq!((d.status.as_str(), d.force_success), ("forceSuccess", true));
    assert_refused(act(&t, "f", failed, InstanceAction::Succeed).await, "instance is forceSuccess");

    t.create(&job("ok", vec![node("a", "Dummy", &[])])).await;
    let ok = t.run("ok", &[]).await;
    assert_eq!(t.finished("ok", ok).await.status, "success");
    assert_refused(act(&t, "ok", ok, InstanceAction::Succeed).await, "instance is success; cannot mark it successful");
    assert_eq!(t.show("ok", ok).await.status, "success");

    // An abnormal instance: what still runs is stopped, what waits is canceled.
    t.create(&job("s", vec![flaky("bad", &[]), node("after", "Dummy", &["bad"]), shell("slow", "sleep 30", &[])]))
        .await;
    let s = t.run("s", &[]).await;
    t.wait_for("s", s, &["running-exception"], SECONDS_20).await;
    let started = Instant::now();
    act(&t, "s", s, InstanceAction::Succeed).await.unwrap();
    let d = t.show("s", s).await;
    assert_eq!(d.status, "forceSuccess");
    assert!(started.elapsed() < Duration::from_secs(10), "the sleeping node was stopped");
    assert_eq!((node_status(&d, "after"), node_status(&d, "slow")), ("manual-stop".into(), "manual-stop".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_node_is_not_started_until_resumed() {
    let t = TestEngine::start().await;
    t.create(&job("j", vec![shell("a", "sleep 1", &[]), node("b", "Dummy", &["a"]), node("c", "Dummy", &["b"])])).await;
    let id = t.run("j", &[]).await;
    t.wait_for("j", id, &["running"], SECONDS_20).await;
    act_node(&t, "j", id, "b", NodeAction::Pause).await.unwrap();
    assert_refused(act_node(&t, "j", id, "b", NodeAction::Pause).await, "node is pause; cannot pause it");
    // `a` ends; `b` and its descendant stay where they are, the instance keeps running.
    wait_node(&t, id, "a", "success").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let d = t.show("j", id).await;
    assert_eq!(d.status, "running");
    assert_eq!((node_status(&d, "b"), node_status(&d, "c")), ("pause".into(), "waiting".into()));
    assert_refused(act_node(&t, "j", id, "a", NodeAction::Pause).await, "node is success; cannot pause it");
    act_node(&t, "j", id, "b", NodeAction::Resume).await.unwrap();
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "success");
    assert_eq!((node_status(&d, "b"), node_status(&d, "c")), ("success".into(), "success".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skipped_node_is_skipped_while_the_rest_run() {
    let t = TestEngine::start().await;
    t.create(&job(
        "j",
        vec![
            shell("a", "sleep 1", &[]),
            with(shell("b", "exit 1", &["a"]), "failPolicy", json!("FAIL")),
            node("c", "Dummy", &["b"]),
        ],
    ))
    .await;
    let id = t.run("j", &[]).await;
    t.wait_for("j", id, &["running"], SECONDS_20).await;
    act_node(&t, "j", id, "b", NodeAction::Skip).await.unwrap();
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "success");
    let statuses: Vec<String> = ["a", "b", "c"].iter().map(|n| node_status(&d, n)).collect();
    assert_eq!(statuses, ["success", "skip", "success"]);

    t.create(&job("single", vec![shell("only", "sleep 2", &[])])).await;
    let single = t.run("single", &[]).await;
    t.wait_for("single", single, &["running"], SECONDS_20).await;
    assert_refused(act_node(&t, "single", single, "only", NodeAction::Skip).await, "single-node job");
    assert_eq!(t.finished("single", single).await.status, "success");
}

fn every_second(name: &str, node_type: &str) -> serde_json::Value {
    json!({
        "name": name,
        "processType": "BATCH",
        "schedule": {"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+00", "expression": "* * * * * ?"}},
        "nodes": [node("n", node_type, &[])],
    })
}

/// Instances of `job` as (id, status, planTime), newest first.
async fn instances(t: &TestEngine, job: &str) -> Vec<(i64, String, i64)> {
    let q = dlf_engine::InstanceListQuery {
        job_name: Some(job.into()),
        precise_query: Some(true),
        limit: Some(1000),
        ..Default::default()
    };
    let list = t.engine.list_instances(&t.tenant, &q).await.unwrap();
    list.instances.into_iter().map(|i| (i.instance_id, i.status, i.plan_time)).collect()
}

/// A downstream job `down` whose instances wait behind the failed instances of `up` (its
/// dependency policy is SUSPEND); returns the id and plan time of one waiting `down` instance.
async fn waiting_downstream(t: &TestEngine) -> (i64, i64) {
    t.create(&every_second("up", "HiveSQL")).await;
    let mut down = every_second("down", "Dummy");
    down["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["up"], "dependFailPolicy": "SUSPEND"});
    t.create(&down).await;
    t.engine.start_job(&t.tenant, &t.caller, "up", &Default::default()).await.unwrap();
    t.engine.start_job(&t.tenant, &t.caller, "down", &Default::default()).await.unwrap();
    let deadline = Instant::now() + SECONDS_20;
    loop {
        let ups = instances(t, "up").await;
        if let Some(w) = instances(t, "down")
            .await
            .into_iter()
            .rev()
            .find(|i| i.1 == "waiting" && ups.iter().any(|u| u.1 == "fail" && u.2 > i.2))
        {
            // Stop creating more: the waiting instances stay (StopJob cancels only what it owns).
            return (w.0, w.2);
        }
        assert!(Instant::now() < deadline, "no waiting downstream instance");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn status_of(t: &TestEngine, job: &str, id: i64) -> String {
    t.show(job, id).await.status
}

async fn wait_status(t: &TestEngine, job: &str, id: i64, want: &str) {
    t.wait_for(job, id, &[want], SECONDS_20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn freeze_holds_a_waiting_instance_and_unfreeze_lets_it_wait_again() {
    let t = TestEngine::start().await;
    let (id, _) = waiting_downstream(&t).await;
    assert_refused(act(&t, "down", id, InstanceAction::Unfreeze).await, "instance is waiting; cannot unfreeze it");
    act(&t, "down", id, InstanceAction::Freeze).await.unwrap();
    assert_eq!(status_of(&t, "down", id).await, "freeze");
    assert_refused(act(&t, "down", id, InstanceAction::IgnoreDependencies).await, "only a waiting instance");
    // Frozen, it does not run even without its dependencies.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(status_of(&t, "down", id).await, "freeze");
    act(&t, "down", id, InstanceAction::Unfreeze).await.unwrap();
    assert_eq!(status_of(&t, "down", id).await, "waiting");
    act(&t, "down", id, InstanceAction::IgnoreDependencies).await.unwrap();
    wait_status(&t, "down", id, "success").await;
    assert_refused(act(&t, "down", id, InstanceAction::Freeze).await, "instance is success; cannot freeze it");
    t.engine.stop_job(&t.tenant, "down").await.unwrap();
    t.engine.stop_job(&t.tenant, "up").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_the_failed_upstream_instance_lets_the_downstream_run() {
    let t = TestEngine::start().await;
    let (id, plan) = waiting_downstream(&t).await;
    let near: Vec<i64> =
        instances(&t, "up").await.into_iter().filter(|u| (u.2 - plan).abs() <= 1000).map(|u| u.0).collect();
    assert!(!near.is_empty());
    // Not an upstream of it: refused, nothing changed.
    let remove = |job: &str, up: i64| InstanceAction::RemoveDependency { job_name: job.into(), instance_id: up };
    assert_refused(act(&t, "down", id, remove("down", near[0])).await, "does not depend on the job down");
    assert_refused(act(&t, "down", id, remove("up", 999_999)).await, "has no instance 999999");
    assert_eq!(status_of(&t, "down", id).await, "waiting");
    for up in near {
        act(&t, "down", id, remove("up", up)).await.unwrap();
    }
    wait_status(&t, "down", id, "success").await;
    assert_refused(act(&t, "down", id, remove("up", 1)).await, "only a waiting instance");
    t.engine.stop_job(&t.tenant, "down").await.unwrap();
    t.engine.stop_job(&t.tenant, "up").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerun_from_first_node_a_named_node_and_with_latest_params() {
    let t = TestEngine::start().await;
    let mut doc = job(
        "j",
        vec![
            shell("a", "echo a >> runs.txt", &[]),
            shell("b", "echo b >> runs.txt; echo ${p} > p.txt", &["a"]),
            shell("c", "echo c >> runs.txt", &["b"]),
        ],
    );
    doc["params"] = json!([{"name": "p", "value": "default", "type": "variable"}]);
    t.create(&doc).await;
    let id = t.run("j", &[("p", "override")]).await;
    assert_eq!(t.finished("j", id).await.status, "success");
    let work = t.engine.config().nodes.work_dir(id);
    let read = |f: &str| std::fs::read_to_string(work.join(f)).unwrap_or_default();
    assert_eq!(read("runs.txt"), "a\nb\nc\n");
    assert_eq!(read("p.txt"), "override\n");

    let rerun = |from: RerunFrom, use_latest_params: bool| {
        let options = RerunOptions { from, use_latest_params };
        let t = &t;
        async move { t.engine.rerun_instance(&t.tenant, "j", &id.to_string(), &options).await }
    };
    rerun(RerunFrom::Node("b".into()), false).await.unwrap();
    assert_eq!(t.finished("j", id).await.status, "success");
    assert_eq!(read("runs.txt"), "a\nb\nc\nb\nc\n", "from b: b and its descendants");
    assert_eq!(read("p.txt"), "override\n", "the instance's parameters are kept by default");

    rerun(RerunFrom::FirstNode, true).await.unwrap();
    assert_eq!(t.finished("j", id).await.status, "success");
    assert_eq!(read("runs.txt"), "a\nb\nc\nb\nc\na\nb\nc\n", "from the first node: everything");
    assert_eq!(read("p.txt"), "default\n", "useLatestParams: the job's own parameters");

    let e = rerun(RerunFrom::Node("nope".into()), false).await.unwrap_err();
    assert_eq!(e.code.code(), "DLF.3051");
    assert!(e.to_string().contains("nope"), "{e}");
    assert_eq!(t.show("j", id).await.status, "success", "a refused rerun changes nothing");
}
