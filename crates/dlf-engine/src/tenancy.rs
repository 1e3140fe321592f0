//! Tenancy: every object belongs to (project, workspace). No `workspace` header means the
//! project's default workspace, created on first use; any other workspace must exist.

use crate::{Engine, internal};
use dlf_core::{DlfError, ErrorCode};
use dlf_store::Workspace;
use std::collections::HashMap;
use std::sync::RwLock;

/// The workspace a request acts in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub project_id: String,
    pub workspace: Workspace,
}

impl Tenant {
    pub fn workspace_id(&self) -> &str {
        &self.workspace.id
    }
}

/// Workspaces never change once created, so lookups are cached for the process's life.
#[derive(Default)]
pub(crate) struct WorkspaceCache {
    /// project id → default workspace
    defaults: RwLock<HashMap<String, Workspace>>,
    /// (project id, workspace id) → workspace
    by_id: RwLock<HashMap<(String, String), Workspace>>,
}

impl Engine {
    /// The workspace for a request: the `workspace` header's id, or the default workspace.
    pub async fn resolve_tenant(&self, project_id: &str, workspace_header: Option<&str>) -> Result<Tenant, DlfError> {
        let cache = &self.inner.tenancy_cache;
        let workspace = match workspace_header.map(str::trim).filter(|w| !w.is_empty()) {
            None => {
                if let Some(ws) = cache.defaults.read().expect("lock").get(project_id) {
                    return Ok(Tenant { project_id: project_id.to_string(), workspace: ws.clone() });
                }
                let ws = self.store().default_workspace(project_id, self.now_ms()).await.map_err(internal)?;
                cache.defaults.write().expect("lock").insert(project_id.to_string(), ws.clone());
                ws
            }
            Some(id) => {
                let key = (project_id.to_string(), id.to_string());
                if let Some(ws) = cache.by_id.read().expect("lock").get(&key) {
                    return Ok(Tenant { project_id: project_id.to_string(), workspace: ws.clone() });
                }
                let Some(ws) = self.store().find_workspace(project_id, id).await.map_err(internal)? else {
                    return Err(DlfError::with_message(
                        ErrorCode::InvalidParameter,
                        format!("The workspace {id} does not exist."),
                    ));
                };
                cache.by_id.write().expect("lock").insert(key, ws.clone());
                ws
            }
        };
        Ok(Tenant { project_id: project_id.to_string(), workspace })
    }

    /// Creates a named workspace in a project (CLI `dlf workspace create`, extension endpoint).
    pub async fn create_workspace(&self, project_id: &str, name: &str) -> Result<Workspace, DlfError> {
        let len = name.chars().count();
        if len == 0 || len > 64 || !name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) {
            return Err(DlfError::invalid_param(format!(
                "workspace name '{name}' must be 1-64 letters, digits, '_', '-' or '.'"
            )));
        }
        if project_id.is_empty() {
            return Err(DlfError::invalid_param("project id is required"));
        }
        match self.store().create_workspace(project_id, name, self.now_ms()).await {
            Ok(ws) => Ok(ws),
            Err(dlf_store::StoreError::Conflict(_)) => Err(DlfError::invalid_param(format!(
                "a workspace named '{name}' already exists in project {project_id}"
            ))),
            Err(e) => Err(internal(e)),
        }
    }

    /// The project's workspaces, default first.
    pub async fn list_workspaces(&self, project_id: &str) -> Result<Vec<Workspace>, DlfError> {
        self.store().default_workspace(project_id, self.now_ms()).await.map_err(internal)?;
        self.store().list_workspaces(project_id).await.map_err(internal)
    }
}
