//! Rest Client (`RESTAPI`, JOBS.md §3.2): one HTTP request, optionally repeated until a field
//! of the response says success or failure.
//!
//! Properties: `method` (GET, POST, PUT, DELETE), `url` (already rendered by the engine),
//! `headers` (`Name=value` lines), `body`, `urlParams` (`k=v` lines appended to the query
//! string, percent-encoded), `securityAuthentication` (`NONE`; `IAM` fails: there is no cloud
//! identity to sign with), the return-value check (`checkReturnValue` = `YES`, `propertyPath`,
//! `successFlag` / `failureFlag` `;`-separated, `checkInterval` seconds, default 10: re-request
//! until a flag matches, for at most one hour) and `responseParams` (`var=json.path` lines).
//! `agentName`, `requestMode` and `retry` are accepted and ignored.
//!
//! - Success = a 2xx answer (and a success flag when the check is on). The node's output is the
//!   body, at most 30 MB: a larger body fails the node. A non-2xx answer fails (retryable) with
//!   its status and the start of its body, in the message and the log.
//! - The attempt log gets the request line, the header names (values that look secret, such as
//!   `Authorization`, masked) and each response's status.
//! - Stop and `maxExecutionTime` fire the cancel token, which drops the request at once (its
//!   connection is closed).
//! - Where the request may go is the server's [`OutboundPolicy`] (`outbound.rs`): the resolved
//!   addresses are checked, redirects are followed (at most 10) with every literal address
//!   checked and every name resolved through the policy again. A refused address fails the
//!   node, not retryable, naming the address and the setting.
//! - `responseParams`: the runner checks that every path exists (else the node fails); the
//!   variables themselves are derived by the engine from the node's stored output, so they
//!   survive a restart without a store change (`execution::response_vars`).

pub mod json_path;
pub mod outbound;

use super::{AttemptContext, AttemptOutcome, AttemptSpec, NodeRunner};
use async_trait::async_trait;
use outbound::{OutboundPolicy, PolicyResolver, Refusals, literal_ip};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The largest response body a node accepts (JOBS.md §7).
pub const MAX_BODY_BYTES: usize = 30 * 1024 * 1024;
/// How long a node re-requests while no flag matches (JOBS.md §5.4).
pub const POLL_WINDOW: Duration = Duration::from_secs(3600);
/// `checkInterval` when the node gives none.
pub const DEFAULT_CHECK_INTERVAL_SECS: u64 = 10;
/// How much of an error body goes into a failure message.
const EXCERPT_CHARS: usize = 500;

pub struct RestRunner {
    policy: Arc<OutboundPolicy>,
}

impl RestRunner {
    pub fn new(policy: OutboundPolicy) -> RestRunner {
        // HTTPS: rustls on `ring`, certificates verified against the system's roots.
        crate::install_crypto_provider();
        RestRunner { policy: Arc::new(policy) }
    }
}

/// The return-value check.
struct Check {
    path: String,
    success: Vec<String>,
    failure: Vec<String>,
    interval: Duration,
}

/// The request a node sends, built from its properties.
struct Request {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    body: Option<String>,
    check: Option<Check>,
    response_params: String,
}

fn flags(value: Option<&str>) -> Vec<String> {
    value.unwrap_or("").split(';').map(str::trim).filter(|f| !f.is_empty()).map(str::to_string).collect()
}

