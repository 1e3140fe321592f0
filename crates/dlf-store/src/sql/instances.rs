//! Job instances and node instances.

use super::rows::{self, INSTANCE_COLUMNS, NODE_COLUMNS, bool_int};
use super::{Dialect, Placeholders, SqlStore, wire_list};
use crate::StoreResult;
use crate::instances::*;
use async_trait::async_trait;
use dlf_core::model::{InstanceStatus, JobStatus, NodeStatus};
use sqlx::{AssertSqlSafe, Row, Transaction};
use std::collections::{HashMap, HashSet};

type Tx = Transaction<'static, sqlx::Any>;

/// Most fires written by one multi-row statement (11 bound values each; SQLite allows 32,766
/// per statement, PostgreSQL 65,535).
const FIRE_ROUND: usize = 500;
/// Most node rows in one multi-row INSERT (3 bound values each).
const NODE_ROWS_PER_INSERT: usize = 1000;
/// Most instances started by one multi-row UPDATE.
const STARTS_PER_UPDATE: usize = 1000;

/// The columns a new instance row is inserted with, in [`bind_new_instance`]'s order.
const NEW_INSTANCE_COLUMNS: &str = "workspace_id, job_id, job_name, instance_type, plan_ms, status, version, submit_ms, created_ms, params, ignore_depend";

/// `(…)` for one new instance of a (multi-row) INSERT, bound by [`bind_new_instance`].
fn new_instance_placeholders(placeholders: &mut Placeholders) -> String {
    format!("({})", placeholders.list(11))
}

/// Binds one new instance's values in [`NEW_INSTANCE_COLUMNS`] order.
fn bind_new_instance<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, <sqlx::Any as sqlx::Database>::Arguments>,
    new: &'q NewInstance,
) -> sqlx::query::Query<'q, sqlx::Any, <sqlx::Any as sqlx::Database>::Arguments> {
    query
        .bind(&new.workspace_id)
        .bind(new.job_id)
        .bind(&new.job_name)
        .bind(new.instance_type.code())
        .bind(new.plan_ms)
        .bind(new.status.as_str())
        .bind(new.version)
        .bind(new.submit_ms)
        .bind(new.created_ms)
        .bind(&new.params)
        .bind(bool_int(new.ignore_depend))
}

impl SqlStore {
    /// Inserts an instance and its nodes inside `tx`; `None` when a cron instance for the same
    /// (job, plan time) exists.
    async fn insert_instance_in(tx: &mut Tx, new: &NewInstance) -> StoreResult<Option<InstanceRecord>> {
        let sql = AssertSqlSafe(format!(
            "INSERT INTO job_instances ({NEW_INSTANCE_COLUMNS}) VALUES {} ON CONFLICT DO NOTHING RETURNING {INSTANCE_COLUMNS}",
            new_instance_placeholders(&mut Placeholders::numbered())
        ));
        let row = bind_new_instance(sqlx::query(sql), new).fetch_optional(&mut **tx).await?;
        let Some(row) = row else { return Ok(None) };
        let record = rows::instance(&row)?;
        for (name, node_type) in &new.nodes {
            sqlx::query(
                "INSERT INTO node_instances (instance_id, node_name, node_type, status) VALUES ($1, $2, $3, $4)",
            )
            .bind(record.id)
            .bind(name)
            .bind(node_type)
            .bind(NodeStatus::Waiting.as_str())
            .execute(&mut **tx)
            .await?;
        }
        Ok(Some(record))
    }

