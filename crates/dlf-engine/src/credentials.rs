//! Access keys and tokens: who may call the API, and for which projects.
//!
//! Keys are created offline (`dlf keys create`), by the first start of an empty store (the
//! bootstrap key), or through the extension endpoint. A secret key is stored encrypted with the
//! server's master key (verifying a signature needs it in the clear); a token is stored only as
//! its SHA-256. Keys never change once created, so verified lookups are cached.

use crate::{Engine, internal};
use dlf_core::DlfError;
use dlf_store::{AccessKeyRecord, TokenRecord};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// Who is calling, once authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The name recorded as `createUser` / `lastUpdateUser`.
    pub user: String,
    /// The one project the credential is bound to; `None` for an administrator (all projects).
    pub project_scope: Option<String>,
}

impl Caller {
    /// The caller when authentication is off (`--no-auth`, loopback only).
    pub fn anonymous() -> Caller {
        Caller { user: "anonymous".to_string(), project_scope: None }
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

#[derive(Default)]
pub(crate) struct KeyCache {
    keys: RwLock<HashMap<String, KeyMaterial>>,
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

    /// The secret and caller of an access key, if it exists.
    pub async fn key_material(&self, access_key: &str) -> Result<Option<KeyMaterial>, DlfError> {
        if let Some(found) = self.inner.key_cache.keys.read().expect("lock").get(access_key) {
            return Ok(Some(found.clone()));
        }
        let Some(record) = self.store().find_access_key(access_key).await.map_err(internal)? else {
            return Ok(None);
        };
        let secret_key = self.inner.secrets.open(&record.secret_enc).map_err(|e| {
            tracing::error!(access_key, error = %e, "cannot decrypt an access key: is the master key the one it was made with?");
            DlfError::internal("the key store cannot be read")
        })?;
        let user = if record.description.is_empty() { record.access_key.clone() } else { record.description.clone() };
        let material = KeyMaterial { secret_key, caller: Caller { user, project_scope: record.project_id } };
        self.inner.key_cache.keys.write().expect("lock").insert(access_key.to_string(), material.clone());
        Ok(Some(material))
    }

    /// Creates an `X-Auth-Token` token valid for `ttl_ms`.
    pub async fn create_token(&self, project_id: Option<&str>, ttl_ms: i64) -> Result<String, DlfError> {
        let token = format!("dlf-{}", random_string(48, BASE62));
        let now = self.now_ms();
        let record = TokenRecord {
            token_hash: token_hash(&token),
            project_id: project_id.map(str::to_string),
            created_ms: now,
            expires_ms: now.saturating_add(ttl_ms),
        };
        self.store().insert_token(&record).await.map_err(internal)?;
        Ok(token)
    }

    /// The caller a token stands for, if it exists and has not expired.
    pub async fn token_caller(&self, token: &str) -> Result<Option<Caller>, DlfError> {
        let Some(record) = self.store().find_token(&token_hash(token)).await.map_err(internal)? else {
            return Ok(None);
        };
        if record.expires_ms <= self.now_ms() {
            return Ok(None);
        }
        Ok(Some(Caller { user: "token".to_string(), project_scope: record.project_id }))
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
        let admin = Caller { user: "a".into(), project_scope: None };
        let bound = Caller { user: "b".into(), project_scope: Some("p1".into()) };
        assert!(admin.may_access("p2"));
        assert!(bound.may_access("p1"));
        assert!(!bound.may_access("p2"));
    }
}
