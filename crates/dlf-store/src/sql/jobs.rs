//! Jobs, their submitted versions, tags and dependency edges.

use super::rows::{self, JOB_COLUMNS, JOB_SUMMARY_COLUMNS, bool_int};
use super::{Dialect, SqlStore, conflict_or, wire_list};
use crate::records::*;
use crate::{JobStore, StoreError, StoreResult};
use async_trait::async_trait;
use dlf_core::model::{InstanceStatus, JobStatus, NodeStatus};
use dlf_core::state::{AbortCause, CancelReason, InstanceEvent, NodeEvent, next_instance_status, next_node_status};
use sqlx::{AssertSqlSafe, Row};

/// Submitted versions kept per job (JOBS.md §8).
const VERSIONS_KEPT: i64 = 100;

/// The instance statuses StopJob cancels, and what they become: exactly those the state machine
/// lets "own job stopped" move (JOBS.md §4.3: not yet running), so the SQL and the rule cannot
/// disagree.
fn cancelled_by_job_stop() -> (Vec<InstanceStatus>, InstanceStatus) {
    let event = InstanceEvent::Cancel(CancelReason::JobStopped);
    let from: Vec<InstanceStatus> =
        InstanceStatus::ALL.iter().copied().filter(|s| next_instance_status(Some(*s), &event).is_ok()).collect();
    let to =
        from.first().and_then(|s| next_instance_status(Some(*s), &event).ok()).unwrap_or(InstanceStatus::ManualStop);
    (from, to)
}

/// The node statuses of a canceled not-yet-running instance that its cancel moves, and to what:
/// those an instance stop may abort, except `running` (a not-yet-running instance runs no node).
fn nodes_cancelled_by_job_stop() -> (Vec<NodeStatus>, NodeStatus) {
    let event = NodeEvent::Abort(AbortCause::InstanceStopped);
    let from: Vec<NodeStatus> = NodeStatus::ALL
        .iter()
        .copied()
        .filter(|s| *s != NodeStatus::Running && next_node_status(*s, &event).is_ok())
        .collect();
    let to = from.first().and_then(|s| next_node_status(*s, &event).ok()).unwrap_or(NodeStatus::ManualStop);
    (from, to)
}

impl SqlStore {
    async fn write_job_side_tables(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        job_id: i64,
        workspace_id: &str,
        fields: &JobFields,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM job_tags WHERE job_id = $1").bind(job_id).execute(&mut **tx).await?;
        let mut tags = fields.tags.clone();
        tags.sort();
        tags.dedup();
        for tag in &tags {
            sqlx::query("INSERT INTO job_tags (job_id, tag) VALUES ($1, $2)")
                .bind(job_id)
                .bind(tag)
                .execute(&mut **tx)
                .await?;
        }
        sqlx::query("DELETE FROM job_dependencies WHERE job_id = $1").bind(job_id).execute(&mut **tx).await?;
        let mut deps = fields.depends_on.clone();
        deps.sort();
        deps.dedup();
        for upstream in &deps {
            sqlx::query("INSERT INTO job_dependencies (job_id, workspace_id, upstream_name) VALUES ($1, $2, $3)")
                .bind(job_id)
                .bind(workspace_id)
                .bind(upstream)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    async fn submit_version(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        job_id: i64,
        version: i64,
        document: &str,
        user: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO job_versions (job_id, version, document, submit_ms, submit_user) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(job_id)
        .bind(version)
        .bind(document)
        .bind(now_ms)
        .bind(user)
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM job_versions WHERE job_id = $1 AND version <= $2")
            .bind(job_id)
            .bind(version - VERSIONS_KEPT)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn job_in(tx: &mut sqlx::Transaction<'static, sqlx::Any>, job_id: i64) -> StoreResult<JobRecord> {
        let sql = AssertSqlSafe(format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"));
        let row = sqlx::query(sql).bind(job_id).fetch_one(&mut **tx).await?;
        rows::job(&row)
    }
}

#[async_trait]
impl JobStore for SqlStore {
    async fn insert_job(&self, job: &NewJob) -> StoreResult<JobRecord> {
        let _changed = self.definitions_changing();
        let f = &job.fields;
        let version = if job.submit { 1 } else { 0 };
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO jobs (workspace_id, name, process_type, status, document, submitted_version, directory, owner, \
             priority, single_node, schedule_end_ms, create_user, create_ms, update_user, update_ms) \
             VALUES ($1, $2, $3, $13, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12) RETURNING id",
        )
        .bind(&job.workspace_id)
        .bind(&job.name)
        .bind(&f.process_type)
        .bind(&f.document)
        .bind(version)
        .bind(&f.directory)
        .bind(&f.owner)
        .bind(f.priority)
        .bind(bool_int(f.single_node))
        .bind(f.schedule_end_ms)
        .bind(&job.user)
        .bind(job.now_ms)
        .bind(JobStatus::Stopped.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, format!("job '{}'", job.name)))?;
        let id: i64 = row.try_get("id")?;
        Self::write_job_side_tables(&mut tx, id, &job.workspace_id, f).await?;
        if job.submit {
            Self::submit_version(&mut tx, id, 1, &f.document, &job.user, job.now_ms).await?;
        }
        let record = Self::job_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn update_job(&self, job_id: i64, update: &JobUpdate) -> StoreResult<JobRecord> {
        let _changed = self.definitions_changing();
        let f = &update.fields;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET process_type = $1, document = $2, directory = $3, owner = $4, priority = $5, single_node = $6, \
             schedule_end_ms = $7, update_user = $8, update_ms = $9, submitted_version = submitted_version + $10 WHERE id = $11",
        )
        .bind(&f.process_type)
        .bind(&f.document)
        .bind(&f.directory)
        .bind(&f.owner)
        .bind(f.priority)
        .bind(bool_int(f.single_node))
        .bind(f.schedule_end_ms)
        .bind(&update.user)
        .bind(update.now_ms)
        .bind(bool_int(update.submit))
        .bind(job_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("job {job_id}")));
        }
        let record = Self::job_in(&mut tx, job_id).await?;
        Self::write_job_side_tables(&mut tx, job_id, &record.summary.workspace_id, f).await?;
        if update.submit {
            let version = record.summary.submitted_version;
            Self::submit_version(&mut tx, job_id, version, &f.document, &update.user, update.now_ms).await?;
        }
        tx.commit().await?;
        Ok(record)
    }

