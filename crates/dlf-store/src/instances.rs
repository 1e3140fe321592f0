//! Job instances and node instances: the records the engine drives and the queries it asks.
//!
//! The engine owns the state machines (in `dlf-core`); the store only persists their results.
//! Every write that changes an instance's status is a compare-and-set on the status it expects,
//! so two actors (an instance finishing and an operator stopping it, or two servers sharing a
//! PostgreSQL database) can never both win.

use crate::StoreResult;
use async_trait::async_trait;
use dlf_core::model::{InstanceStatus, InstanceType, NodeStatus};

/// One run of a job.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceRecord {
    pub id: i64,
    pub workspace_id: String,
    pub job_id: i64,
    pub job_name: String,
    pub instance_type: InstanceType,
    pub plan_ms: i64,
    pub status: InstanceStatus,
    /// The submitted job version this instance runs.
    pub version: i64,
    /// When that version was submitted.
    pub submit_ms: i64,
    pub created_ms: i64,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    /// Parameter overrides (JSON object name → value) from StartJob / RunOnce.
    pub params: Option<String>,
    pub error_message: Option<String>,
    pub rerun_count: i64,
    /// Cross-job and self dependencies are not checked (reruns, "execute without dependency").
    pub ignore_depend: bool,
}

/// One node inside one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeInstanceRecord {
    pub instance_id: i64,
    pub node_name: String,
    pub node_type: String,
    pub status: NodeStatus,
    /// Attempts started so far, each recorded before its work began; attempt numbers are
    /// never reused (the wire `retryTimes` is `attempts - 1` once started).
    pub attempts: i64,
    /// How many of those attempts a graceful server shutdown interrupted: they do not count
    /// against the node's `retryTimes`.
    pub interrupted: i64,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub output: Option<String>,
    pub error_message: Option<String>,
    pub log_path: Option<String>,
    /// Process group of the running attempt (for reconciliation after a crash).
    pub process_group: Option<i64>,
    /// Start time of that process as the OS reports it, so a reused pid is never killed.
    pub process_start: Option<String>,
    /// Which server process runs the attempt.
    pub runner_epoch: Option<String>,
    /// A `SUSPEND` failure an operator has continued past (treated as `IGNORE`).
    pub continued: bool,
}

impl NodeInstanceRecord {
    /// A fresh `waiting` node row.
    pub fn waiting(instance_id: i64, node_name: &str, node_type: &str) -> Self {
        NodeInstanceRecord {
            instance_id,
            node_name: node_name.to_string(),
            node_type: node_type.to_string(),
            status: NodeStatus::Waiting,
            attempts: 0,
            interrupted: 0,
            start_ms: None,
            end_ms: None,
            output: None,
            error_message: None,
            log_path: None,
            process_group: None,
            process_start: None,
            runner_epoch: None,
            continued: false,
        }
    }
}

/// How [`InstanceStore::start_instances`] moved one instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// Its status was no longer the expected one: nothing changed.
    NotStarted,
    /// It is `running` now. `fresh`: it moved from `waiting` and was never rerun, so its node
    /// rows are exactly as they were created — each one [`NodeInstanceRecord::waiting`] — and its
    /// runner need not read them back (a cron storm starts a thousand instances at once).
    Started { fresh: bool },
}

impl Start {
    pub fn started(self) -> bool {
        matches!(self, Start::Started { .. })
    }
}

/// An instance to create, with its nodes (all `waiting`).
#[derive(Clone, Debug, PartialEq)]
pub struct NewInstance {
    pub workspace_id: String,
    pub job_id: i64,
    pub job_name: String,
    pub instance_type: InstanceType,
    pub plan_ms: i64,
    pub status: InstanceStatus,
    pub version: i64,
    pub submit_ms: i64,
    pub created_ms: i64,
    pub params: Option<String>,
    pub ignore_depend: bool,
    /// (node name, node type) for every node of the version.
    pub nodes: Vec<(String, String)>,
}

/// A plan time the scheduler wants an instance for.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledFire {
    pub instance: NewInstance,
}

/// What became of a [`ScheduledFire`].
#[derive(Clone, Debug, PartialEq)]
pub enum FireOutcome {
    /// A new instance.
    Created(Box<InstanceRecord>),
    /// An instance for this (job, plan time) already existed; nothing was created.
    Duplicate,
    /// The job is no longer scheduling (stopped, paused or deleted); nothing was created.
    NotScheduling,
}

/// ListJobInstances filters and paging.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstanceFilter {
    pub job_name: Option<String>,
    /// Exact name match instead of substring.
    pub exact_name: bool,
    /// Inclusive plan-time bounds.
    pub min_plan_ms: i64,
    pub max_plan_ms: i64,
    pub status: Option<InstanceStatus>,
    pub instance_type: Option<InstanceType>,
    pub offset: i64,
    pub limit: i64,
}

/// A set of writes that belong together (one state change of one instance).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstanceCommit {
    /// The instance row to write, and the status it must still have (compare-and-set).
    pub instance: Option<(InstanceRecord, InstanceStatus)>,
    /// Node rows to write (insert or replace).
    pub nodes: Vec<NodeInstanceRecord>,
    /// Node rows to remove (a rerun on a version without them).
    pub remove_nodes: Vec<(i64, String)>,
    /// The job's "last finished instance" columns (ListJobs `lastInstanceStatus`).
    pub job_last_instance: Option<(i64, InstanceStatus, i64)>,
}