    /// Fires for distinct jobs, with a handful of statements whatever their number (a cron
    /// storm fires a thousand jobs in one second): advance the cursors, insert the instances,
    /// insert their nodes.
    ///
    /// Advancing the cursor first takes the job row's lock (PostgreSQL) and re-checks the
    /// status under it, so a concurrent StopJob either sees these instances (and cancels them)
    /// or makes the fire a no-op: never an instance created after the stop.
    async fn fire_round(tx: &mut Tx, dialect: Dialect, round: &[&NewInstance]) -> StoreResult<Vec<FireOutcome>> {
        if round.is_empty() {
            return Ok(Vec::new());
        }
        // UPDATE jobs SET cursor = CASE id WHEN j THEN plan … END WHERE id IN (…) AND it moves
        // forward. Placeholders are used once each, in order, so the CASE is bound twice.
        let mut p = Placeholders::for_dialect(dialect);
        let cases = |p: &mut Placeholders| {
            (0..round.len()).map(|_| format!(" WHEN {} THEN {}", p.next(), p.next())).collect::<String>()
        };
        let (set_cases, ids, where_cases) = (cases(&mut p), p.list(round.len()), cases(&mut p));
        let sql = AssertSqlSafe(format!(
            "UPDATE jobs SET schedule_cursor_ms = CASE id{set_cases} END WHERE id IN ({ids}) AND status = '{scheduling}' \
             AND (schedule_cursor_ms IS NULL OR schedule_cursor_ms < CASE id{where_cases} END) RETURNING id",
            scheduling = JobStatus::Scheduling.as_str()
        ));
        let mut update = sqlx::query(sql);
        for new in round {
            update = update.bind(new.job_id).bind(new.plan_ms);
        }
        for new in round {
            update = update.bind(new.job_id);
        }
        for new in round {
            update = update.bind(new.job_id).bind(new.plan_ms);
        }
        let advanced: HashSet<i64> =
            update.fetch_all(&mut **tx).await?.iter().map(|r| r.try_get::<i64, _>("id")).collect::<Result<_, _>>()?;

        let to_insert: Vec<&NewInstance> = round.iter().copied().filter(|n| advanced.contains(&n.job_id)).collect();
        let mut created: HashMap<(i64, i64), InstanceRecord> = HashMap::new();
        if !to_insert.is_empty() {
            let mut p = Placeholders::for_dialect(dialect);
            let values = (0..to_insert.len()).map(|_| new_instance_placeholders(&mut p)).collect::<Vec<_>>().join(", ");
            let sql = AssertSqlSafe(format!(
                "INSERT INTO job_instances ({NEW_INSTANCE_COLUMNS}) VALUES {values} ON CONFLICT DO NOTHING RETURNING {INSTANCE_COLUMNS}"
            ));
            let mut insert = sqlx::query(sql);
            for new in &to_insert {
                insert = bind_new_instance(insert, new);
            }
            for row in insert.fetch_all(&mut **tx).await? {
                let record = rows::instance(&row)?;
                created.insert((record.job_id, record.plan_ms), record);
            }
            let nodes: Vec<(i64, &String, &String)> = to_insert
                .iter()
                .filter_map(|n| created.get(&(n.job_id, n.plan_ms)).map(|r| (r.id, &n.nodes)))
                .flat_map(|(id, nodes)| nodes.iter().map(move |(name, node_type)| (id, name, node_type)))
                .collect();
            for chunk in nodes.chunks(NODE_ROWS_PER_INSERT) {
                let mut p = Placeholders::for_dialect(dialect);
                let waiting = NodeStatus::Waiting.as_str();
                let values =
                    (0..chunk.len()).map(|_| format!("({}, '{waiting}')", p.list(3))).collect::<Vec<_>>().join(", ");
                let sql = AssertSqlSafe(format!(
                    "INSERT INTO node_instances (instance_id, node_name, node_type, status) VALUES {values}"
                ));
                let mut insert = sqlx::query(sql);
                for (id, name, node_type) in chunk {
                    insert = insert.bind(*id).bind(*name).bind(*node_type);
                }
                insert.execute(&mut **tx).await?;
            }
        }

        let mut outcomes = Vec::with_capacity(round.len());
        for new in round {
            if let Some(record) = created.remove(&(new.job_id, new.plan_ms)) {
                outcomes.push(FireOutcome::Created(Box::new(record)));
            } else if advanced.contains(&new.job_id) {
                outcomes.push(FireOutcome::Duplicate);
            } else {
                // Not advanced: a plan time at or before the cursor (a duplicate) or a job that
                // stopped scheduling. Rare, so one query each.
                let status: Option<String> = sqlx::query("SELECT status FROM jobs WHERE id = $1")
                    .bind(new.job_id)
                    .fetch_optional(&mut **tx)
                    .await?
                    .map(|r| r.try_get("status"))
                    .transpose()?;
                let scheduling = status.as_deref().and_then(JobStatus::parse) == Some(JobStatus::Scheduling);
                outcomes.push(if scheduling { FireOutcome::Duplicate } else { FireOutcome::NotScheduling });
            }
        }
        Ok(outcomes)
    }