/// Reads the node's properties (every problem here is the node's definition: not retryable).
fn request(spec: &AttemptSpec) -> Result<Request, String> {
    let prop = |k: &str| spec.property(k).map(str::trim).filter(|v| !v.is_empty());
    let method = match prop("method").map(str::to_ascii_uppercase).as_deref() {
        Some("GET") => reqwest::Method::GET,
        Some("POST") => reqwest::Method::POST,
        Some("PUT") => reqwest::Method::PUT,
        Some("DELETE") => reqwest::Method::DELETE,
        Some(other) => return Err(format!("method '{other}' is not one of GET, POST, PUT, DELETE")),
        None => return Err("the property 'method' is required".into()),
    };
    match prop("securityAuthentication").map(str::to_ascii_uppercase).as_deref() {
        None | Some("NONE") => {}
        Some("IAM") => {
            return Err("securityAuthentication IAM is not supported by this server (there is no cloud identity \
                 to sign with): use NONE and put the credentials the service needs in 'headers'"
                .into());
        }
        Some(other) => return Err(format!("securityAuthentication '{other}' is not NONE or IAM")),
    }
    let raw_url = prop("url").ok_or("the property 'url' is required")?;
    let mut url = reqwest::Url::parse(raw_url).map_err(|e| format!("url '{raw_url}' is not a valid URL: {e}"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("url '{raw_url}': only http and https URLs can be requested"));
    }
    let params = crate::execution::params::key_value_lines(spec.property("urlParams").unwrap_or(""));
    if !params.is_empty() {
        let mut query = url.query_pairs_mut();
        for (k, v) in &params {
            query.append_pair(k, v);
        }
    }
    let mut headers = reqwest::header::HeaderMap::new();
    for line in spec.property("headers").unwrap_or("").lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once('=').or_else(|| line.split_once(':')).ok_or_else(|| {
            format!("headers: the line '{}' is not Name=value", line.chars().take(40).collect::<String>())
        })?;
        let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("headers: '{}' is not a valid header name", name.trim()))?;
        let value = reqwest::header::HeaderValue::from_str(value.trim())
            .map_err(|_| format!("headers: the value of '{name}' is not a valid header value"))?;
        headers.append(name, value);
    }
    let check = match prop("checkReturnValue").map(str::to_ascii_uppercase).as_deref() {
        Some("YES") | Some("TRUE") => {
            let path = prop("propertyPath").ok_or("checkReturnValue is YES, so 'propertyPath' is required")?;
            let (success, failure) = (flags(prop("successFlag")), flags(prop("failureFlag")));
            if success.is_empty() && failure.is_empty() {
                return Err("checkReturnValue is YES, so 'successFlag' or 'failureFlag' is required".into());
            }
            let interval = match prop("checkInterval") {
                None => DEFAULT_CHECK_INTERVAL_SECS,
                Some(v) => v
                    .parse()
                    .ok()
                    .filter(|s| *s >= 1)
                    .ok_or_else(|| format!("checkInterval '{v}' is not a whole number of seconds of at least 1"))?,
            };
            Some(Check { path: path.to_string(), success, failure, interval: Duration::from_secs(interval) })
        }
        None | Some("NO") | Some("FALSE") => None,
        Some(other) => return Err(format!("checkReturnValue '{other}' is not YES or NO")),
    };
    Ok(Request {
        method,
        url,
        headers,
        body: spec.property("body").filter(|b| !b.is_empty()).map(str::to_string),
        check,
        response_params: spec.property("responseParams").unwrap_or("").to_string(),
    })
}

/// Whether a header's value must not reach the log.
fn looks_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["auth", "token", "secret", "key", "password", "cookie", "signature", "credential", "session"]
        .iter()
        .any(|s| name.contains(s))
}

/// The client of one attempt: no proxy, the policy's resolver, redirects checked.
fn client(policy: &Arc<OutboundPolicy>, refusals: &Refusals) -> Result<reqwest::Client, String> {
    let redirect_policy = policy.clone();
    let redirect_refusals = refusals.clone();
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(30))
        .dns_resolver(Arc::new(PolicyResolver { policy: policy.clone(), refusals: refusals.clone() }))
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 10 {
                return attempt.error("more than 10 redirects");
            }
            match literal_ip(attempt.url()).and_then(|ip| redirect_policy.refusal(ip)) {
                Some(reason) => {
                    let reason = format!("a redirect to {} was refused: {reason}", attempt.url());
                    *redirect_refusals.lock().expect("lock") = Some(reason.clone());
                    attempt.error(reason)
                }
                None => attempt.follow(),
            }
        }))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// The first characters of a body, for a message.
