//! Credentials hardened (docs/security.md): tokens only for signed requests and never outliving
//! their key, keys listed/disabled/deleted and refused within a second, workspaces created by
//! administrators only, the headers a signature must cover, and no body read before the caller
//! is known.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

/// A request signed over `signed` headers, sent with `unsigned` ones added afterwards.
async fn sign_then_add(s: &TestServer, signed: &[(&str, &str)], unsigned: &[(&str, &str)], body: &[u8]) -> Reply {
    let path = v1("/jobs");
    let mut headers: Vec<(String, String)> = signed.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let date = dlf_signature::format_sdk_date(chrono::Utc::now());
    let authorization = dlf_signature::sign("GET", &path, None, &mut headers, body, AK, SK, &date);
    let mut builder = Request::builder().method("GET").uri(&path).header("Authorization", authorization);
    for (k, v) in headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(unsigned.iter().copied()) {
        builder = builder.header(k, v);
    }
    s.send(builder.body(Body::from(body.to_vec())).unwrap()).await
}

#[tokio::test]
async fn the_host_and_the_workspace_must_be_signed() {
    let s = TestServer::start().await;
    assert_eq!(sign_then_add(&s, &[("Host", "dlf.test")], &[], b"").await.status, 200);
    let msg = sign_then_add(&s, &[("Content-Type", "application/json")], &[("Host", "dlf.test")], b"")
        .await
        .assert_error(401, "APIGW.0301");
    assert!(msg.contains("host"), "{msg}");
    // Another workspace picked with an unsigned header: refused, not honoured.
    let ws = s.engine.create_workspace(PROJECT, "second").await.unwrap();
    let msg = sign_then_add(&s, &[("Host", "dlf.test")], &[("workspace", ws.id.as_str())], b"")
        .await
        .assert_error(401, "APIGW.0301");
    assert!(msg.contains("workspace"), "{msg}");
    assert_eq!(sign_then_add(&s, &[("Host", "dlf.test"), ("workspace", ws.id.as_str())], &[], b"").await.status, 200);
}

#[tokio::test]
async fn unsigned_payload_is_refused_by_default() {
    let s = TestServer::start().await;
    let job = body(&job("unsigned", json!([dummy("a", &[])])));
    let headers = [("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")];
    let msg = s.signed_as(AK, SK, "POST", &v1("/jobs"), &headers, &job).await.assert_error(401, "APIGW.0301");
    assert!(msg.contains("UNSIGNED-PAYLOAD"), "{msg}");
    assert_eq!(s.call("GET", &v1("/jobs/unsigned"), b"").await.status, 400, "nothing was created");
}

/// A body that never ends: reading it would hang the request.
fn endless_body() -> Body {
    Body::from_stream(futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>())
}

#[tokio::test]
async fn no_body_is_read_before_the_caller_is_known() {
    let s = TestServer::start().await;
    let anonymous = Request::builder().method("POST").uri(v1("/jobs")).body(endless_body()).unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(5), s.send(anonymous)).await.expect("answered at once");
    reply.assert_error(401, "APIGW.0301");

    // An unknown key: the claim is refused from the headers alone.
    let mut headers = vec![("Host".to_string(), "dlf.test".to_string())];
    let date = dlf_signature::format_sdk_date(chrono::Utc::now());
    let authorization = dlf_signature::sign("POST", &v1("/jobs"), None, &mut headers, b"", "NOSUCHKEY", SK, &date);
    let mut builder = Request::builder().method("POST").uri(v1("/jobs")).header("Authorization", authorization);
    for (k, v) in &headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let reply = tokio::time::timeout(Duration::from_secs(5), s.send(builder.body(endless_body()).unwrap()))
        .await
        .expect("answered at once");
    reply.assert_error(401, "APIGW.0301");

    let token =
        Request::builder().method("POST").uri(v1("/jobs")).header("X-Auth-Token", "dlf-nope").body(endless_body());
    let reply = tokio::time::timeout(Duration::from_secs(5), s.send(token.unwrap())).await.expect("answered at once");
    reply.assert_error(401, "APIGW.0301");
}

fn with_token(token: &str, method: &str, path: &str, body: &[u8]) -> Request<Body> {
    Request::builder().method(method).uri(path).header("X-Auth-Token", token).body(Body::from(body.to_vec())).unwrap()
}

