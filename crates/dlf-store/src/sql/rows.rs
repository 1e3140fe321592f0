//! Row → record mapping, and the column lists that go with it.

use crate::instances::{InstanceBrief, InstanceRecord, NodeInstanceRecord};
use crate::records::*;
use crate::{StoreError, StoreResult};
use dlf_core::model::{InstanceStatus, InstanceType, JobStatus, NodeStatus, ScriptRunStatus};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A text column that must hold one of an enum's wire strings; anything else is a corrupt row.
fn decoded<T>(row: &AnyRow, table: &str, column: &str, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
    let text: String = row.try_get(column)?;
    parse(&text)
        .ok_or_else(|| StoreError::Corrupt(format!("{table}.{column} holds '{text}', which is not a known value")))
}

/// As [`decoded`], for a nullable column.
fn decoded_opt<T>(row: &AnyRow, table: &str, column: &str, parse: fn(&str) -> Option<T>) -> StoreResult<Option<T>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| {
        parse(&text)
            .ok_or_else(|| StoreError::Corrupt(format!("{table}.{column} holds '{text}', which is not a known value")))
    })
    .transpose()
}

fn instance_type(row: &AnyRow) -> StoreResult<InstanceType> {
    let code: i64 = row.try_get("instance_type")?;
    InstanceType::from_code(code).ok_or_else(|| {
        StoreError::Corrupt(format!("job_instances.instance_type holds {code}, which is not a known type"))
    })
}

pub const WORKSPACE_COLUMNS: &str = "id, project_id, name, is_default, created_ms";

pub fn workspace(row: &AnyRow) -> StoreResult<Workspace> {
    Ok(Workspace {
        id: row.try_get("id")?,
        project_id: row.try_get("project_id")?,
        name: row.try_get("name")?,
        is_default: row.try_get::<i64, _>("is_default")? != 0,
        created_ms: row.try_get("created_ms")?,
    })
}

pub const JOB_SUMMARY_COLUMNS: &str = "id, workspace_id, name, process_type, status, submitted_version, directory, \
     owner, priority, single_node, schedule_end_ms, create_user, create_ms, update_user, update_ms, started_ms, \
     last_instance_status, last_instance_end_ms";

pub const JOB_COLUMNS: &str = "id, workspace_id, name, process_type, status, submitted_version, directory, \
     owner, priority, single_node, schedule_end_ms, create_user, create_ms, update_user, update_ms, started_ms, \
     last_instance_status, last_instance_end_ms, document, start_params, schedule_cursor_ms";

pub fn job_summary(row: &AnyRow) -> StoreResult<JobSummary> {
    Ok(JobSummary {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        process_type: row.try_get("process_type")?,
        status: decoded(row, "jobs", "status", JobStatus::parse)?,
        submitted_version: row.try_get("submitted_version")?,
        directory: row.try_get("directory")?,
        owner: row.try_get("owner")?,
        priority: row.try_get("priority")?,
        single_node: row.try_get::<i64, _>("single_node")? != 0,
        schedule_end_ms: row.try_get("schedule_end_ms")?,
        create_user: row.try_get("create_user")?,
        create_ms: row.try_get("create_ms")?,
        update_user: row.try_get("update_user")?,
        update_ms: row.try_get("update_ms")?,
        started_ms: row.try_get("started_ms")?,
        last_instance_status: decoded_opt(row, "jobs", "last_instance_status", InstanceStatus::parse)?,
        last_instance_end_ms: row.try_get("last_instance_end_ms")?,
    })
}

pub fn job(row: &AnyRow) -> StoreResult<JobRecord> {
    Ok(JobRecord {
        summary: job_summary(row)?,
        document: row.try_get("document")?,
        start_params: row.try_get("start_params")?,
        schedule_cursor_ms: row.try_get("schedule_cursor_ms")?,
    })
}

