//! Webhook notifiers: the notification as a JSON `POST`, signed so the receiver can tell it
//! came from this server and was not replayed from long ago (docs/configuration.md has the
//! receiver's side):
//!
//! - `X-DLF-Timestamp`: seconds since the epoch when the attempt was made;
//! - `X-DLF-Signature`: `sha256=` + hex HMAC-SHA256 of `timestamp + "." + body`, keyed with
//!   the notifier's `secret` (absent when it has none);
//! - `X-DLF-Delivery`: the delivery's id (the same on every attempt, so a receiver can drop
//!   duplicates).
//!
//! A 2xx answer is a delivery; anything else, or no answer in time, is a failed attempt.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::time::Duration;

/// A configured webhook.
pub struct Webhook {
    url: reqwest::Url,
    secret: Option<String>,
    headers: BTreeMap<String, String>,
    client: reqwest::Client,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a token in its query: only its origin is shown.
        f.debug_struct("Webhook").field("origin", &self.url.origin().ascii_serialization()).finish_non_exhaustive()
    }
}

/// `sha256=<hex>`: the value of `X-DLF-Signature` for a body sent at `timestamp`.
pub fn signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl Webhook {
    pub(super) fn new(
        name: &str,
        url: &str,
        secret: Option<String>,
        headers: BTreeMap<String, String>,
        timeout: Duration,
    ) -> Result<Webhook, String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("notifier '{name}': url is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("notifier '{name}': url must be http:// or https://"));
        }
        for (k, v) in &headers {
            if reqwest::header::HeaderName::from_bytes(k.as_bytes()).is_err()
                || reqwest::header::HeaderValue::from_str(v).is_err()
            {
                return Err(format!("notifier '{name}': header '{k}' is not a valid HTTP header"));
            }
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("notifier '{name}': cannot build an HTTP client: {e}"))?;
        Ok(Webhook { url, secret: secret.filter(|s| !s.is_empty()), headers, client })
    }

    /// One attempt: `Ok` on a 2xx answer.
    pub(super) async fn post(&self, delivery_id: &str, body: &[u8], now_secs: i64) -> Result<(), String> {
        let timestamp = now_secs.to_string();
        let mut request = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::USER_AGENT, concat!("dlf/", env!("CARGO_PKG_VERSION")))
            .header("X-DLF-Delivery", delivery_id)
            .header("X-DLF-Timestamp", &timestamp);
        if let Some(secret) = &self.secret {
            request = request.header("X-DLF-Signature", signature(secret, &timestamp, body));
        }
        for (k, v) in &self.headers {
            request = request.header(k.as_str(), v.as_str());
        }
        let response = request.body(body.to_vec()).send().await.map_err(|e| {
            // reqwest's message names the URL, which may carry a token: say only what failed.
            if e.is_timeout() {
                "the webhook did not answer in time".to_string()
            } else if e.is_connect() {
                "cannot connect to the webhook".to_string()
            } else {
                "the webhook request failed".to_string()
            }
        })?;
        let status = response.status();
        if status.is_success() { Ok(()) } else { Err(format!("the webhook answered HTTP {}", status.as_u16())) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            signature("key", "1700000000", br#"{"a":1}"#),
            "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
        );
        assert_ne!(signature("key", "1700000000", b"x"), signature("key", "1700000001", b"x"));
        assert_ne!(signature("key", "1", b"x"), signature("other", "1", b"x"));
    }
}