/// Polls `check` every 50 ms for up to `within`; returns how long it took.
async fn within<F: std::future::Future<Output = bool>>(within: Duration, mut check: impl FnMut() -> F) -> Duration {
    let began = Instant::now();
    while !check().await {
        assert!(began.elapsed() < within, "not within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    began.elapsed()
}

#[tokio::test]
async fn tokens_are_issued_to_signed_requests_only_and_die_with_their_key() {
    let s = TestServer::start().await;
    let key = s.engine.create_access_key(Some(PROJECT), "bob").await.unwrap();
    let tokens = format!("/x/v1/{PROJECT}/tokens");
    let reply = s.signed_as(&key.access_key, &key.secret_key, "POST", &tokens, &[], b"{\"ttlSeconds\": 2}").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let token = reply.json()["token"].as_str().unwrap().to_string();
    assert_eq!(s.send(with_token(&token, "GET", &v1("/jobs"), b"")).await.status, 200);

    // A two-second token cannot extend itself with a thirty-day one.
    let ttl = body(&json!({"ttlSeconds": 30 * 86_400}));
    let msg = s.send(with_token(&token, "POST", &tokens, &ttl)).await.assert_error(403, "APIGW.0302");
    assert!(msg.contains("signed with an access key"), "{msg}");

    // Disabling the key ends its tokens too, within a second; enabling brings both back.
    let long = s.signed_as(&key.access_key, &key.secret_key, "POST", &tokens, &[], b"{}").await.json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = |method: &'static str, action: &'static str| {
        let path = format!("/x/v1/{PROJECT}/access-keys/{}{action}", key.access_key);
        (method, path)
    };
    let (method, path) = admin("POST", "/disable");
    assert_eq!(s.call(method, &path, b"").await.status, 204);
    let took = within(Duration::from_secs(1), || async {
        s.send(with_token(&long, "GET", &v1("/jobs"), b"")).await.status == 401
            && s.signed_as(&key.access_key, &key.secret_key, "GET", &v1("/jobs"), &[], b"").await.status == 401
    })
    .await;
    assert!(took < Duration::from_secs(1), "{took:?}");
    let (method, path) = admin("POST", "/enable");
    assert_eq!(s.call(method, &path, b"").await.status, 204);
    within(Duration::from_secs(1), || async {
        s.send(with_token(&long, "GET", &v1("/jobs"), b"")).await.status == 200
    })
    .await;

    // Deleting the key ends it and its tokens for good.
    let (method, path) = admin("DELETE", "");
    assert_eq!(s.call(method, &path, b"").await.status, 204);
    within(Duration::from_secs(1), || async {
        s.send(with_token(&long, "GET", &v1("/jobs"), b"")).await.status == 401
            && s.signed_as(&key.access_key, &key.secret_key, "GET", &v1("/jobs"), &[], b"").await.status == 401
    })
    .await;
    let keys = s.call("GET", &format!("/x/v1/{PROJECT}/access-keys"), b"").await.json();
    assert_eq!(keys["total"], 0, "{keys}");
}

#[tokio::test]
async fn keys_are_listed_without_secrets_and_managed_by_administrators_only() {
    let s = TestServer::start().await;
    let key = s.engine.create_access_key(Some(PROJECT), "bob").await.unwrap();
    let list = s.call("GET", &format!("/x/v1/{PROJECT}/access-keys"), b"").await;
    assert_eq!(list.status, 200);
    let text = String::from_utf8_lossy(&list.body).to_string();
    assert!(text.contains(&key.access_key) && !text.contains(&key.secret_key), "{text}");
    assert_eq!(list.json()["accessKeys"][0]["disabled"], false);
    // A project-bound key manages no keys, not even its own, and creates no workspace.
    let as_bob = |method: &'static str, path: String, body: Vec<u8>| {
        let (ak, sk) = (key.access_key.clone(), key.secret_key.clone());
        let s = &s;
        async move { s.signed_as(&ak, &sk, method, &path, &[], &body).await }
    };
    as_bob("GET", format!("/x/v1/{PROJECT}/access-keys"), vec![]).await.assert_error(403, "APIGW.0302");
    as_bob("DELETE", format!("/x/v1/{PROJECT}/access-keys/{}", key.access_key), vec![])
        .await
        .assert_error(403, "APIGW.0302");
    as_bob("POST", format!("/x/v1/{PROJECT}/workspaces"), body(&json!({"name": "mine"})))
        .await
        .assert_error(403, "APIGW.0302");
    assert_eq!(s.engine.list_workspaces(PROJECT).await.unwrap().len(), 1, "no workspace was created");
    // An unknown key, or another project's, is a clear error.
    s.call("DELETE", &format!("/x/v1/{PROJECT}/access-keys/NOSUCHKEY"), b"").await.assert_error(400, "DLF.3051");
    let other = s.engine.create_access_key(Some("ffffffffffffffffffffffffffffffff"), "eve").await.unwrap();
    s.call("POST", &format!("/x/v1/{PROJECT}/access-keys/{}/disable", other.access_key), b"")
        .await
        .assert_error(400, "DLF.3051");
}
