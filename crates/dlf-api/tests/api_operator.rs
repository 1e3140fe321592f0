//! The operator action extensions (JOBS.md §5.8) and RestoreJobInstance's rerun options (§5.9)
//! through the router: the routes, their bodies and query parameters, and the errors they answer.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn x(rest: &str) -> String {
    format!("/x/v1/{PROJECT}{rest}")
}

/// Runs job `name` once and waits until the instance has ended; its id.
async fn ran(s: &TestServer, name: &str) -> i64 {
    let id = s.call("POST", &v1(&format!("/jobs/{name}/run-immediate")), b"{}").await.json()["instanceId"]
        .as_i64()
        .expect("instance id");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = instance(s, name, id).await["status"].as_str().unwrap().to_string();
        if ["success", "fail"].contains(&status.as_str()) {
            return id;
        }
        assert!(Instant::now() < deadline, "instance {id} is {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn instance(s: &TestServer, name: &str, id: i64) -> Value {
    s.call("GET", &v1(&format!("/jobs/{name}/instances/{id}")), b"").await.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_actions_answer_204_or_dlf_3051_and_unknown_ones_404() {
    let s = TestServer::start().await;
    s.call("POST", &v1("/jobs"), &body(&job("j", json!([dummy("a", &[]), dummy("b", &["a"])])))).await;
    let id = ran(&s, "j").await;
    let path = |action: &str| x(&format!("/jobs/j/instances/{id}/{action}"));
    for action in ["succeed", "continue", "retry", "freeze", "unfreeze", "ignore-dependencies"] {
        let message = s.call("POST", &path(action), b"").await.assert_error(400, "DLF.3051");
        assert!(message.contains("instance is success"), "{action}: {message}");
    }
    let message = s.call("POST", &path("remove-dependency"), b"{}").await.assert_error(400, "DLF.3051");
    assert!(message.contains("jobName"), "{message}");
    let message = s
        .call("POST", &path("remove-dependency"), &body(&json!({"jobName": "up", "instanceId": 1})))
        .await
        .assert_error(400, "DLF.3051");
    assert!(message.contains("only a waiting instance"), "{message}");
    s.call("POST", &path("explode"), b"").await.assert_error(404, "APIGW.0101");
    s.call("POST", &x("/jobs/j/instances/424242/freeze"), b"").await.assert_error(400, "DLF.0137");
    s.call("POST", &x(&format!("/jobs/nope/instances/{id}/freeze")), b"").await.assert_error(400, "DLF.0100");
    for action in ["succeed", "retry", "skip", "pause", "resume"] {
        let message = s.call("POST", &path(&format!("nodes/a/{action}")), b"").await.assert_error(400, "DLF.3051");
        assert!(message.contains("only while its instance runs"), "{action}: {message}");
    }
    let message = s.call("POST", &path("nodes/zz/pause"), b"").await.assert_error(400, "DLF.3051");
    assert!(message.contains("no node 'zz'"), "{message}");
    s.call("POST", &path("nodes/a/explode"), b"").await.assert_error(404, "APIGW.0101");
    assert_eq!(instance(&s, "j", id).await["status"], "success", "refusals changed nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn succeed_through_the_router_marks_a_failed_instance_force_success() {
    let s = TestServer::start().await;
    let failing = json!({"name": "bad", "type": "HiveSQL", "location": {"x": "0", "y": "0"},
                         "properties": [{"name": "scriptName", "value": "s"}]});
    s.call("POST", &v1("/jobs"), &body(&job("f", json!([failing])))).await;
    let id = ran(&s, "f").await;
    let reply = s.call("POST", &x(&format!("/jobs/f/instances/{id}/succeed")), b"").await;
    assert_eq!(reply.status, 204, "{}", String::from_utf8_lossy(&reply.body));
    let shown = instance(&s, "f", id).await;
    assert_eq!((shown["status"].as_str(), shown["forceSuccess"].as_bool()), (Some("forceSuccess"), Some(true)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_reads_rerun_from_in_the_query_and_the_body() {
    let s = TestServer::start().await;
    s.call("POST", &v1("/jobs"), &body(&job("j", json!([dummy("a", &[]), dummy("b", &["a"])])))).await;
    let id = ran(&s, "j").await;
    let restart = v1(&format!("/jobs/j/instances/{id}/restart"));
    let message = s.call("POST", &format!("{restart}?rerunFrom=nope"), b"").await.assert_error(400, "DLF.3051");
    assert!(message.contains("'nope'"), "{message}");
    let message = s.call("POST", &restart, &body(&json!({"rerunFrom": "nope2"}))).await.assert_error(400, "DLF.3051");
    assert!(message.contains("'nope2'"), "{message}");
    s.call("POST", &format!("{restart}?useLatestParams=maybe"), b"").await.assert_error(400, "DLF.3051");
    s.call("POST", &restart, &body(&json!({"rerunFrom": 3}))).await.assert_error(400, "DLF.3051");
    assert_eq!(instance(&s, "j", id).await["status"], "success", "refusals changed nothing");
    let reply = s.call("POST", &format!("{restart}?rerunFrom=FIRST_NODE&useLatestParams=true"), b"").await;
    assert_eq!(reply.status, 204, "{}", String::from_utf8_lossy(&reply.body));
}
