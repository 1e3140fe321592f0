//! Notifications (JOBS.md §2.9, §3.2 SMN): the notifiers the server is configured with, the
//! per-job rules that say which instance ends notify whom, and their delivery.
//!
//! - `config`: `[[notifiers]]` as the config file spells them (secrets never printed);
//! - `webhook`, `smtp`: one attempt at one delivery each;
//! - `rules`: the job rules' wire form (the `/x/v1/.../notifications` extension) and which
//!   rules an instance end fires;
//! - `outbox`: queueing after an instance's end is committed, delivering in the background
//!   with retries, resuming undelivered notifications at start-up, and the daily
//!   "not finished by" check.
//!
//! A delivery never fails, delays or changes a job: it runs in a task of its own after the end
//! it reports is durable, and its failures are logged and kept in the deliveries record. Only
//! an SMN node, whose whole work is a delivery, fails when its delivery does.

pub mod config;
mod operations;
mod outbox;
pub mod rules;
mod smtp;
pub mod webhook;

pub use config::{NotifierConfig, RetryPolicy, Secret};
pub use outbox::EndedInstance;
pub use rules::{DeliveryItem, DeliveryList, NotificationEvent, NotificationRule, NotificationRules};

use serde::Serialize;
use std::collections::BTreeMap;

enum Target {
    Webhook(webhook::Webhook),
    Smtp(smtp::Smtp),
}

struct Entry {
    target: Target,
    policy: RetryPolicy,
}

/// The configured notifiers, by name.
#[derive(Default)]
pub struct Notifiers {
    by_name: BTreeMap<String, Entry>,
}

impl std::fmt::Debug for Notifiers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.by_name.keys()).finish()
    }
}

/// What a notification says: the JSON a webhook receives, and the e-mail's subject and text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// `FAILED`, `SUCCESS`, `CANCELED`, `NOT_FINISHED`, or `SMN` (an SMN node's message).
    pub event: String,
    pub subject: String,
    pub message: String,
    /// SMN: `NORMAL` or `STRUCTURE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// SMN: the node's `topic`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    pub project_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub workspace_id: String,
    pub job_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<i64>,
    /// The instance's status (ListJobInstances' wire value), for instance events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The instance's plan time, ms since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_time: Option<i64>,
    /// The node the event is about: the first failed node of a failure, or the SMN node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// When the event happened, ms since the epoch.
    pub event_time: i64,
    /// The API paths a receiver can link to or call (relative to the server's address).
    pub links: BTreeMap<String, String>,
}

impl Notification {
    /// Fills `links` from the ids.
    pub fn with_links(mut self) -> Notification {
        let job = percent_path(&self.job_name);
        let project = percent_path(&self.project_id);
        self.links.insert("job".into(), format!("/v1/{project}/jobs/{job}"));
        if let Some(id) = self.instance_id {
            self.links.insert("instance".into(), format!("/v1/{project}/jobs/{job}/instances/{id}"));
        }
        self
    }

    /// The e-mail text: the message, then the ids a reader needs to find the run.
    fn email_text(&self) -> String {
        let mut text = format!("{}\n\nproject: {}\njob: {}\n", self.message, self.project_id, self.job_name);
        if let Some(id) = self.instance_id {
            text.push_str(&format!("instance: {id}\n"));
        }
        if let Some(status) = &self.status {
            text.push_str(&format!("status: {status}\n"));
        }
        if let Some(node) = &self.node {
            text.push_str(&format!("node: {node}\n"));
        }
        if let Some(plan) = self.plan_time.and_then(chrono::DateTime::from_timestamp_millis) {
            text.push_str(&format!("plan time: {}\n", plan.format("%Y-%m-%d %H:%M:%S UTC")));
        }
        text
    }
}

