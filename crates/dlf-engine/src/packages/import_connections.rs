//! C7 ImportConnections (API.md C7): the `.conn` entries of a package (a C6 export, or one
//! `.conn` file), as a system task with one subtask per connection.
//!
//! Exports carry no secrets; the request's `params` supply them (and any other config key) per
//! connection. Each connection goes through CreateConnection (or UpdateConnection under
//! `OVERWRITE`), so its secrets are sealed exactly as when a client creates it. An entry named
//! `local` (the built-in host connection) is skipped: it always exists and cannot change.

use super::import::{
    ImportStarted, Outcome, SameNamePolicy, body_object, display_name, failed, named, path_of, policy_of,
};
use super::overrides::{self, ConnectionParam};
use super::reader::{self, Entry, EntryKind};
use crate::{Caller, Engine, Tenant, internal};
use dlf_core::DlfError;
use dlf_core::model::connection::LOCAL_CONNECTION;
use dlf_store::SystemTaskStatus;
use serde_json::Value;

struct ConnectionImport {
    tenant: Tenant,
    caller: Caller,
    task_id: String,
    path: String,
    bytes: Vec<u8>,
    policy: SameNamePolicy,
    params: Vec<ConnectionParam>,
}

impl Engine {
    /// C7 ImportConnections: starts the import; returns the task id.
    pub async fn import_connections(
        &self,
        tenant: &Tenant,
        caller: &Caller,
        body: &[u8],
    ) -> Result<ImportStarted, DlfError> {
        let body = body_object(body)?;
        let path = path_of(&body)?;
        let policy = policy_of(&body)?;
        let params = overrides::connection_params(body.get("params").unwrap_or(&Value::Null))?;
        let bytes = self.read_package(&tenant.project_id, &path).await?;
        let task_id = self.create_system_task(tenant, format!("Import the connection from {path}.")).await?;
        let work = ConnectionImport {
            tenant: tenant.clone(),
            caller: caller.clone(),
            task_id: task_id.clone(),
            path,
            bytes,
            policy,
            params,
        };
        let engine = self.clone();
        tokio::spawn(async move { engine.run_connection_import(work).await });
        Ok(ImportStarted { task_id })
    }

    async fn run_connection_import(&self, work: ConnectionImport) {
        let package = match reader::read(&work.path, &work.bytes) {
            Ok(package) => package,
            Err(e) => return self.end_system_task(&work.task_id, SystemTaskStatus::Failed, &e.to_string()).await,
        };
        let entries: Vec<&Entry> =
            package.of(EntryKind::Connection).filter(|e| display_name(e) != LOCAL_CONNECTION).collect();
        let names: Vec<String> =
            entries.iter().map(|e| format!("Import the {} connection.", display_name(e))).collect();
        let ids = match self.add_subtasks(&work.task_id, &names).await {
            Ok(ids) => ids,
            Err(e) => return self.end_system_task(&work.task_id, SystemTaskStatus::Failed, &e.to_string()).await,
        };
        let mut outcomes = Vec::with_capacity(entries.len());
        for (entry, id) in entries.iter().zip(&ids) {
            let (status, message) = self.import_connection(&work, entry).await;
            self.end_subtask(id, status, &message).await;
            outcomes.push(status);
        }
        self.finish_import(&work.task_id, &outcomes).await;
    }

    async fn import_connection(&self, work: &ConnectionImport, entry: &Entry) -> Outcome {
        let (name, mut doc) = match named(entry) {
            Ok(found) => found,
            Err(e) => return failed(&e),
        };
        overrides::apply_connection_params(&work.params, &mut doc);
        let body = match serde_json::to_vec(&doc) {
            Ok(body) => body,
            Err(e) => return failed(&DlfError::internal(format!("cannot serialise a connection: {e}"))),
        };
        let existing = match self.store().find_connection(work.tenant.workspace_id(), &name).await {
            Ok(existing) => existing,
            Err(e) => return failed(&internal(e)),
        };
        let result = match (existing, work.policy) {
            (None, _) => self.create_connection(&work.tenant, &work.caller, &body).await.map(|()| "created"),
            (Some(_), SameNamePolicy::Skip) => Ok("skipped: a connection of that name exists"),
            (Some(_), SameNamePolicy::Overwrite) => {
                self.update_connection(&work.tenant, &name, &body).await.map(|()| "overwritten")
            }
        };
        match result {
            Ok(what) => (SystemTaskStatus::Successful, format!("The connection {name}: {what}.")),
            Err(e) => failed(&e),
        }
    }
}