pub const SCRIPT_COLUMNS: &str =
    "id, workspace_id, name, script_type, document, version, create_user, create_ms, modify_ms";

pub fn script(row: &AnyRow) -> StoreResult<ScriptRecord> {
    Ok(ScriptRecord {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        script_type: row.try_get("script_type")?,
        document: row.try_get("document")?,
        version: row.try_get("version")?,
        create_user: row.try_get("create_user")?,
        create_ms: row.try_get("create_ms")?,
        modify_ms: row.try_get("modify_ms")?,
    })
}

pub const CONNECTION_COLUMNS: &str =
    "id, workspace_id, name, conn_type, config, secrets, description, version, create_user, create_ms, modify_ms";

pub fn connection(row: &AnyRow) -> StoreResult<ConnectionRecord> {
    Ok(ConnectionRecord {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        conn_type: row.try_get("conn_type")?,
        config: row.try_get("config")?,
        secrets: row.try_get("secrets")?,
        description: row.try_get("description")?,
        version: row.try_get("version")?,
        create_user: row.try_get("create_user")?,
        create_ms: row.try_get("create_ms")?,
        modify_ms: row.try_get("modify_ms")?,
    })
}

pub const SCRIPT_RUN_COLUMNS: &str = "id, workspace_id, script_name, script_type, status, message, results, \
     runner_epoch, create_user, created_ms, ended_ms";

pub fn script_run(row: &AnyRow) -> StoreResult<ScriptRunRecord> {
    Ok(ScriptRunRecord {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        script_name: row.try_get("script_name")?,
        script_type: row.try_get("script_type")?,
        status: decoded(row, "script_runs", "status", ScriptRunStatus::parse)?,
        message: row.try_get("message")?,
        results: row.try_get("results")?,
        runner_epoch: row.try_get("runner_epoch")?,
        create_user: row.try_get("create_user")?,
        created_ms: row.try_get("created_ms")?,
        ended_ms: row.try_get("ended_ms")?,
    })
}

pub const INSTANCE_COLUMNS: &str = "id, workspace_id, job_id, job_name, instance_type, plan_ms, status, version, \
     submit_ms, created_ms, start_ms, end_ms, params, error_message, rerun_count, ignore_depend";

pub fn instance(row: &AnyRow) -> StoreResult<InstanceRecord> {
    Ok(InstanceRecord {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        job_id: row.try_get("job_id")?,
        job_name: row.try_get("job_name")?,
        instance_type: instance_type(row)?,
        plan_ms: row.try_get("plan_ms")?,
        status: decoded(row, "job_instances", "status", InstanceStatus::parse)?,
        version: row.try_get("version")?,
        submit_ms: row.try_get("submit_ms")?,
        created_ms: row.try_get("created_ms")?,
        start_ms: row.try_get("start_ms")?,
        end_ms: row.try_get("end_ms")?,
        params: row.try_get("params")?,
        error_message: row.try_get("error_message")?,
        rerun_count: row.try_get("rerun_count")?,
        ignore_depend: row.try_get::<i64, _>("ignore_depend")? != 0,
    })
}

pub fn instance_brief(row: &AnyRow) -> StoreResult<InstanceBrief> {
    Ok(InstanceBrief {
        id: row.try_get("id")?,
        plan_ms: row.try_get("plan_ms")?,
        status: decoded(row, "job_instances", "status", InstanceStatus::parse)?,
    })
}

pub const NODE_COLUMNS: &str = "instance_id, node_name, node_type, status, attempts, start_ms, end_ms, output, \
     error_message, log_path, process_group, process_start, runner_epoch, continued, interrupted";