/// Job names are `[A-Za-z0-9_-]` plus a few more (JOBS.md §2.1): escape anything that could
/// break a path.
fn percent_path(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Notifiers {
    /// Checks and builds every configured notifier; the first problem is the error.
    pub fn from_config(list: &[NotifierConfig]) -> Result<Notifiers, String> {
        let mut by_name = BTreeMap::new();
        for c in list {
            let name = c.name.trim();
            if name.is_empty() || name.contains(':') || name.len() > 128 {
                return Err(format!("notifier name '{name}' must be 1 to 128 characters without ':'"));
            }
            if by_name.contains_key(name) {
                return Err(format!("two notifiers are named '{name}'"));
            }
            let policy = c.retry_policy()?;
            let target = match c.kind.as_str() {
                "webhook" => {
                    crate::install_crypto_provider();
                    let url = c.url.as_deref().ok_or_else(|| format!("notifier '{name}': a webhook needs a url"))?;
                    let secret = c.secret.as_ref().map(|s| s.0.clone());
                    Target::Webhook(webhook::Webhook::new(name, url, secret, c.headers.clone(), policy.timeout)?)
                }
                "smtp" => Target::Smtp(smtp::Smtp::new(smtp::SmtpSettings {
                    name,
                    host: c.host.as_deref().ok_or_else(|| format!("notifier '{name}': smtp needs a host"))?,
                    port: c.port,
                    tls: c.tls.as_deref().unwrap_or("starttls"),
                    user: c.user.as_deref(),
                    password: c.password.as_ref().map(|s| s.0.as_str()),
                    from: c.from.as_deref().ok_or_else(|| format!("notifier '{name}': smtp needs a from address"))?,
                    to: &c.to,
                    timeout: policy.timeout,
                })?),
                other => return Err(format!("notifier '{name}': type '{other}' is not webhook or smtp")),
            };
            by_name.insert(name.to_string(), Entry { target, policy });
        }
        Ok(Notifiers { by_name })
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// The notifier a topic names: a notifier of exactly that name, else the part after the
    /// topic's last `:` (an SMN topic URN, `urn:smn:<region>:<project>:<topic name>`, names its
    /// topic last).
    pub fn resolve_topic(&self, topic: &str) -> Option<&str> {
        let topic = topic.trim();
        if let Some((name, _)) = self.by_name.get_key_value(topic) {
            return Some(name);
        }
        let last = topic.rsplit(':').next()?;
        self.by_name.get_key_value(last).map(|(name, _)| name.as_str())
    }

    /// `webhook` or `smtp`.
    pub fn kind(&self, name: &str) -> Option<&'static str> {
        self.by_name.get(name).map(|e| match e.target {
            Target::Webhook(_) => "webhook",
            Target::Smtp(_) => "smtp",
        })
    }

    pub fn policy(&self, name: &str) -> Option<RetryPolicy> {
        self.by_name.get(name).map(|e| e.policy)
    }

    /// One attempt to deliver `payload` (a [`Notification`] as JSON) through `name`.
    pub(crate) async fn attempt(
        &self,
        name: &str,
        delivery_id: &str,
        payload: &str,
        now_ms: i64,
    ) -> Result<(), String> {
        let entry = self.by_name.get(name).ok_or_else(|| format!("no notifier named '{name}' is configured"))?;
        match &entry.target {
            Target::Webhook(w) => w.post(delivery_id, payload.as_bytes(), now_ms.div_euclid(1000)).await,
            Target::Smtp(s) => {
                let n: EmailView =
                    serde_json::from_str(payload).map_err(|e| format!("unreadable notification: {e}"))?;
                let subject = n.subject.clone();
                s.send(&subject, &n.text()).await
            }
        }
    }
}

/// The fields of a stored notification an e-mail needs.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailView {
    event: String,
    subject: String,
    message: String,
    project_id: String,
    job_name: String,
    instance_id: Option<i64>,
    status: Option<String>,
    node: Option<String>,
    plan_time: Option<i64>,
    event_time: i64,
}

impl EmailView {
    fn text(self) -> String {
        Notification {
            event: self.event,
            subject: self.subject,
            message: self.message,
            message_type: None,
            topic: None,
            project_id: self.project_id,
            workspace_id: String::new(),
            job_name: self.job_name,
            instance_id: self.instance_id,
            status: self.status,
            plan_time: self.plan_time,
            node: self.node,
            event_time: self.event_time,
            links: BTreeMap::new(),
        }
        .email_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(name: &str) -> NotifierConfig {
        NotifierConfig {
            name: name.into(),
            kind: "webhook".into(),
            url: Some("http://127.0.0.1:9/hook".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_topic_names_a_notifier_by_its_whole_text_or_its_last_segment() {
        let n = Notifiers::from_config(&[webhook("ops"), webhook("dev")]).unwrap();
        assert_eq!(n.resolve_topic("ops"), Some("ops"));
        assert_eq!(n.resolve_topic("urn:smn:cn-north-4:0a1b2c:dev"), Some("dev"));
        assert_eq!(n.resolve_topic("urn:smn:cn-north-4:0a1b2c:nobody"), None);
        assert_eq!(n.resolve_topic(""), None);
    }

    #[test]
    fn bad_notifier_settings_are_refused_with_the_notifier_named() {
        let err = |c: NotifierConfig| Notifiers::from_config(&[c]).unwrap_err();
        assert!(err(NotifierConfig { url: None, ..webhook("a") }).contains("'a': a webhook needs a url"));
        assert!(err(NotifierConfig { url: Some("ftp://x".into()), ..webhook("a") }).contains("http"));
        assert!(err(NotifierConfig { kind: "pager".into(), ..webhook("a") }).contains("not webhook or smtp"));
        assert!(err(webhook("a:b")).contains("without ':'"));
        let smtp = NotifierConfig {
            name: "mail".into(),
            kind: "smtp".into(),
            host: Some("127.0.0.1".into()),
            from: Some("dlf@example.com".into()),
            ..Default::default()
        };
        assert!(err(smtp.clone()).contains("no recipient"));
        assert!(err(NotifierConfig { to: vec!["not an address".into()], ..smtp.clone() }).contains("not an address"));
        assert!(err(NotifierConfig { tls: Some("maybe".into()), to: vec!["a@b.c".into()], ..smtp }).contains("tls"));
        assert!(Notifiers::from_config(&[webhook("a"), webhook("a")]).unwrap_err().contains("two notifiers"));
    }
}
