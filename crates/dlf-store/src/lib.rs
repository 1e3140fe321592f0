//! `dlf-store`: where dlf keeps what it must not lose.
//!
//! One [`Store`] trait, composed of one sub-trait per kind of object so that each lives in its own
//! file, and one SQL implementation ([`SqlStore`]) that serves both the embedded SQLite default
//! and PostgreSQL through sqlx's `Any` driver. The two databases share every statement except
//! the DDL (one migrations folder per dialect) and the few places listed in [`sql::Dialect`].
//!
//! Rules this crate keeps (ARCHITECTURE.md):
//! - every state change is one transaction; on SQLite every write transaction goes through a
//!   single writer connection and starts with `BEGIN IMMEDIATE`, so writers queue in the pool
//!   instead of failing with "database is locked" (research/crates.md caveat 1);
//! - uniqueness that matters (one cron instance per job and plan time, one job name per
//!   workspace) is a unique index, never a check in code;
//! - the store returns records, not wire types: JSON documents are validated by `dlf-core`
//!   before they get here and are stored as text.

pub mod records;
pub mod secret_box;
pub mod sql;
#[cfg(feature = "testsuite")]
pub mod testsuite;

pub use records::*;
pub use secret_box::SecretBox;
pub use sql::SqlStore;

use async_trait::async_trait;
use dlf_core::model::{JobStatus, ScriptRunStatus};
use std::sync::Arc;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key was violated (the name is taken).
    #[error("{0} already exists")]
    Conflict(String),
    /// The object does not exist.
    #[error("{0} does not exist")]
    NotFound(String),
    /// A stored value could not be decoded.
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database could not be opened or migrated.
    #[error("cannot open the database: {0}")]
    Open(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Projects and their workspaces.
#[async_trait]
pub trait TenancyStore: Send + Sync {
    /// The project's default workspace, created on first use.
    async fn default_workspace(&self, project_id: &str, now_ms: i64) -> StoreResult<Workspace>;
    /// A new named workspace; `Conflict` if the project already has one of that name.
    async fn create_workspace(&self, project_id: &str, name: &str, now_ms: i64) -> StoreResult<Workspace>;
    /// The workspace with this id in this project.
    async fn find_workspace(&self, project_id: &str, workspace_id: &str) -> StoreResult<Option<Workspace>>;
    /// A workspace by id alone (the engine knows instances by workspace id).
    async fn workspace_by_id(&self, workspace_id: &str) -> StoreResult<Option<Workspace>>;
    /// Every workspace of the project, default first.
    async fn list_workspaces(&self, project_id: &str) -> StoreResult<Vec<Workspace>>;
}

/// Access keys (AK/SK) and tokens.
#[async_trait]
pub trait CredentialStore: Send + Sync {
    async fn insert_access_key(&self, key: &AccessKeyRecord) -> StoreResult<()>;
    async fn find_access_key(&self, access_key: &str) -> StoreResult<Option<AccessKeyRecord>>;
    async fn count_access_keys(&self) -> StoreResult<i64>;
    /// Every key, oldest first; with `project`, only the keys bound to it.
    async fn list_access_keys(&self, project: Option<&str>) -> StoreResult<Vec<AccessKeyRecord>>;
    /// Disables or enables a key; `false` when there is no such key.
    async fn set_access_key_disabled(&self, access_key: &str, disabled: bool) -> StoreResult<bool>;
    /// Deletes a key and every token it created; `false` when there is no such key.
    async fn delete_access_key(&self, access_key: &str) -> StoreResult<bool>;
    async fn insert_token(&self, token: &TokenRecord) -> StoreResult<()>;
    async fn find_token(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>>;
}

/// Job definitions, their versions and scheduling status.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Inserts a job (and version 1 when `submit`); `Conflict` if the name is taken.
    async fn insert_job(&self, job: &NewJob) -> StoreResult<JobRecord>;
    /// Replaces a job's development state (and submits a new version when `submit`).
    async fn update_job(&self, job_id: i64, update: &JobUpdate) -> StoreResult<JobRecord>;
    async fn find_job(&self, workspace_id: &str, name: &str) -> StoreResult<Option<JobRecord>>;
    async fn find_job_by_id(&self, job_id: i64) -> StoreResult<Option<JobRecord>>;
    /// A submitted version of a job.
    async fn job_version(&self, job_id: i64, version: i64) -> StoreResult<Option<JobVersion>>;
    /// One page of jobs matching the filter, and the number of all matches.
    async fn list_jobs(&self, workspace_id: &str, filter: &JobFilter) -> StoreResult<(i64, Vec<JobSummary>)>;
    /// Deletes the definition and versions; instances stay.
    async fn delete_job(&self, job_id: i64) -> StoreResult<()>;
    /// Jobs of the workspace whose `dependJobs` name `job_name`: (id, name).
    async fn downstream_jobs(&self, workspace_id: &str, job_name: &str) -> StoreResult<Vec<(i64, String)>>;
    /// How many jobs the workspace holds (all process types).
    async fn count_jobs(&self, workspace_id: &str) -> StoreResult<i64>;
    /// Jobs of the workspace whose development document contains `text` (a pre-filter; the
    /// caller parses the documents to confirm).
    async fn jobs_mentioning(&self, workspace_id: &str, text: &str) -> StoreResult<Vec<JobRecord>>;
    /// Every job in one of `statuses`, in any workspace (the scheduler's start-up load).
    async fn jobs_with_status(&self, statuses: &[JobStatus]) -> StoreResult<Vec<JobRecord>>;
    /// Sets the scheduling status if it is currently one of `from`; returns whether it changed.
    async fn transition_job(&self, job_id: i64, from: &[JobStatus], change: &JobStatusChange) -> StoreResult<bool>;
    /// A number that changes after every write of a job's definition, versions or status
    /// (insert, update, delete, transition) — read it *before* reading jobs, and an answer built
    /// from those reads stays true while the number is unchanged. `None` when other processes
    /// may write the same database (PostgreSQL shared by several servers): then nothing read
    /// may be reused.
    fn definitions_generation(&self) -> Option<u64>;
}

/// Stored scripts.
#[async_trait]
pub trait ScriptStore: Send + Sync {
    async fn insert_script(&self, script: &NewScript) -> StoreResult<ScriptRecord>;
    async fn update_script(&self, id: &str, document: &str, now_ms: i64) -> StoreResult<ScriptRecord>;
    async fn find_script(&self, workspace_id: &str, name: &str) -> StoreResult<Option<ScriptRecord>>;
    async fn list_scripts(
        &self,
        workspace_id: &str,
        name_filter: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<ScriptRecord>)>;
    async fn delete_script(&self, id: &str) -> StoreResult<()>;
    /// Scripts of the workspace whose document contains `text` (a pre-filter; the caller parses
    /// the documents to confirm).
    async fn scripts_mentioning(&self, workspace_id: &str, text: &str) -> StoreResult<Vec<ScriptRecord>>;
}

/// Data connections, per workspace.
#[async_trait]
pub trait ConnectionStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] when the workspace has a connection of that name.
    async fn insert_connection(
        &self,
        workspace_id: &str,
        content: &ConnectionContent,
        user: &str,
        now_ms: i64,
    ) -> StoreResult<ConnectionRecord>;
    /// Replaces connection `id`'s content (a rename onto a taken name is a
    /// [`StoreError::Conflict`]); the version moves by one.
    async fn update_connection(&self, id: &str, content: &ConnectionContent, now_ms: i64) -> StoreResult<()>;
    async fn find_connection(&self, workspace_id: &str, name: &str) -> StoreResult<Option<ConnectionRecord>>;
    /// A page of the workspace's connections by name, and how many match (`name_filter`: a
    /// substring of the name).
    async fn list_connections(
        &self,
        workspace_id: &str,
        name_filter: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<ConnectionRecord>)>;
    /// How many connections of `conn_type` the workspace holds.
    async fn count_connections_of_type(&self, workspace_id: &str, conn_type: &str) -> StoreResult<i64>;
    async fn delete_connection(&self, id: &str) -> StoreResult<()>;
}

