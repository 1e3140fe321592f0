//! Stored scripts: S1–S5 (create, list, show, update, delete). Shell and Python nodes run them
//! by `scriptName`.

use crate::jobs::stored_document;
use crate::{Caller, Engine, Tenant, internal};
use dlf_core::model::ScriptInfo;
use dlf_core::model::responses::ScriptList;
use dlf_core::model::script::{SCRIPT_TYPES, SCRIPT_TYPES_NEEDING_CONNECTION};
use dlf_core::{DlfError, ErrorCode};
use dlf_store::{NewScript, ScriptRecord, StoreError};
use serde_json::{Value, json};

/// Scripts a workspace may hold.
const SCRIPT_QUOTA: i64 = 10_000;
/// Largest script content (4 MB).
const MAX_CONTENT: usize = 4 * 1024 * 1024;

fn check_script(info: &ScriptInfo) -> Result<(), DlfError> {
    let len = info.name.chars().count();
    if len == 0 {
        return Err(DlfError::invalid_param("name is required"));
    }
    if len > 128 || !info.name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) {
        return Err(DlfError::invalid_param(format!(
            "name '{}' must be 1-128 letters, digits, '_', '-' or '.'",
            info.name
        )));
    }
    let Some(script_type) = info.script_type.as_deref().filter(|t| !t.is_empty()) else {
        return Err(DlfError::new(ErrorCode::ScriptTypeMissing));
    };
    if !SCRIPT_TYPES.contains(&script_type) {
        return Err(DlfError::invalid_param(format!("type '{script_type}' is not one of {}", SCRIPT_TYPES.join(", "))));
    }
    match info.content.as_deref() {
        None => return Err(DlfError::invalid_param("content is required")),
        Some(c) if c.len() > MAX_CONTENT => return Err(DlfError::invalid_param("content is larger than 4 MB")),
        Some(_) => {}
    }
    if SCRIPT_TYPES_NEEDING_CONNECTION.contains(&script_type)
        && info.connection_name.as_deref().is_none_or(str::is_empty)
    {
        return Err(DlfError::invalid_param(format!("connectionName is required for a {script_type} script")));
    }
    if info.description.as_deref().is_some_and(|d| d.chars().count() > 255) {
        return Err(DlfError::invalid_param("description is longer than 255 characters"));
    }
    if let Some(t) = info.target_status.as_deref()
        && !["SAVED", "SUBMITTED", "PRODUCTION"].contains(&t)
    {
        return Err(DlfError::invalid_param(format!("targetStatus '{t}' is not SAVED, SUBMITTED or PRODUCTION")));
    }
    Ok(())
}

fn normalize_script(info: &mut ScriptInfo) {
    let dir = info.directory.get_or_insert_with(|| "/".to_string());
    if !dir.starts_with('/') {
        dir.insert(0, '/');
    }
    if info.configuration.is_none() {
        info.configuration = Some(Default::default());
    }
}

fn to_json(info: &ScriptInfo) -> Result<String, DlfError> {
    serde_json::to_string(info).map_err(|e| DlfError::internal(format!("cannot serialise a script: {e}")))
}

/// The wire form of a stored script: its document plus the server-owned fields.
fn script_body(record: &ScriptRecord) -> Result<Value, DlfError> {
    let mut body: Value = serde_json::from_str(&record.document).map_err(|e| {
        tracing::error!(error = %e, "a stored script document does not parse");
        DlfError::internal("a stored script is unreadable")
    })?;
    if let Value::Object(map) = &mut body {
        map.insert("id".into(), json!(record.id));
        map.insert("version".into(), json!(record.version));
        map.insert("modifyTime".into(), json!(record.modify_ms));
        map.entry("owner").or_insert_with(|| json!(record.create_user));
    }
    Ok(body)
}

/// The script content and connection a node needs to run it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedScript {
    pub script_type: String,
    pub content: String,
    pub connection_name: Option<String>,
    pub database: Option<String>,
}

impl Engine {
    async fn script_or_not_found(&self, tenant: &Tenant, name: &str) -> Result<ScriptRecord, DlfError> {
        self.store()
            .find_script(tenant.workspace_id(), name)
            .await
            .map_err(internal)?
            .ok_or_else(|| DlfError::new(ErrorCode::ScriptNotFound))
    }

