//! SubJob and For Each end to end (JOBS.md §3.2): children are instances of type 6 with the
//! parent's plan time and the parameters the parent passed, their end is the node's, a stop
//! reaches them, a job that would run itself is refused when saved, the 1,000-row cap holds,
//! `concurrent` bounds the children, and a parent resumed after a crash finds its children again.

mod support;

use dlf_core::model::{InstanceStatus, InstanceType, NodeStatus};
use dlf_store::{ChildLink, InstanceCommit, NewChild, NewInstance};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::*;

fn prop_node(name: &str, node_type: &str, upstream: &[&str], props: &[(&str, &str)]) -> Value {
    json!({"name": name, "type": node_type, "location": {"x": "0", "y": "0"}, "preNodeName": upstream,
           "properties": props.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>()})
}

fn subjob(name: &str, child: &str, params: &str) -> Value {
    prop_node(name, "SubJob", &[], &[("subJobName", child), ("jobParams", params)])
}

fn for_each(name: &str, child: &str, dataset: &str, params: &str, concurrent: &str) -> Value {
    prop_node(
        name,
        "ForEach",
        &[],
        &[("subJobName", child), ("dataset", dataset), ("jobParams", params), ("concurrent", concurrent)],
    )
}

/// A child job: one Shell node, and a parameter `x` with its own value.
fn child_job(name: &str, statement: &str) -> Value {
    with(job(name, vec![shell("work", statement, &[])]), "params", json!([{"name": "x", "value": "own"}]))
}

/// The children of an instance, oldest first.
async fn children(t: &TestEngine, parent: i64) -> Vec<(dlf_store::InstanceRecord, ChildLink)> {
    t.engine.instance_children(&t.tenant, &parent.to_string()).await.unwrap()
}

