//! Workspaces.

use super::rows::{self, WORKSPACE_COLUMNS};
use super::{SqlStore, conflict_or};
use crate::{StoreResult, TenancyStore, Workspace};
use async_trait::async_trait;

/// A fresh workspace id: 32 lowercase hex digits, like DataArts Studio's.
fn new_workspace_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[async_trait]
impl TenancyStore for SqlStore {
    async fn default_workspace(&self, project_id: &str, now_ms: i64) -> StoreResult<Workspace> {
        let select = "SELECT id, project_id, name, is_default, created_ms FROM workspaces \
                      WHERE project_id = $1 AND is_default = 1";
        if let Some(row) = sqlx::query(select).bind(project_id).fetch_optional(&self.read).await? {
            return rows::workspace(&row);
        }
        // Two requests may race to create it: the partial unique index lets one win.
        sqlx::query(
            "INSERT INTO workspaces (id, project_id, name, is_default, created_ms) VALUES ($1, $2, 'default', 1, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(new_workspace_id())
        .bind(project_id)
        .bind(now_ms)
        .execute(&self.write)
        .await?;
        let row = sqlx::query(select).bind(project_id).fetch_one(&self.write).await?;
        rows::workspace(&row)
    }

    async fn create_workspace(&self, project_id: &str, name: &str, now_ms: i64) -> StoreResult<Workspace> {
        // The default workspace is created first so that "default" stays its name.
        self.default_workspace(project_id, now_ms).await?;
        let id = new_workspace_id();
        sqlx::query("INSERT INTO workspaces (id, project_id, name, is_default, created_ms) VALUES ($1, $2, $3, 0, $4)")
            .bind(&id)
            .bind(project_id)
            .bind(name)
            .bind(now_ms)
            .execute(&self.write)
            .await
            .map_err(|e| conflict_or(e, format!("workspace '{name}' of project '{project_id}'")))?;
        Ok(Workspace {
            id,
            project_id: project_id.to_string(),
            name: name.to_string(),
            is_default: false,
            created_ms: now_ms,
        })
    }

    async fn find_workspace(&self, project_id: &str, workspace_id: &str) -> StoreResult<Option<Workspace>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE project_id = $1 AND id = $2"
        ));
        let row = sqlx::query(sql).bind(project_id).bind(workspace_id).fetch_optional(&self.read).await?;
        row.as_ref().map(rows::workspace).transpose()
    }

    async fn workspace_by_id(&self, workspace_id: &str) -> StoreResult<Option<Workspace>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE id = $1"));
        let row = sqlx::query(sql).bind(workspace_id).fetch_optional(&self.read).await?;
        row.as_ref().map(rows::workspace).transpose()
    }

    async fn list_workspaces(&self, project_id: &str) -> StoreResult<Vec<Workspace>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE project_id = $1 ORDER BY is_default DESC, name"
        ));
        let found = sqlx::query(sql).bind(project_id).fetch_all(&self.read).await?;
        found.iter().map(rows::workspace).collect()
    }
}