    async fn commit_in(tx: &mut Tx, commit: &InstanceCommit) -> StoreResult<bool> {
        if let Some((inst, expected)) = &commit.instance {
            let done = sqlx::query(
                "UPDATE job_instances SET status = $1, version = $2, submit_ms = $3, start_ms = $4, end_ms = $5, \
                 params = $6, error_message = $7, rerun_count = $8, ignore_depend = $9 WHERE id = $10 AND status = $11",
            )
            .bind(inst.status.as_str())
            .bind(inst.version)
            .bind(inst.submit_ms)
            .bind(inst.start_ms)
            .bind(inst.end_ms)
            .bind(&inst.params)
            .bind(&inst.error_message)
            .bind(inst.rerun_count)
            .bind(bool_int(inst.ignore_depend))
            .bind(inst.id)
            .bind(expected.as_str())
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
        }
        for (instance_id, name) in &commit.remove_nodes {
            sqlx::query("DELETE FROM node_instances WHERE instance_id = $1 AND node_name = $2")
                .bind(instance_id)
                .bind(name)
                .execute(&mut **tx)
                .await?;
        }
        for n in &commit.nodes {
            let sql = AssertSqlSafe(format!(
                "INSERT INTO node_instances ({NODE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                 ON CONFLICT (instance_id, node_name) DO UPDATE SET node_type = excluded.node_type, status = excluded.status, \
                 attempts = excluded.attempts, start_ms = excluded.start_ms, end_ms = excluded.end_ms, output = excluded.output, \
                 error_message = excluded.error_message, log_path = excluded.log_path, process_group = excluded.process_group, \
                 process_start = excluded.process_start, runner_epoch = excluded.runner_epoch, continued = excluded.continued, \
                 interrupted = excluded.interrupted"
            ));
            sqlx::query(sql)
                .bind(n.instance_id)
                .bind(&n.node_name)
                .bind(&n.node_type)
                .bind(n.status.as_str())
                .bind(n.attempts)
                .bind(n.start_ms)
                .bind(n.end_ms)
                .bind(&n.output)
                .bind(&n.error_message)
                .bind(&n.log_path)
                .bind(n.process_group)
                .bind(&n.process_start)
                .bind(&n.runner_epoch)
                .bind(bool_int(n.continued))
                .bind(n.interrupted)
                .execute(&mut **tx)
                .await?;
        }
        if let Some((job_id, status, end_ms)) = &commit.job_last_instance {
            // Only move forward: an older instance finishing late does not hide a newer result.
            sqlx::query(
                "UPDATE jobs SET last_instance_status = $1, last_instance_end_ms = $2 \
                 WHERE id = $3 AND (last_instance_end_ms IS NULL OR last_instance_end_ms <= $2)",
            )
            .bind(status.as_str())
            .bind(end_ms)
            .bind(job_id)
            .execute(&mut **tx)
            .await?;
        }
        Ok(true)
    }
}

#[async_trait]
impl InstanceStore for SqlStore {
    async fn insert_instance(&self, instance: &NewInstance) -> StoreResult<Option<InstanceRecord>> {
        Ok(self.insert_instances(std::slice::from_ref(instance)).await?.pop().flatten())
    }

    async fn insert_instances(&self, instances: &[NewInstance]) -> StoreResult<Vec<Option<InstanceRecord>>> {
        let mut tx = self.begin_write().await?;
        let mut created = Vec::with_capacity(instances.len());
        for instance in instances {
            created.push(Self::insert_instance_in(&mut tx, instance).await?);
        }
        tx.commit().await?;
        Ok(created)
    }