    /// S1 CreateScript.
    pub async fn create_script(&self, tenant: &Tenant, caller: &Caller, body: &[u8]) -> Result<(), DlfError> {
        let mut info = ScriptInfo::from_json_bytes(body).map_err(DlfError::invalid_param)?;
        check_script(&info)?;
        normalize_script(&mut info);
        info.owner.get_or_insert_with(|| caller.user.clone());
        let (total, _) = self.store().list_scripts(tenant.workspace_id(), None, 0, 1).await.map_err(internal)?;
        if total >= SCRIPT_QUOTA {
            return Err(DlfError::new(ErrorCode::ScriptQuota));
        }
        let new = NewScript {
            workspace_id: tenant.workspace_id().to_string(),
            name: info.name.clone(),
            script_type: info.script_type.clone().unwrap_or_default(),
            document: to_json(&info)?,
            user: caller.user.clone(),
            now_ms: self.now_ms(),
        };
        match self.store().insert_script(&new).await {
            Ok(_) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(DlfError::new(ErrorCode::ScriptNameTaken)),
            Err(e) => Err(internal(e)),
        }
    }

    /// S4 UpdateScript: name and type cannot change.
    pub async fn update_script(&self, tenant: &Tenant, name: &str, body: &[u8]) -> Result<(), DlfError> {
        let existing = self.script_or_not_found(tenant, name).await?;
        let mut info = ScriptInfo::from_json_bytes(body).map_err(DlfError::invalid_param)?;
        if info.name.is_empty() {
            info.name = name.to_string();
        }
        check_script(&info)?;
        if info.name != name {
            return Err(DlfError::with_message(
                ErrorCode::ScriptModifyFailed,
                format!(
                    "Failed to modify the script: name '{}' differs from '{name}'; scripts cannot be renamed.",
                    info.name
                ),
            ));
        }
        if info.script_type.as_deref() != Some(existing.script_type.as_str()) {
            return Err(DlfError::with_message(
                ErrorCode::ScriptModifyFailed,
                format!("Failed to modify the script: its type {} cannot change.", existing.script_type),
            ));
        }
        normalize_script(&mut info);
        let old: ScriptInfo = serde_json::from_str(&existing.document).unwrap_or_default();
        if info.owner.is_none() {
            info.owner = old.owner;
        }
        self.store().update_script(&existing.id, &to_json(&info)?, self.now_ms()).await.map_err(internal)?;
        Ok(())
    }

    /// S3 ShowScript.
    pub async fn show_script(&self, tenant: &Tenant, name: &str) -> Result<Value, DlfError> {
        script_body(&self.script_or_not_found(tenant, name).await?)
    }

    /// S2 ListScripts.
    pub async fn list_scripts(
        &self,
        tenant: &Tenant,
        name: Option<&str>,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<ScriptList, DlfError> {
        let (offset, limit) = crate::jobs::paging(offset, limit, 100)?;
        let name = name.filter(|n| !n.is_empty());
        let (total, rows) =
            self.store().list_scripts(tenant.workspace_id(), name, offset, limit).await.map_err(internal)?;
        let scripts = rows.iter().map(script_body).collect::<Result<_, _>>()?;
        Ok(ScriptList { total, scripts })
    }

    /// S5 DeleteScript: refused while a job node still names the script.
    pub async fn delete_script(&self, tenant: &Tenant, name: &str) -> Result<(), DlfError> {
        let script = self.script_or_not_found(tenant, name).await?;
        let quoted = serde_json::to_string(name).unwrap_or_default();
        let mut users = Vec::new();
        for job in self.store().jobs_mentioning(tenant.workspace_id(), &quoted).await.map_err(internal)? {
            let doc = stored_document(&job.document)?;
            if doc.nodes.iter().any(|n| n.property("scriptName") == Some(name)) {
                users.push(job.name().to_string());
            }
        }
        if !users.is_empty() {
            return Err(DlfError::invalid_param(format!(
                "the script {name} is used by the jobs {}; change their nodes first",
                users.join(", ")
            )));
        }
        self.store().delete_script(&script.id).await.map_err(internal)
    }

    /// The script a node names, for running it (`None` if it does not exist).
    pub async fn resolve_script(&self, workspace_id: &str, name: &str) -> Result<Option<ResolvedScript>, DlfError> {
        let Some(record) = self.store().find_script(workspace_id, name).await.map_err(internal)? else {
            return Ok(None);
        };
        let info: ScriptInfo =
            serde_json::from_str(&record.document).map_err(|_| DlfError::internal("a stored script is unreadable"))?;
        Ok(Some(ResolvedScript {
            script_type: record.script_type,
            content: info.content.unwrap_or_default(),
            connection_name: info.connection_name.filter(|c| !c.is_empty()),
            database: info.database.filter(|d| !d.is_empty()),
        }))
    }
}
