//! Failure policies, conditions, dry runs and reruns, end to end through the engine (JOBS.md
//! §5.5–§5.9). A `HiveSQL` node stands for "a node that fails": dlf has no runner for it, so it
//! fails at once with a clear message (§3.1).

mod support;

use serde_json::json;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_ends_the_instance_and_cancels_the_rest() {
    let t = TestEngine::start().await;
    t.create(&job(
        "j",
        vec![
            node("a", "Dummy", &[]),
            with(node("bad", "HiveSQL", &["a"]), "failPolicy", json!("FAIL")),
            node("after", "Dummy", &["bad"]),
        ],
    ))
    .await;
    let id = t.run("j", &[]).await;
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "fail");
    assert_eq!(node_status(&d, "a"), "success");
    assert_eq!(node_status(&d, "bad"), "fail");
    assert_eq!(node_status(&d, "after"), "manual-stop");
    assert!(d.error_message.unwrap().contains("node type HiveSQL is not supported by this server"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_child_cancels_descendants_only() {
    let t = TestEngine::start().await;
    t.create(&job(
        "j",
        vec![
            with(node("bad", "HiveSQL", &[]), "failPolicy", json!("FAIL_CHILD")),
            node("child", "Dummy", &["bad"]),
            node("grandchild", "Dummy", &["child"]),
            node("independent", "Dummy", &[]),
        ],
    ))
    .await;
    let d = t.finished("j", t.run("j", &[]).await).await;
    assert_eq!(d.status, "fail");
    assert_eq!(node_status(&d, "child"), "manual-stop");
    assert_eq!(node_status(&d, "grandchild"), "manual-stop");
    assert_eq!(node_status(&d, "independent"), "success");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignore_lets_descendants_run_and_ends_ignore_success() {
    let t = TestEngine::start().await;
    let mut on_fail = node("on_fail", "Dummy", &["bad"]);
    on_fail["conditions"] = json!([{"preNodeName": "bad", "expression": "#{Job.getNodeStatus(\"bad\") == \"fail\" ? \"true\" : \"false\"}"}]);
    let mut on_success = node("on_success", "Dummy", &["bad"]);
    on_success["conditions"] =
        json!([{"preNodeName": "bad", "expression": "#{Job.getNodeStatus(\"bad\") == \"success\"}"}]);
    t.create(&job(
        "j",
        vec![
            with(node("bad", "HiveSQL", &[]), "failPolicy", json!("IGNORE")),
            on_fail,
            on_success,
            node("after_success", "Dummy", &["on_success"]),
        ],
    ))
    .await;
    let d = t.finished("j", t.run("j", &[]).await).await;
    assert_eq!(d.status, "ignoreSuccess");
    assert!(d.ignore_success);
    assert_eq!(node_status(&d, "on_fail"), "success", "the IF-on-failure branch ran");
    assert_eq!(node_status(&d, "on_success"), "skip");
    assert_eq!(node_status(&d, "after_success"), "skip", "a false condition skips what follows (SKIP_ALL)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_next_skips_only_the_guarded_node() {
    let t = TestEngine::start().await;
    let mut guarded = node("guarded", "Dummy", &["a"]);
    guarded["conditions"] = json!([{"preNodeName": "a", "expression": "false", "skipPolicy": "SKIP_NEXT"}]);
    t.create(&job("j", vec![node("a", "Dummy", &[]), guarded, node("after", "Dummy", &["guarded"])])).await;
    let d = t.finished("j", t.run("j", &[]).await).await;
    assert_eq!(d.status, "success");
    assert_eq!(node_status(&d, "guarded"), "skip");
    assert_eq!(node_status(&d, "after"), "success");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_parks_the_instance_in_running_exception() {
    let t = TestEngine::start().await;
    t.create(&job(
        "j",
        vec![
            with(node("bad", "HiveSQL", &[]), "failPolicy", json!("SUSPEND")),
            node("child", "Dummy", &["bad"]),
            node("independent", "Dummy", &[]),
        ],
    ))
    .await;
    let id = t.run("j", &[]).await;
    let d = t.wait_for("j", id, &["running-exception"], std::time::Duration::from_secs(10)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let d2 = t.show("j", id).await;
    assert_eq!(d2.status, "running-exception", "not terminal: {d:?}");
    assert_eq!(node_status(&d2, "child"), "waiting", "descendants wait");
    assert_eq!(node_status(&d2, "independent"), "success", "independent branches go on");
    t.engine.stop_instance(&t.tenant, "j", &id.to_string()).await.unwrap();
    let d3 = t.show("j", id).await;
    assert_eq!(d3.status, "manual-stop");
    assert_eq!(node_status(&d3, "child"), "manual-stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditions_see_run_parameters() {
    let t = TestEngine::start().await;
    let mut big = node("big", "Dummy", &["start"]);
    big["conditions"] = json!([{"preNodeName": "start", "expression": "#{${result} > 5 ? \"true\" : \"false\"}"}]);
    let mut small = node("small", "Dummy", &["start"]);
    small["conditions"] = json!([{"preNodeName": "start", "expression": "#{${result} <= 5}"}]);
    let doc = with(
        job("j", vec![node("start", "Dummy", &[]), big, small]),
        "params",
        json!([{"name": "result", "value": "1"}]),
    );
    t.create(&doc).await;
    let d = t.finished("j", t.run("j", &[("result", "9")]).await).await;
    assert_eq!(
        (node_status(&d, "big").as_str(), node_status(&d, "small").as_str()),
        ("success", "skip"),
        "the run's value wins"
    );
    let d = t.finished("j", t.run("j", &[]).await).await;
    assert_eq!(
        (node_status(&d, "big").as_str(), node_status(&d, "small").as_str()),
        ("skip", "success"),
        "the job's own value"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_job_parameter_fails_the_instance_with_its_message() {
    let t = TestEngine::start().await;
    let doc = with(
        job("j", vec![node("a", "Dummy", &[])]),
        "params",
        json!([{"name": "p", "value": "#{NoSuchThing.call()}"}]),
    );
    t.create(&doc).await;
    let d = t.finished("j", t.run("j", &[]).await).await;
    assert_eq!(d.status, "fail");
    assert!(d.error_message.as_deref().unwrap_or("").contains("job parameter p"), "{:?}", d.error_message);
    assert_eq!(node_status(&d, "a"), "manual-stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_jobs_succeed_without_executing() {
    let t = TestEngine::start().await;
    let doc = with(
        job("j", vec![node("hive", "HiveSQL", &[]), node("b", "Dummy", &["hive"])]),
        "emptyRunningJob",
        json!("1"),
    );
    t.create(&doc).await;
    let d = t.finished("j", t.run("j", &[]).await).await;
    assert_eq!(d.status, "success");
    assert_eq!(node_status(&d, "hive"), "success");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerun_after_a_fix_restarts_from_the_failed_node() {
    let t = TestEngine::start().await;
    t.create(&job("j", vec![node("a", "Dummy", &[]), node("b", "HiveSQL", &["a"]), node("c", "Dummy", &["b"])])).await;
    let id = t.run("j", &[]).await;
    let failed = t.finished("j", id).await;
    assert_eq!(failed.status, "fail");
    let a_end = failed.nodes.iter().find(|n| n.node_name == "a").unwrap().end_time;
    // Fix the job: b becomes a node that works (same node names).
    t.update(&job("j", vec![node("a", "Dummy", &[]), node("b", "Dummy", &["a"]), node("c", "Dummy", &["b"])])).await;
    t.engine.restart_instance(&t.tenant, "j", &id.to_string()).await.unwrap();
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "success");
    assert_eq!(d.instance_id, id, "same instance");
    assert_eq!(d.plan_time, failed.plan_time, "same plan time");
    assert_eq!(
        d.nodes.iter().find(|n| n.node_name == "a").unwrap().end_time,
        a_end,
        "a succeeded before and was not rerun"
    );
    assert!(t.engine.restart_instance(&t.tenant, "j", "999999").await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_once_schedules_then_stops() {
    let t = TestEngine::start().await;
    t.create(&job("once", vec![node("a", "Dummy", &[])])).await;
    t.engine.start_job(&t.tenant, &t.caller, "once", &Default::default()).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let list = t.engine.list_jobs(&t.tenant, &Default::default()).await.unwrap();
        let job = list.jobs.iter().find(|j| j.name == "once").unwrap();
        if job.status == "STOPPED" {
            assert_eq!(job.last_instance_status.as_deref(), Some("success"));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the EXECUTE_ONCE job did not return to STOPPED");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let q = dlf_engine::InstanceListQuery { job_name: Some("once".into()), ..Default::default() };
    let instances = t.engine.list_instances(&t.tenant, &q).await.unwrap();
    assert_eq!(instances.total, 1);
    assert_eq!(instances.instances[0].instance_type, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_an_ended_instance_is_refused() {
    let t = TestEngine::start().await;
    t.create(&job("j", vec![node("a", "Dummy", &[])])).await;
    let id = t.run("j", &[]).await;
    t.finished("j", id).await;
    let e = t.engine.stop_instance(&t.tenant, "j", &id.to_string()).await.unwrap_err();
    assert_eq!(e.code.code(), "DLF.3051");
    let e = t.engine.stop_instance(&t.tenant, "j", "12345").await.unwrap_err();
    assert_eq!(e.code.code(), "DLF.0137");
    let e = t.engine.stop_instance(&t.tenant, "nope", "1").await.unwrap_err();
    assert_eq!(e.code.code(), "DLF.0100");
}
