//! Plain records the store reads and writes. JSON documents travel as text; `dlf-core` owns
//! their shape. Statuses travel as `dlf-core`'s enums, decoded once where a row is read: an
//! unknown value in the database is a [`StoreError::Corrupt`](crate::StoreError::Corrupt)
//! error, never a string passed along.

use dlf_core::model::{InstanceStatus, JobStatus, ScriptRunStatus};

/// A workspace of a project (the tenant boundary below the project).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workspace {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub is_default: bool,
    pub created_ms: i64,
}

/// An access key; the secret is encrypted (see [`crate::SecretBox`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKeyRecord {
    pub access_key: String,
    pub secret_enc: String,
    /// `None`: valid for every project (an administrator key).
    pub project_id: Option<String>,
    pub description: String,
    pub created_ms: i64,
    /// A disabled key authenticates nothing (and its tokens neither) until it is enabled again.
    pub disabled: bool,
}

/// An `X-Auth-Token` token, stored as the hex SHA-256 of the token text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    pub token_hash: String,
    pub project_id: Option<String>,
    pub created_ms: i64,
    pub expires_ms: i64,
    /// The access key whose signed request created the token: the token is valid only while
    /// that key exists and is enabled. `None` only for tokens made before keys could be revoked.
    pub parent_access_key: Option<String>,
}

/// The columns ListJobs needs, without the document.
#[derive(Clone, Debug, PartialEq)]
pub struct JobSummary {
    pub id: i64,
    pub workspace_id: String,
    pub name: String,
    pub process_type: String,
    pub status: JobStatus,
    pub submitted_version: i64,
    pub directory: String,
    pub owner: Option<String>,
    pub priority: i64,
    pub single_node: bool,
    pub schedule_end_ms: Option<i64>,
    pub create_user: String,
    pub create_ms: i64,
    pub update_user: String,
    pub update_ms: i64,
    pub started_ms: Option<i64>,
    pub last_instance_status: Option<InstanceStatus>,
    pub last_instance_end_ms: Option<i64>,
}

/// A job with its development document and scheduling state.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRecord {
    pub summary: JobSummary,
    /// The development state (JSON).
    pub document: String,
    /// `jobParams` of the last StartJob (JSON array), applied to the instances it schedules.
    pub start_params: Option<String>,
    /// Cron plan times up to and including this instant have been handled.
    pub schedule_cursor_ms: Option<i64>,
}

impl JobRecord {
    pub fn id(&self) -> i64 {
        self.summary.id
    }
    pub fn name(&self) -> &str {
        &self.summary.name
    }
    pub fn status(&self) -> JobStatus {
        self.summary.status
    }
}

/// A submitted version of a job.
#[derive(Clone, Debug, PartialEq)]
pub struct JobVersion {
    pub job_id: i64,
    pub version: i64,
    pub document: String,
    pub submit_ms: i64,
    pub submit_user: String,
}

/// Everything needed to insert a job.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    pub workspace_id: String,
    pub name: String,
    pub fields: JobFields,
    pub user: String,
    pub now_ms: i64,
    /// Also submit the document as version 1.
    pub submit: bool,
}

/// Everything needed to replace a job's definition.
#[derive(Clone, Debug, PartialEq)]
pub struct JobUpdate {
    pub fields: JobFields,
    pub user: String,
    pub now_ms: i64,
    /// Also submit the document as the next version.
    pub submit: bool,
}

/// The columns derived from a job document (kept beside it so lists need not parse it).
#[derive(Clone, Debug, PartialEq)]
pub struct JobFields {
    pub document: String,
    pub process_type: String,
    pub directory: String,
    pub owner: Option<String>,
    pub priority: i64,
    pub single_node: bool,
    pub schedule_end_ms: Option<i64>,
    pub tags: Vec<String>,
    /// Names of the jobs this job's schedule depends on.
    pub depends_on: Vec<String>,
}

/// ListJobs filters and paging.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobFilter {
    pub process_type: String,
    /// Substring of the name (case-sensitive).
    pub name_contains: Option<String>,
    /// The job has any of these tags.
    pub any_tag: Vec<String>,
    pub offset: i64,
    pub limit: i64,
}

/// A change of a job's scheduling status.
#[derive(Clone, Debug, PartialEq)]
pub struct JobStatusChange {
    pub status: JobStatus,
    /// Set `started_ms` (StartJob).
    pub started_ms: Option<i64>,
    /// Replace `start_params` (StartJob); `None` leaves them.
    pub start_params: Option<Option<String>>,
    /// Replace the schedule cursor; `None` leaves it.
    pub schedule_cursor_ms: Option<Option<i64>>,
    /// Cancel this job's not-yet-running instances (`waiting`, `waiting-confirm`, `freeze`) in
    /// the same transaction, with this end time (StopJob, JOBS.md §4.3).
    pub cancel_waiting_at_ms: Option<i64>,
}

