//! Notification rules of jobs and the deliveries of notifications.

use super::SqlStore;
use crate::records::{DeliveryRecord, DeliveryStatus};
use crate::{NotificationStore, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

const DELIVERY_COLUMNS: &str = "id, workspace_id, job_name, instance_id, event, notifier, dedupe_key, payload, \
     status, attempts, last_error, created_ms, updated_ms";

fn delivery(row: &AnyRow) -> StoreResult<DeliveryRecord> {
    let status: String = row.try_get("status")?;
    Ok(DeliveryRecord {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        job_name: row.try_get("job_name")?,
        instance_id: row.try_get("instance_id")?,
        event: row.try_get("event")?,
        notifier: row.try_get("notifier")?,
        dedupe_key: row.try_get("dedupe_key")?,
        payload: row.try_get("payload")?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| {
            StoreError::Corrupt(format!("notification_deliveries.status holds '{status}', which is not a known value"))
        })?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

fn rules_rows(found: &[AnyRow]) -> StoreResult<Vec<(i64, String)>> {
    found.iter().map(|r| Ok((r.try_get("job_id")?, r.try_get("rules")?))).collect()
}

#[async_trait]
impl NotificationStore for SqlStore {
    async fn set_job_notifications(
        &self,
        job_id: i64,
        workspace_id: &str,
        rules: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()> {
        match rules {
            Some(rules) => {
                sqlx::query(
                    "INSERT INTO job_notifications (job_id, workspace_id, rules, updated_ms) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (job_id) DO UPDATE SET rules = excluded.rules, updated_ms = excluded.updated_ms",
                )
                .bind(job_id)
                .bind(workspace_id)
                .bind(rules)
                .bind(now_ms)
                .execute(&self.write)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM job_notifications WHERE job_id = $1")
                    .bind(job_id)
                    .execute(&self.write)
                    .await?;
            }
        }
        Ok(())
    }

    async fn job_notifications(&self, job_id: i64) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT rules FROM job_notifications WHERE job_id = $1")
            .bind(job_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|r| r.try_get("rules")).transpose()?)
    }

    async fn jobs_notifications(&self, job_ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
        if job_ids.is_empty() {
            return Ok(Vec::new());
        }
        // Integers only: nothing a caller sends reaches the statement's text.
        let list = job_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let sql = AssertSqlSafe(format!("SELECT job_id, rules FROM job_notifications WHERE job_id IN ({list})"));
        let found = sqlx::query(sql).fetch_all(&self.read).await?;
        rules_rows(&found)
    }

    async fn all_job_notifications(&self) -> StoreResult<Vec<(i64, String)>> {
        let found =
            sqlx::query("SELECT job_id, rules FROM job_notifications ORDER BY job_id").fetch_all(&self.read).await?;
        rules_rows(&found)
    }

    async fn insert_delivery(&self, d: &DeliveryRecord) -> StoreResult<bool> {
        let sql = AssertSqlSafe(format!(
            "INSERT INTO notification_deliveries ({DELIVERY_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING"
        ));
        let done = sqlx::query(sql)
            .bind(&d.id)
            .bind(&d.workspace_id)
            .bind(&d.job_name)
            .bind(d.instance_id)
            .bind(&d.event)
            .bind(&d.notifier)
            .bind(&d.dedupe_key)
            .bind(&d.payload)
            .bind(d.status.as_str())
            .bind(d.attempts)
            .bind(&d.last_error)
            .bind(d.created_ms)
            .bind(d.updated_ms)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn update_delivery(
        &self,
        id: &str,
        status: DeliveryStatus,
        attempts: i64,
        last_error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE notification_deliveries SET status = $1, attempts = $2, last_error = $3, updated_ms = $4 \
             WHERE id = $5",
        )
        .bind(status.as_str())
        .bind(attempts)
        .bind(last_error)
        .bind(now_ms)
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn pending_deliveries(&self) -> StoreResult<Vec<DeliveryRecord>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM notification_deliveries WHERE status = $1 ORDER BY created_ms, id"
        ));
        let found = sqlx::query(sql).bind(DeliveryStatus::Pending.as_str()).fetch_all(&self.read).await?;
        found.iter().map(delivery).collect()
    }

    async fn list_deliveries(
        &self,
        workspace_id: &str,
        job_name: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<DeliveryRecord>)> {
        let filter = if job_name.is_some() { "workspace_id = $1 AND job_name = $2" } else { "workspace_id = $1" };
        let count_sql = AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM notification_deliveries WHERE {filter}"));
        let mut count = sqlx::query(count_sql).bind(workspace_id);
        if let Some(name) = job_name {
            count = count.bind(name);
        }
        let total: i64 = count.fetch_one(&self.read).await?.try_get("n")?;
        let (lim, off) = if job_name.is_some() { ("$3", "$4") } else { ("$2", "$3") };
        let sql = AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM notification_deliveries WHERE {filter} \
             ORDER BY created_ms DESC, id DESC LIMIT {lim} OFFSET {off}"
        ));
        let mut query = sqlx::query(sql).bind(workspace_id);
        if let Some(name) = job_name {
            query = query.bind(name);
        }
        let found = query.bind(limit).bind(offset).fetch_all(&self.read).await?;
        Ok((total, found.iter().map(delivery).collect::<StoreResult<_>>()?))
    }
}
