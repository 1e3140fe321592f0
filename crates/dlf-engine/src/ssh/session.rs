//! One logged-in SSH connection: connect, check the host's key, authenticate, and run commands
//! on exec channels.
//!
//! Authentication is the connection's `privateKey` (OpenSSH or PEM, opened with `passphrase`
//! when encrypted) if it has one, else its `password`; both are tried when both are given, key
//! first. Every error is a sentence naming the host and what failed; it may quote the host or
//! the client library, so callers pass it through [`ResolvedConnection::redact`] before it
//! reaches a user.

use crate::connections::ResolvedConnection;
use dlf_core::model::connection::{ConnectionTarget, SshAddress};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{ChannelMsg, Disconnect, client};
use secrecy::ExposeSecret;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Connecting, the key exchange and authentication together may take this long.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A helper command (upload, kill, clean-up) may take this long.
const HELPER_TIMEOUT: Duration = Duration::from_secs(30);
/// Keepalives while a long program runs: a host that stops answering ends the connection after
/// [`KEEPALIVE_MAX`] unanswered ones.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
const KEEPALIVE_MAX: usize = 4;

/// A logged-in connection to an SSH host.
pub struct Session {
    handle: Arc<client::Handle<HostKeyCheck>>,
    /// `user@host:port`, for messages.
    pub label: String,
}

/// The end of a helper command and what it printed.
pub struct Finished {
    /// The exit code (`None`: killed by a signal or the channel closed without one).
    pub code: Option<u32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Finished {
    /// `Ok` for exit code 0, else a message with what the command printed on stderr.
    pub fn ok_or(&self, what: &str) -> Result<(), String> {
        if self.code == Some(0) {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&self.stderr);
        let code = self.code.map(|c| format!("exit code {c}")).unwrap_or_else(|| "no exit code".into());
        Err(format!("{what} failed on the SSH host ({code}): {}", stderr.trim()))
    }
}

impl Session {
    /// Connects to the host of `connection`, checks its key and logs in, within
    /// [`CONNECT_TIMEOUT`].
    pub async fn connect(connection: &ResolvedConnection) -> Result<Session, String> {
        let ConnectionTarget::Ssh(address) = &connection.target else {
            return Err(format!("the connection {} is not an SSH host", connection.name));
        };
        let label = format!("{}@{}:{}", address.user, address.host, address.port);
        match tokio::time::timeout(CONNECT_TIMEOUT, login(connection, address, &label)).await {
            Ok(result) => result.map(|handle| Session { handle: Arc::new(handle), label }),
            Err(_) => {
                Err(format!("cannot reach the SSH host {label}: no login within {} seconds", CONNECT_TIMEOUT.as_secs()))
            }
        }
    }

    /// A guard that runs `command` on the host if it is dropped while armed: the backstop for an
    /// attempt whose future is dropped before its own clean-up ran.
    pub fn guard(&self, command: String) -> DropGuard {
        DropGuard { handle: self.handle.clone(), command, armed: true }
    }

    /// Opens an exec channel running `command` (a fixed text built by dlf: the remote user's
    /// login shell parses it).
    pub async fn exec(&self, command: &str) -> Result<russh::Channel<client::Msg>, String> {
        let channel = self
            .handle
            .channel_open_session()
            .await
            .map_err(|e| format!("cannot open a channel to the SSH host {}: {e}", self.label))?;
        channel
            .exec(true, command)
            .await
            .map_err(|e| format!("the SSH host {} refused to run a command: {e}", self.label))?;
        Ok(channel)
    }

    /// Runs a helper `command` with `stdin` as its standard input (then end of file) and waits
    /// for it, at most [`HELPER_TIMEOUT`].
    pub async fn run(&self, command: &str, stdin: &[u8]) -> Result<Finished, String> {
        let work = async {
            let mut channel = self.exec(command).await?;
            if !stdin.is_empty() {
                channel
                    .data(stdin)
                    .await
                    .map_err(|e| format!("cannot send data to the SSH host {}: {e}", self.label))?;
            }
            let _ = channel.eof().await;
            let mut finished = Finished { code: None, stdout: Vec::new(), stderr: Vec::new() };
            while let Some(message) = channel.wait().await {
                match message {
                    ChannelMsg::Data { data } => finished.stdout.extend_from_slice(&data),
                    ChannelMsg::ExtendedData { data, .. } => finished.stderr.extend_from_slice(&data),
                    ChannelMsg::ExitStatus { exit_status } => finished.code = Some(exit_status),
                    ChannelMsg::Close => break,
                    _ => {}
                }
            }
            Ok(finished)
        };
        tokio::time::timeout(HELPER_TIMEOUT, work).await.unwrap_or_else(|_| {
            Err(format!(
                "the SSH host {} did not finish a command within {} seconds",
                self.label,
                HELPER_TIMEOUT.as_secs()
            ))
        })
    }

