//! An in-process dlf (temporary SQLite store, engine started) and a small client for the API
//! tests: requests go through the real router, including authentication, without a socket.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use dlf_api::{AppState, AuthMode};
use dlf_engine::{Engine, EngineConfig, RuntimeGuard, SystemClock};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub const AK: &str = "TESTADMINKEY";
pub const SK: &str = "test-admin-secret";
pub const PROJECT: &str = "b384b9e9ab9b4ee8994c8633aabc9505";

pub struct TestServer {
    pub router: Router,
    pub engine: Engine,
    // Dropped before the directory it writes to.
    _runtime: RuntimeGuard,
    pub dir: tempfile::TempDir,
}

/// A response: status, headers, body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts a DLF error body with this status and code; returns the message.
    pub fn assert_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status.as_u16(), status, "status; body {}", String::from_utf8_lossy(&self.body));
        let body = self.json();
        assert_eq!(body["error_code"], code, "error code; body {body}");
        body["error_msg"].as_str().expect("error_msg").to_string()
    }
}

impl TestServer {
    /// A server requiring AK/SK or token authentication, with an administrator key.
    pub async fn start() -> TestServer {
        Self::start_with(AuthMode::Required).await
    }

    pub async fn start_with(auth: AuthMode) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dlf_store::open(dir.path().join("dlf.db").to_str().unwrap()).await.expect("store");
        let secrets = dlf_store::SecretBox::from_key(&[9u8; 32]);
        // Data (logs) and the nodes' work directories (`data-work`) both inside the temporary directory.
        let engine = Engine::new(store, EngineConfig::new(dir.path().join("data")), Arc::new(SystemClock), secrets);
        engine.bootstrap_admin_key(Some(AK), Some(SK), &dir.path().join("credentials")).await.expect("admin key");
        let runtime = engine.start().await.expect("engine start");
        let router = dlf_api::router(AppState::new(engine.clone(), auth));
        TestServer { router, engine, dir, _runtime: runtime }
    }

    /// Sends a request signed with `ak`/`sk` the way the official SDK signs.
    pub async fn signed_as(
        &self,
        ak: &str,
        sk: &str,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        let mut signed: Vec<(String, String)> = vec![
            ("Host".into(), "dlf.test".into()),
            ("Content-Type".into(), "application/json;charset=utf-8".into()),
            ("X-Project-Id".into(), PROJECT.into()),
        ];
        for (k, v) in headers {
            signed.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
            signed.push((k.to_string(), v.to_string()));
        }
        // A caller-given X-Sdk-Date (e.g. a skewed clock) is signed as given.
        let date = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-sdk-date"))
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| dlf_signature::format_sdk_date(chrono::Utc::now()));
        let authorization = dlf_signature::sign(method, path, query, &mut signed, body, ak, sk, &date);
        let mut builder = Request::builder().method(method).uri(path_and_query).header("Authorization", authorization);
        for (k, v) in &signed {
            builder = builder.header(k.as_str(), v.as_str());
        }
        self.send(builder.body(Body::from(body.to_vec())).unwrap()).await
    }

    /// A request signed with the administrator key.
    pub async fn call(&self, method: &str, path_and_query: &str, body: &[u8]) -> Reply {
        self.signed_as(AK, SK, method, path_and_query, &[], body).await
    }

    /// A request with a `workspace` header.
    pub async fn call_in(&self, workspace: &str, method: &str, path_and_query: &str, body: &[u8]) -> Reply {
        self.signed_as(AK, SK, method, path_and_query, &[("workspace", workspace)], body).await
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").to_vec();
        Reply { status, headers, body }
    }
}

/// `/v1/{PROJECT}{rest}`.
pub fn v1(rest: &str) -> String {
    format!("/v1/{PROJECT}{rest}")
}

/// A minimal valid BATCH job with the given nodes (JSON values).
pub fn job(name: &str, nodes: Value) -> Value {
    serde_json::json!({
        "name": name,
        "processType": "BATCH",
        "schedule": {"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+08", "expression": "0 0 2 * * ?", "expressionTimeZone": "GMT+8"}},
        "nodes": nodes,
    })
}

/// A Dummy node.
pub fn dummy(name: &str, upstream: &[&str]) -> Value {
    serde_json::json!({"name": name, "type": "Dummy", "location": {"x": "0", "y": "0"}, "properties": [], "preNodeName": upstream})
}

pub fn body(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}
