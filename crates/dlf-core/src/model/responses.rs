//! Response bodies the SDK parses (API.md J2, J9, I1, I2, S2), with the reference's names.
//!
//! Integers are JSON integers and booleans JSON booleans (the SDK's loose coercion turns a
//! string `"false"` into `True`, API.md §0.9); absent optional fields are omitted, not `null`.

use serde::Serialize;

/// One row of ListJobs (`JobResult`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobListItem {
    pub name: String,
    pub job_type: String,
    pub status: String,
    pub create_user: String,
    pub create_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub priority: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_instance_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_instance_end_time: Option<i64>,
    pub last_update_time: i64,
    pub last_update_user: String,
    pub path: String,
    pub single_node_job_flag: bool,
    /// The job's notification rules (`JobAlarm`), when it has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarms: Option<Vec<JobAlarm>>,
}

/// One notification rule of a job as ListJobs shows it: `alarmType` is the rule's event
/// (`FAILED`, `SUCCESS`, `CANCELED`, `NOT_FINISHED`), `topicUrn` the notifier it names.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobAlarm {
    pub alarm_type: String,
    pub topic_urn: String,
}

/// ListJobs body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobList {
    pub total: i64,
    pub jobs: Vec<JobListItem>,
}

/// One row of ListJobInstances (`JobInstance`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceListItem {
    pub job_name: String,
    pub job_id: i64,
    pub job_instance_name: String,
    pub status: String,
    pub plan_time: i64,
    pub start_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    pub execute_time: i64,
    pub submit_time: i64,
    pub instance_id: i64,
    pub instance_type: i64,
    pub version: i64,
    pub force_success: bool,
    pub ignore_success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Extension (dlf): the SubJob / For Each parent instance of a child (`instanceType` 6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_instance_id: Option<i64>,
    /// Extension (dlf): the parent's node that started this child.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_node_name: Option<String>,
    /// Extension (dlf): the For Each row (from 0) this child runs; 0 for SubJob.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_row: Option<i64>,
}

/// ListJobInstances body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstanceList {
    pub total: i64,
    pub instances: Vec<InstanceListItem>,
}

/// One node of ShowJobInstance (`NodeInstance`… the reference's `JobInstanceNodes` item).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInstanceItem {
    pub node_name: String,
    #[serde(rename = "type")]
    pub node_type: String,
    pub status: String,
    pub queue: String,
    pub plan_time: i64,
    pub start_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    pub retry_times: i64,
    pub instance_id: i64,
    pub input_row_count: i64,
    pub speed: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_path: Option<String>,
}

/// ShowJobInstance body.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceDetail {
    pub job_name: String,
    pub instance_id: i64,
    pub status: String,
    pub instance_type: i64,
    pub plan_time: i64,
    pub start_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    pub execute_time: i64,
    pub force_success: bool,
    pub ignore_success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    pub total: i64,
    pub nodes: Vec<NodeInstanceItem>,
    /// Extension (dlf): the SubJob / For Each parent instance of a child (`instanceType` 6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_instance_id: Option<i64>,
    /// Extension (dlf): the parent's node that started this child.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_node_name: Option<String>,
    /// Extension (dlf): the For Each row (from 0) this child runs; 0 for SubJob.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_row: Option<i64>,
}

/// RunOnce body.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOnceResult {
    pub instance_id: i64,
}

/// One node of ShowJobStatus (`RealTimeNodeStatus`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RealTimeNodeStatus {
    pub name: String,
    pub status: String,
    pub node_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_instance_status: Option<String>,
}

/// ShowJobStatus body (`RealTimeJobStatusResp`; note the wire's `starttime` and
/// `lastModifiyUser` spellings).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatusResult {
    pub name: String,
    pub status: String,
    #[serde(rename = "starttime", skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    pub last_update_time: i64,
    pub create_user: String,
    #[serde(rename = "lastModifiyUser")]
    pub last_modify_user: String,
    pub nodes: Vec<RealTimeNodeStatus>,
}

/// ListScripts body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScriptList {
    pub total: i64,
    pub scripts: Vec<serde_json::Value>,
}

/// ListConnections body (C2): connections with their secrets masked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConnectionList {
    pub total: i64,
    pub connections: Vec<crate::model::ConnectionInfo>,
}

/// The answer of the connection test extension (`POST /x/v1/{project}/connections/{name}/test`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConnectionTestResult {
    /// Whether a session could be opened (and, for SQL, `SELECT 1` answered).
    pub ok: bool,
    /// The target's own error text when it could not (secrets masked); `""` when it could.
    pub message: String,
    /// How long the test took, in milliseconds.
    pub duration_ms: i64,
}

/// ExecuteScript answer (S6).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteScriptResp {
    pub instance_id: String,
}

/// One result of a script run (S7 `results[]`): one per SQL statement, one for the output of a
/// Shell or Python script.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptResult {
    /// `""`, or what to know about this result (rows affected, rows left out by the cap).
    pub message: String,
    /// Seconds the statement (or script) took.
    pub duration: f64,
    /// Rows in `rows`.
    pub row_count: i64,
    /// Values in column order; SQL NULL is `null`.
    pub rows: Vec<Vec<Option<String>>>,
    /// One single-key object per column: `{"<column>": "<type>"}`.
    pub schema: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Rows the statement returned in all (before the cap).
    pub result_count: i64,
}

/// ListScriptResults answer (S7).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScriptRunResults {
    /// `LAUNCHING`, `RUNNING`, `FINISHED` or `FAILED` (`ScriptRunStatus`).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub results: Vec<ScriptResult>,
}
