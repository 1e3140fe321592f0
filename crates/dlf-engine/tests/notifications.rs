//! Notifications end to end (JOBS.md §2.9, §3.2 SMN): job rules delivered to a webhook
//! receiver and an SMTP relay started in the test, signatures checked with an HMAC computed
//! here, retries, failed deliveries that leave the job alone, SMN nodes, and pending
//! deliveries resumed by the next start.

mod support;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use dlf_core::model::requests::StartJobBody;
use dlf_engine::notify::{NotificationRules, NotifierConfig, Notifiers, Secret};
use dlf_engine::{EngineConfig, InstanceListQuery};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const SECRET: &str = "the receiver's shared secret";

/// A webhook receiver on 127.0.0.1: records every request and answers 500 to the first
/// `fail_first` of them (all of them with `usize::MAX`), 200 afterwards.
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
}

impl Receiver {
    async fn start(fail_first: usize) -> Receiver {
        let got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
        let seen = Arc::new(AtomicUsize::new(0));
        let record = got.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let record = record.clone();
                let seen = seen.clone();
                async move {
                    record.lock().unwrap().push((headers, body));
                    if seen.fetch_add(1, Ordering::SeqCst) < fail_first {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, got }
    }

    /// Waits until `n` requests arrived; returns them.
    async fn wait_for(&self, n: usize) -> Vec<(HeaderMap, Bytes)> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.got.lock().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            assert!(Instant::now() < deadline, "the receiver got {} requests, wanted {n}", got.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }
}

fn webhook(name: &str, url: &str, max_attempts: u32) -> NotifierConfig {
    NotifierConfig {
        name: name.into(),
        kind: "webhook".into(),
        url: Some(url.into()),
        secret: Some(Secret(SECRET.into())),
        max_attempts: Some(max_attempts),
        backoff_ms: Some(50),
        timeout_secs: Some(5),
        ..Default::default()
    }
}

async fn engine_with(notifiers: Vec<NotifierConfig>) -> TestEngine {
    let notifiers = Arc::new(Notifiers::from_config(&notifiers).unwrap());
    TestEngine::start_with(move |c: &mut EngineConfig| c.notifiers = notifiers).await
}

async fn set_rules(t: &TestEngine, job: &str, rules: Value) {
    let rules: NotificationRules = serde_json::from_value(json!({ "rules": rules })).unwrap();
    t.engine.set_job_notification_rules(&t.tenant, job, rules).await.unwrap();
}

/// Checks `X-DLF-Signature` against an HMAC computed here; returns the body as JSON.
fn verified(headers: &HeaderMap, body: &[u8]) -> Value {
    let timestamp = headers["x-dlf-timestamp"].to_str().unwrap();
    let signature = headers["x-dlf-signature"].to_str().unwrap();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(signature, expected, "the signature verifies");
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
    assert!((0..60).contains(&age), "the timestamp is the sending time");
    serde_json::from_slice(body).unwrap()
}

/// The deliveries record, waiting until none is pending.
async fn settled_deliveries(t: &TestEngine) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let list = t.engine.list_deliveries(&t.tenant, None, None, Some(100)).await.unwrap();
        let list = serde_json::to_value(list).unwrap();
        let items = list["deliveries"].as_array().unwrap().clone();
        if !items.is_empty() && items.iter().all(|d| d["status"] != "pending") {
            return items;
        }
        assert!(Instant::now() < deadline, "deliveries still pending: {items:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_notifies_its_failure_signed() {
    let receiver = Receiver::start(0).await;
    let t = engine_with(vec![webhook("ops", &receiver.url, 3)]).await;
    t.create(&job("nightly", vec![node("a", "Dummy", &[]), node("bad", "HiveSQL", &["a"])])).await;
    set_rules(&t, "nightly", json!([{"event": "FAILED", "notifier": "urn:smn:cn-north-4:p:ops"}])).await;
    let id = t.run("nightly", &[]).await;
    assert_eq!(t.finished("nightly", id).await.status, "fail");

    let got = receiver.wait_for(1).await;
    let (headers, body) = &got[0];
    let n = verified(headers, body);
    assert_eq!(n["event"], "FAILED");
    assert_eq!(n["jobName"], "nightly");
    assert_eq!(n["instanceId"], id);
    assert_eq!(n["status"], "fail");
    assert_eq!(n["node"], "bad");
    assert_eq!(n["projectId"], "proj");
    assert!(n["planTime"].as_i64().unwrap() > 0);
    assert!(n["message"].as_str().unwrap().contains("node 'bad' failed"), "{n}");
    assert_eq!(n["links"]["instance"], format!("/v1/proj/jobs/nightly/instances/{id}"));
    assert_eq!(headers["content-type"], "application/json");

    let deliveries = settled_deliveries(&t).await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["status"], "sent");
    assert_eq!(deliveries[0]["notifier"], "ops");
    assert_eq!(deliveries[0]["attempts"], 1);
    assert_eq!(headers["x-dlf-delivery"].to_str().unwrap(), deliveries[0]["id"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_failing_twice_gets_the_notification_on_the_third_attempt() {
    let receiver = Receiver::start(2).await;
    let t = engine_with(vec![webhook("ops", &receiver.url, 5)]).await;
    t.create(&job("j", vec![node("bad", "HiveSQL", &[])])).await;
    set_rules(&t, "j", json!([{"event": "FAILED", "notifier": "ops"}])).await;
    let id = t.run("j", &[]).await;
    t.finished("j", id).await;
    let got = receiver.wait_for(3).await;
    let ids: Vec<&str> = got.iter().map(|(h, _)| h["x-dlf-delivery"].to_str().unwrap()).collect();
    assert!(ids.iter().all(|d| *d == ids[0]), "one delivery, tried three times: {ids:?}");
    assert_eq!(verified(&got[2].0, &got[2].1)["instanceId"], id);
    let deliveries = settled_deliveries(&t).await;
    assert_eq!((deliveries[0]["status"].as_str(), deliveries[0]["attempts"].as_i64()), (Some("sent"), Some(3)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.count(), 3, "nothing more after the 200");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_always_fails_leaves_the_job_alone_and_the_delivery_shows_failed() {
    let receiver = Receiver::start(usize::MAX).await;
    let t = engine_with(vec![webhook("ops", &receiver.url, 2)]).await;
    t.create(&job("once", vec![node("a", "Dummy", &[])])).await;
    set_rules(&t, "once", json!([{"event": "SUCCESS", "notifier": "ops"}])).await;
    // StartJob of an EXECUTE_ONCE job: an instance that notifies its success.
    t.engine.start_job(&t.tenant, &t.caller, "once", &StartJobBody::default()).await.unwrap();
    let q = InstanceListQuery { job_name: Some("once".into()), ..Default::default() };
    let id = loop {
        let list = serde_json::to_value(t.engine.list_instances(&t.tenant, &q).await.unwrap()).unwrap();
        if let Some(id) = list["instances"][0]["instanceId"].as_i64() {
            break id;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(t.finished("once", id).await.status, "success");
    receiver.wait_for(2).await;
    let deliveries = settled_deliveries(&t).await;
    assert_eq!(deliveries[0]["status"], "failed");
    assert_eq!(deliveries[0]["event"], "SUCCESS");
    assert_eq!(deliveries[0]["attempts"], 2);
    assert_eq!(deliveries[0]["lastError"], "the webhook answered HTTP 500");
    assert_eq!(t.show("once", id).await.status, "success", "the job's outcome is untouched");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.count(), 2, "max_attempts bounds the attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_once_successes_notify_nothing_and_rules_are_checked() {
    let receiver = Receiver::start(0).await;
    let t = engine_with(vec![webhook("ops", &receiver.url, 1)]).await;
    t.create(&job("j", vec![node("a", "Dummy", &[])])).await;
    let bad: NotificationRules =
        serde_json::from_value(json!({"rules": [{"event": "FAILED", "notifier": "pager"}]})).unwrap();
    let err = t.engine.set_job_notification_rules(&t.tenant, "j", bad).await.unwrap_err();
    assert_eq!(err.code.code(), "DLF.3051");
    assert!(err.message.contains("'pager' names no configured notifier (configured: ops)"), "{}", err.message);
    assert!(t.engine.job_notification_rules(&t.tenant, "j").await.unwrap().rules.is_empty(), "nothing kept");
    set_rules(&t, "j", json!([{"event": "SUCCESS", "notifier": "ops"}, {"event": "FAILED", "notifier": "ops"}])).await;
    assert_eq!(t.engine.job_notification_rules(&t.tenant, "j").await.unwrap().rules.len(), 2);
    let listed = serde_json::to_value(t.engine.list_jobs(&t.tenant, &Default::default()).await.unwrap()).unwrap();
    assert_eq!(
        listed["jobs"][0]["alarms"],
        json!([{"alarmType": "SUCCESS", "topicUrn": "ops"}, {"alarmType": "FAILED", "topicUrn": "ops"}])
    );
    let id = t.run("j", &[]).await;
    assert_eq!(t.finished("j", id).await.status, "success");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.count(), 0, "a RunOnce success is a test run: no notification");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smn_node_with_an_unknown_topic_fails_clearly() {
    let receiver = Receiver::start(0).await;
    let t = engine_with(vec![webhook("ops", &receiver.url, 1)]).await;
    let smn = json!({"name": "tell", "type": "SMN", "location": {"x": "0", "y": "0"}, "properties": [
        {"name": "topic", "value": "urn:smn:cn-north-4:p:nobody"}, {"name": "subject", "value": "s"},
        {"name": "messageType", "value": "NORMAL"}, {"name": "message", "value": "hi"}]});
    t.create(&job("j", vec![smn])).await;
    let d = t.finished("j", t.run("j", &[]).await).await;
    assert_eq!(d.status, "fail");
    let message = d.error_message.clone().unwrap_or_default();
    assert!(
        message.contains("topic 'urn:smn:cn-north-4:p:nobody' names no configured notifier (configured: ops)"),
        "{message}"
    );
    assert_eq!(receiver.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smn_node_delivers_to_a_webhook() {
    let receiver = Receiver::start(1).await;
    let t = engine_with(vec![webhook("ops", &receiver.url, 3)]).await;
    let smn = json!({"name": "tell", "type": "SMN", "location": {"x": "0", "y": "0"}, "properties": [
        {"name": "topic", "value": "urn:smn:cn-north-4:p:ops"},
        {"name": "subject", "value": "loaded ${day}"},
        {"name": "messageType", "value": "STRUCTURE"},
        {"name": "message", "value": "{\"default\": \"rows loaded for ${day}\", \"email\": \"mail text\"}"}]});
    let mut doc = job("j", vec![smn]);
    doc["params"] = json!([{"name": "day", "value": "2026-12-07"}]);
    t.create(&doc).await;
    let id = t.run("j", &[]).await;
    assert_eq!(t.finished("j", id).await.status, "success");
    let got = receiver.wait_for(2).await;
    let n = verified(&got[1].0, &got[1].1);
    assert_eq!(n["event"], "SMN");
    assert_eq!(n["subject"], "loaded 2026-12-07");
    assert_eq!(n["message"], "rows loaded for 2026-12-07");
    assert_eq!(n["messageType"], "STRUCTURE");
    assert_eq!(n["node"], "tell");
    assert_eq!(n["instanceId"], id);
}

/// A minimal SMTP relay: answers the verbs lettre sends and keeps each message's DATA.
async fn smtp_relay() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails: Arc<Mutex<Vec<String>>> = Arc::default();
    let keep = mails.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let keep = keep.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 relay ESMTP\r\n").await.unwrap();
                let mut envelope = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 relay\r\n",
                        "MAIL" | "RCPT" => {
                            envelope.push_str(&line);
                            envelope.push('\n');
                            b"250 OK\r\n"
                        }
                        "DATA" => {
                            write.write_all(b"354 end with .\r\n").await.unwrap();
                            let mut data = envelope.clone();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            keep.lock().unwrap().push(data);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 OK\r\n",
                    };
                    write.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (port, mails)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_notifier_sends_the_failure_by_email() {
    let (port, mails) = smtp_relay().await;
    let mail = NotifierConfig {
        name: "mail".into(),
        kind: "smtp".into(),
        host: Some("127.0.0.1".into()),
        port: Some(port),
        tls: Some("none".into()),
        from: Some("dlf@example.com".into()),
        to: vec!["oncall@example.com".into()],
        max_attempts: Some(1),
        ..Default::default()
    };
    let t = engine_with(vec![mail]).await;
    t.create(&job("mailjob", vec![node("bad", "HiveSQL", &[])])).await;
    set_rules(&t, "mailjob", json!([{"event": "FAILED", "notifier": "mail"}])).await;
    let id = t.run("mailjob", &[]).await;
    t.finished("mailjob", id).await;
    let deliveries = settled_deliveries(&t).await;
    assert_eq!(deliveries[0]["status"], "sent", "{deliveries:?}");
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert!(m.contains("<oncall@example.com>") && m.contains("<dlf@example.com>"), "{m}");
    assert!(m.contains("Subject: [dlf] job mailjob failed"), "{m}");
    assert!(m.contains(&format!("instance: {id}")), "{m}");
    assert!(m.contains("node 'bad' failed"), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_delivery_is_delivered_by_the_next_start() {
    let receiver = Receiver::start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let store = dlf_store::open(dir.path().join("dlf.db").to_str().unwrap()).await.unwrap();
    let ws = store.default_workspace("proj", 0).await.unwrap();
    let pending = dlf_store::DeliveryRecord {
        id: "left-by-a-stopped-server".into(),
        workspace_id: ws.id.clone(),
        job_name: "j".into(),
        instance_id: Some(41),
        event: "FAILED".into(),
        notifier: "ops".into(),
        dedupe_key: Some("41:FAILED:1:ops".into()),
        payload: r#"{"event":"FAILED","jobName":"j","instanceId":41}"#.into(),
        status: dlf_store::DeliveryStatus::Pending,
        attempts: 1,
        last_error: Some("cannot connect to the webhook".into()),
        created_ms: 1,
        updated_ms: 1,
    };
    store.insert_delivery(&pending).await.unwrap();
    let mut config = EngineConfig::new(dir.path().join("data"));
    config.notifiers = Arc::new(Notifiers::from_config(&[webhook("ops", &receiver.url, 3)]).unwrap());
    let engine = dlf_engine::Engine::new(
        store.clone(),
        config,
        Arc::new(dlf_engine::SystemClock),
        dlf_store::SecretBox::from_key(&[1; 32]),
    );
    let _runtime = engine.start().await.unwrap();
    let got = receiver.wait_for(1).await;
    assert_eq!(verified(&got[0].0, &got[0].1)["instanceId"], 41);
    assert_eq!(got[0].0["x-dlf-delivery"], "left-by-a-stopped-server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !store.pending_deliveries().await.unwrap().is_empty() {
        assert!(Instant::now() < deadline, "still pending");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, list) = store.list_deliveries(&ws.id, None, 0, 10).await.unwrap();
    assert_eq!((list[0].status, list[0].attempts), (dlf_store::DeliveryStatus::Sent, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_still_open_at_the_rule_time_notifies_once() {
    let receiver = Receiver::start(0).await;
    let t = engine_with(vec![webhook("ops", &receiver.url, 1)]).await;
    t.create(&job("late", vec![node("a", "Dummy", &[])])).await;
    // 00:00 in the job's zone: today's deadline has always passed.
    set_rules(&t, "late", json!([{"event": "NOT_FINISHED", "notifier": "ops", "notFinishedBy": "00:00"}])).await;
    let job = t.engine.store().find_job(t.tenant.workspace_id(), "late").await.unwrap().unwrap();
    let yesterday = chrono::Utc::now().timestamp_millis() - 86_400_000;
    // An instance planned yesterday and still waiting (written past the dispatcher, which never
    // hears of it and so leaves it waiting).
    let open = t
        .engine
        .store()
        .insert_instance(&dlf_store::NewInstance {
            workspace_id: t.tenant.workspace_id().to_string(),
            job_id: job.id(),
            job_name: "late".into(),
            instance_type: dlf_core::model::InstanceType::Normal,
            plan_ms: yesterday,
            status: dlf_core::model::InstanceStatus::Waiting,
            version: 1,
            submit_ms: yesterday,
            created_ms: yesterday,
            params: None,
            ignore_depend: false,
            nodes: vec![("a".into(), "Dummy".into())],
        })
        .await
        .unwrap()
        .unwrap();
    t.engine.check_not_finished().await.unwrap();
    t.engine.check_not_finished().await.unwrap();
    let got = receiver.wait_for(1).await;
    let n = verified(&got[0].0, &got[0].1);
    assert_eq!((n["event"].as_str(), n["instanceId"].as_i64()), (Some("NOT_FINISHED"), Some(open.id)));
    assert!(n["message"].as_str().unwrap().contains("is still waiting at 00:00"), "{n}");
    settled_deliveries(&t).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.count(), 1, "once per instance and day, however often the check runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_an_instance_notifies_its_cancel() {
    let receiver = Receiver::start(0).await;
    let t = engine_with(vec![webhook("ops", &receiver.url, 1)]).await;
    t.create(&job("slow", vec![shell("s", "sleep 30", &[])])).await;
    set_rules(&t, "slow", json!([{"event": "CANCELED", "notifier": "ops"}])).await;
    let id = t.run("slow", &[]).await;
    t.wait_for("slow", id, &["running"], Duration::from_secs(10)).await;
    t.engine.stop_instance(&t.tenant, "slow", &id.to_string()).await.unwrap();
    assert_eq!(t.show("slow", id).await.status, "manual-stop");
    let got = receiver.wait_for(1).await;
    let n = verified(&got[0].0, &got[0].1);
    assert_eq!((n["event"].as_str(), n["status"].as_str()), (Some("CANCELED"), Some("manual-stop")));
    assert_eq!(n["message"], "The instance was stopped by an operator.");
}
