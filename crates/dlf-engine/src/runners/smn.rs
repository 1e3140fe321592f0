//! SMN nodes (`type: "SMN"`, JOBS.md §3.2): send a message to a notification topic — here, to
//! the configured notifier the topic names (`notify::Notifiers::resolve_topic`: the whole
//! `topic`, else its last `:`-separated part, so an SMN topic URN
//! `urn:smn:<region>:<project>:<name>` reaches the notifier `<name>`).
//!
//! Properties: `topic` (required), `subject` (≤ 512 characters), `messageType` and `message`
//! (≤ 10 KB). `NORMAL` sends `message` as it is; `STRUCTURE` takes a JSON object of bodies per
//! protocol and sends its `http` (webhooks; else `https`) or `email` (SMTP) entry, else its
//! `default`; `TEMPLATE` (an SMN message template) has no equivalent and fails the node.
//! An unknown topic fails the node without a retry; a failed delivery (after the notifier's
//! own attempts) fails it retryably, under the node's retry policy.

use super::{AttemptContext, AttemptOutcome, AttemptSpec, NodeRunner};
use crate::notify::{Notification, Notifiers};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;

const MAX_SUBJECT_CHARS: usize = 512;
const MAX_MESSAGE_BYTES: usize = 10 * 1024;

pub struct SmnRunner {
    notifiers: Arc<Notifiers>,
}

impl SmnRunner {
    pub fn new(notifiers: Arc<Notifiers>) -> SmnRunner {
        SmnRunner { notifiers }
    }
}

fn env<'a>(spec: &'a AttemptSpec, name: &str) -> &'a str {
    spec.env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// The text to send from a `STRUCTURE` message for a notifier of `kind`.
fn structured_body(message: &str, kind: &str) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(message)
        .map_err(|e| format!("a STRUCTURE message must be a JSON object of bodies per protocol: {e}"))?;
    let obj = value.as_object().ok_or("a STRUCTURE message must be a JSON object of bodies per protocol")?;
    let keys: &[&str] = if kind == "smtp" { &["email", "default"] } else { &["http", "https", "default"] };
    let picked = keys.iter().find_map(|k| obj.get(*k)).ok_or("a STRUCTURE message needs a \"default\" body")?;
    Ok(match picked {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// What the node sends, or why it cannot send (not retryable: the node's definition is wrong).
fn prepare(spec: &AttemptSpec, notifiers: &Notifiers) -> Result<(String, Notification), String> {
    let topic = spec.property("topic").unwrap_or("").trim();
    if topic.is_empty() {
        return Err("the SMN node has no topic".into());
    }
    let name = notifiers.resolve_topic(topic).ok_or_else(|| {
        let known: Vec<&str> = notifiers.names().collect();
        format!(
            "topic '{topic}' names no configured notifier (configured: {}); see docs/configuration.md, notifiers",
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        )
    })?;
    let subject = spec.property("subject").unwrap_or("").to_string();
    if subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(format!("subject is longer than {MAX_SUBJECT_CHARS} characters"));
    }
    let raw = spec.property("message").unwrap_or("");
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(format!("message is larger than {} KB", MAX_MESSAGE_BYTES / 1024));
    }
    let message_type = spec.property("messageType").map(str::trim).filter(|t| !t.is_empty()).unwrap_or("NORMAL");
    let message = match message_type.to_ascii_uppercase().as_str() {
        "NORMAL" => raw.to_string(),
        "STRUCTURE" => structured_body(raw, notifiers.kind(name).unwrap_or("webhook"))?,
        "TEMPLATE" => {
            return Err(
                "messageType TEMPLATE (an SMN message template) is not supported: use NORMAL or STRUCTURE".into()
            );
        }
        other => return Err(format!("messageType '{other}' is not NORMAL, STRUCTURE or TEMPLATE")),
    };
    let job_name = env(spec, "DLF_JOB_NAME").to_string();
    let notification = Notification {
        event: "SMN".into(),
        subject: if subject.is_empty() { format!("[dlf] message from job {job_name}") } else { subject },
        message,
        message_type: Some(message_type.to_ascii_uppercase()),
        topic: Some(topic.to_string()),
        project_id: env(spec, "DLF_PROJECT_ID").to_string(),
        workspace_id: String::new(),
        job_name,
        instance_id: Some(spec.instance_id),
        status: None,
        plan_time: env(spec, "DLF_PLAN_TIME").parse().ok(),
        node: Some(spec.node_name.clone()),
        event_time: chrono::Utc::now().timestamp_millis(),
        links: BTreeMap::new(),
    }
    .with_links();
    Ok((name.to_string(), notification))
}

#[async_trait]
impl NodeRunner for SmnRunner {
    async fn run(&self, spec: &AttemptSpec, ctx: AttemptContext<'_>) -> AttemptOutcome {
        let (name, notification) = match prepare(spec, &self.notifiers) {
            Ok(p) => p,
            Err(message) => {
                ctx.log.write(format!("{message}\n").as_bytes()).await;
                return AttemptOutcome::failed(message, false);
            }
        };
        let Some(policy) = self.notifiers.policy(&name) else {
            return AttemptOutcome::failed(format!("no notifier named '{name}' is configured"), false);
        };
        let payload = match serde_json::to_string(&notification) {
            Ok(p) => p,
            Err(e) => return AttemptOutcome::failed(format!("cannot encode the message: {e}"), false),
        };
        let delivery_id = format!("{}-{}-{}", spec.instance_id, spec.node_name, spec.attempt);
        let mut last_error = String::new();
        for attempt in 1..=policy.max_attempts {
            let sent = tokio::select! {
                r = self.notifiers.attempt(&name, &delivery_id, &payload, chrono::Utc::now().timestamp_millis()) => r,
                _ = ctx.cancel.cancelled() => return AttemptOutcome::Stopped,
            };
            match sent {
                Ok(()) => {
                    ctx.log.write(format!("sent to notifier '{name}' (attempt {attempt})\n").as_bytes()).await;
                    return AttemptOutcome::Succeeded { output: None };
                }
                Err(e) => {
                    ctx.log.write(format!("attempt {attempt} to notifier '{name}' failed: {e}\n").as_bytes()).await;
                    ctx.report.progress(&format!("delivery attempt {attempt} failed"));
                    last_error = e;
                }
            }
            if attempt < policy.max_attempts {
                tokio::select! {
                    _ = tokio::time::sleep(policy.wait_after(attempt)) => {}
                    _ = ctx.cancel.cancelled() => return AttemptOutcome::Stopped,
                }
            }
        }
        AttemptOutcome::failed(format!("the message to notifier '{name}' was not delivered: {last_error}"), true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_structure_message_picks_the_protocol_body_else_the_default() {
        let m = r#"{"default":"plain","email":"for mail","http":{"k":1}}"#;
        assert_eq!(structured_body(m, "smtp").unwrap(), "for mail");
        assert_eq!(structured_body(m, "webhook").unwrap(), r#"{"k":1}"#);
        assert_eq!(structured_body(r#"{"default":"d"}"#, "smtp").unwrap(), "d");
        assert!(structured_body(r#"{"sms":"x"}"#, "smtp").unwrap_err().contains("default"));
        assert!(structured_body("not json", "smtp").unwrap_err().contains("JSON object"));
    }
}