/// Script runs (S6–S8).
#[async_trait]
pub trait ScriptRunStore: Send + Sync {
    async fn insert_script_run(&self, run: &ScriptRunRecord) -> StoreResult<()>;
    /// Applies `change` if the run's status is one of `from`; returns whether it did.
    async fn change_script_run(
        &self,
        id: &str,
        from: &[ScriptRunStatus],
        change: &ScriptRunChange,
    ) -> StoreResult<bool>;
    async fn find_script_run(&self, workspace_id: &str, id: &str) -> StoreResult<Option<ScriptRunRecord>>;
    /// Runs not ended (`LAUNCHING`, `RUNNING`), in any workspace.
    async fn open_script_runs(&self) -> StoreResult<Vec<ScriptRunRecord>>;
    /// Deletes the runs that ended before `ended_before_ms`; returns their ids.
    async fn delete_script_runs_ended_before(&self, ended_before_ms: i64) -> StoreResult<Vec<String>>;
}

/// Resources (R1–R5), per workspace; names are unique in a workspace.
#[async_trait]
pub trait ResourceStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] when the workspace has a resource of that name.
    async fn insert_resource(
        &self,
        workspace_id: &str,
        content: &ResourceContent,
        user: &str,
        now_ms: i64,
    ) -> StoreResult<ResourceRecord>;
    /// Replaces resource `id`'s content (a rename onto a taken name is a [`StoreError::Conflict`]).
    async fn update_resource(&self, id: &str, content: &ResourceContent, now_ms: i64) -> StoreResult<()>;
    /// The resource with this id in this workspace.
    async fn find_resource(&self, workspace_id: &str, id: &str) -> StoreResult<Option<ResourceRecord>>;
    async fn find_resource_by_name(&self, workspace_id: &str, name: &str) -> StoreResult<Option<ResourceRecord>>;
    /// A page of the workspace's resources by name, and how many match (`name_filter`: a
    /// substring of the name).
    async fn list_resources(
        &self,
        workspace_id: &str,
        name_filter: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<ResourceRecord>)>;
    async fn delete_resource(&self, id: &str) -> StoreResult<()>;
}

