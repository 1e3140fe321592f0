//! System tasks (T1) and their subtasks.

use super::SqlStore;
use crate::records::*;
use crate::{StoreError, StoreResult, SystemTaskStore};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

const TASK_COLUMNS: &str =
    "id, project_id, workspace_id, name, status, message, runner_epoch, start_ms, end_ms, last_update_ms";
const SUBTASK_COLUMNS: &str = "id, task_id, seq, name, status, message, last_update_ms";

fn status(row: &AnyRow, table: &str) -> StoreResult<SystemTaskStatus> {
    let text: String = row.try_get("status")?;
    SystemTaskStatus::parse(&text)
        .ok_or_else(|| StoreError::Corrupt(format!("{table}.status holds '{text}', which is not a known value")))
}

fn task(row: &AnyRow) -> StoreResult<SystemTaskRecord> {
    Ok(SystemTaskRecord {
        id: row.try_get("id")?,
        project_id: row.try_get("project_id")?,
        workspace_id: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        status: status(row, "system_tasks")?,
        message: row.try_get("message")?,
        runner_epoch: row.try_get("runner_epoch")?,
        start_ms: row.try_get("start_ms")?,
        end_ms: row.try_get("end_ms")?,
        last_update_ms: row.try_get("last_update_ms")?,
    })
}

fn subtask(row: &AnyRow) -> StoreResult<SubtaskRecord> {
    Ok(SubtaskRecord {
        id: row.try_get("id")?,
        task_id: row.try_get("task_id")?,
        seq: row.try_get("seq")?,
        name: row.try_get("name")?,
        status: status(row, "system_subtasks")?,
        message: row.try_get("message")?,
        last_update_ms: row.try_get("last_update_ms")?,
    })
}

impl SqlStore {
    async fn subtasks_of(&self, task_id: &str) -> StoreResult<Vec<SubtaskRecord>> {
        let sql =
            AssertSqlSafe(format!("SELECT {SUBTASK_COLUMNS} FROM system_subtasks WHERE task_id = $1 ORDER BY seq, id"));
        let rows = sqlx::query(sql).bind(task_id).fetch_all(&self.read).await?;
        rows.iter().map(subtask).collect()
    }
}

#[async_trait]
impl SystemTaskStore for SqlStore {
    async fn insert_system_task(&self, t: &SystemTaskRecord) -> StoreResult<()> {
        let sql = AssertSqlSafe(format!(
            "INSERT INTO system_tasks ({TASK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ));
        sqlx::query(sql)
            .bind(&t.id)
            .bind(&t.project_id)
            .bind(&t.workspace_id)
            .bind(&t.name)
            .bind(t.status.as_str())
            .bind(&t.message)
            .bind(&t.runner_epoch)
            .bind(t.start_ms)
            .bind(t.end_ms)
            .bind(t.last_update_ms)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn insert_subtasks(&self, subtasks: &[SubtaskRecord], now_ms: i64) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let sql = format!("INSERT INTO system_subtasks ({SUBTASK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        for s in subtasks {
            sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(&s.id)
                .bind(&s.task_id)
                .bind(s.seq)
                .bind(&s.name)
                .bind(s.status.as_str())
                .bind(&s.message)
                .bind(s.last_update_ms)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(first) = subtasks.first() {
            sqlx::query("UPDATE system_tasks SET last_update_ms = $1 WHERE id = $2")
                .bind(now_ms)
                .bind(&first.task_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn end_subtask(
        &self,
        id: &str,
        status: SystemTaskStatus,
        message: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE system_subtasks SET status = $1, message = $2, last_update_ms = $3 WHERE id = $4 AND status = $5",
        )
        .bind(status.as_str())
        .bind(message)
        .bind(now_ms)
        .bind(id)
        .bind(SystemTaskStatus::Running.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE system_tasks SET last_update_ms = $1 WHERE id = (SELECT task_id FROM system_subtasks WHERE id = $2)",
        )
        .bind(now_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn end_system_task(
        &self,
        id: &str,
        status: SystemTaskStatus,
        message: Option<&str>,
        subtask_message: &str,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let running = SystemTaskStatus::Running.as_str();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE system_tasks SET status = $1, message = $2, end_ms = $3, last_update_ms = $3 \
             WHERE id = $4 AND status = $5",
        )
        .bind(status.as_str())
        .bind(message)
        .bind(now_ms)
        .bind(id)
        .bind(running)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE system_subtasks SET status = $1, message = $2, last_update_ms = $3 WHERE task_id = $4 AND status = $5",
        )
        .bind(SystemTaskStatus::Failed.as_str())
        .bind(subtask_message)
        .bind(now_ms)
        .bind(id)
        .bind(running)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn find_system_task(
        &self,
        workspace_id: &str,
        id: &str,
    ) -> StoreResult<Option<(SystemTaskRecord, Vec<SubtaskRecord>)>> {
        let sql = AssertSqlSafe(format!("SELECT {TASK_COLUMNS} FROM system_tasks WHERE workspace_id = $1 AND id = $2"));
        let Some(row) = sqlx::query(sql).bind(workspace_id).bind(id).fetch_optional(&self.read).await? else {
            return Ok(None);
        };
        let found = task(&row)?;
        let subtasks = self.subtasks_of(&found.id).await?;
        Ok(Some((found, subtasks)))
    }

    async fn running_system_tasks(&self) -> StoreResult<Vec<(SystemTaskRecord, Vec<SubtaskRecord>)>> {
        let sql = AssertSqlSafe(format!("SELECT {TASK_COLUMNS} FROM system_tasks WHERE status = $1 ORDER BY start_ms"));
        let rows = sqlx::query(sql).bind(SystemTaskStatus::Running.as_str()).fetch_all(&self.read).await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in &rows {
            let t = task(row)?;
            let subtasks = self.subtasks_of(&t.id).await?;
            found.push((t, subtasks));
        }
        Ok(found)
    }
}
