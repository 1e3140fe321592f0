//! The benchmark's HTTP client: every request signed with `SDK-HMAC-SHA256` exactly as the
//! official SDK signs it (`dlf-signature`), over keep-alive connections.

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// The project every benchmark job lives in.
pub const PROJECT: &str = "bench0000000000000000000000000001";

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    host: String,
    access_key: String,
    secret_key: String,
}

impl Client {
    pub fn new(port: u16, access_key: &str, secret_key: &str) -> Client {
        let http = reqwest::Client::builder()
            .http1_only()
            .pool_max_idle_per_host(256)
            .tcp_nodelay(true)
            .build()
            .expect("HTTP client");
        Client { http, host: format!("127.0.0.1:{port}"), access_key: access_key.into(), secret_key: secret_key.into() }
    }

    /// Sends a signed request to `/v1/{PROJECT}{path}`, or to the extension `/x/v1/{PROJECT}{rest}`
    /// for a path `/x{rest}` (path may hold a `?query`);
    /// returns the status and the body parsed as JSON (`Null` when empty).
    pub async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<(u16, Value)> {
        let (status, bytes) = self.call_raw(method, path, body).await?;
        let json = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        Ok((status, json))
    }

    /// Like [`Client::call`] but returns the body unparsed (what a load generator wants).
    pub async fn call_raw(&self, method: &str, path: &str, body: Option<&Value>) -> Result<(u16, bytes::Bytes)> {
        let full = match path.strip_prefix("/x/") {
            Some(rest) => format!("/x/v1/{PROJECT}/{rest}"),
            None => format!("/v1/{PROJECT}{path}"),
        };
        let (raw_path, raw_query) = match full.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (full.clone(), None),
        };
        let body_bytes = body.map(|b| serde_json::to_vec(b).expect("JSON")).unwrap_or_default();
        let mut headers =
            vec![("Host".to_string(), self.host.clone()), ("Content-Type".to_string(), "application/json".to_string())];
        let date = dlf_signature::format_sdk_date(chrono::Utc::now());
        let authorization = dlf_signature::sign(
            method,
            &raw_path,
            raw_query.as_deref(),
            &mut headers,
            &body_bytes,
            &self.access_key,
            &self.secret_key,
            &date,
        );
        let method = reqwest::Method::from_bytes(method.as_bytes())?;
        let mut req = self.http.request(method, format!("http://{}{full}", self.host));
        for (name, value) in &headers {
            req = req.header(name.as_str(), value.as_str());
        }
        req = req.header("Authorization", authorization).body(body_bytes);
        let resp = req.send().await.with_context(|| format!("request {full}"))?;
        let status = resp.status().as_u16();
        Ok((status, resp.bytes().await?))
    }

    /// A call that must answer `expected`; anything else is an error naming the body.
    pub async fn expect(&self, method: &str, path: &str, body: Option<&Value>, expected: u16) -> Result<Value> {
        let (status, json) = self.call(method, path, body).await?;
        if status != expected {
            bail!("{method} {path}: expected {expected}, got {status}: {json}");
        }
        Ok(json)
    }

    pub async fn create_job(&self, job: &Value) -> Result<()> {
        self.expect("POST", "/jobs", Some(job), 204).await.map(|_| ())
    }

    pub async fn run_once(&self, job: &str) -> Result<i64> {
        let body =
            self.expect("POST", &format!("/jobs/{job}/run-immediate"), Some(&serde_json::json!({})), 200).await?;
        body["instanceId"].as_i64().context("no instanceId")
    }

    pub async fn instance(&self, job: &str, id: i64) -> Result<Value> {
        self.expect("GET", &format!("/jobs/{job}/instances/{id}"), None, 200).await
    }
}
