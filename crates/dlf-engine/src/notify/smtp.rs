//! SMTP notifiers: the notification as a plain-text e-mail through a relay (lettre, on tokio,
//! TLS through rustls with the `ring` provider the rest of the server uses).
//!
//! `tls = "starttls"` (default, port 587) upgrades the connection and refuses a relay that
//! cannot; `tls = "tls"` (port 465) speaks TLS from the first byte; `tls = "none"` (port 25)
//! sends in the clear and is meant for a relay on the same machine or network.

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// A configured SMTP relay and its envelope.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    host: String,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp").field("host", &self.host).field("to", &self.to.len()).finish_non_exhaustive()
    }
}

/// What `new` needs (the config's SMTP keys, checked).
pub(super) struct SmtpSettings<'a> {
    pub name: &'a str,
    pub host: &'a str,
    pub port: Option<u16>,
    pub tls: &'a str,
    pub user: Option<&'a str>,
    pub password: Option<&'a str>,
    pub from: &'a str,
    pub to: &'a [String],
    pub timeout: Duration,
}

impl Smtp {
    pub(super) fn new(s: SmtpSettings<'_>) -> Result<Smtp, String> {
        let name = s.name;
        crate::install_crypto_provider();
        let builder = match s.tls {
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(s.host),
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(s.host),
            "none" => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host)),
            other => return Err(format!("notifier '{name}': tls '{other}' is not starttls, tls or none")),
        }
        .map_err(|e| format!("notifier '{name}': cannot use the relay {}: {e}", s.host))?;
        let mut builder = builder.timeout(Some(s.timeout));
        if let Some(port) = s.port {
            builder = builder.port(port);
        }
        match (s.user, s.password) {
            (Some(user), password) => {
                builder = builder.credentials(Credentials::new(user.to_string(), password.unwrap_or("").to_string()));
            }
            (None, Some(_)) => return Err(format!("notifier '{name}': a password needs a user")),
            (None, None) => {}
        }
        let from: Mailbox =
            s.from.parse().map_err(|e| format!("notifier '{name}': from '{}' is not an address: {e}", s.from))?;
        if s.to.is_empty() {
            return Err(format!("notifier '{name}': to lists no recipient"));
        }
        let to = s
            .to
            .iter()
            .map(|a| a.parse::<Mailbox>().map_err(|e| format!("notifier '{name}': to '{a}' is not an address: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Smtp { transport: builder.build(), from, to, host: s.host.to_string() })
    }

    /// One attempt: `Ok` once the relay accepted the message.
    pub(super) async fn send(&self, subject: &str, text: &str) -> Result<(), String> {
        let mut message = Message::builder().from(self.from.clone()).subject(subject).header(ContentType::TEXT_PLAIN);
        for to in &self.to {
            message = message.to(to.clone());
        }
        let message = message.body(text.to_string()).map_err(|e| format!("cannot build the e-mail: {e}"))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| format!("the SMTP relay {}: {e}", self.host))
    }
}
