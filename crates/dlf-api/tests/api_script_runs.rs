//! S6–S8 through the router with Shell and Python scripts on the built-in `local` host: a run's
//! statuses, its output as rows, `${}` parameters, failure, cancel, and the errors of the
//! catalogue. (SQL scripts are covered against real databases in dlf-engine's SQL suites.)

mod common;

use common::{TestServer, body, v1};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn script(s: &TestServer, name: &str, script_type: &str, content: &str) {
    let info = json!({"name": name, "type": script_type, "content": content});
    let reply = s.call("POST", &v1("/scripts"), &body(&info)).await;
    assert_eq!(reply.status, 204, "{}", String::from_utf8_lossy(&reply.body));
}

async fn execute(s: &TestServer, name: &str, request: &[u8]) -> String {
    let reply = s.call("POST", &v1(&format!("/scripts/{name}/execute")), request).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()["instanceId"].as_str().expect("instanceId").to_string()
}

async fn results(s: &TestServer, name: &str, id: &str) -> Value {
    let reply = s.call("GET", &v1(&format!("/scripts/{name}/instances/{id}")), b"").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn until_ended(s: &TestServer, name: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = results(s, name, id).await;
        if matches!(r["status"].as_str(), Some("FINISHED" | "FAILED")) {
            return r;
        }
        assert!(Instant::now() < deadline, "the run did not end: {r}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn lines(result: &Value) -> Vec<String> {
    result["rows"].as_array().unwrap().iter().map(|row| row[0].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_shell_script_runs_with_its_parameters_and_its_output_is_the_result() {
    let s = TestServer::start().await;
    script(&s, "greet", "Shell", "echo \"hello ${who}\"; echo 'kept: ${unknown}'; echo to-stderr >&2").await;
    let id = execute(&s, "greet", br#"{"params": {"who": "world"}}"#).await;
    let r = until_ended(&s, "greet", &id).await;
    assert_eq!(r["status"], "FINISHED", "{r}");
    assert!(r.get("message").is_none(), "{r}");
    let result = &r["results"][0];
    // stdout in its order; stderr's line among them (two pipes: their interleaving is the OS's).
    let got = lines(result);
    let stdout: Vec<&String> = got.iter().filter(|l| *l != "to-stderr").collect();
    assert_eq!(stdout, ["hello world", "kept: ${unknown}"], "{r}");
    assert!(got.iter().any(|l| l == "to-stderr"), "{r}");
    assert_eq!(result["rowCount"], 3);
    assert_eq!(result["schema"], json!([{"output": "string"}]));
    assert!(result["duration"].as_f64().unwrap() >= 0.0);
    // Every documented body shape: none, `{}`.
    for request in [&b""[..], b"{}"] {
        let id = execute(&s, "greet", request).await;
        assert_eq!(until_ended(&s, "greet", &id).await["status"], "FINISHED");
    }
}

#[tokio::test]
async fn a_python_script_runs_and_a_failing_script_says_why() {
    let s = TestServer::start().await;
    script(&s, "py", "PYTHON", "import sys\nprint(sum(range(${n})))\n").await;
    let id = execute(&s, "py", br#"{"params": {"n": "5"}}"#).await;
    let r = until_ended(&s, "py", &id).await;
    assert_eq!((r["status"].as_str(), lines(&r["results"][0])), (Some("FINISHED"), vec!["10".to_string()]), "{r}");

    script(&s, "broken", "Shell", "echo before; exit 7").await;
    let id = execute(&s, "broken", b"").await;
    let r = until_ended(&s, "broken", &id).await;
    assert_eq!(r["status"], "FAILED");
    assert!(r["message"].as_str().unwrap().contains('7'), "the exit code is named: {r}");
    assert_eq!(lines(&r["results"][0]), ["before"], "the output up to the failure is kept");
}

#[tokio::test]
async fn a_script_type_without_a_runner_fails_its_run_clearly() {
    let s = TestServer::start().await;
    let info = json!({"name": "dli", "type": "DLISQL", "content": "SELECT 1", "connectionName": "dli_conn"});
    assert_eq!(s.call("POST", &v1("/scripts"), &body(&info)).await.status, 204);
    let id = execute(&s, "dli", b"").await;
    let r = until_ended(&s, "dli", &id).await;
    assert_eq!(r["status"], "FAILED");
    assert_eq!(r["message"], "script type DLISQL is not supported by this server");
}

#[tokio::test]
async fn cancel_stops_the_work_and_the_run_fails_as_canceled() {
    let s = TestServer::start().await;
    let marker = s.dir.path().join("still-running");
    script(&s, "slow", "Shell", &format!("echo started; sleep 30; touch '{}'", marker.display())).await;
    let id = execute(&s, "slow", b"").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while results(&s, "slow", &id).await["status"] != "RUNNING" {
        assert!(Instant::now() < deadline, "the run never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stopped = Instant::now();
    let reply = s.call("POST", &v1(&format!("/scripts/slow/instances/{id}/stop")), b"").await;
    assert_eq!(reply.status, 204, "{}", String::from_utf8_lossy(&reply.body));
    let r = until_ended(&s, "slow", &id).await;
    assert!(stopped.elapsed() < Duration::from_secs(5), "the cancel took {:?}", stopped.elapsed());
    assert_eq!((r["status"].as_str(), r["message"].as_str()), (Some("FAILED"), Some("Canceled.")), "{r}");
    // Cancelling an ended run changes nothing.
    assert_eq!(s.call("POST", &v1(&format!("/scripts/slow/instances/{id}/stop")), b"").await.status, 204);
    assert_eq!(results(&s, "slow", &id).await, r);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!marker.exists(), "the script went on after the cancel");
}

#[tokio::test]
async fn unknown_scripts_and_runs_are_the_catalogue_errors_and_bad_bodies_start_nothing() {
    let s = TestServer::start().await;
    s.call("POST", &v1("/scripts/nothing/execute"), b"").await.assert_error(400, "DLF.6201");
    s.call("GET", &v1("/scripts/nothing/instances/x"), b"").await.assert_error(400, "DLF.6201");
    s.call("POST", &v1("/scripts/nothing/instances/x/stop"), b"").await.assert_error(400, "DLF.6201");
    script(&s, "a", "Shell", "echo a").await;
    script(&s, "b", "Shell", "echo b").await;
    s.call("GET", &v1("/scripts/a/instances/no-such-run"), b"").await.assert_error(400, "DLF.6205");
    s.call("POST", &v1("/scripts/a/instances/no-such-run/stop"), b"").await.assert_error(400, "DLF.6205");
    let id = execute(&s, "a", b"").await;
    s.call("GET", &v1(&format!("/scripts/b/instances/{id}")), b"").await.assert_error(400, "DLF.6205");
    s.call("POST", &v1("/scripts/a/execute"), br#"{"params": ["x"]}"#).await.assert_error(400, "DLF.3051");
    s.call("POST", &v1("/scripts/a/execute"), b"not json").await.assert_error(400, "DLF.3051");
}
