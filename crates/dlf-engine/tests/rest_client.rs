//! Rest Client (`RESTAPI`) and HTTP Trigger nodes end to end through the engine, against an
//! HTTP server started in the test on 127.0.0.1 (JOBS.md §3.2).

mod support;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::{any, get};
use dlf_engine::EngineConfig;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::*;

/// What the test server saw.
#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    polls: AtomicUsize,
    slow_started: tokio::sync::Notify,
}

async fn echo(State(seen): State<Arc<Seen>>, uri: Uri, headers: HeaderMap, body: Bytes) -> axum::Json<Value> {
    seen.requests.fetch_add(1, Ordering::SeqCst);
    let headers: serde_json::Map<String, Value> =
        headers.iter().map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or("")))).collect();
    axum::Json(json!({
        "query": uri.query().unwrap_or(""),
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
    }))
}

/// RUNNING for the first two polls, then DONE.
async fn status(State(seen): State<Arc<Seen>>) -> axum::Json<Value> {
    let n = seen.polls.fetch_add(1, Ordering::SeqCst) + 1;
    axum::Json(json!({"job": {"states": [{"state": if n >= 3 { "DONE" } else { "RUNNING" }}]}}))
}

async fn slow(State(seen): State<Arc<Seen>>) -> &'static str {
    seen.slow_started.notify_one();
    tokio::time::sleep(Duration::from_secs(60)).await;
    "late"
}