fn excerpt(body: &str) -> String {
    let mut text: String = body.chars().take(EXCERPT_CHARS).collect();
    if body.chars().nth(EXCERPT_CHARS).is_some() {
        text.push('…');
    }
    text
}

/// The full text of an error, with its causes.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// One response: status and body (capped).
struct Answer {
    status: reqwest::StatusCode,
    body: String,
}

enum Sent {
    Answer(Answer),
    Failed(AttemptOutcome),
}

#[async_trait]
impl NodeRunner for RestRunner {
    async fn run(&self, spec: &AttemptSpec, mut ctx: AttemptContext<'_>) -> AttemptOutcome {
        let request = match request(spec) {
            Ok(r) => r,
            Err(message) => {
                ctx.log.write(format!("{message}\n").as_bytes()).await;
                return AttemptOutcome::failed(message, false);
            }
        };
        if let Some(reason) = literal_ip(&request.url).and_then(|ip| self.policy.refusal(ip)) {
            let message = format!("request to {} refused: {reason}", request.url);
            ctx.log.write(format!("{message}\n").as_bytes()).await;
            return AttemptOutcome::failed(message, false);
        }
        let refusals: Refusals = Arc::new(Mutex::new(None));
        let client = match client(&self.policy, &refusals) {
            Ok(c) => c,
            Err(message) => return AttemptOutcome::failed(message, true),
        };
        let mut head = format!("{} {}\n", request.method, request.url);
        for (name, value) in &request.headers {
            let shown = if looks_secret(name.as_str()) { "******" } else { value.to_str().unwrap_or("(binary)") };
            head.push_str(&format!("{name}: {shown}\n"));
        }
        if let Some(body) = &request.body {
            head.push_str(&format!("(body: {} bytes)\n", body.len()));
        }
        let deadline = Instant::now() + POLL_WINDOW;
        let mut round = 0u32;
        loop {
            round += 1;
            ctx.log.write(head.as_bytes()).await;
            let answer = tokio::select! {
                sent = send(&client, &request, &refusals) => sent,
                _ = ctx.cancel.cancelled() => {
                    ctx.log.write(b"the request was aborted\n").await;
                    return AttemptOutcome::Stopped;
                }
            };
            let answer = match answer {
                Sent::Answer(a) => a,
                Sent::Failed(outcome) => {
                    if let AttemptOutcome::Failed { message, .. } = &outcome {
                        ctx.log.write(format!("{message}\n").as_bytes()).await;
                    }
                    return outcome;
                }
            };
            ctx.log.write(format!("HTTP {} ({} bytes)\n", answer.status, answer.body.len()).as_bytes()).await;
            if !answer.status.is_success() {
                let message = format!("the server answered HTTP {}: {}", answer.status, excerpt(&answer.body));
                ctx.log.write(format!("{message}\n").as_bytes()).await;
                return AttemptOutcome::failed(message, true);
            }
            let Some(check) = &request.check else {
                return succeed(&request, answer, &mut ctx).await;
            };
            let value = serde_json::from_str::<serde_json::Value>(&answer.body)
                .ok()
                .and_then(|doc| json_path::lookup(&doc, &check.path).ok().flatten().map(json_path::text));
            let shown = value.clone().unwrap_or_else(|| "(nothing)".into());
            if value.as_ref().is_some_and(|v| check.success.contains(v)) {
                ctx.log.write(format!("{} = {shown}: a success flag\n", check.path).as_bytes()).await;
                return succeed(&request, answer, &mut ctx).await;
            }
            if value.as_ref().is_some_and(|v| check.failure.contains(v)) {
                let message = format!("{} = {shown}, a failure flag", check.path);
                ctx.log.write(format!("{message}\n").as_bytes()).await;
                return AttemptOutcome::failed(message, false);
            }
            if Instant::now() + check.interval > deadline {
                let message = format!(
                    "{} matched no success or failure flag within {} min (last value: {shown})",
                    check.path,
                    POLL_WINDOW.as_secs() / 60
                );
                ctx.log.write(format!("{message}\n").as_bytes()).await;
                return AttemptOutcome::failed(message, false);
            }
            let note = format!(
                "{} = {shown} matches no flag; request {} again in {} s",
                check.path,
                round + 1,
                check.interval.as_secs()
            );
            ctx.log.write(format!("{note}\n").as_bytes()).await;
            ctx.report.progress(&note);
            tokio::select! {
                _ = tokio::time::sleep(check.interval) => {}
                _ = ctx.cancel.cancelled() => return AttemptOutcome::Stopped,
            }
        }
    }
}