pub fn node(row: &AnyRow) -> StoreResult<NodeInstanceRecord> {
    Ok(NodeInstanceRecord {
        instance_id: row.try_get("instance_id")?,
        node_name: row.try_get("node_name")?,
        node_type: row.try_get("node_type")?,
        status: decoded(row, "node_instances", "status", NodeStatus::parse)?,
        attempts: row.try_get("attempts")?,
        start_ms: row.try_get("start_ms")?,
        end_ms: row.try_get("end_ms")?,
        output: row.try_get("output")?,
        error_message: row.try_get("error_message")?,
        log_path: row.try_get("log_path")?,
        process_group: row.try_get("process_group")?,
        process_start: row.try_get("process_start")?,
        runner_epoch: row.try_get("runner_epoch")?,
        continued: row.try_get::<i64, _>("continued")? != 0,
        interrupted: row.try_get("interrupted")?,
    })
}

pub fn bool_int(b: bool) -> i64 {
    b as i64
}

pub const RESOURCE_COLUMNS: &str =
    "id, workspace_id, name, res_type, location, document, create_user, create_ms, modify_ms";

pub fn resource(row: &AnyRow) -> StoreResult<ResourceRecord> {
    Ok(ResourceRecord {
        id: row.try_get("id")?,
        workspace_id: row.try_get("workspace_id")?,
        name: row.try_get("name")?,
        res_type: row.try_get("res_type")?,
        location: row.try_get("location")?,
        document: row.try_get("document")?,
        create_user: row.try_get("create_user")?,
        create_ms: row.try_get("create_ms")?,
        modify_ms: row.try_get("modify_ms")?,
    })
}

#[cfg(test)]
mod tests {
    use crate::{InstanceStore, JobFields, JobStore, NewInstance, NewJob, SqlStore, StoreError, TenancyStore};
    use dlf_core::model::{InstanceStatus, InstanceType};

    /// A status the model does not know is a corrupt row, named with its table and column,
    /// whichever read meets it.
    #[tokio::test]
    async fn an_unknown_status_in_the_database_is_a_corrupt_row() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::open(dir.path().join("dlf.db").to_str().unwrap()).await.unwrap();
        let ws = store.default_workspace("p", 1).await.unwrap();
        let fields = JobFields {
            document: "{}".into(),
            process_type: "BATCH".into(),
            directory: "/".into(),
            owner: None,
            priority: 0,
            single_node: false,
            schedule_end_ms: None,
            tags: vec![],
            depends_on: vec![],
        };
        let job = store
            .insert_job(&NewJob {
                workspace_id: ws.id.clone(),
                name: "j".into(),
                fields,
                user: "u".into(),
                now_ms: 1,
                submit: true,
            })
            .await
            .unwrap();
        let new = NewInstance {
            workspace_id: ws.id.clone(),
            job_id: job.id(),
            job_name: "j".into(),
            instance_type: InstanceType::Manual,
            plan_ms: 1,
            status: InstanceStatus::Waiting,
            version: 1,
            submit_ms: 1,
            created_ms: 1,
            params: None,
            ignore_depend: false,
            nodes: vec![("a".into(), "Dummy".into())],
        };
        let instance = store.insert_instance(&new).await.unwrap().unwrap();

        for sql in [
            "UPDATE jobs SET status = 'Running'",
            "UPDATE job_instances SET status = 'done'",
            "UPDATE node_instances SET status = '?'",
        ] {
            sqlx::query(sql).execute(&store.write).await.unwrap();
        }
        let corrupt = |e: StoreError, column: &str| match e {
            StoreError::Corrupt(message) => assert!(message.contains(column), "{message}"),
            other => panic!("expected a corrupt row, got {other}"),
        };
        corrupt(store.find_job(&ws.id, "j").await.unwrap_err(), "jobs.status");
        corrupt(store.find_instance(instance.id).await.unwrap_err(), "job_instances.status");
        corrupt(store.node_instances(instance.id).await.unwrap_err(), "node_instances.status");
        sqlx::query("UPDATE job_instances SET status = 'waiting', instance_type = 3")
            .execute(&store.write)
            .await
            .unwrap();
        corrupt(store.find_instance(instance.id).await.unwrap_err(), "job_instances.instance_type");
    }
}
