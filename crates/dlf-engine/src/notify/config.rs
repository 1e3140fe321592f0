//! The notifiers a server is configured with (`[[notifiers]]` in the config file): what each
//! one is told, checked once at start-up so a typo fails `dlf serve` instead of a delivery.
//! Secrets (a webhook's signing secret, an SMTP password) are [`Secret`]s: never printed,
//! never answered by any route.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// A configured secret: its `Debug` says `***`, so a logged setting never shows it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// One `[[notifiers]]` entry, as the config file spells it. `type` says which of the other
/// keys apply: `webhook` (`url`, `secret`, `headers`) or `smtp` (`host`, `port`, `tls`,
/// `user`, `password`, `from`, `to`); `max_attempts` and `backoff_ms` apply to both.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifierConfig {
    /// The name rules and SMN topics refer to.
    pub name: String,
    /// `webhook` or `smtp`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Webhook: where the JSON is posted (`http://` or `https://`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Webhook: the key of the `X-DLF-Signature` HMAC (no signature without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// Webhook: extra request headers.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// SMTP: the relay's host name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// SMTP: its port (default 587 with `starttls`, 465 with `tls`, 25 with `none`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// SMTP: `starttls` (default), `tls` (implicit TLS) or `none` (plain text; loopback relays).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<String>,
    /// SMTP: the login, if the relay wants one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// SMTP: the sender address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// SMTP: the recipients.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    /// Attempts per delivery (default 5, at most 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// Wait before the second attempt, doubled after each further one (default 1000 ms, at
    /// most a minute between attempts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_ms: Option<u64>,
    /// Seconds one attempt may take (default 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
}

/// How often and how patiently a notifier's deliveries are tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub backoff: Duration,
    pub timeout: Duration,
}

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

impl RetryPolicy {
    /// The wait after attempt `attempt` (1-based) failed: `backoff`, doubled each time, capped.
    pub fn wait_after(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.saturating_sub(1).min(16)).unwrap_or(u32::MAX);
        self.backoff.saturating_mul(factor).min(MAX_BACKOFF)
    }
}

impl NotifierConfig {
    pub(super) fn retry_policy(&self) -> Result<RetryPolicy, String> {
        let max_attempts = self.max_attempts.unwrap_or(5);
        if !(1..=20).contains(&max_attempts) {
            return Err(format!("notifier '{}': max_attempts must be 1 to 20", self.name));
        }
        Ok(RetryPolicy {
            max_attempts,
            backoff: Duration::from_millis(self.backoff_ms.unwrap_or(1000)),
            timeout: Duration::from_secs(self.timeout_secs.unwrap_or(10).max(1)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let c = NotifierConfig {
            name: "ops".into(),
            kind: "webhook".into(),
            secret: Some(Secret("s3cr3t".into())),
            password: Some(Secret("pa55".into())),
            ..Default::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t") && !shown.contains("pa55"), "{shown}");
    }

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let p = RetryPolicy { max_attempts: 5, backoff: Duration::from_secs(1), timeout: Duration::from_secs(1) };
        let waits: Vec<u64> = (1..=8).map(|a| p.wait_after(a).as_secs()).collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 60, 60]);
    }
}
