//! Authentication (AK/SK, tokens, project-bound keys) and workspace isolation.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use serde_json::json;

#[tokio::test]
async fn signatures_are_checked() {
    let s = TestServer::start().await;
    assert_eq!(s.call("GET", &v1("/jobs"), b"").await.status, 200);
    s.signed_as(AK, "wrong-secret", "GET", &v1("/jobs"), &[], b"").await.assert_error(401, "APIGW.0301");
    s.signed_as("UNKNOWNKEY", SK, "GET", &v1("/jobs"), &[], b"").await.assert_error(401, "APIGW.0301");
    let old = chrono::Utc::now() - chrono::Duration::minutes(20);
    let date = dlf_signature::format_sdk_date(old);
    s.signed_as(AK, SK, "GET", &v1("/jobs"), &[("X-Sdk-Date", &date)], b"").await.assert_error(401, "APIGW.0301");
    let unsigned = Request::builder().uri(v1("/jobs")).body(Body::empty()).unwrap();
    s.send(unsigned).await.assert_error(401, "APIGW.0301");
    s.signed_as(AK, SK, "GET", &v1("/jobs"), &[("X-Project-Id", "another")], b"").await.assert_error(403, "APIGW.0302");
}

#[tokio::test]
async fn skewed_clock_is_rejected_even_with_a_valid_signature() {
    let s = TestServer::start().await;
    // sign() stamps the date it is given; 16 minutes in the future is refused.
    let future = dlf_signature::format_sdk_date(chrono::Utc::now() + chrono::Duration::minutes(16));
    let mut headers = vec![
        ("Host".to_string(), "dlf.test".to_string()),
        ("Content-Type".to_string(), "application/json".to_string()),
    ];
    let auth = dlf_signature::sign("GET", &v1("/jobs"), None, &mut headers, b"", AK, SK, &future);
    let mut req = Request::builder().uri(v1("/jobs")).header("Authorization", auth);
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let msg = s.send(req.body(Body::empty()).unwrap()).await.assert_error(401, "APIGW.0301");
    assert!(msg.contains("15 minutes"), "{msg}");
}

#[tokio::test]
async fn project_bound_keys_and_tokens() {
    let s = TestServer::start().await;
    let key = s.engine.create_access_key(Some(PROJECT), "bob").await.unwrap();
    assert_eq!(s.signed_as(&key.access_key, &key.secret_key, "GET", &v1("/jobs"), &[], b"").await.status, 200);
    let other = "/v1/ffffffffffffffffffffffffffffffff/jobs";
    s.signed_as(
        &key.access_key,
        &key.secret_key,
        "GET",
        other,
        &[("X-Project-Id", "ffffffffffffffffffffffffffffffff")],
        b"",
    )
    .await
    .assert_error(403, "APIGW.0302");
    // The bound key's user is recorded on what it creates.
    assert_eq!(
        s.signed_as(
            &key.access_key,
            &key.secret_key,
            "POST",
            &v1("/jobs"),
            &[],
            &body(&job("bobs", json!([dummy("a", &[])])))
        )
        .await
        .status,
        204
    );
    assert_eq!(s.call("GET", &v1("/jobs/bobs"), b"").await.json()["lastUpdateUser"], "bob");
    // Tokens.
    let token =
        s.call("POST", &format!("/x/v1/{PROJECT}/tokens"), b"{}").await.json()["token"].as_str().unwrap().to_string();
    let with_token =
        |path: String| Request::builder().uri(path).header("X-Auth-Token", token.as_str()).body(Body::empty()).unwrap();
    assert_eq!(s.send(with_token(v1("/jobs"))).await.status, 200);
    s.send(with_token(other.to_string())).await.assert_error(403, "APIGW.0302");
    let bad = Request::builder().uri(v1("/jobs")).header("X-Auth-Token", "dlf-nope").body(Body::empty()).unwrap();
    s.send(bad).await.assert_error(401, "APIGW.0301");
    // A bound key cannot mint keys.
    s.signed_as(&key.access_key, &key.secret_key, "POST", &format!("/x/v1/{PROJECT}/access-keys"), &[], b"{}")
        .await
        .assert_error(403, "APIGW.0302");
}

#[tokio::test]
async fn workspaces_isolate_jobs() {
    let s = TestServer::start().await;
    let ws = s.engine.create_workspace(PROJECT, "dev").await.unwrap();
    let doc = body(&job("same", json!([dummy("a", &[])])));
    assert_eq!(s.call("POST", &v1("/jobs"), &doc).await.status, 204);
    assert_eq!(s.call_in(&ws.id, "POST", &v1("/jobs"), &doc).await.status, 204, "same name, other workspace");
    let a = s.call("GET", &v1("/jobs/same"), b"").await.json();
    let b = s.call_in(&ws.id, "GET", &v1("/jobs/same"), b"").await.json();
    assert_ne!(a["id"], b["id"]);
    assert_eq!(s.call_in(&ws.id, "POST", &v1("/jobs/same/start"), b"").await.status, 204);
    let default_list = s.call("GET", &v1("/jobs"), b"").await.json();
    assert_eq!(default_list["jobs"][0]["status"], "STOPPED", "starting one does not start the other");
    assert_eq!(s.call_in(&ws.id, "POST", &v1("/jobs/same/stop"), b"").await.status, 204);
    assert_eq!(s.call("DELETE", &v1("/jobs/same"), b"").await.status, 204);
    assert_eq!(s.call_in(&ws.id, "GET", &v1("/jobs/same"), b"").await.status, 200, "deleting one keeps the other");
    s.call_in("0123456789abcdef0123456789abcdef", "GET", &v1("/jobs"), b"").await.assert_error(400, "DLF.3051");
    // Another project is another tenant.
    let other = "/v1/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee/jobs";
    let list =
        s.signed_as(AK, SK, "GET", other, &[("X-Project-Id", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")], b"").await.json();
    assert_eq!(list["total"], 0);
}