    async fn fire_schedules(&self, fires: &[ScheduledFire]) -> StoreResult<Vec<FireOutcome>> {
        let mut tx = self.begin_write().await?;
        let mut outcomes = Vec::with_capacity(fires.len());
        // Rounds of at most FIRE_ROUND fires with distinct jobs, in order: a job's later plan
        // time always comes in a later round, after its cursor moved for the earlier one.
        let mut round: Vec<&NewInstance> = Vec::new();
        for fire in fires {
            let new = &fire.instance;
            if round.len() == FIRE_ROUND || round.iter().any(|r| r.job_id == new.job_id) {
                outcomes.extend(Self::fire_round(&mut tx, self.dialect, &round).await?);
                round.clear();
            }
            round.push(new);
        }
        outcomes.extend(Self::fire_round(&mut tx, self.dialect, &round).await?);
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn find_instance(&self, id: i64) -> StoreResult<Option<InstanceRecord>> {
        let sql = AssertSqlSafe(format!("SELECT {INSTANCE_COLUMNS} FROM job_instances WHERE id = $1"));
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.read).await?;
        row.as_ref().map(rows::instance).transpose()
    }

    async fn node_instances(&self, instance_id: i64) -> StoreResult<Vec<NodeInstanceRecord>> {
        let sql = AssertSqlSafe(format!("SELECT {NODE_COLUMNS} FROM node_instances WHERE instance_id = $1"));
        let found = sqlx::query(sql).bind(instance_id).fetch_all(&self.read).await?;
        found.iter().map(rows::node).collect()
    }

    async fn list_instances(&self, workspace_id: &str, f: &InstanceFilter) -> StoreResult<(i64, Vec<InstanceRecord>)> {
        let mut conditions =
            vec!["workspace_id = $1".to_string(), "plan_ms >= $2".to_string(), "plan_ms <= $3".to_string()];
        let mut text_binds: Vec<(usize, String)> = Vec::new();
        let mut next = 4;
        if let Some(name) = &f.job_name {
            if f.exact_name {
                conditions.push(format!("job_name = ${next}"));
            } else {
                conditions.push(self.dialect.contains("job_name", &format!("${next}")));
            }
            text_binds.push((next, name.clone()));
            next += 1;
        }
        if let Some(status) = f.status {
            conditions.push(format!("status = ${next}"));
            text_binds.push((next, status.as_str().to_string()));
            next += 1;
        }
        let type_p = f.instance_type.map(|_| {
            conditions.push(format!("instance_type = ${next}"));
            next += 1;
            next - 1
        });
        let where_clause = conditions.join(" AND ");
        let bind_all = |sql: String| {
            let mut q =
                sqlx::query(AssertSqlSafe(sql)).bind(workspace_id.to_string()).bind(f.min_plan_ms).bind(f.max_plan_ms);
            for (_, text) in &text_binds {
                q = q.bind(text.clone());
            }
            if type_p.is_some() {
                q = q.bind(f.instance_type.map(|t| t.code()).unwrap_or_default());
            }
            q
        };
        let total: i64 = bind_all(format!("SELECT COUNT(*) AS n FROM job_instances WHERE {where_clause}"))
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        let page = bind_all(format!(
            "SELECT {INSTANCE_COLUMNS} FROM job_instances WHERE {where_clause} ORDER BY plan_ms DESC, id DESC LIMIT ${next} OFFSET ${}",
            next + 1
        ))
        .bind(f.limit)
        .bind(f.offset)
        .fetch_all(&self.read)
        .await?;
        Ok((total, page.iter().map(rows::instance).collect::<StoreResult<_>>()?))
    }