    async fn find_job(&self, workspace_id: &str, name: &str) -> StoreResult<Option<JobRecord>> {
        let sql = AssertSqlSafe(format!("SELECT {JOB_COLUMNS} FROM jobs WHERE workspace_id = $1 AND name = $2"));
        let row = sqlx::query(sql).bind(workspace_id).bind(name).fetch_optional(&self.read).await?;
        row.as_ref().map(rows::job).transpose()
    }

    async fn find_job_by_id(&self, job_id: i64) -> StoreResult<Option<JobRecord>> {
        let sql = AssertSqlSafe(format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"));
        let row = sqlx::query(sql).bind(job_id).fetch_optional(&self.read).await?;
        row.as_ref().map(rows::job).transpose()
    }

    async fn job_version(&self, job_id: i64, version: i64) -> StoreResult<Option<JobVersion>> {
        let row = sqlx::query(
            "SELECT job_id, version, document, submit_ms, submit_user FROM job_versions WHERE job_id = $1 AND version = $2",
        )
        .bind(job_id)
        .bind(version)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(JobVersion {
                job_id: r.try_get("job_id")?,
                version: r.try_get("version")?,
                document: r.try_get("document")?,
                submit_ms: r.try_get("submit_ms")?,
                submit_user: r.try_get("submit_user")?,
            })
        })
        .transpose()
    }

    async fn list_jobs(&self, workspace_id: &str, filter: &JobFilter) -> StoreResult<(i64, Vec<JobSummary>)> {
        let mut conditions = vec!["workspace_id = $1".to_string(), "process_type = $2".to_string()];
        let mut binds: Vec<String> = vec![workspace_id.to_string(), filter.process_type.clone()];
        if let Some(name) = &filter.name_contains {
            binds.push(name.clone());
            conditions.push(self.dialect.contains("name", &format!("${}", binds.len())));
        }
        if !filter.any_tag.is_empty() {
            let mut placeholders = Vec::new();
            for tag in &filter.any_tag {
                binds.push(tag.clone());
                placeholders.push(format!("${}", binds.len()));
            }
            conditions.push(format!("id IN (SELECT job_id FROM job_tags WHERE tag IN ({}))", placeholders.join(", ")));
        }
        let where_clause = conditions.join(" AND ");
        let count_sql = AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM jobs WHERE {where_clause}"));
        let mut count = sqlx::query(count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total: i64 = count.fetch_one(&self.read).await?.try_get("n")?;
        let page_sql = AssertSqlSafe(format!(
            "SELECT {JOB_SUMMARY_COLUMNS} FROM jobs WHERE {where_clause} ORDER BY update_ms DESC, id DESC LIMIT ${} OFFSET ${}",
            binds.len() + 1,
            binds.len() + 2
        ));
        let mut page = sqlx::query(page_sql);
        for b in &binds {
            page = page.bind(b.clone());
        }
        let found = page.bind(filter.limit).bind(filter.offset).fetch_all(&self.read).await?;
        Ok((total, found.iter().map(rows::job_summary).collect::<StoreResult<_>>()?))
    }

    async fn delete_job(&self, job_id: i64) -> StoreResult<()> {
        let _changed = self.definitions_changing();
        let mut tx = self.begin_write().await?;
        for sql in [
            "DELETE FROM job_tags WHERE job_id = $1",
            "DELETE FROM job_versions WHERE job_id = $1",
            "DELETE FROM job_dependencies WHERE job_id = $1",
            "DELETE FROM job_notifications WHERE job_id = $1",
            "DELETE FROM jobs WHERE id = $1",
        ] {
            sqlx::query(sql).bind(job_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn downstream_jobs(&self, workspace_id: &str, job_name: &str) -> StoreResult<Vec<(i64, String)>> {
        let found = sqlx::query(
            "SELECT j.id AS id, j.name AS name FROM job_dependencies d JOIN jobs j ON j.id = d.job_id \
             WHERE d.workspace_id = $1 AND d.upstream_name = $2 ORDER BY j.name",
        )
        .bind(workspace_id)
        .bind(job_name)
        .fetch_all(&self.read)
        .await?;
        found.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?))).collect()
    }

    async fn count_jobs(&self, workspace_id: &str) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM jobs WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get("n")?)
    }

    async fn jobs_mentioning(&self, workspace_id: &str, text: &str) -> StoreResult<Vec<JobRecord>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE workspace_id = $1 AND {} ORDER BY name",
            self.dialect.contains("document", "$2")
        ));
        let found = sqlx::query(sql).bind(workspace_id).bind(text).fetch_all(&self.read).await?;
        found.iter().map(rows::job).collect()
    }

    async fn jobs_with_status(&self, statuses: &[JobStatus]) -> StoreResult<Vec<JobRecord>> {
        let placeholders: Vec<String> = (1..=statuses.len()).map(|i| format!("${i}")).collect();
        let sql = AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE status IN ({}) ORDER BY id",
            placeholders.join(", ")
        ));
        let mut q = sqlx::query(sql);
        for s in statuses {
            q = q.bind(s.as_str());
        }
        let found = q.fetch_all(&self.read).await?;
        found.iter().map(rows::job).collect()
    }

    async fn transition_job(&self, job_id: i64, from: &[JobStatus], change: &JobStatusChange) -> StoreResult<bool> {
        let mut sets = vec!["status = $1".to_string()];
        let mut next = 2;
        let mut placeholder = || {
            let p = format!("${next}");
            next += 1;
            p
        };
        if change.started_ms.is_some() {
            sets.push(format!("started_ms = {}", placeholder()));
        }
        if change.start_params.is_some() {
            sets.push(format!("start_params = {}", placeholder()));
        }
        if change.schedule_cursor_ms.is_some() {
            sets.push(format!("schedule_cursor_ms = {}", placeholder()));
        }
        let id_p = placeholder();
        let from_list: Vec<String> = from.iter().map(|_| placeholder()).collect();
        let sql = AssertSqlSafe(format!(
            "UPDATE jobs SET {} WHERE id = {id_p} AND status IN ({})",
            sets.join(", "),
            from_list.join(", ")
        ));
        let mut q = sqlx::query(sql).bind(change.status.as_str());
        if let Some(ms) = change.started_ms {
            q = q.bind(ms);
        }
        if let Some(params) = &change.start_params {
            q = q.bind(params.clone());
        }
        if let Some(cursor) = change.schedule_cursor_ms {
            q = q.bind(cursor);
        }
        q = q.bind(job_id);
        for status in from {
            q = q.bind(status.as_str());
        }
        let _changed = self.definitions_changing();
        let mut tx = self.begin_write().await?;
        let changed = q.execute(&mut *tx).await?.rows_affected() == 1;
        if changed && let Some(end_ms) = change.cancel_waiting_at_ms {
            let (from, to) = cancelled_by_job_stop();
            let cancel = AssertSqlSafe(format!(
                "UPDATE job_instances SET status = $3, end_ms = $1, \
                     error_message = 'Canceled: the job was stopped.' \
                     WHERE job_id = $2 AND instance_type IN (0, 7) AND status IN {}",
                wire_list(from, InstanceStatus::as_str)
            ));
            sqlx::query(cancel).bind(end_ms).bind(job_id).bind(to.as_str()).execute(&mut *tx).await?;
            let (node_from, node_to) = nodes_cancelled_by_job_stop();
            let cancel_nodes = AssertSqlSafe(format!(
                "UPDATE node_instances SET status = $3, end_ms = $1 WHERE status IN {} \
                     AND instance_id IN (SELECT id FROM job_instances WHERE job_id = $2 AND status = $4 AND end_ms = $1)",
                wire_list(node_from, NodeStatus::as_str)
            ));
            sqlx::query(cancel_nodes)
                .bind(end_ms)
                .bind(job_id)
                .bind(node_to.as_str())
                .bind(to.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Offered only where this process is the database's only writer: SQLite, whose file
    /// belongs to one server (its data directory, which `dlf serve` locks).
    fn definitions_generation(&self) -> Option<u64> {
        match self.dialect {
            Dialect::Sqlite => Some(self.definitions.load(std::sync::atomic::Ordering::Acquire)),
            Dialect::Postgres => None,
        }
    }
}
