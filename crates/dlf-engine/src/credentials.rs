//! Access keys and tokens: who may call the API, and for which projects.
//!
//! Keys are created offline (`dlf keys create`), by the first start of an empty store (the
//! bootstrap key), or through the extension endpoint. A secret key is stored encrypted with the
//! server's master key (verifying a signature needs it in the clear); a token is stored only as
//! its SHA-256.
//!
//! Revocation: a key can be disabled, enabled again or deleted (`dlf keys`, or the extension
//! endpoints). Opened keys are cached for at most [`KEY_CACHE_TTL`], so a disabled or deleted
//! key stops working within that time on every server sharing the store. A token is issued
//! only to a request signed with an access key, belongs to that key, and stops working with it:
//! no token outlives its parent, and no token mints another.

use crate::{Engine, internal};
use dlf_core::DlfError;
use dlf_store::{AccessKeyRecord, TokenRecord};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long an opened key is trusted without looking at the store again: the most a disabled or
/// deleted key keeps working, on any server.
pub const KEY_CACHE_TTL: Duration = Duration::from_millis(500);

/// Who is calling, once authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The name recorded as `createUser` / `lastUpdateUser`.
    pub user: String,
    /// The one project the credential is bound to; `None` for an administrator (all projects).
    pub project_scope: Option<String>,
    /// The access key whose signature authenticated the request; `None` for a token (and when
    /// authentication is off).
    pub access_key: Option<String>,
}

impl Caller {
    /// The caller when authentication is off (`--no-auth`, loopback only).
    pub fn anonymous() -> Caller {
        Caller { user: "anonymous".to_string(), project_scope: None, access_key: None }
    }

    /// Whether the caller is an administrator (bound to no project).
    pub fn is_admin(&self) -> bool {
        self.project_scope.is_none()
    }

    /// Whether the caller may act on `project_id`.
    pub fn may_access(&self, project_id: &str) -> bool {
        self.project_scope.as_deref().is_none_or(|p| p == project_id)
    }
}

/// A freshly created key: the only time the secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NewAccessKey {
    pub access_key: String,
    pub secret_key: String,
    pub project_id: Option<String>,
}

/// A key's secret, opened, with the caller it stands for.
#[derive(Clone, Debug)]
pub struct KeyMaterial {
    pub secret_key: String,
    pub caller: Caller,
}

/// A key as `dlf keys list` and the extension endpoint show it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeyInfo {
    pub access_key: String,
    /// `None`: an administrator key (every project).
    pub project_id: Option<String>,
    pub user: String,
    pub created_ms: i64,
    pub disabled: bool,
}

impl From<AccessKeyRecord> for KeyInfo {
    fn from(r: AccessKeyRecord) -> KeyInfo {
        KeyInfo {
            access_key: r.access_key,
            project_id: r.project_id,
            user: r.description,
            created_ms: r.created_ms,
            disabled: r.disabled,
        }
    }
}

/// Opened keys, each trusted for [`KEY_CACHE_TTL`] after it was read.
#[derive(Default)]
pub(crate) struct KeyCache {
    keys: RwLock<HashMap<String, (Instant, KeyMaterial)>>,
}

