//! The `dlf` command-line client: commands that talk to a running `dlf serve` over its public
//! API (v1 and the `/x/v1` extensions), signed with `SDK-HMAC-SHA256` exactly as the official SDK
//! signs (`dlf-signature`), so a client command can do nothing the SDK could not.
//!
//! Where the connection comes from, first match wins:
//! - the endpoint: `--endpoint`, else `DLF_ENDPOINT`, else `http://127.0.0.1:8460` (the
//!   default listener of `dlf serve`);
//! - the keys: `--access-key`/`--secret-key`, else `DLF_ACCESS_KEY`/`DLF_SECRET_KEY`, else the
//!   `credentials` file a local `dlf serve` wrote in its data directory (`--data-dir`, else
//!   `DLF_DATA_DIR`, else `./dlf-data`);
//! - the project: `--project`, else `DLF_PROJECT` (required: dlf has no default project);
//! - the workspace: `--workspace`, else `DLF_WORKSPACE`, else the project's default workspace.

pub mod transfer;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use serde_json::Value;
use std::path::PathBuf;

/// The default endpoint: the default listener of `dlf serve`.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:8460";

/// Where and as whom client commands connect.
#[derive(Args, Debug, Clone, Default)]
pub struct ClientArgs {
    /// The server [env: DLF_ENDPOINT] [default: http://127.0.0.1:8460].
    #[arg(long, global = true)]
    pub endpoint: Option<String>,
    /// Access key [env: DLF_ACCESS_KEY] [default: from the server's credentials file].
    #[arg(long, global = true)]
    pub access_key: Option<String>,
    /// Secret key [env: DLF_SECRET_KEY] [default: from the server's credentials file].
    #[arg(long, global = true)]
    pub secret_key: Option<String>,
    /// Project id [env: DLF_PROJECT].
    #[arg(long, global = true)]
    pub project: Option<String>,
    /// Workspace id [env: DLF_WORKSPACE] [default: the project's default workspace].
    #[arg(long, global = true)]
    pub workspace: Option<String>,
    /// Data directory of a local `dlf serve`, whose `credentials` file supplies the keys
    /// [env: DLF_DATA_DIR] [default: ./dlf-data].
    #[arg(long = "credentials-dir", global = true)]
    pub data_dir: Option<PathBuf>,
}

/// The environment the client reads (the secret variables were taken out of the process
/// environment at start, `crate::startup_secrets`, and arrive here).
#[derive(Clone, Debug)]
pub struct ClientEnv {
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub var: fn(&str) -> Option<String>,
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl ClientEnv {
    pub fn from_process(access_key: Option<String>, secret_key: Option<String>) -> ClientEnv {
        ClientEnv { access_key, secret_key, var: env_var }
    }
}

/// A resolved connection: endpoint, keys, project, workspace.
#[derive(Clone)]
pub struct Target {
    pub endpoint: String,
    pub access_key: String,
    secret_key: String,
    pub project: String,
    pub workspace: Option<String>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("endpoint", &self.endpoint)
            .field("access_key", &self.access_key)
            .field("project", &self.project)
            .field("workspace", &self.workspace)
            .finish_non_exhaustive()
    }
}

/// `KEY=VALUE` lines of a credentials file.
fn credentials_from_file(text: &str) -> (Option<String>, Option<String>) {
    let mut access = None;
    let mut secret = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        match line.split_once('=') {
            Some(("DLF_ACCESS_KEY", v)) => access = Some(v.trim().to_string()),
            Some(("DLF_SECRET_KEY", v)) => secret = Some(v.trim().to_string()),
            _ => {}
        }
    }
    (access, secret)
}

impl ClientArgs {
    /// Resolves flags, then the environment, then the local credentials file.
    pub fn resolve(&self, env: &ClientEnv) -> Result<Target> {
        let var = env.var;
        let endpoint = self
            .endpoint
            .clone()
            .or_else(|| var("DLF_ENDPOINT"))
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string())
            .trim_end_matches('/')
            .to_string();
        let project = self
            .project
            .clone()
            .or_else(|| var("DLF_PROJECT"))
            .ok_or_else(|| anyhow!("no project: pass --project or set DLF_PROJECT"))?;
        let workspace = self.workspace.clone().or_else(|| var("DLF_WORKSPACE"));
        let mut access_key = self.access_key.clone().or_else(|| env.access_key.clone());
        let mut secret_key = self.secret_key.clone().or_else(|| env.secret_key.clone());
        if access_key.is_none() || secret_key.is_none() {
            let dir = self.data_dir.clone().or_else(|| var("DLF_DATA_DIR").map(PathBuf::from));
            let file = dir.unwrap_or_else(|| PathBuf::from("dlf-data")).join("credentials");
            if let Ok(text) = std::fs::read_to_string(&file) {
                let (a, s) = credentials_from_file(&text);
                access_key = access_key.or(a);
                secret_key = secret_key.or(s);
            }
        }
        let (Some(access_key), Some(secret_key)) = (access_key, secret_key) else {
            bail!(
                "no access key: pass --access-key and --secret-key, set DLF_ACCESS_KEY and DLF_SECRET_KEY, \
                 or point --credentials-dir at the data directory of a local dlf serve"
            );
        };
        Ok(Target { endpoint, access_key, secret_key, project, workspace })
    }
}

