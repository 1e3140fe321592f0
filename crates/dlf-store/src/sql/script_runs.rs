//! Script runs.

use super::rows::{self, SCRIPT_RUN_COLUMNS};
use super::{SqlStore, wire_list};
use crate::records::*;
use crate::{ScriptRunStore, StoreResult};
use async_trait::async_trait;
use dlf_core::model::ScriptRunStatus;
use sqlx::{AssertSqlSafe, Row};

#[async_trait]
impl ScriptRunStore for SqlStore {
    async fn insert_script_run(&self, r: &ScriptRunRecord) -> StoreResult<()> {
        let sql = AssertSqlSafe(format!(
            "INSERT INTO script_runs ({SCRIPT_RUN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ));
        sqlx::query(sql)
            .bind(&r.id)
            .bind(&r.workspace_id)
            .bind(&r.script_name)
            .bind(&r.script_type)
            .bind(r.status.as_str())
            .bind(&r.message)
            .bind(&r.results)
            .bind(&r.runner_epoch)
            .bind(&r.create_user)
            .bind(r.created_ms)
            .bind(r.ended_ms)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn change_script_run(
        &self,
        id: &str,
        from: &[ScriptRunStatus],
        change: &ScriptRunChange,
    ) -> StoreResult<bool> {
        let sql = AssertSqlSafe(format!(
            "UPDATE script_runs SET status = $1, message = $2, results = $3, ended_ms = $4 \
             WHERE id = $5 AND status IN {}",
            wire_list(from.iter().copied(), ScriptRunStatus::as_str)
        ));
        let done = sqlx::query(sql)
            .bind(change.status.as_str())
            .bind(&change.message)
            .bind(&change.results)
            .bind(change.ended_ms)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn find_script_run(&self, workspace_id: &str, id: &str) -> StoreResult<Option<ScriptRunRecord>> {
        let sql =
            AssertSqlSafe(format!("SELECT {SCRIPT_RUN_COLUMNS} FROM script_runs WHERE workspace_id = $1 AND id = $2"));
        let row = sqlx::query(sql).bind(workspace_id).bind(id).fetch_optional(&self.read).await?;
        row.as_ref().map(rows::script_run).transpose()
    }

    async fn open_script_runs(&self) -> StoreResult<Vec<ScriptRunRecord>> {
        let open = ScriptRunStatus::ALL.iter().copied().filter(|s| !s.is_terminal());
        let sql = AssertSqlSafe(format!(
            "SELECT {SCRIPT_RUN_COLUMNS} FROM script_runs WHERE status IN {}",
            wire_list(open, ScriptRunStatus::as_str)
        ));
        let found = sqlx::query(sql).fetch_all(&self.read).await?;
        found.iter().map(rows::script_run).collect()
    }

    async fn delete_script_runs_ended_before(&self, ended_before_ms: i64) -> StoreResult<Vec<String>> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<String> = sqlx::query("SELECT id FROM script_runs WHERE ended_ms < $1")
            .bind(ended_before_ms)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        sqlx::query("DELETE FROM script_runs WHERE ended_ms < $1").bind(ended_before_ms).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(ids)
    }
}
