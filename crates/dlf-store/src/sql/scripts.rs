//! Scripts.

use super::rows::{self, SCRIPT_COLUMNS};
use super::{SqlStore, conflict_or};
use crate::records::*;
use crate::{ScriptStore, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::AssertSqlSafe;

#[async_trait]
impl ScriptStore for SqlStore {
    async fn insert_script(&self, s: &NewScript) -> StoreResult<ScriptRecord> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO scripts (id, workspace_id, name, script_type, document, version, create_user, create_ms, modify_ms) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7)",
        )
        .bind(&id)
        .bind(&s.workspace_id)
        .bind(&s.name)
        .bind(&s.script_type)
        .bind(&s.document)
        .bind(&s.user)
        .bind(s.now_ms)
        .execute(&self.write)
        .await
        .map_err(|e| conflict_or(e, format!("script '{}'", s.name)))?;
        Ok(ScriptRecord {
            id,
            workspace_id: s.workspace_id.clone(),
            name: s.name.clone(),
            script_type: s.script_type.clone(),
            document: s.document.clone(),
            version: 1,
            create_user: s.user.clone(),
            create_ms: s.now_ms,
            modify_ms: s.now_ms,
        })
    }

    async fn update_script(&self, id: &str, document: &str, now_ms: i64) -> StoreResult<ScriptRecord> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE scripts SET document = $1, modify_ms = $2, version = version + 1 WHERE id = $3")
            .bind(document)
            .bind(now_ms)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("script {id}")));
        }
        let sql = AssertSqlSafe(format!("SELECT {SCRIPT_COLUMNS} FROM scripts WHERE id = $1"));
        let row = sqlx::query(sql).bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        rows::script(&row)
    }

    async fn find_script(&self, workspace_id: &str, name: &str) -> StoreResult<Option<ScriptRecord>> {
        let sql = AssertSqlSafe(format!("SELECT {SCRIPT_COLUMNS} FROM scripts WHERE workspace_id = $1 AND name = $2"));
        let row = sqlx::query(sql).bind(workspace_id).bind(name).fetch_optional(&self.read).await?;
        row.as_ref().map(rows::script).transpose()
    }

    async fn list_scripts(
        &self,
        workspace_id: &str,
        name_filter: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<ScriptRecord>)> {
        self.page_by_name("scripts", SCRIPT_COLUMNS, workspace_id, name_filter, offset, limit, rows::script).await
    }

    async fn delete_script(&self, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM scripts WHERE id = $1").bind(id).execute(&self.write).await?;
        Ok(())
    }

    async fn scripts_mentioning(&self, workspace_id: &str, text: &str) -> StoreResult<Vec<ScriptRecord>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {SCRIPT_COLUMNS} FROM scripts WHERE workspace_id = $1 AND {}",
            self.dialect.contains("document", "$2")
        ));
        let found = sqlx::query(sql).bind(workspace_id).bind(text).fetch_all(&self.read).await?;
        found.iter().map(rows::script).collect()
    }
}