    /// Logs out.
    pub async fn close(self) {
        let _ = self.handle.disconnect(Disconnect::ByApplication, "", "en").await;
    }
}

/// Runs its command on the host when dropped while armed (see [`Session::guard`]).
pub struct DropGuard {
    handle: Arc<client::Handle<HostKeyCheck>>,
    /// The command; it may change while the attempt runs (once the process group is known).
    pub command: String,
    armed: bool,
}

impl DropGuard {
    /// The attempt cleaned up itself: dropping the guard does nothing.
    pub fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let handle = self.handle.clone();
        let command = std::mem::take(&mut self.command);
        runtime.spawn(async move {
            let work = async {
                let mut channel = handle.channel_open_session().await.ok()?;
                channel.exec(true, command).await.ok()?;
                let _ = channel.eof().await;
                while let Some(message) = channel.wait().await {
                    if matches!(message, ChannelMsg::Close) {
                        break;
                    }
                }
                Some(())
            };
            let _ = tokio::time::timeout(HELPER_TIMEOUT, work).await;
            let _ = handle.disconnect(Disconnect::ByApplication, "", "en").await;
        });
    }
}

/// Connects, checks the host key and authenticates.
async fn login(
    connection: &ResolvedConnection,
    address: &SshAddress,
    label: &str,
) -> Result<client::Handle<HostKeyCheck>, String> {
    let config = Arc::new(client::Config {
        keepalive_interval: Some(KEEPALIVE_INTERVAL),
        keepalive_max: KEEPALIVE_MAX,
        nodelay: true,
        ..Default::default()
    });
    let check = HostKeyCheck {
        pinned: address.host_key_fingerprint.clone(),
        label: label.to_string(),
        seen: Arc::new(Mutex::new(None)),
    };
    let seen = check.seen.clone();
    let mut handle = match client::connect(config, (address.host.as_str(), address.port), check).await {
        Ok(handle) => handle,
        Err(e) => {
            let shown = seen.lock().map(|s| s.clone()).unwrap_or_default();
            return Err(match (&address.host_key_fingerprint, shown) {
                (Some(pinned), Some(shown)) if *pinned != shown => format!(
                    "the SSH host {label} shows the host key {shown}, not the pinned hostKeyFingerprint \
                     {pinned}: refusing to log in (if the host's key was changed on purpose, update the connection)"
                ),
                _ => format!("cannot connect to the SSH host {label}: {e}"),
            });
        }
    };
    let mut refused = Vec::new();
    if let Some(key) = &connection.private_key {
        let passphrase = connection.passphrase.as_ref().map(|p| p.expose_secret().to_string());
        let key = decode_key(key.expose_secret(), passphrase.as_deref())?;
        let hash = handle.best_supported_rsa_hash().await.ok().flatten().flatten();
        let key = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
        let result = handle
            .authenticate_publickey(&address.user, key)
            .await
            .map_err(|e| format!("the SSH host {label} ended the login: {e}"))?;
        if result.success() {
            return Ok(handle);
        }
        refused.push("private key");
    }
    if let Some(password) = &connection.password {
        let result = handle
            .authenticate_password(&address.user, password.expose_secret())
            .await
            .map_err(|e| format!("the SSH host {label} ended the login: {e}"))?;
        if result.success() {
            return Ok(handle);
        }
        refused.push("password");
    }
    if refused.is_empty() {
        return Err(format!("the connection {} has neither a password nor a privateKey", connection.name));
    }
    Err(format!(
        "the SSH host {label} refused the {} of user {}: permission denied",
        refused.join(" and the "),
        address.user
    ))
}

/// The connection's private key, opened.
fn decode_key(text: &str, passphrase: Option<&str>) -> Result<russh::keys::PrivateKey, String> {
    // Keys pasted into JSON may carry \r\n or stray spaces around lines.
    let text: String = text.lines().map(|l| format!("{}\n", l.trim())).collect();
    russh::keys::decode_secret_key(&text, passphrase).map_err(|e| {
        let hint = if passphrase.is_none() { " (if it is encrypted, give its passphrase)" } else { "" };
        format!("the connection's privateKey cannot be read as an OpenSSH or PEM private key{hint}: {e}")
    })
}

/// The host key policy (module docs of `crate::ssh`): a pinned fingerprint must match; without
/// one the key is accepted and its fingerprint logged.
struct HostKeyCheck {
    pinned: Option<String>,
    label: String,
    /// The fingerprint the host showed, for the error message on a mismatch.
    seen: Arc<Mutex<Option<String>>>,
}

impl client::Handler for HostKeyCheck {
    type Error = russh::Error;

    async fn check_server_key(&mut self, key: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let public = match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.key_data().clone(),
            PublicKeyOrCertificate::Certificate(certificate) => certificate.public_key().clone(),
        };
        let fingerprint = public.fingerprint(HashAlg::Sha256).to_string();
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(fingerprint.clone());
        }
        match &self.pinned {
            Some(pinned) => Ok(*pinned == fingerprint),
            None => {
                tracing::warn!(
                    host = %self.label,
                    fingerprint = %fingerprint,
                    "accepting the SSH host's key without checking it: set hostKeyFingerprint on the connection to pin it"
                );
                Ok(true)
            }
        }
    }
}
