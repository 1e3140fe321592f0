//! The job document: `JobInfo` on create/update, the body of ShowJob, the `.job` export file.
//!
//! Field names are exactly the reference's (`../shared/reference/dlf-openapi/CreateJob.json`).
//! Every object keeps the fields it does not know in `extra`, so a document exported by the
//! cloud (`location`, `maskedParams`, `resouces` ...) round-trips unchanged (JOBS.md §2.1).
//! Required wire fields are lenient here (`#[serde(default)]`) so that a missing name, node list
//! or process type is reported by validation with its own DLF code rather than as a generic
//! parse error. Enum-valued fields are kept as the received strings and checked by validation,
//! which is what lets an unknown node type be stored and round-tripped.

use super::lenient;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Unknown fields of an object, preserved verbatim.
pub type Extra = Map<String, Value>;

/// A whole job definition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobDocument {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub nodes: Vec<Node>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Vec<JobParam>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_config: Option<BasicConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clean_overdue_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clean_waiting_job: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_running_job: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_node_job_flag: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_node_job_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvers: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Keys a client may send back from a ShowJob response that the server owns; they are dropped
/// on input (`id` of Huawei's own update example, JOBS.md §2.1) and set by the server on output.
pub const SERVER_OWNED_JOB_KEYS: [&str; 5] = ["id", "version", "createTime", "downstreamJobs", "status"];

/// One step of a job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default)]
    pub node_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default)]
    pub properties: Vec<Property>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_node_name: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling_interval: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_execution_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_times: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_time_out_retry: Option<String>,
    /// REAL_TIME node trigger; stored as received (cloud exports bend its schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_trigger: Option<Value>,
    /// REAL_TIME node trigger; stored as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron_trigger: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Node {
    /// The value of property `name`, if present.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|p| p.name == name).map(|p| p.value.as_str())
    }

    /// Upstream node names (empty when none).
    pub fn upstream(&self) -> &[String] {
        self.pre_node_name.as_deref().unwrap_or(&[])
    }

    /// Edge conditions (empty when none).
    pub fn conditions(&self) -> &[Condition] {
        self.conditions.as_deref().unwrap_or(&[])
    }

    /// The node's failure policy (default `FAIL`).
    pub fn fail_policy(&self) -> FailPolicy {
        self.fail_policy.as_deref().and_then(FailPolicy::parse).unwrap_or(FailPolicy::Fail)
    }

    /// Extra attempts after a failure (default 0).
    pub fn retry_times(&self) -> u32 {
        self.retry_times.unwrap_or(0).clamp(0, 5) as u32
    }

    /// Seconds between attempts (default 120).
    pub fn retry_interval_secs(&self) -> u64 {
        self.retry_interval.unwrap_or(120).max(0) as u64
    }

    /// Per-attempt limit in minutes (default 60).
    pub fn max_execution_minutes(&self) -> u64 {
        self.max_execution_time.unwrap_or(60).max(0) as u64
    }

    /// Whether an attempt that timed out may be retried.
    pub fn retry_after_timeout(&self) -> bool {
        self.exec_time_out_retry.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// Whether this node dry-runs (`emptyRunningJob` property `"1"`).
    pub fn is_dry_run(&self) -> bool {
        self.property("emptyRunningJob") == Some("1")
    }
}

/// Canvas position; numbers are accepted and returned as strings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    #[serde(default, deserialize_with = "lenient::string_or_number")]
    pub x: String,
    #[serde(default, deserialize_with = "lenient::string_or_number")]
    pub y: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A node setting; values are strings on the wire (numbers are accepted and stringified).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Property {
    #[serde(default)]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string_or_number")]
    pub value: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An EL guard on the edge from `preNodeName` into the node that lists it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(default)]
    pub pre_node_name: String,
    #[serde(default)]
    pub expression: String,
    /// Extension (JOBS.md §5.6): `SKIP_ALL` (default) or `SKIP_NEXT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_policy: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// When instances are created.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub schedule_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<Cron>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Event>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Schedule {
    /// The schedule kind with the input aliases resolved (JOBS.md §2.4).
    pub fn kind(&self) -> Option<ScheduleKind> {
        self.schedule_type.as_deref().and_then(ScheduleKind::parse)
    }

    /// `requireManualConfirmBeforeExecute` (an export-only schedule field, honoured).
    pub fn requires_manual_confirm(&self) -> bool {
        self.extra.get("requireManualConfirmBeforeExecute").and_then(Value::as_bool).unwrap_or(false)
    }
}

/// The three schedule kinds, aliases folded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleKind {
    ExecuteOnce,
    Cron,
    Event,
}

impl ScheduleKind {
    pub fn parse(s: &str) -> Option<ScheduleKind> {
        match s {
            "EXECUTE_ONCE" | "RUN_ONCE" => Some(ScheduleKind::ExecuteOnce),
            "CRON" | "SCHEDULE" => Some(ScheduleKind::Cron),
            "EVENT" | "EVENT_TRIGGER" => Some(ScheduleKind::Event),
            _ => None,
        }
    }
}