/// A server on 127.0.0.1:<free port>; its base URL.
async fn serve() -> (String, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let app = Router::new()
        .route("/echo", any(echo))
        .route("/status", get(status))
        .route("/failed", get(|| async { axum::Json(json!({"job": {"states": [{"state": "FAILED"}]}})) }))
        .route("/error", get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom: the database is gone") }))
        .route("/vars", get(|| async { axum::Json(json!({"cluster": {"id": "c-42"}, "items": [{"name": "first"}]})) }))
        .route("/slow", get(slow))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

fn rest(name: &str, props: &[(&str, &str)], upstream: &[&str]) -> Value {
    let properties: Vec<Value> = props.iter().map(|(k, v)| json!({"name": k, "value": v})).collect();
    json!({"name": name, "type": "RESTAPI", "location": {"x": "0", "y": "0"}, "preNodeName": upstream,
           "properties": properties})
}

fn trigger(name: &str, props: &[(&str, &str)]) -> Value {
    let properties: Vec<Value> = props.iter().map(|(k, v)| json!({"name": k, "value": v})).collect();
    json!({"name": name, "type": "HttpTrigger", "location": {"x": "0", "y": "0"}, "preNodeName": [],
           "properties": properties})
}

/// The stored row of node `name` of instance `id`.
async fn row(t: &TestEngine, id: i64, name: &str) -> dlf_store::NodeInstanceRecord {
    let rows = t.engine.store().node_instances(id).await.unwrap();
    rows.into_iter().find(|r| r.node_name == name).unwrap_or_else(|| panic!("no row for {name}"))
}

async fn log_of(t: &TestEngine, id: i64, name: &str) -> String {
    let path = row(t, id, name).await.log_path.expect("a log");
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_body_and_url_parameters_arrive_and_the_body_is_the_output() {
    let (base, _) = serve().await;
    let t = TestEngine::start().await;
    let url = format!("{base}/echo?fixed=1");
    t.create(&job(
        "j",
        vec![rest(
            "call",
            &[
                ("method", "POST"),
                ("url", &url),
                ("headers", "X-Trace=abc\nContent-Type=application/json\nAuthorization=Bearer s3cret-token"),
                ("body", "{\"k\": \"#{1+1}\"}"),
                ("urlParams", "q=a b&c\nday=${day}"),
            ],
            &[],
        )],
    ))
    .await;
    let id = t.run("j", &[("day", "2026-12-07")]).await;
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "success", "{d:?}");
    let output: Value = serde_json::from_str(&row(&t, id, "call").await.output.unwrap()).unwrap();
    assert_eq!(output["headers"]["x-trace"], "abc");
    assert_eq!(output["headers"]["authorization"], "Bearer s3cret-token");
    assert_eq!(output["body"], "{\"k\": \"2\"}", "the body is rendered and sent");
    assert_eq!(output["query"], "fixed=1&q=a+b%26c&day=2026-12-07", "urlParams are appended, encoded");
    let log = log_of(&t, id, "call").await;
    assert!(log.contains(&format!("POST {base}/echo?fixed=1&q=a+b%26c&day=2026-12-07")), "{log}");
    assert!(log.contains("HTTP 200 OK"), "{log}");
    assert!(log.contains("x-trace: abc") && log.contains("authorization: ******"), "{log}");
    assert!(!log.contains("s3cret"), "a secret header value reached the log: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_polls_until_a_success_flag_and_a_failure_flag_fails_it() {
    let (base, seen) = serve().await;
    let t = TestEngine::start().await;
    let check = |path: &str| {
        rest(
            "poll",
            &[
                ("method", "GET"),
                ("url", &format!("{base}{path}")),
                ("checkReturnValue", "YES"),
                ("propertyPath", "job.states[0].state"),
                ("successFlag", "DONE;SUCCEEDED"),
                ("failureFlag", "FAILED; KILLED"),
                ("checkInterval", "1"),
            ],
            &[],
        )
    };
    t.create(&job("ok", vec![check("/status")])).await;
    t.create(&job("bad", vec![check("/failed")])).await;
    let began = Instant::now();
    let d = t.finished("ok", t.run("ok", &[]).await).await;
    assert_eq!(d.status, "success", "{d:?}");
    assert_eq!(seen.polls.load(Ordering::SeqCst), 3, "requested until the flag matched");
    assert!(began.elapsed() >= Duration::from_secs(2), "one checkInterval between requests");
    let id = t.run("bad", &[]).await;
    let d = t.finished("bad", id).await;
    assert_eq!(d.status, "fail");
    let message = row(&t, id, "poll").await.error_message.unwrap();
    assert!(message.contains("job.states[0].state = FAILED, a failure flag"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_variables_reach_a_downstream_shell_node_below_passed_parameters() {
    let (base, _) = serve().await;
    let t = TestEngine::start().await;
    let mut doc = job(
        "j",
        vec![
            rest(
                "get",
                &[
                    ("method", "GET"),
                    ("url", &format!("{base}/vars")),
                    ("responseParams", "cid=cluster.id\nfirst=items[0].name"),
                ],
                &[],
            ),
            shell("use", "echo ${cid}/${first}/$cid", &["get"]),
        ],
    );
    doc["params"] = json!([{"name": "cid", "value": "own"}, {"name": "first", "value": "own"}]);
    t.create(&doc).await;
    let id = t.run("j", &[]).await;
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "success", "{d:?}");
    assert_eq!(row(&t, id, "use").await.output.as_deref(), Some("c-42/first/c-42\n"));
    // A value passed to the instance wins over the response (JOBS.md §6.3).
    let id = t.run("j", &[("first", "passed")]).await;
    t.finished("j", id).await;
    assert_eq!(row(&t, id, "use").await.output.as_deref(), Some("c-42/passed/c-42\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_2xx_answer_fails_with_its_status_and_body() {
    let (base, _) = serve().await;
    let t = TestEngine::start().await;
    t.create(&job("j", vec![rest("call", &[("method", "GET"), ("url", &format!("{base}/error"))], &[])])).await;
    let id = t.run("j", &[]).await;
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "fail");
    let message = row(&t, id, "call").await.error_message.unwrap();
    assert!(message.contains("HTTP 500") && message.contains("boom: the database is gone"), "{message}");
    let log = log_of(&t, id, "call").await;
    assert!(log.contains("HTTP 500 Internal Server Error") && log.contains("boom"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_and_disallowed_addresses_are_refused_before_any_connection() {
    let (base, seen) = serve().await;
    // Only 10.0.0.0/8 allowed: the test server on 127.0.0.1 is out of reach, even by name.
    let t = TestEngine::start_with(|c: &mut EngineConfig| {
        c.outbound = dlf_engine::runners::rest::outbound::OutboundPolicy::parse(&["10.0.0.0/8".into()]).unwrap();
    })
    .await;
    let by_name = base.replace("127.0.0.1", "localhost");
    t.create(&job(
        "meta",
        vec![rest("call", &[("method", "GET"), ("url", "http://169.254.169.254/latest/meta-data/")], &[])],
    ))
    .await;
    t.create(&job("local", vec![rest("call", &[("method", "GET"), ("url", &format!("{by_name}/echo"))], &[])])).await;
    let began = Instant::now();
    let id = t.run("meta", &[]).await;
    let d = t.finished("meta", id).await;
    assert_eq!(d.status, "fail");
    assert!(began.elapsed() < Duration::from_secs(5), "refused at once, not after a connect timeout");
    let message = row(&t, id, "call").await.error_message.unwrap();
    assert!(message.contains("169.254.169.254") && message.contains("rest_allowed_networks"), "{message}");
    let id = t.run("local", &[]).await;
    let d = t.finished("local", id).await;
    assert_eq!(d.status, "fail");
    let message = row(&t, id, "call").await.error_message.unwrap();
    assert!(message.contains("127.0.0.1") && message.contains("10.0.0.0/8"), "{message}");
    assert_eq!(seen.requests.load(Ordering::SeqCst), 0, "nothing reached the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_aborts_a_slow_request_at_once() {
    let (base, seen) = serve().await;
    let t = TestEngine::start().await;
    t.create(&job("j", vec![rest("call", &[("method", "GET"), ("url", &format!("{base}/slow"))], &[])])).await;
    let id = t.run("j", &[]).await;
    tokio::time::timeout(Duration::from_secs(10), seen.slow_started.notified()).await.expect("the request arrived");
    let began = Instant::now();
    t.engine.stop_instance(&t.tenant, "j", &id.to_string()).await.unwrap();
    let d = t.finished("j", id).await;
    assert!(began.elapsed() < Duration::from_secs(2), "stopped in {:?}", began.elapsed());
    assert_eq!(d.status, "manual-stop");
    assert_eq!(node_status(&d, "call"), "manual-stop");
    assert!(log_of(&t, id, "call").await.contains("the request was aborted"));
}

/// Waits until an HTTP Trigger node waits on `trigger`.
async fn until_waiting(t: &TestEngine, trigger: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while t.engine.http_triggers().waiting_instances(trigger).is_empty() {
        assert!(Instant::now() < deadline, "nothing waits on {trigger}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_fires_the_trigger_only_in_its_workspace_and_hands_on_its_body() {
    let t = TestEngine::start().await;
    t.create(&job(
        "j",
        vec![
            trigger("wait", &[("triggerId", "orders-ready")]),
            shell("after", "echo 'got #{Job.getNodeOutput(\"wait\")}'", &["wait"]),
        ],
    ))
    .await;
    let id = t.run("j", &[]).await;
    until_waiting(&t, "orders-ready").await;
    let other_ws = t.engine.create_workspace("proj", "other").await.unwrap();
    let other = t.engine.resolve_tenant("proj", Some(&other_ws.id)).await.unwrap();
    let e = t.engine.fire_http_trigger(&other, "orders-ready", None).await.unwrap_err();
    assert_eq!(e.code.code(), "DLF.3051", "{e}");
    assert!(e.message.contains("orders-ready"), "{e}");
    assert_eq!(t.show("j", id).await.status, "running", "another workspace cannot fire it");
    let fired = t.engine.fire_http_trigger(&t.tenant, "orders-ready", Some("batch 7".into())).await.unwrap();
    assert_eq!(fired, vec![id]);
    let d = t.finished("j", id).await;
    assert_eq!(d.status, "success", "{d:?}");
    assert_eq!(row(&t, id, "after").await.output.as_deref(), Some("got batch 7\n"));
    let e = t.engine.fire_http_trigger(&t.tenant, "orders-ready", None).await.unwrap_err();
    assert!(e.message.contains("no HTTP Trigger node"), "nothing waits any more: {e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_ends_the_wait_and_the_default_id_is_job_dot_node() {
    let t = TestEngine::start().await;
    t.create(&job("j", vec![trigger("wait", &[("maxWaitHours", "2")])])).await;
    let id = t.run("j", &[]).await;
    until_waiting(&t, "j.wait").await;
    let began = Instant::now();
    t.engine.stop_instance(&t.tenant, "j", &id.to_string()).await.unwrap();
    let d = t.finished("j", id).await;
    assert!(began.elapsed() < Duration::from_secs(2));
    assert_eq!(d.status, "manual-stop");
    assert!(t.engine.http_triggers().waiting_instances("j.wait").is_empty(), "the wait is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rest_and_trigger_properties_are_refused_at_save_time() {
    let t = TestEngine::start().await;
    for (doc, property) in [
        (job("a", vec![trigger("wait", &[("maxWaitHours", "25")])]), "maxWaitHours"),
        (job("b", vec![trigger("wait", &[("maxWaitHours", "0")])]), "maxWaitHours"),
        (job("c", vec![rest("r", &[("method", "PATCH"), ("url", "http://x")], &[])]), "method"),
    ] {
        let e = t.engine.create_job(&t.tenant, &t.caller, &serde_json::to_vec(&doc).unwrap()).await.unwrap_err();
        assert_eq!(e.code.code(), "DLF.3051");
        assert!(e.message.contains(property), "{e}");
    }
}