/// Sends the request once and reads the answer (at most [`MAX_BODY_BYTES`]).
async fn send(client: &reqwest::Client, request: &Request, refusals: &Refusals) -> Sent {
    let mut builder = client.request(request.method.clone(), request.url.clone()).headers(request.headers.clone());
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let refused = |e: &reqwest::Error| {
        let reason = refusals.lock().expect("lock").take();
        match reason {
            Some(reason) => {
                Sent::Failed(AttemptOutcome::failed(format!("request to {} refused: {reason}", request.url), false))
            }
            None => Sent::Failed(AttemptOutcome::failed(
                format!("request to {} failed: {}", request.url, describe(e)),
                true,
            )),
        }
    };
    let mut response = match builder.send().await {
        Ok(r) => r,
        Err(e) => return refused(&e),
    };
    let status = response.status();
    if response.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Sent::Failed(too_large());
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Sent::Failed(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return refused(&e),
        }
    }
    Sent::Answer(Answer { status, body: String::from_utf8_lossy(&body).into_owned() })
}

fn too_large() -> AttemptOutcome {
    AttemptOutcome::failed(format!("the response body is larger than {} MB", MAX_BODY_BYTES / (1024 * 1024)), false)
}

/// The node succeeds with the body as its output, once its response parameters read.
async fn succeed(request: &Request, answer: Answer, ctx: &mut AttemptContext<'_>) -> AttemptOutcome {
    match json_path::response_variables(&request.response_params, &answer.body) {
        Ok(vars) => {
            for (name, _) in &vars {
                ctx.log.write(format!("job variable '{name}' set from the response\n").as_bytes()).await;
            }
            AttemptOutcome::Succeeded { output: Some(answer.body) }
        }
        Err(message) => {
            ctx.log.write(format!("{message}\n").as_bytes()).await;
            AttemptOutcome::failed(message, false)
        }
    }
}

/// Registers the Rest Client and HTTP Trigger runners (they need the server's outbound policy
/// and its list of waiting triggers, which [`super::Registry::builtin`] does not have).
pub fn register(
    registry: &mut super::Registry,
    config: &crate::EngineConfig,
    triggers: &Arc<super::http_trigger::HttpTriggers>,
) {
    registry.register("RESTAPI", Arc::new(RestRunner::new(config.outbound.clone())));
    let trigger: Arc<dyn NodeRunner> = Arc::new(super::http_trigger::HttpTriggerRunner::new(triggers.clone()));
    for node_type in [super::http_trigger::NODE_TYPE, "HTTPTrigger", "Httptrigger"] {
        registry.register(node_type, trigger.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The client of an attempt builds with TLS (HTTPS URLs work) and the policy's resolver.
    #[test]
    fn the_client_builds_with_tls() {
        let runner = RestRunner::new(OutboundPolicy::default());
        let refusals: Refusals = Arc::new(Mutex::new(None));
        assert!(client(&runner.policy, &refusals).is_ok());
        assert!(rustls::crypto::CryptoProvider::get_default().is_some(), "a provider is installed");
    }

    #[test]
    fn secret_looking_headers_are_masked() {
        for name in ["Authorization", "X-Auth-Token", "X-Api-Key", "Cookie", "Proxy-Authorization"] {
            assert!(looks_secret(name), "{name}");
        }
        for name in ["Content-Type", "X-Trace", "Accept"] {
            assert!(!looks_secret(name), "{name}");
        }
    }
}
