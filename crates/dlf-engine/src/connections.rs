//! Data connections: C1–C5, the connection test, and what a node or script runs against.
//!
//! A connection's secret `config` keys (`dlf_core::model::connection::is_secret_key`) are
//! sealed with the master key before they reach the store, shown as `*********` in every
//! answer, and opened only to run something ([`Engine::resolve_connection`]): a
//! [`ResolvedConnection`] carries them as [`SecretString`]s, and its [`ResolvedConnection::redact`]
//! masks them in any text that goes back to a client or into a log.
//!
//! Every workspace has the built-in host connection `local` (the dlf server itself; API.md
//! §0.11): listed first, shown, never created, changed or deleted.
//!
//! A connection that a job node or a script names cannot be deleted or renamed (the jobs would
//! fail at their next run); the error names them.

use crate::jobs::stored_document;
use crate::{Caller, Engine, Tenant, internal};
use dlf_core::model::connection::{
    ConnectionTarget, ConnectionType, LOCAL_CONNECTION, MASK, masked_config, merge_secrets,
};
use dlf_core::model::responses::{ConnectionList, ConnectionTestResult};
use dlf_core::model::{ConnectionInfo, ScriptInfo};
use dlf_core::{DlfError, ErrorCode};
use dlf_store::{ConnectionContent, ConnectionRecord, StoreError};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A connection opened for running: where it points and its secrets in clear (in memory only).
#[derive(Clone, Debug)]
pub struct ResolvedConnection {
    /// The store's id (empty for `local`).
    pub id: String,
    pub name: String,
    /// Moves on every update: sessions opened on an older version are not reused.
    pub version: i64,
    pub kind: ConnectionType,
    pub target: ConnectionTarget,
    /// `password`, if any.
    pub password: Option<SecretString>,
    /// `privateKey` (HOST: an OpenSSH or PEM private key), if any.
    pub private_key: Option<SecretString>,
    /// `passphrase` of the private key, if any.
    pub passphrase: Option<SecretString>,
}

impl ResolvedConnection {
    /// The built-in host connection: the dlf server itself.
    pub fn local() -> ResolvedConnection {
        ResolvedConnection {
            id: String::new(),
            name: LOCAL_CONNECTION.to_string(),
            version: 0,
            kind: ConnectionType::Host,
            target: ConnectionTarget::NotRunnable("local".into()),
            password: None,
            private_key: None,
            passphrase: None,
        }
    }

    /// Whether this is the built-in `local` host.
    pub fn is_local(&self) -> bool {
        self.id.is_empty() && self.name == LOCAL_CONNECTION
    }

    /// `text` with every secret of this connection replaced by `*********` (for messages that
    /// reach a client or a log: a driver may quote what it was given).
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in [&self.password, &self.private_key, &self.passphrase].into_iter().flatten() {
            let secret = secret.expose_secret();
            if secret.len() >= 3 {
                out = out.replace(secret, MASK);
            }
        }
        out
    }
}

/// The wire form of a stored connection, secrets masked.
fn connection_body(record: &ConnectionRecord, secret_keys: Vec<String>) -> Result<ConnectionInfo, DlfError> {
    let public: Map<String, Value> = serde_json::from_str(&record.config).map_err(|e| {
        tracing::error!(error = %e, connection = %record.name, "a stored connection's config does not parse");
        DlfError::internal("a stored connection is unreadable")
    })?;
    Ok(ConnectionInfo {
        name: record.name.clone(),
        connection_type: Some(record.conn_type.clone()),
        config: Some(masked_config(&public, secret_keys)),
        description: record.description.clone(),
        extra: Default::default(),
    })
}

fn local_body() -> ConnectionInfo {
    ConnectionInfo {
        name: LOCAL_CONNECTION.to_string(),
        connection_type: Some(ConnectionType::Host.as_str().to_string()),
        config: Some(Map::new()),
        description: None,
        extra: Default::default(),
    }
}