/// Notification rules of jobs and the deliveries of notifications (JOBS.md §2.9).
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Replaces a job's rules (a JSON list); `None` removes them.
    async fn set_job_notifications(
        &self,
        job_id: i64,
        workspace_id: &str,
        rules: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// A job's rules, if it has any.
    async fn job_notifications(&self, job_id: i64) -> StoreResult<Option<String>>;
    /// The rules of these jobs, by job id (jobs without rules are left out).
    async fn jobs_notifications(&self, job_ids: &[i64]) -> StoreResult<Vec<(i64, String)>>;
    /// Every job's rules: `(job_id, rules)`.
    async fn all_job_notifications(&self) -> StoreResult<Vec<(i64, String)>>;
    /// Queues a delivery; `false` (and nothing written) when one with its `dedupe_key` exists.
    async fn insert_delivery(&self, delivery: &DeliveryRecord) -> StoreResult<bool>;
    /// Records an attempt's result.
    async fn update_delivery(
        &self,
        id: &str,
        status: DeliveryStatus,
        attempts: i64,
        last_error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// Deliveries still `pending` (a restart resumes them), oldest first.
    async fn pending_deliveries(&self) -> StoreResult<Vec<DeliveryRecord>>;
    /// A workspace's deliveries, newest first, optionally of one job.
    async fn list_deliveries(
        &self,
        workspace_id: &str,
        job_name: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<DeliveryRecord>)>;
}

/// System tasks (T1) and their subtasks.
#[async_trait]
pub trait SystemTaskStore: Send + Sync {
    async fn insert_system_task(&self, task: &SystemTaskRecord) -> StoreResult<()>;
    /// Adds subtasks to a task (and moves its `last_update_ms`).
    async fn insert_subtasks(&self, subtasks: &[SubtaskRecord], now_ms: i64) -> StoreResult<()>;
    /// Ends a subtask still `RUNNING`; returns whether it did.
    async fn end_subtask(
        &self,
        id: &str,
        status: SystemTaskStatus,
        message: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// Ends a task still `RUNNING`, and in the same transaction every subtask of it still
    /// `RUNNING` (with `subtask_message`); returns whether the task was ended.
    async fn end_system_task(
        &self,
        id: &str,
        status: SystemTaskStatus,
        message: Option<&str>,
        subtask_message: &str,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// A task of this workspace, with its subtasks in order.
    async fn find_system_task(
        &self,
        workspace_id: &str,
        id: &str,
    ) -> StoreResult<Option<(SystemTaskRecord, Vec<SubtaskRecord>)>>;
    /// Every task still `RUNNING`, in any workspace, with its subtasks.
    async fn running_system_tasks(&self) -> StoreResult<Vec<(SystemTaskRecord, Vec<SubtaskRecord>)>>;
}

/// The full store.
pub trait Store:
    TenancyStore
    + CredentialStore
    + JobStore
    + ScriptStore
    + ScriptRunStore
    + ConnectionStore
    + InstanceStore
    + ResourceStore
    + NotificationStore
    + SystemTaskStore
{
}
impl<
    T: TenancyStore
        + CredentialStore
        + JobStore
        + ScriptStore
        + ScriptRunStore
        + ConnectionStore
        + InstanceStore
        + ResourceStore
        + NotificationStore
        + SystemTaskStore,
> Store for T
{
}

pub use instances::*;
pub mod instances;

/// Opens the store a URL names: `sqlite://path` (or a plain file path) or `postgres://…`, and
/// migrates it to the current schema.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(SqlStore::open(url).await?))
}