async fn node_output(t: &TestEngine, instance: i64, node: &str) -> String {
    let rows = t.engine.store().node_instances(instance).await.unwrap();
    rows.into_iter().find(|r| r.node_name == node).and_then(|r| r.output).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subjob_child_runs_with_the_parameters_the_parent_passed() {
    let t = TestEngine::start().await;
    t.create(&child_job("child", "echo got=${x}")).await;
    let parent = with(
        job("parent", vec![subjob("call", "child", "x=${p}-1")]),
        "params",
        json!([{"name": "p", "value": "hello"}]),
    );
    t.create(&parent).await;
    let id = t.run("parent", &[]).await;
    let done = t.finished("parent", id).await;
    assert_eq!(done.status, "success", "{done:?}");
    let kids = children(&t, id).await;
    assert_eq!(kids.len(), 1);
    let (child, link) = &kids[0];
    assert_eq!(child.instance_type, InstanceType::SubJob);
    assert_eq!(child.plan_ms, done.plan_time, "the child runs at the parent's plan time");
    assert_eq!((link.parent_instance_id, link.parent_node.as_str()), (id, "call"));
    assert!(node_output(&t, child.id, "work").await.contains("got=hello-1"));
    // ListJobInstances shows the child as an instance of its job, linked to its parent.
    let q = dlf_engine::InstanceListQuery {
        job_name: Some("child".into()),
        precise_query: Some(true),
        min_plan_time: Some(done.plan_time - 1),
        max_plan_time: Some(done.plan_time + 1),
        ..Default::default()
    };
    let list = t.engine.list_instances(&t.tenant, &q).await.unwrap();
    assert_eq!(list.instances.len(), 1);
    let item = &list.instances[0];
    assert_eq!((item.instance_type, item.parent_instance_id, item.status.as_str()), (6, Some(id), "success"));
    assert_eq!(item.parent_node_name.as_deref(), Some("call"));

    // Without jobParams the child keeps its own values.
    t.update(&job("parent", vec![subjob("call", "child", "")])).await;
    let id = t.run("parent", &[]).await;
    assert_eq!(t.finished("parent", id).await.status, "success");
    let kids = children(&t, id).await;
    assert!(node_output(&t, kids[0].0.id, "work").await.contains("got=own"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn for_each_binds_loop_per_row_from_an_upstream_output() {
    let t = TestEngine::start().await;
    t.create(&child_job("row", "echo got=${x}")).await;
    let each = prop_node(
        "each",
        "ForEach",
        &["rows"],
        &[
            ("subJobName", "row"),
            ("dataset", "#{Job.getNodeOutput('rows')}"),
            ("jobParams", "x=#{Loop.current[0]}-#{Loop.offset}-#{Loop.dataArray[1][1]}"),
            ("instanceNameSuffix", "#{Loop.current[1]}"),
            ("concurrent", "2"),
        ],
    );
    t.create(&job("fan", vec![shell("rows", r#"echo '[["a","x"],["b","y"]]'"#, &[]), each])).await;
    let id = t.run("fan", &[]).await;
    let done = t.finished("fan", id).await;
    assert_eq!(done.status, "success", "{done:?}");
    let kids = children(&t, id).await;
    let names: Vec<&str> = kids.iter().map(|(_, l)| l.instance_name.as_str()).collect();
    assert_eq!(names, ["each_x", "each_y"]);
    assert!(node_output(&t, kids[0].0.id, "work").await.contains("got=a-0-y"));
    assert!(node_output(&t, kids[1].0.id, "work").await.contains("got=b-1-y"));

    // An empty dataset succeeds without children.
    t.update(&job("fan", vec![for_each("each", "row", "[]", "", "1")])).await;
    let id = t.run("fan", &[]).await;
    assert_eq!(t.finished("fan", id).await.status, "success");
    assert!(children(&t, id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_child_fails_the_parent() {
    let t = TestEngine::start().await;
    t.create(&child_job("bad", "exit 3")).await;
    t.create(&job("parent", vec![subjob("call", "bad", "")])).await;
    let id = t.run("parent", &[]).await;
    let done = t.finished("parent", id).await;
    assert_eq!(done.status, "fail");
    assert_eq!(node_status(&done, "call"), "fail");
    let kids = children(&t, id).await;
    assert_eq!(kids[0].0.status, InstanceStatus::Fail);
    let message = done.error_message.unwrap_or_default();
    assert!(message.contains(&kids[0].0.id.to_string()) && message.contains("fail"), "{message}");

    // For Each: the failing row stops new children; the rows already running finish.
    t.create(&child_job("maybe", "sleep 0.3; [ \"${x}\" != 2 ]")).await;
    t.create(&job("fan", vec![for_each("each", "maybe", "[[1],[2],[3],[4],[5],[6]]", "x=#{Loop.current[0]}", "2")]))
        .await;
    let id = t.run("fan", &[]).await;
    assert_eq!(t.finished("fan", id).await.status, "fail");
    let kids = children(&t, id).await;
    assert!(kids.len() < 6, "no new child after the failure: {}", kids.len());
    assert!(kids.iter().all(|(i, _)| i.status.is_terminal()), "the running ones were waited for");

    // A subJobName that names no job fails the node when it runs.
    t.create(&job("lost", vec![subjob("call", "nowhere", "")])).await;
    let id = t.run("lost", &[]).await;
    let done = t.finished("lost", id).await;
    assert_eq!(done.status, "fail");
    assert!(done.error_message.unwrap_or_default().contains("nowhere"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_parent_stops_every_child_within_two_seconds() {
    let t = TestEngine::start().await;
    t.create(&child_job("slow", "sleep 60")).await;
    t.create(&job("fan", vec![for_each("each", "slow", "[[1],[2],[3]]", "", "3")])).await;
    let id = t.run("fan", &[]).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let kids = children(&t, id).await;
        if kids.len() == 3 && kids.iter().all(|(i, _)| i.status == InstanceStatus::Running) {
            break;
        }
        assert!(Instant::now() < deadline, "the children did not all start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stopped_at = Instant::now();
    t.engine.stop_instance(&t.tenant, "fan", &id.to_string()).await.unwrap();
    loop {
        let kids = children(&t, id).await;
        if kids.iter().all(|(i, _)| i.status == InstanceStatus::ManualStop) {
            break;
        }
        assert!(stopped_at.elapsed() < Duration::from_secs(2), "children still running 2 s after the stop: {kids:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(t.show("fan", id).await.status, "manual-stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_would_run_itself_is_refused_at_save_time() {
    let t = TestEngine::start().await;
    let save = |doc: Value| {
        let engine = t.engine.clone();
        let (tenant, caller) = (t.tenant.clone(), t.caller.clone());
        async move { engine.create_job(&tenant, &caller, &serde_json::to_vec(&doc).unwrap()).await }
    };
    let err = save(job("selfish", vec![subjob("me", "selfish", "")])).await.unwrap_err();
    assert_eq!(err.code.code(), "DLF.3051");
    assert!(err.message.contains("selfish -> selfish"), "{}", err.message);
    assert!(t.engine.show_job(&t.tenant, "selfish", &Default::default()).await.is_err(), "nothing was saved");

    // A -> B -> A: B may name A before A exists; A naming B is then refused.
    t.create(&job("b", vec![for_each("each", "a", "[[1]]", "", "1")])).await;
    let err = save(job("a", vec![subjob("call", "b", "")])).await.unwrap_err();
    assert!(err.message.contains("a -> b -> a"), "{}", err.message);
    assert!(t.engine.show_job(&t.tenant, "a", &Default::default()).await.is_err());

    // An update that closes a loop changes nothing.
    t.create(&job("c", vec![shell("n", "true", &[])])).await;
    let before = t.engine.show_job(&t.tenant, "c", &Default::default()).await.unwrap();
    let doc = job("c", vec![subjob("call", "c", "")]);
    let err = t.engine.update_job(&t.tenant, &t.caller, "c", &serde_json::to_vec(&doc).unwrap()).await.unwrap_err();
    assert_eq!(err.code.code(), "DLF.3051");
    assert_eq!(t.engine.show_job(&t.tenant, "c", &Default::default()).await.unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_a_thousand_rows_fail_the_node_before_any_child() {
    let t = TestEngine::start().await;
    t.create(&child_job("row", "true")).await;
    let rows: Vec<String> = (0..1001).map(|i| format!("[{i}]")).collect();
    let dataset = format!("[{}]", rows.join(","));
    t.create(&job("big", vec![for_each("each", "row", &dataset, "x=#{Loop.current[0]}", "50")])).await;
    let id = t.run("big", &[]).await;
    let done = t.finished("big", id).await;
    assert_eq!(done.status, "fail");
    assert!(done.error_message.unwrap_or_default().contains("1000"), "the message names the cap");
    assert!(children(&t, id).await.is_empty(), "no child was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_bounds_the_running_children() {
    let t = TestEngine::start().await;
    t.create(&child_job("row", "sleep 0.4")).await;
    t.create(&job("fan", vec![for_each("each", "row", "[[1],[2],[3],[4],[5],[6]]", "", "2")])).await;
    let id = t.run("fan", &[]).await;
    assert_eq!(t.finished("fan", id).await.status, "success");
    let kids = children(&t, id).await;
    assert_eq!(kids.len(), 6);
    // The most children whose [start, end) overlap at any moment.
    let spans: Vec<(i64, i64)> = kids.iter().map(|(i, _)| (i.start_ms.unwrap(), i.end_ms.unwrap())).collect();
    let most = spans.iter().map(|(s, _)| spans.iter().filter(|(s2, e2)| s2 <= s && s < e2).count()).max().unwrap();
    assert_eq!(most, 2, "two at a time, never more: {spans:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_resumed_after_a_crash_finds_its_child_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = dlf_store::open(dir.path().join("dlf.db").to_str().unwrap()).await.unwrap();
    let mut config = dlf_engine::EngineConfig::new(dir.path().join("data"));
    config.kill_grace_ms = 300;
    let engine = dlf_engine::Engine::new(
        store.clone(),
        config,
        std::sync::Arc::new(dlf_engine::SystemClock),
        dlf_store::SecretBox::from_key(&[1; 32]),
    );
    let tenant = engine.resolve_tenant("proj", None).await.unwrap();
    let caller = dlf_engine::Caller::anonymous();
    for doc in [child_job("child", "echo got=${x}"), job("parent", vec![subjob("call", "child", "x=1")])] {
        engine.create_job(&tenant, &caller, &serde_json::to_vec(&doc).unwrap()).await.unwrap();
    }
    // What a server killed while the SubJob node waited leaves: the parent running, its node's
    // attempt 1 running under a dead epoch, and the child it had created, still waiting.
    let jobs = |name: &'static str| {
        let store = store.clone();
        let ws = tenant.workspace_id().to_string();
        async move { store.find_job(&ws, name).await.unwrap().unwrap() }
    };
    let (parent_job, child_job_rec) = (jobs("parent").await, jobs("child").await);
    let new =
        |job: &dlf_store::JobRecord, status: InstanceStatus, instance_type, nodes: Vec<(String, String)>| NewInstance {
            workspace_id: tenant.workspace_id().to_string(),
            job_id: job.id(),
            job_name: job.name().to_string(),
            instance_type,
            plan_ms: 1_000_000,
            status,
            version: 1,
            submit_ms: 1,
            created_ms: 1,
            params: None,
            ignore_depend: true,
            nodes,
        };
    let parent = store
        .insert_instance(&new(
            &parent_job,
            InstanceStatus::Running,
            InstanceType::Manual,
            vec![("call".into(), "SubJob".into())],
        ))
        .await
        .unwrap()
        .unwrap();
    let mut row = store.node_instances(parent.id).await.unwrap().remove(0);
    row.status = NodeStatus::Running;
    row.attempts = 1;
    row.start_ms = Some(1);
    row.runner_epoch = Some("a-dead-server".into());
    assert!(store.commit(&InstanceCommit { nodes: vec![row], ..Default::default() }).await.unwrap());
    let child = NewChild {
        instance: NewInstance {
            params: Some(r#"{"x":"before-the-crash"}"#.into()),
            ..new(&child_job_rec, InstanceStatus::Waiting, InstanceType::SubJob, vec![("work".into(), "Shell".into())])
        },
        link: ChildLink {
            instance_id: 0,
            parent_instance_id: parent.id,
            parent_node: "call".into(),
            parent_round: 1,
            parent_row: 0,
            instance_name: "child".into(),
        },
    };
    let first = store.insert_children(&[child]).await.unwrap().remove(0).0;

    let _runtime = engine.start().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let done = loop {
        let i = store.find_instance(parent.id).await.unwrap().unwrap();
        if i.status.is_terminal() {
            break i;
        }
        assert!(Instant::now() < deadline, "the parent did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(done.status, InstanceStatus::Success, "{done:?}");
    let kids = store.children_of(parent.id).await.unwrap();
    assert_eq!(kids.len(), 1, "no second child");
    assert_eq!(kids[0].0.id, first.id);
    let out = store.node_instances(first.id).await.unwrap().remove(0).output.unwrap_or_default();
    assert!(out.contains("got=before-the-crash"), "{out}");
    let call = store.node_instances(parent.id).await.unwrap().remove(0);
    assert_eq!((call.status, call.attempts, call.interrupted), (NodeStatus::Success, 2, 1), "no retry was spent");
}