fn local_is_fixed() -> DlfError {
    DlfError::invalid_param("'local' is the built-in host connection (the dlf server); it cannot be changed or deleted")
}

impl Engine {
    /// The secret keys of a stored connection, opened.
    fn open_secrets(&self, record: &ConnectionRecord) -> Result<Map<String, Value>, DlfError> {
        let Some(sealed) = &record.secrets else { return Ok(Map::new()) };
        let text = self.inner.secrets.open(sealed).map_err(|e| {
            tracing::error!(error = %e, connection = %record.name, "cannot open a connection's secrets");
            DlfError::internal("a stored connection's secrets cannot be opened with this master key")
        })?;
        serde_json::from_str(&text).map_err(|_| DlfError::internal("a stored connection's secrets are unreadable"))
    }

    fn seal_secrets(&self, secrets: &Map<String, Value>) -> Option<String> {
        (!secrets.is_empty()).then(|| self.inner.secrets.seal(&Value::Object(secrets.clone()).to_string()))
    }

    fn secret_keys(&self, record: &ConnectionRecord) -> Result<Vec<String>, DlfError> {
        Ok(self.open_secrets(record)?.keys().cloned().collect())
    }

    async fn connection_or_not_found(&self, tenant: &Tenant, name: &str) -> Result<ConnectionRecord, DlfError> {
        self.store()
            .find_connection(tenant.workspace_id(), name)
            .await
            .map_err(internal)?
            .ok_or_else(|| DlfError::new(ErrorCode::ConnectionNotFound))
    }

    /// Parses and checks a body, refusing the name `local`.
    fn checked_connection(body: &[u8]) -> Result<(ConnectionInfo, ConnectionType), DlfError> {
        let mut info = ConnectionInfo::from_json_bytes(body).map_err(DlfError::invalid_param)?;
        let kind = info.check()?;
        Ok((info, kind))
    }

    /// C1 CreateConnection.
    pub async fn create_connection(&self, tenant: &Tenant, caller: &Caller, body: &[u8]) -> Result<(), DlfError> {
        let (info, kind) = Self::checked_connection(body)?;
        if info.name == LOCAL_CONNECTION {
            return Err(DlfError::new(ErrorCode::ConnectionNameTaken));
        }
        let ws = tenant.workspace_id();
        if kind == ConnectionType::Dli
            && self.store().count_connections_of_type(ws, kind.as_str()).await.map_err(internal)? > 0
        {
            return Err(DlfError::new(ErrorCode::DliConnectionExists));
        }
        let (public, secret) = info.split_secrets();
        if let Some((key, _)) = secret.iter().find(|(_, v)| v.as_str() == Some(MASK)) {
            return Err(DlfError::invalid_param(format!("config.{key} is the mask '{MASK}', not a value")));
        }
        let content = ConnectionContent {
            name: info.name.clone(),
            conn_type: kind.as_str().to_string(),
            config: Value::Object(public).to_string(),
            secrets: self.seal_secrets(&secret),
            description: info.description.clone(),
        };
        match self.store().insert_connection(ws, &content, &caller.user, self.now_ms()).await {
            Ok(_) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(DlfError::new(ErrorCode::ConnectionNameTaken)),
            Err(e) => Err(internal(e)),
        }
    }

