//! A job's notification rules (JOBS.md §2.9) as the extension route reads and answers them,
//! and which of them an instance's end fires.
//!
//! `PUT /x/v1/{project_id}/jobs/{job_name}/notifications`
//! `{"rules": [{"event": "FAILED", "notifier": "ops"}, {"event": "NOT_FINISHED", "notifier": "ops",
//! "notFinishedBy": "06:30"}]}` replaces the job's rules (an empty list removes them).
//!
//! Which instances notify: a scheduled instance (type 0) or an `EXECUTE_ONCE` start (7)
//! notifies every event; a RunOnce or test run (2), a PatchData instance (5) and a SubJob or
//! For Each child (6) notify failures, cancels and "not finished", never successes — the
//! cloud's "test runs and PatchData successes notify nothing", read so that a failure is
//! never silent.

use dlf_core::model::{InstanceStatus, InstanceType};
use dlf_store::DeliveryRecord;
use serde::{Deserialize, Serialize};

/// The most rules one job may have.
pub const MAX_RULES: usize = 20;

/// What a rule fires on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotificationEvent {
    /// The instance ended `fail`.
    Failed,
    /// The instance ended `success`, `ignoreSuccess` or `forceSuccess`.
    Success,
    /// The instance was stopped (`manual-stop`).
    Canceled,
    /// The instance had not ended by the rule's `notFinishedBy` (daily, in the job's zone).
    NotFinished,
}

impl NotificationEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationEvent::Failed => "FAILED",
            NotificationEvent::Success => "SUCCESS",
            NotificationEvent::Canceled => "CANCELED",
            NotificationEvent::NotFinished => "NOT_FINISHED",
        }
    }

    /// The event an instance's end is, if any (`skip-by-depend` is none).
    pub fn of_end(status: InstanceStatus) -> Option<NotificationEvent> {
        match status {
            InstanceStatus::Fail => Some(NotificationEvent::Failed),
            InstanceStatus::ManualStop => Some(NotificationEvent::Canceled),
            s if s.is_success_class() => Some(NotificationEvent::Success),
            _ => None,
        }
    }

    /// Whether an instance of this type notifies this event (see the module docs).
    pub fn notifies(self, instance_type: InstanceType) -> bool {
        match instance_type {
            InstanceType::Normal | InstanceType::Once => true,
            InstanceType::Manual | InstanceType::PatchData | InstanceType::SubJob => self != NotificationEvent::Success,
        }
    }
}

/// One rule: on `event`, notify `notifier` (a configured notifier's name or an SMN topic URN
/// ending with it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationRule {
    pub event: NotificationEvent,
    pub notifier: String,
    /// `NOT_FINISHED` only: `HH:mm`, in the job's schedule zone (else the service zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_finished_by: Option<String>,
}

/// A job's rules: the body of the PUT and of the GET's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationRules {
    #[serde(default)]
    pub rules: Vec<NotificationRule>,
}

/// `HH:mm` → minutes after midnight.
pub fn parse_hh_mm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl NotificationRules {
    /// Checks the rules against the configured notifiers; the message says what is wrong.
    pub fn check(&self, notifiers: &super::Notifiers) -> Result<(), String> {
        if self.rules.len() > MAX_RULES {
            return Err(format!("a job has at most {MAX_RULES} notification rules"));
        }
        for (i, r) in self.rules.iter().enumerate() {
            if notifiers.resolve_topic(&r.notifier).is_none() {
                let known: Vec<&str> = notifiers.names().collect();
                return Err(format!(
                    "rules[{i}].notifier '{}' names no configured notifier (configured: {})",
                    r.notifier,
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ));
            }
            match (r.event, r.not_finished_by.as_deref()) {
                (NotificationEvent::NotFinished, Some(t)) if parse_hh_mm(t).is_some() => {}
                (NotificationEvent::NotFinished, _) => {
                    return Err(format!("rules[{i}]: NOT_FINISHED needs notFinishedBy as HH:mm (00:00 to 23:59)"));
                }
                (_, Some(_)) => return Err(format!("rules[{i}]: notFinishedBy applies to NOT_FINISHED only")),
                (_, None) => {}
            }
        }
        Ok(())
    }
}

/// One delivery as the deliveries route answers it (never the payload's secrets: it has none,
/// and the notifier's configuration is not part of it).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryItem {
    pub id: String,
    pub job_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<i64>,
    pub event: String,
    pub notifier: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub create_time: i64,
    pub update_time: i64,
}

impl From<DeliveryRecord> for DeliveryItem {
    fn from(d: DeliveryRecord) -> DeliveryItem {
        DeliveryItem {
            id: d.id,
            job_name: d.job_name,
            instance_id: d.instance_id,
            event: d.event,
            notifier: d.notifier,
            status: d.status.as_str().to_string(),
            attempts: d.attempts,
            last_error: d.last_error,
            create_time: d.created_ms,
            update_time: d.updated_ms,
        }
    }
}

/// `GET /x/v1/{project_id}/notifications/deliveries`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeliveryList {
    pub total: i64,
    pub deliveries: Vec<DeliveryItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_hh_mm() {
        assert_eq!(parse_hh_mm("06:30"), Some(390));
        assert_eq!(parse_hh_mm("23:59"), Some(1439));
        for bad in ["24:00", "6:30", "06:60", "0630", "ab:cd", ""] {
            assert_eq!(parse_hh_mm(bad), None, "{bad}");
        }
    }

    #[test]
    fn run_once_and_patch_data_successes_notify_nothing() {
        use NotificationEvent::*;
        assert!(Success.notifies(InstanceType::Normal));
        assert!(!Success.notifies(InstanceType::Manual));
        assert!(!Success.notifies(InstanceType::PatchData));
        assert!(Failed.notifies(InstanceType::Manual));
        assert!(Canceled.notifies(InstanceType::PatchData));
        assert_eq!(NotificationEvent::of_end(InstanceStatus::ForceSuccess), Some(Success));
        assert_eq!(NotificationEvent::of_end(InstanceStatus::SkipByDepend), None);
    }

    #[test]
    fn rules_are_checked_against_the_configured_notifiers() {
        let notifiers = super::super::Notifiers::from_config(&[super::super::NotifierConfig {
            name: "ops".into(),
            kind: "webhook".into(),
            url: Some("http://127.0.0.1:9/".into()),
            ..Default::default()
        }])
        .unwrap();
        let rule = |event, notifier: &str, by: Option<&str>| NotificationRule {
            event,
            notifier: notifier.into(),
            not_finished_by: by.map(str::to_string),
        };
        let ok = NotificationRules {
            rules: vec![
                rule(NotificationEvent::Failed, "urn:smn:r:p:ops", None),
                rule(NotificationEvent::NotFinished, "ops", Some("07:00")),
            ],
        };
        assert_eq!(ok.check(&notifiers), Ok(()));
        let bad = |r| NotificationRules { rules: vec![r] }.check(&notifiers).unwrap_err();
        assert!(bad(rule(NotificationEvent::Failed, "pager", None)).contains("configured: ops"));
        assert!(bad(rule(NotificationEvent::NotFinished, "ops", None)).contains("HH:mm"));
        assert!(bad(rule(NotificationEvent::Success, "ops", Some("07:00"))).contains("NOT_FINISHED only"));
    }
}