/// Percent-encodes a path segment the way the SDK does (no safe characters).
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An answer of the server.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The DLF error code of an error answer, if it has one.
    pub fn error_code(&self) -> Option<String> {
        self.json().get("error_code").and_then(Value::as_str).map(str::to_string)
    }

    /// Ok for 2xx; otherwise an error with the DLF code and message.
    pub fn ok(self, what: &str) -> Result<Answer> {
        if (200..300).contains(&self.status) {
            return Ok(self);
        }
        let json = self.json();
        let code = json.get("error_code").and_then(Value::as_str).unwrap_or("");
        let msg = json.get("error_msg").and_then(Value::as_str).map(str::to_string);
        let msg = msg.unwrap_or_else(|| String::from_utf8_lossy(&self.body).chars().take(300).collect());
        bail!("{what}: HTTP {} {code} {msg}", self.status)
    }
}

/// A signed HTTP client for one [`Target`].
pub struct Client {
    http: reqwest::Client,
    target: Target,
    host: String,
}

impl Client {
    pub fn new(target: Target) -> Result<Client> {
        let url = reqwest::Url::parse(&target.endpoint).with_context(|| format!("endpoint {}", target.endpoint))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => bail!("endpoint {} has no host", target.endpoint),
        };
        dlf_engine::install_crypto_provider();
        let http = reqwest::Client::builder().build().context("HTTP client")?;
        Ok(Client { http, target, host })
    }

    /// `/v1/{project}{rest}`.
    pub fn v1(&self, rest: &str) -> String {
        format!("/v1/{}{rest}", encode_segment(&self.target.project))
    }

    /// `/x/v1/{project}{rest}`.
    pub fn x(&self, rest: &str) -> String {
        format!("/x/v1/{}{rest}", encode_segment(&self.target.project))
    }

    /// Sends a signed request; `path` may hold a `?query` (already encoded).
    pub async fn send(&self, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> Result<Answer> {
        let (raw_path, raw_query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        let mut headers =
            vec![("Host".to_string(), self.host.clone()), ("Content-Type".to_string(), content_type.into())];
        if let Some(workspace) = &self.target.workspace {
            headers.push(("workspace".to_string(), workspace.clone()));
        }
        let date = dlf_signature::format_sdk_date(chrono::Utc::now());
        let authorization = dlf_signature::sign(
            method,
            raw_path,
            raw_query,
            &mut headers,
            &body,
            &self.target.access_key,
            &self.target.secret_key,
            &date,
        );
        let method = reqwest::Method::from_bytes(method.as_bytes())?;
        let url = format!("{}{path}", self.target.endpoint);
        let mut request = self.http.request(method, &url);
        for (name, value) in &headers {
            if !name.eq_ignore_ascii_case("host") {
                request = request.header(name.as_str(), value.as_str());
            }
        }
        let response = request
            .header("Authorization", authorization)
            .body(body)
            .send()
            .await
            .with_context(|| format!("cannot reach {} (is dlf serve running?)", self.target.endpoint))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.context("reading the answer")?.to_vec();
        Ok(Answer { status, body })
    }

    /// A JSON call.
    pub async fn json(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Answer> {
        let bytes = body.map(|b| serde_json::to_vec(b).expect("a JSON value serialises")).unwrap_or_default();
        self.send(method, path, "application/json;charset=utf-8", bytes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn env_with_project(name: &str) -> Option<String> {
        (name == "DLF_PROJECT").then(|| "p-env".to_string())
    }

    #[test]
    fn flags_win_over_the_environment_and_the_credentials_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("credentials"), "# comment\nDLF_ACCESS_KEY=AKFILE\nDLF_SECRET_KEY=SKFILE\n")
            .unwrap();
        let env = ClientEnv { access_key: Some("AKENV".into()), secret_key: None, var: env_with_project };
        let args = ClientArgs { data_dir: Some(dir.path().to_path_buf()), ..Default::default() };
        let target = args.resolve(&env).unwrap();
        assert_eq!(
            (target.access_key.as_str(), target.secret_key.as_str(), target.project.as_str()),
            ("AKENV", "SKFILE", "p-env")
        );
        assert_eq!(target.endpoint, DEFAULT_ENDPOINT);

        let args = ClientArgs {
            endpoint: Some("http://h:1/".into()),
            access_key: Some("AK".into()),
            secret_key: Some("SK".into()),
            project: Some("p".into()),
            ..Default::default()
        };
        let target = args.resolve(&env).unwrap();
        assert_eq!(
            (target.endpoint.as_str(), target.access_key.as_str(), target.project.as_str()),
            ("http://h:1", "AK", "p")
        );
    }

    #[test]
    fn missing_project_or_keys_are_clear_errors() {
        let env = ClientEnv { access_key: None, secret_key: None, var: no_env };
        let e = ClientArgs::default().resolve(&env).unwrap_err().to_string();
        assert!(e.contains("DLF_PROJECT"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let args = ClientArgs { project: Some("p".into()), data_dir: Some(dir.path().into()), ..Default::default() };
        let e = args.resolve(&env).unwrap_err().to_string();
        assert!(e.contains("DLF_ACCESS_KEY"), "{e}");
    }

    #[test]
    fn path_segments_are_encoded_like_the_sdk() {
        assert_eq!(encode_segment("job a/b"), "job%20a%2Fb");
        assert_eq!(encode_segment("作业"), "%E4%BD%9C%E4%B8%9A");
        assert_eq!(encode_segment("a-b_c.d~"), "a-b_c.d~");
    }
}