    /// C2 ListConnections: `local` first (when the filter matches it), then the stored ones by
    /// name.
    pub async fn list_connections(
        &self,
        tenant: &Tenant,
        name: Option<&str>,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<ConnectionList, DlfError> {
        let (offset, limit) = crate::jobs::paging(offset, limit, 100)?;
        let name = name.filter(|n| !n.is_empty());
        let local = i64::from(name.is_none_or(|n| LOCAL_CONNECTION.contains(n)));
        let mut connections = Vec::new();
        let (stored_offset, stored_limit) = if offset < local {
            connections.push(local_body());
            (0, limit - 1)
        } else {
            (offset - local, limit)
        };
        let (total, rows) = self
            .store()
            .list_connections(tenant.workspace_id(), name, stored_offset, stored_limit.max(0))
            .await
            .map_err(internal)?;
        for record in rows.iter().take(usize::try_from(stored_limit).unwrap_or(0)) {
            connections.push(connection_body(record, self.secret_keys(record)?)?);
        }
        Ok(ConnectionList { total: total + local, connections })
    }

    /// C3 ShowConnection.
    pub async fn show_connection(&self, tenant: &Tenant, name: &str) -> Result<ConnectionInfo, DlfError> {
        if name == LOCAL_CONNECTION {
            return Ok(local_body());
        }
        let record = self.connection_or_not_found(tenant, name).await?;
        connection_body(&record, self.secret_keys(&record)?)
    }

    /// C4 UpdateConnection: the whole definition; the type cannot change; a secret sent as
    /// `*********` keeps its stored value; a rename is refused while jobs or scripts use the
    /// connection.
    pub async fn update_connection(&self, tenant: &Tenant, name: &str, body: &[u8]) -> Result<(), DlfError> {
        if name == LOCAL_CONNECTION {
            return Err(local_is_fixed());
        }
        let existing = self.connection_or_not_found(tenant, name).await?;
        let mut sent = ConnectionInfo::from_json_bytes(body).map_err(DlfError::invalid_param)?;
        if sent.name.is_empty() {
            sent.name = name.to_string();
        }
        // Masked secrets are the stored ones: check the connection as it will be.
        let stored_secrets = self.open_secrets(&existing)?;
        let (public, secret) = sent.split_secrets();
        let secret = merge_secrets(secret, &stored_secrets);
        let mut config = public;
        config.extend(secret.clone());
        sent.config = Some(config);
        let kind = sent.check()?;
        if kind.as_str() != existing.conn_type {
            return Err(DlfError::new(ErrorCode::ConnectionTypeFixed));
        }
        if sent.name != name {
            if sent.name == LOCAL_CONNECTION {
                return Err(DlfError::new(ErrorCode::ConnectionNameTaken));
            }
            self.refuse_if_used(tenant, name, "renamed").await?;
        }
        let (public, secret) = sent.split_secrets();
        let content = ConnectionContent {
            name: sent.name.clone(),
            conn_type: existing.conn_type.clone(),
            config: Value::Object(public).to_string(),
            secrets: self.seal_secrets(&secret),
            description: sent.description.clone(),
        };
        match self.store().update_connection(&existing.id, &content, self.now_ms()).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(DlfError::new(ErrorCode::ConnectionNameTaken)),
            Err(StoreError::NotFound(_)) => Err(DlfError::new(ErrorCode::ConnectionNotFound)),
            Err(e) => Err(internal(e)),
        }
    }

    /// C5 DeleteConnction: refused while a job node or a script names the connection.
    pub async fn delete_connection(&self, tenant: &Tenant, name: &str) -> Result<(), DlfError> {
        if name == LOCAL_CONNECTION {
            return Err(local_is_fixed());
        }
        let record = self.connection_or_not_found(tenant, name).await?;
        self.refuse_if_used(tenant, name, "deleted").await?;
        self.store().delete_connection(&record.id).await.map_err(internal)
    }