const BASE62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` random characters from `alphabet`.
fn random_string(len: usize, alphabet: &[u8]) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in uuid::Uuid::new_v4().as_bytes() {
            // Rejection sampling keeps every character equally likely.
            let limit = 256 - (256 % alphabet.len());
            if (*byte as usize) < limit && out.len() < len {
                out.push(alphabet[*byte as usize % alphabet.len()] as char);
            }
        }
    }
    out
}

/// Hex SHA-256 of a token's text (what the store keeps).
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// What bootstrapping an empty store did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// The store already had keys.
    NotNeeded,
    /// `DLF_ACCESS_KEY` / `DLF_SECRET_KEY` became the first administrator key.
    FromEnvironment { access_key: String },
    /// A key was generated and written to this file.
    Generated { access_key: String, path: PathBuf },
}

impl Engine {
    /// Creates an access key bound to `project_id` (or to every project when `None`).
    pub async fn create_access_key(&self, project_id: Option<&str>, user: &str) -> Result<NewAccessKey, DlfError> {
        let access_key = random_string(20, &BASE62[..26]);
        let secret_key = random_string(40, BASE62);
        self.insert_key(&access_key, &secret_key, project_id, user).await?;
        Ok(NewAccessKey { access_key, secret_key, project_id: project_id.map(str::to_string) })
    }

    async fn insert_key(&self, ak: &str, sk: &str, project_id: Option<&str>, user: &str) -> Result<(), DlfError> {
        if ak.is_empty() || sk.is_empty() {
            return Err(DlfError::invalid_param("access key and secret key must not be empty"));
        }
        let record = AccessKeyRecord {
            access_key: ak.to_string(),
            secret_enc: self.inner.secrets.seal(sk),
            project_id: project_id.map(str::to_string),
            description: user.to_string(),
            created_ms: self.now_ms(),
            disabled: false,
        };
        match self.store().insert_access_key(&record).await {
            Ok(()) => Ok(()),
            Err(dlf_store::StoreError::Conflict(_)) => {
                Err(DlfError::invalid_param(format!("access key {ak} already exists")))
            }
            Err(e) => Err(internal(e)),
        }
    }

    /// The first start of an empty store: make sure one administrator key exists.
    pub async fn bootstrap_admin_key(
        &self,
        env_access_key: Option<&str>,
        env_secret_key: Option<&str>,
        credentials_file: &Path,
    ) -> Result<Bootstrap, DlfError> {
        if self.store().count_access_keys().await.map_err(internal)? > 0 {
            return Ok(Bootstrap::NotNeeded);
        }
        if let (Some(ak), Some(sk)) =
            (env_access_key.filter(|s| !s.is_empty()), env_secret_key.filter(|s| !s.is_empty()))
        {
            self.insert_key(ak, sk, None, "admin").await?;
            return Ok(Bootstrap::FromEnvironment { access_key: ak.to_string() });
        }
        let key = self.create_access_key(None, "admin").await?;
        let text = format!(
            "# dlf administrator access key (all projects), created on first start. Keep it secret.\n\
             DLF_ACCESS_KEY={}\nDLF_SECRET_KEY={}\n",
            key.access_key, key.secret_key
        );
        write_credentials_file(credentials_file, &text)
            .map_err(|e| DlfError::internal(format!("cannot write {}: {e}", credentials_file.display())))?;
        Ok(Bootstrap::Generated { access_key: key.access_key, path: credentials_file.to_path_buf() })
    }

    /// The secret and caller of an enabled access key; `None` for an unknown or disabled one.
    /// Read from the store at most every [`KEY_CACHE_TTL`] per key.
    pub async fn key_material(&self, access_key: &str) -> Result<Option<KeyMaterial>, DlfError> {
        if let Some((read_at, found)) = self.inner.key_cache.keys.read().expect("lock").get(access_key)
            && read_at.elapsed() < KEY_CACHE_TTL
        {
            return Ok(Some(found.clone()));
        }
        let record = self.store().find_access_key(access_key).await.map_err(internal)?;
        let Some(record) = record.filter(|r| !r.disabled) else {
            self.inner.key_cache.keys.write().expect("lock").remove(access_key);
            return Ok(None);
        };
        let secret_key = self.inner.secrets.open(&record.secret_enc).map_err(|e| {
            tracing::error!(access_key, error = %e, "cannot decrypt an access key: is the master key the one it was made with?");
            DlfError::internal("the key store cannot be read")
        })?;
        let user = if record.description.is_empty() { record.access_key.clone() } else { record.description.clone() };
        let caller = Caller { user, project_scope: record.project_id, access_key: Some(record.access_key) };
        let material = KeyMaterial { secret_key, caller };
        self.inner
            .key_cache
            .keys
            .write()
            .expect("lock")
            .insert(access_key.to_string(), (Instant::now(), material.clone()));
        Ok(Some(material))
    }

    /// Whether an access key exists and is enabled (cached as [`Engine::key_material`]).
    pub async fn key_is_valid(&self, access_key: &str) -> Result<bool, DlfError> {
        Ok(self.key_material(access_key).await?.is_some())
    }

    /// Creates an `X-Auth-Token` token valid for `ttl_ms` on `project_id`, for a caller who
    /// signed the request with an access key (the token's parent; tokens cannot mint tokens).
    pub async fn create_token(&self, caller: &Caller, project_id: &str, ttl_ms: i64) -> Result<String, DlfError> {
        let Some(parent) = caller.access_key.clone() else {
            return Err(DlfError::with_message(
                dlf_core::ErrorCode::Forbidden,
                "Tokens are issued only to requests signed with an access key (AK/SK), not to a token.",
            ));
        };
        if !caller.may_access(project_id) {
            return Err(DlfError::new(dlf_core::ErrorCode::Forbidden));
        }
        let token = format!("dlf-{}", random_string(48, BASE62));
        let now = self.now_ms();
        let record = TokenRecord {
            token_hash: token_hash(&token),
            project_id: Some(project_id.to_string()),
            created_ms: now,
            expires_ms: now.saturating_add(ttl_ms),
            parent_access_key: Some(parent),
        };
        self.store().insert_token(&record).await.map_err(internal)?;
        Ok(token)
    }

    /// The caller a token stands for, if it exists, has not expired, and its parent key is still
    /// there and enabled.
    pub async fn token_caller(&self, token: &str) -> Result<Option<Caller>, DlfError> {
        let Some(record) = self.store().find_token(&token_hash(token)).await.map_err(internal)? else {
            return Ok(None);
        };
        if record.expires_ms <= self.now_ms() {
            return Ok(None);
        }
        // A token made before tokens had parents has none: it keeps its own expiry only.
        if let Some(parent) = &record.parent_access_key
            && !self.key_is_valid(parent).await?
        {
            return Ok(None);
        }
        Ok(Some(Caller { user: "token".to_string(), project_scope: record.project_id, access_key: None }))
    }

    /// Every key (administrators: `project` `None`), or the keys bound to one project.
    pub async fn list_access_keys(&self, project: Option<&str>) -> Result<Vec<KeyInfo>, DlfError> {
        let keys = self.store().list_access_keys(project).await.map_err(internal)?;
        Ok(keys.into_iter().map(KeyInfo::from).collect())
    }

    /// Disables (or enables again) a key; it stops (or starts) working within
    /// [`KEY_CACHE_TTL`] everywhere. 400 `DLF.3051` for an unknown key.
    pub async fn set_access_key_disabled(&self, access_key: &str, disabled: bool) -> Result<(), DlfError> {
        if !self.store().set_access_key_disabled(access_key, disabled).await.map_err(internal)? {
            return Err(DlfError::invalid_param(format!("access key {access_key} does not exist")));
        }
        self.inner.key_cache.keys.write().expect("lock").remove(access_key);
        Ok(())
    }

    /// Deletes a key and its tokens. 400 `DLF.3051` for an unknown key.
    pub async fn delete_access_key(&self, access_key: &str) -> Result<(), DlfError> {
        if !self.store().delete_access_key(access_key).await.map_err(internal)? {
            return Err(DlfError::invalid_param(format!("access key {access_key} does not exist")));
        }
        self.inner.key_cache.keys.write().expect("lock").remove(access_key);
        Ok(())
    }
}

/// Writes the credentials file with mode 0600, replacing an older one.
fn write_credentials_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    dlf_store::secret_box::write_private_file(&tmp, text.as_bytes())?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_strings_use_the_alphabet() {
        let s = random_string(40, BASE62);
        assert_eq!(s.len(), 40);
        assert!(s.bytes().all(|b| BASE62.contains(&b)));
        assert_ne!(s, random_string(40, BASE62));
    }

    #[test]
    fn scopes() {
        let admin = Caller { user: "a".into(), project_scope: None, access_key: None };
        let bound = Caller { user: "b".into(), project_scope: Some("p1".into()), access_key: None };
        assert!(admin.may_access("p2"));
        assert!(bound.may_access("p1"));
        assert!(!bound.may_access("p2"));
    }
}