/// A minimal view of an instance for dependency decisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceBrief {
    pub id: i64,
    pub plan_ms: i64,
    pub status: InstanceStatus,
}

/// Where a SubJob or For Each child comes from (JOBS.md §3.2): the parent instance, its node,
/// the parent's round (its rerun and the node's counted attempt, so a resumed attempt finds its
/// children again and a retry makes new ones) and the row (0 for SubJob).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildLink {
    pub instance_id: i64,
    pub parent_instance_id: i64,
    pub parent_node: String,
    pub parent_round: i64,
    pub parent_row: i64,
    /// `jobInstanceName`: the child job's name, or `<For Each node>_<suffix>`.
    pub instance_name: String,
}

/// A child instance to create under its link (`instance_id` of the link is filled in).
#[derive(Clone, Debug, PartialEq)]
pub struct NewChild {
    pub instance: NewInstance,
    pub link: ChildLink,
}

/// Instances and node instances.
#[async_trait]
pub trait InstanceStore: Send + Sync {
    /// Creates an instance and its node rows. A cron-type (0) instance whose (job, plan time)
    /// exists already is not created: `Ok(None)`.
    async fn insert_instance(&self, instance: &NewInstance) -> StoreResult<Option<InstanceRecord>>;
    /// Several inserts in one transaction; each result as for
    /// [`insert_instance`](Self::insert_instance), in order.
    async fn insert_instances(&self, instances: &[NewInstance]) -> StoreResult<Vec<Option<InstanceRecord>>>;
    /// The scheduler's writes, one transaction: for each fire, only if the job is still
    /// `SCHEDULING`, create its instance (deduplicated by the unique key) and advance the job's
    /// schedule cursor to the plan time.
    async fn fire_schedules(&self, fires: &[ScheduledFire]) -> StoreResult<Vec<FireOutcome>>;
    async fn find_instance(&self, id: i64) -> StoreResult<Option<InstanceRecord>>;
    async fn node_instances(&self, instance_id: i64) -> StoreResult<Vec<NodeInstanceRecord>>;
    async fn list_instances(
        &self,
        workspace_id: &str,
        filter: &InstanceFilter,
    ) -> StoreResult<(i64, Vec<InstanceRecord>)>;
    /// Every instance that has not ended, oldest plan time first (engine start-up).
    async fn open_instances(&self) -> StoreResult<Vec<InstanceRecord>>;
    /// Applies a commit in one transaction. Returns `false` (and writes nothing) when the
    /// instance's status was no longer the expected one.
    async fn commit(&self, commit: &InstanceCommit) -> StoreResult<bool>;
    /// Several independent commits in one transaction; each result as for [`commit`](Self::commit).
    async fn commit_many(&self, commits: &[InstanceCommit]) -> StoreResult<Vec<bool>>;
    /// Moves instances to `running` with `start_ms`, each only if it still has the status given
    /// with it (compare-and-set), in one transaction; how each one moved, in order.
    async fn start_instances(&self, starts: &[(i64, InstanceStatus)], start_ms: i64) -> StoreResult<Vec<Start>>;
    /// Cron-created (type 0) instances of a job with `from_ms <= plan_ms < to_ms`.
    async fn scheduled_instances_between(
        &self,
        job_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<InstanceBrief>>;
    /// The latest cron-created instance of a job with a plan time before `plan_ms`.
    async fn previous_scheduled_instance(&self, job_id: i64, plan_ms: i64) -> StoreResult<Option<InstanceBrief>>;
    /// How many instances of the job are `running`, `running-exception` or `pause`.
    async fn count_active_instances(&self, job_id: i64) -> StoreResult<i64>;
    /// Creates child instances with their links, in one transaction, each unless a child with
    /// the same key (parent instance, node, round, row) exists: then that child is returned,
    /// with `false` (it was started before a restart). In order.
    async fn insert_children(&self, children: &[NewChild]) -> StoreResult<Vec<(InstanceRecord, ChildLink, bool)>>;
    /// The links of those of `instance_ids` that are children (payload extension fields).
    async fn child_links(&self, instance_ids: &[i64]) -> StoreResult<Vec<ChildLink>>;
    /// Every child a parent instance started, oldest first.
    async fn children_of(&self, parent_instance_id: i64) -> StoreResult<Vec<(InstanceRecord, ChildLink)>>;
    /// "Remove one dependency" (JOBS.md §5.8): records that instance `instance_id` no longer
    /// waits on `upstream_instance_id`, only if the instance still has status `expected`
    /// (compare-and-set); `false` (and nothing written) otherwise. Removing twice is no error.
    async fn remove_dependency(
        &self,
        instance_id: i64,
        expected: InstanceStatus,
        upstream_instance_id: i64,
    ) -> StoreResult<bool>;
    /// The upstream instances removed from `instance_id`'s dependencies, in id order.
    async fn removed_dependencies(&self, instance_id: i64) -> StoreResult<Vec<i64>>;
}