    /// DLF.3051 naming the jobs and scripts that use connection `name`, if any.
    async fn refuse_if_used(&self, tenant: &Tenant, name: &str, what: &str) -> Result<(), DlfError> {
        let quoted = serde_json::to_string(name).unwrap_or_default();
        let ws = tenant.workspace_id();
        let mut jobs = Vec::new();
        for job in self.store().jobs_mentioning(ws, &quoted).await.map_err(internal)? {
            let doc = stored_document(&job.document)?;
            if doc.nodes.iter().any(|n| n.property("connectionName") == Some(name)) {
                jobs.push(job.name().to_string());
            }
        }
        let mut scripts = Vec::new();
        for script in self.store().scripts_mentioning(ws, &quoted).await.map_err(internal)? {
            let info: ScriptInfo = serde_json::from_str(&script.document).unwrap_or_default();
            if info.connection_name.as_deref() == Some(name) {
                scripts.push(script.name.clone());
            }
        }
        if jobs.is_empty() && scripts.is_empty() {
            return Ok(());
        }
        let mut users = Vec::new();
        if !jobs.is_empty() {
            users.push(format!("the jobs {}", jobs.join(", ")));
        }
        if !scripts.is_empty() {
            users.push(format!("the scripts {}", scripts.join(", ")));
        }
        Err(DlfError::invalid_param(format!(
            "the connection {name} is used by {}; change them first, then it can be {what}",
            users.join(" and ")
        )))
    }

    /// The connection `name` of a workspace, opened for running: `None` or `""` or `local` is
    /// the built-in host; `Ok(None)` when no such connection exists.
    pub async fn resolve_connection(
        &self,
        workspace_id: &str,
        name: Option<&str>,
    ) -> Result<Option<Arc<ResolvedConnection>>, DlfError> {
        let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(LOCAL_CONNECTION);
        if name == LOCAL_CONNECTION {
            return Ok(Some(Arc::new(ResolvedConnection::local())));
        }
        let Some(record) = self.store().find_connection(workspace_id, name).await.map_err(internal)? else {
            return Ok(None);
        };
        let kind = ConnectionType::parse(&record.conn_type)
            .ok_or_else(|| DlfError::internal(format!("connection {name} has an unknown type")))?;
        let public: Map<String, Value> = serde_json::from_str(&record.config)
            .map_err(|_| DlfError::internal("a stored connection is unreadable"))?;
        let secrets = self.open_secrets(&record)?;
        let secret = |key: &str| {
            dlf_core::model::connection::config_text(&secrets, key).map(|s| SecretString::from(s.to_string()))
        };
        Ok(Some(Arc::new(ResolvedConnection {
            id: record.id.clone(),
            name: record.name.clone(),
            version: record.version,
            kind,
            target: ConnectionTarget::of(&record.name, kind, &public),
            password: secret("password"),
            private_key: secret("privateKey"),
            passphrase: secret("passphrase"),
        })))
    }

    /// The connection test extension: opens a real session (SQL: and runs `SELECT 1`; SSH:
    /// logs in) and reports the target's own error text, secrets masked.
    pub async fn test_connection(&self, tenant: &Tenant, name: &str) -> Result<ConnectionTestResult, DlfError> {
        let started = std::time::Instant::now();
        let Some(connection) = self.resolve_connection(tenant.workspace_id(), Some(name)).await? else {
            return Err(DlfError::new(ErrorCode::ConnectionNotFound));
        };
        let outcome = if connection.is_local() {
            Ok(())
        } else {
            match &connection.target {
                ConnectionTarget::Sql(_) => self.sql_sessions().probe(&connection).await,
                ConnectionTarget::Ssh(_) => crate::ssh::probe(&connection).await,
                ConnectionTarget::NotRunnable(why) => Err(why.clone()),
            }
        };
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        Ok(match outcome {
            Ok(()) => ConnectionTestResult { ok: true, message: String::new(), duration_ms },
            Err(message) => ConnectionTestResult { ok: false, message: connection.redact(&message), duration_ms },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_masks_every_secret() {
        let mut c = ResolvedConnection::local();
        c.password = Some(SecretString::from("hunter2".to_string()));
        c.passphrase = Some(SecretString::from("x".to_string()));
        assert_eq!(c.redact("password 'hunter2' refused for hunter2"), "password '*********' refused for *********");
        assert_eq!(c.redact("x marks"), "x marks", "a secret of fewer than 3 characters is not searched for");
    }
}