/// A stored script.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptRecord {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub script_type: String,
    /// The `ScriptInfo` document (JSON).
    pub document: String,
    pub version: i64,
    pub create_user: String,
    pub create_ms: i64,
    pub modify_ms: i64,
}

/// Everything needed to insert a script.
#[derive(Clone, Debug, PartialEq)]
pub struct NewScript {
    pub workspace_id: String,
    pub name: String,
    pub script_type: String,
    pub document: String,
    pub user: String,
    pub now_ms: i64,
}

/// A stored data connection (C1–C5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionRecord {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub conn_type: String,
    /// The shown `config` keys (JSON object).
    pub config: String,
    /// The secret `config` keys, sealed by the engine (`None`: no secret).
    pub secrets: Option<String>,
    pub description: Option<String>,
    /// 1 at creation, +1 on every update (a cache of open sessions keys on it).
    pub version: i64,
    pub create_user: String,
    pub create_ms: i64,
    pub modify_ms: i64,
}

/// A connection to create, or the new content of one.
#[derive(Clone, Debug)]
pub struct ConnectionContent {
    pub name: String,
    pub conn_type: String,
    pub config: String,
    pub secrets: Option<String>,
    pub description: Option<String>,
}

/// A script run (S6–S8).
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptRunRecord {
    pub id: String,
    pub workspace_id: String,
    pub script_name: String,
    pub script_type: String,
    pub status: ScriptRunStatus,
    /// Why it failed, when it did.
    pub message: Option<String>,
    /// The S7 `results` array (JSON), once there are results.
    pub results: Option<String>,
    /// The engine that runs (or ran) it.
    pub runner_epoch: String,
    pub create_user: String,
    pub created_ms: i64,
    pub ended_ms: Option<i64>,
}

/// How a script run changes.
#[derive(Clone, Debug)]
pub struct ScriptRunChange {
    pub status: ScriptRunStatus,
    pub message: Option<String>,
    pub results: Option<String>,
    pub ended_ms: Option<i64>,
}

/// A stored resource (R1–R5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceRecord {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub res_type: String,
    pub location: String,
    /// The `ResourceInfo` document (JSON), without `id` and `jobRelation`.
    pub document: String,
    pub create_user: String,
    pub create_ms: i64,
    pub modify_ms: i64,
}

/// A resource to create, or the new content of one.
#[derive(Clone, Debug)]
pub struct ResourceContent {
    pub name: String,
    pub res_type: String,
    pub location: String,
    pub document: String,
}

/// Where a notification's delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Queued or being tried (tried again at the next start if the server stops).
    Pending,
    /// The notifier accepted it.
    Sent,
    /// Every attempt failed (`last_error` says why).
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        match s {
            "pending" => Some(DeliveryStatus::Pending),
            "sent" => Some(DeliveryStatus::Sent),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

/// One notification to deliver, and the record of its delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryRecord {
    pub id: String,
    pub workspace_id: String,
    pub job_name: String,
    pub instance_id: Option<i64>,
    /// `FAILED`, `SUCCESS`, `CANCELED`, `NOT_FINISHED`, or `SMN` (an SMN node's message).
    pub event: String,
    /// The configured notifier's name.
    pub notifier: String,
    /// At most one delivery per key (one event of one instance to one notifier).
    pub dedupe_key: Option<String>,
    /// What is delivered (JSON).
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// The status of a system task or subtask (T1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SystemTaskStatus {
    Running,
    Successful,
    Failed,
    /// Some subtasks failed, some did not.
    Warning,
}

impl SystemTaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SystemTaskStatus::Running => "RUNNING",
            SystemTaskStatus::Successful => "SUCCESSFUL",
            SystemTaskStatus::Failed => "FAILED",
            SystemTaskStatus::Warning => "WARNING",
        }
    }

    pub fn parse(text: &str) -> Option<SystemTaskStatus> {
        [SystemTaskStatus::Running, SystemTaskStatus::Successful, SystemTaskStatus::Failed, SystemTaskStatus::Warning]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A system task (T1): an asynchronous import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemTaskRecord {
    pub id: String,
    pub project_id: String,
    pub workspace_id: String,
    pub name: String,
    pub status: SystemTaskStatus,
    pub message: Option<String>,
    /// The engine that runs (or ran) it.
    pub runner_epoch: String,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub last_update_ms: i64,
}

/// One step of a system task: the import of one job, script, resource or connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubtaskRecord {
    pub id: String,
    pub task_id: String,
    /// Its place in the task (the order the subtasks are listed in).
    pub seq: i64,
    pub name: String,
    pub status: SystemTaskStatus,
    pub message: Option<String>,
    pub last_update_ms: i64,
}