/// A periodic schedule (BATCH).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cron {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression_time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depend_pre_period: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::one_or_first")]
    pub depend_jobs: Option<DependJob>,
    /// Max running instances of the job (exports; not in the reference `Cron`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrent: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Cron {
    /// `isSkipSelfDepJob` (JOBS.md §4.7, "skip waiting instances and run the latest"): the
    /// string `"true"` (or JSON `true`); kept in the block's extra fields as written.
    pub fn runs_latest_only(&self) -> bool {
        match self.extra.get("isSkipSelfDepJob") {
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            Some(Value::Bool(b)) => *b,
            _ => false,
        }
    }
}

/// Cross-job dependencies of a cron schedule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependJob {
    #[serde(default)]
    pub jobs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depend_period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depend_fail_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_work_space_jobs: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_work_space_jobs: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An event trigger (BATCH `EVENT` schedules).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrent: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_policy: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A job parameter (`params`), or an override in StartJob/RunOnce `jobParams`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobParam {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string_or_number")]
    pub value: Option<String>,
    /// `variable` (default), `constant`, `constants`, `procedure`; `paramType` is the docs' alias.
    #[serde(rename = "type", alias = "paramType", default, skip_serializing_if = "Option::is_none")]
    pub param_type: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Owner, priority, timeouts, tags.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BasicConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_ignore_waiting: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_priority: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execute_user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::tags")]
    pub tags: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// What a node's final failure does to the instance (JOBS.md §5.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailPolicy {
    Fail,
    FailChild,
    Ignore,
    Suspend,
}

impl FailPolicy {
    pub fn parse(s: &str) -> Option<FailPolicy> {
        match s {
            "FAIL" => Some(FailPolicy::Fail),
            "FAIL_CHILD" => Some(FailPolicy::FailChild),
            "IGNORE" => Some(FailPolicy::Ignore),
            "SUSPEND" => Some(FailPolicy::Suspend),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailPolicy::Fail => "FAIL",
            FailPolicy::FailChild => "FAIL_CHILD",
            FailPolicy::Ignore => "IGNORE",
            FailPolicy::Suspend => "SUSPEND",
        }
    }
}

/// `BATCH` or `REAL_TIME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessType {
    Batch,
    RealTime,
}

impl ProcessType {
    pub fn parse(s: &str) -> Option<ProcessType> {
        match s {
            "BATCH" => Some(ProcessType::Batch),
            "REAL_TIME" => Some(ProcessType::RealTime),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProcessType::Batch => "BATCH",
            ProcessType::RealTime => "REAL_TIME",
        }
    }
}

impl JobDocument {
    /// The process type, if it is one of the two known values.
    pub fn process(&self) -> Option<ProcessType> {
        self.process_type.as_deref().and_then(ProcessType::parse)
    }

    /// The node called `name`.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// The cron block, if the schedule is a cron schedule that has one.
    pub fn cron(&self) -> Option<&Cron> {
        let schedule = self.schedule.as_ref()?;
        if schedule.kind() == Some(ScheduleKind::Cron) { schedule.cron.as_ref() } else { None }
    }

    /// `emptyRunningJob` = `"1"`: every node dry-runs.
    pub fn is_dry_run(&self) -> bool {
        self.empty_running_job.as_deref() == Some("1")
    }

    /// Job tags (empty when none).
    pub fn tags(&self) -> &[String] {
        self.basic_config.as_ref().and_then(|b| b.tags.as_deref()).unwrap_or(&[])
    }

    /// The owner from `basicConfig`.
    pub fn owner(&self) -> Option<&str> {
        self.basic_config.as_ref().and_then(|b| b.owner.as_deref())
    }

    /// The priority from `basicConfig` (default 0).
    pub fn priority(&self) -> i64 {
        self.basic_config.as_ref().and_then(|b| b.priority.or(b.task_priority)).unwrap_or(0)
    }

    /// Names of the jobs this job's schedule depends on.
    pub fn depends_on(&self) -> &[String] {
        self.cron().and_then(|c| c.depend_jobs.as_ref()).map(|d| d.jobs.as_slice()).unwrap_or(&[])
    }

    /// Parses a request body into a document. Errors name the JSON path of the offending value.
    pub fn from_json_bytes(body: &[u8]) -> Result<JobDocument, String> {
        let de = &mut serde_json::Deserializer::from_slice(body);
        let mut doc: JobDocument = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let path = e.path().to_string();
            if path == "." || path.is_empty() { e.inner().to_string() } else { format!("{path}: {}", e.inner()) }
        })?;
        de.end().map_err(|e| format!("unexpected text after the JSON document: {e}"))?;
        for key in SERVER_OWNED_JOB_KEYS {
            doc.extra.shift_remove(key);
        }
        Ok(doc)
    }
}