    async fn open_instances(&self) -> StoreResult<Vec<InstanceRecord>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {INSTANCE_COLUMNS} FROM job_instances WHERE status IN {} ORDER BY plan_ms, id",
            wire_list(InstanceStatus::open(), InstanceStatus::as_str)
        ));
        let found = sqlx::query(sql).fetch_all(&self.read).await?;
        found.iter().map(rows::instance).collect()
    }

    async fn commit(&self, commit: &InstanceCommit) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        if Self::commit_in(&mut tx, commit).await? {
            tx.commit().await?;
            Ok(true)
        } else {
            tx.rollback().await?;
            Ok(false)
        }
    }

    async fn commit_many(&self, commits: &[InstanceCommit]) -> StoreResult<Vec<bool>> {
        let mut tx = self.begin_write().await?;
        let mut results = Vec::with_capacity(commits.len());
        for commit in commits {
            // A failed compare-and-set must not leave half a commit behind: each commit
            // checks its instance row first, before writing anything else.
            results.push(Self::commit_in(&mut tx, commit).await?);
        }
        tx.commit().await?;
        Ok(results)
    }

    async fn start_instances(&self, starts: &[(i64, InstanceStatus)], start_ms: i64) -> StoreResult<Vec<Start>> {
        let mut tx = self.begin_write().await?;
        let mut started: HashMap<i64, Start> = HashMap::new();
        let mut by_status: HashMap<InstanceStatus, Vec<i64>> = HashMap::new();
        for (id, expected) in starts {
            by_status.entry(*expected).or_default().push(*id);
        }
        for (expected, ids) in by_status {
            for chunk in ids.chunks(STARTS_PER_UPDATE) {
                let mut p = Placeholders::for_dialect(self.dialect);
                let (start, status, list) = (p.next(), p.next(), p.list(chunk.len()));
                let sql = AssertSqlSafe(format!(
                    "UPDATE job_instances SET status = '{running}', start_ms = {start} WHERE status = {status} AND id IN ({list}) \
                     RETURNING id, rerun_count",
                    running = InstanceStatus::Running.as_str()
                ));
                let mut update = sqlx::query(sql).bind(start_ms).bind(expected.as_str());
                for id in chunk {
                    update = update.bind(*id);
                }
                for row in update.fetch_all(&mut *tx).await? {
                    let rerun_count: i64 = row.try_get("rerun_count")?;
                    let fresh = expected == InstanceStatus::Waiting && rerun_count == 0;
                    started.insert(row.try_get("id")?, Start::Started { fresh });
                }
            }
        }
        tx.commit().await?;
        Ok(starts.iter().map(|(id, _)| started.get(id).copied().unwrap_or(Start::NotStarted)).collect())
    }

    async fn scheduled_instances_between(
        &self,
        job_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<InstanceBrief>> {
        let found = sqlx::query(
            "SELECT id, plan_ms, status FROM job_instances WHERE job_id = $1 AND instance_type = 0 \
             AND plan_ms >= $2 AND plan_ms < $3 ORDER BY plan_ms",
        )
        .bind(job_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.read)
        .await?;
        found.iter().map(rows::instance_brief).collect()
    }

    async fn previous_scheduled_instance(&self, job_id: i64, plan_ms: i64) -> StoreResult<Option<InstanceBrief>> {
        let row = sqlx::query(
            "SELECT id, plan_ms, status FROM job_instances WHERE job_id = $1 AND instance_type = 0 AND plan_ms < $2 \
             ORDER BY plan_ms DESC LIMIT 1",
        )
        .bind(job_id)
        .bind(plan_ms)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(rows::instance_brief).transpose()
    }

    async fn count_active_instances(&self, job_id: i64) -> StoreResult<i64> {
        let holding = InstanceStatus::ALL.iter().copied().filter(|s| s.holds_slot());
        let sql = AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM job_instances WHERE job_id = $1 AND status IN {}",
            wire_list(holding, InstanceStatus::as_str)
        ));
        let row = sqlx::query(sql).bind(job_id).fetch_one(&self.read).await?;
        Ok(row.try_get("n")?)
    }

    async fn remove_dependency(
        &self,
        instance_id: i64,
        expected: InstanceStatus,
        upstream_instance_id: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        // The compare-and-set: a no-op update that matches only while the instance has the
        // expected status (on PostgreSQL it also locks the row until the commit).
        let held = sqlx::query("UPDATE job_instances SET status = $1 WHERE id = $2 AND status = $1")
            .bind(expected.as_str())
            .bind(instance_id)
            .execute(&mut *tx)
            .await?;
        if held.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO removed_dependencies (instance_id, upstream_instance_id) VALUES ($1, $2) \
             ON CONFLICT (instance_id, upstream_instance_id) DO NOTHING",
        )
        .bind(instance_id)
        .bind(upstream_instance_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn removed_dependencies(&self, instance_id: i64) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT upstream_instance_id FROM removed_dependencies WHERE instance_id = $1 ORDER BY upstream_instance_id",
        )
        .bind(instance_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("upstream_instance_id")?)).collect()
    }
    async fn insert_children(&self, children: &[NewChild]) -> StoreResult<Vec<(InstanceRecord, ChildLink, bool)>> {
        let mut tx = self.begin_write().await?;
        let mut out = Vec::with_capacity(children.len());
        for child in children {
            let l = &child.link;
            let existing = sqlx::query(
                "SELECT instance_id FROM child_instances WHERE parent_instance_id = $1 AND parent_node = $2 \
                 AND parent_round = $3 AND parent_row = $4",
            )
            .bind(l.parent_instance_id)
            .bind(&l.parent_node)
            .bind(l.parent_round)
            .bind(l.parent_row)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = existing {
                let id: i64 = row.try_get("instance_id")?;
                let sql = AssertSqlSafe(format!("SELECT {INSTANCE_COLUMNS} FROM job_instances WHERE id = $1"));
                let found = sqlx::query(sql).bind(id).fetch_one(&mut *tx).await?;
                out.push((rows::instance(&found)?, ChildLink { instance_id: id, ..l.clone() }, false));
                continue;
            }
            let record = Self::insert_instance_in(&mut tx, &child.instance).await?.ok_or_else(|| {
                crate::StoreError::Corrupt("a child instance collided with a scheduled one".to_string())
            })?;
            sqlx::query(
                "INSERT INTO child_instances (instance_id, parent_instance_id, parent_node, parent_round, parent_row, \
                 instance_name) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(record.id)
            .bind(l.parent_instance_id)
            .bind(&l.parent_node)
            .bind(l.parent_round)
            .bind(l.parent_row)
            .bind(&l.instance_name)
            .execute(&mut *tx)
            .await?;
            let link = ChildLink { instance_id: record.id, ..l.clone() };
            out.push((record, link, true));
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn child_links(&self, instance_ids: &[i64]) -> StoreResult<Vec<ChildLink>> {
        let mut links = Vec::new();
        for chunk in instance_ids.chunks(500) {
            let mut p = Placeholders::for_dialect(self.dialect);
            let sql = AssertSqlSafe(format!(
                "SELECT {CHILD_COLUMNS} FROM child_instances WHERE instance_id IN ({})",
                p.list(chunk.len())
            ));
            let mut q = sqlx::query(sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&self.read).await? {
                links.push(child_link(&row)?);
            }
        }
        Ok(links)
    }

    async fn children_of(&self, parent_instance_id: i64) -> StoreResult<Vec<(InstanceRecord, ChildLink)>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {INSTANCE_COLUMNS}, {CHILD_COLUMNS} FROM job_instances JOIN child_instances \
             ON child_instances.instance_id = job_instances.id WHERE parent_instance_id = $1 ORDER BY id"
        ));
        let found = sqlx::query(sql).bind(parent_instance_id).fetch_all(&self.read).await?;
        found.iter().map(|row| Ok((rows::instance(row)?, child_link(row)?))).collect()
    }
}

const CHILD_COLUMNS: &str = "instance_id, parent_instance_id, parent_node, parent_round, parent_row, instance_name";

fn child_link(row: &sqlx::any::AnyRow) -> StoreResult<ChildLink> {
    Ok(ChildLink {
        instance_id: row.try_get("instance_id")?,
        parent_instance_id: row.try_get("parent_instance_id")?,
        parent_node: row.try_get("parent_node")?,
        parent_round: row.try_get("parent_round")?,
        parent_row: row.try_get("parent_row")?,
        instance_name: row.try_get("instance_name")?,
    })
}
