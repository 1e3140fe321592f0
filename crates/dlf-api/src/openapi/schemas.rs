//! `components.schemas`: the wire objects, named as in the reference definitions where one
//! exists (`JobInfo`, `ShowJobInfoResp`, `JobResult`, ...), with the serde names of
//! `dlf_core::model` and the handlers' JSON bodies.
//!
//! Enums come from the model where it owns them (statuses, instance types, script types), so
//! the document cannot drift from what the server emits.

use super::schema::*;
use dlf_core::model::connection::ConnectionType;
use dlf_core::model::resource::RESOURCE_TYPES;
use dlf_core::model::script::SCRIPT_TYPES;
use dlf_core::model::{FailPolicy, InstanceStatus, InstanceType, JobStatus, NodeStatus, ProcessType, ScriptRunStatus};
use serde_json::{Map, Value, json};

/// Every schema, by name.
pub fn all() -> Map<String, Value> {
    let mut schemas = Map::new();
    let mut add = |name: &str, schema: Value| {
        schemas.insert(name.to_string(), schema);
    };
    add("ErrorResponse", error_response());
    // The job document (CreateJob / UpdateJob body; ShowJob answer).
    add("JobInfo", job_info());
    add("Node", node());
    add("Location", location());
    add("Property", property());
    add("Condition", condition());
    add("Schedule", schedule());
    add("Cron", cron());
    add("CronTrigger", cron_trigger());
    add("DependJob", depend_job());
    add("DependWorkSpaceJob", depend_work_space_job());
    add("Event", event());
    add("JobParam", job_param());
    add("BasicConfig", basic_config());
    add("JobApprover", job_approver());
    add("DeleteReq", delete_req());
    add("StartJobReq", start_job_req());
    add("ExportJobReq", export_job_req());
    add("ExportJobsReq", export_jobs_req());
    // Job answers.
    add("ShowJobInfoResp", show_job_info_resp());
    add("JobInformation", job_information());
    add("ListJobResp", list_job_resp());
    add("JobResult", job_result());
    add("RunOnceResp", run_once_resp());
    add("RealTimeJobStatusResp", real_time_job_status_resp());
    add("RealTimeNodeStatus", real_time_node_status());
    // Instances.
    add("QueryJobInstanceListResp", query_job_instance_list_resp());
    add("JobInstance", job_instance());
    add("QueryJobInstanceResp", query_job_instance_resp());
    add("NodeInstance", node_instance());
    // Scripts.
    add("ScriptInfo", script_info());
    add("ScriptInfoListResp", script_info_list_resp());
    add("ExecuteScriptReq", execute_script_req());
    add("ExecuteScriptResp", execute_script_resp());
    add("ScriptStatus", script_status());
    add("Result", script_result());
    add("ConnectionInfo", connection_info());
    add("QueryConnectionListResp", connection_list());
    add("ConnectionTestResult", connection_test_result());
    // Resources.
    add("ResourceInfo", resource_info());
    add("DependPackage", depend_package());
    add("Relation", relation());
    add("ResourceList", resource_list());
    add("HttpTriggerFired", http_trigger_fired());
    // Extensions and system endpoints.
    add("Workspace", workspace());
    add("WorkspaceList", workspace_list());
    add("NewWorkspace", new_workspace());
    add("NewAccessKeyReq", new_access_key_req());
    add("NewAccessKey", new_access_key());
    add("AccessKeyList", access_key_list());
    add("NewTokenReq", new_token_req());
    add("RemoveDependencyReq", remove_dependency_req());
    add("NewToken", new_token());
    add("ServerInfo", server_info());
    add("Health", health());
    add("JobAlarm", job_alarm());
    add("NotificationRule", notification_rule());
    add("NotificationRules", notification_rules());
    add("NotificationDelivery", notification_delivery());
    add("NotificationDeliveryList", notification_delivery_list());
    // Imports and system tasks.
    for (name, schema) in super::imports::schemas() {
        add(name, schema);
    }
    schemas
}

/// The wire strings of a model enum.
fn wire<T: Copy>(values: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
    values.iter().map(|v| as_str(*v)).collect()
}

fn job_statuses() -> Vec<&'static str> {
    wire(JobStatus::ALL, JobStatus::as_str)
}

fn instance_statuses() -> Vec<&'static str> {
    wire(InstanceStatus::ALL, InstanceStatus::as_str)
}

fn fail_policies() -> Vec<&'static str> {
    wire(&[FailPolicy::Fail, FailPolicy::FailChild, FailPolicy::Ignore, FailPolicy::Suspend], FailPolicy::as_str)
}

fn process_types() -> Vec<&'static str> {
    wire(&[ProcessType::Batch, ProcessType::RealTime], ProcessType::as_str)
}

/// `instanceType` codes (JOBS.md §4.1).
pub fn instance_type_codes() -> Vec<i64> {
    InstanceType::ALL.iter().map(|t| t.code()).collect()
}

fn instance_type() -> Value {
    int32("Who created the instance: 0 scheduler, 2 manual run, 5 PatchData, 6 sub-job, 7 run-once schedule.")
        .with("enum", json!(instance_type_codes()))
}

/// Schedule types: the three kinds and their input aliases (JOBS.md §2.4), stored verbatim.
const SCHEDULE_TYPES: [&str; 6] = ["EXECUTE_ONCE", "CRON", "EVENT", "RUN_ONCE", "SCHEDULE", "EVENT_TRIGGER"];

/// `JobParam.type` values accepted (JOBS.md §2.5).
const PARAM_TYPES: [&str; 4] = ["variable", "constant", "constants", "procedure"];

const TARGET_STATUSES: [&str; 3] = ["SAVED", "SUBMITTED", "PRODUCTION"];

fn error_response() -> Value {
    object(
        "DLF's error body (API.md §0.6; snake_case keys, unlike the reference's `ErrorResponse` schema).",
        &["error_code", "error_msg"],
        [
            (
                "error_code",
                string(
                    "`DLF.xxxx` for business errors (HTTP 400), `APIGW.xxxx` for gateway errors, `DLF.9999` for server faults (ERRORS.md).",
                ),
            ),
            ("error_msg", string("English message; clients match on Huawei's texts, e.g. `The job does not exists.`")),
        ],
    )
    .with("example", json!({"error_code": "DLF.0100", "error_msg": "The job does not exists."}))
}

fn job_info() -> Value {
    object(
        "A job definition: CreateJob/UpdateJob body (JOBS.md §2.1). Unknown fields are stored and returned verbatim.",
        &["name", "nodes", "schedule", "processType"],
        [
            ("name", string("1-128 letters, digits, `-`, `_`, `.`; unique in the workspace.").with("minLength", 1).with("maxLength", 128)),
            (
                "nodes",
                array(reference("Node"), "The steps of the job (a DAG through `preNodeName`).").with("minItems", 1).with("maxItems", 200),
            ),
            ("schedule", reference("Schedule")),
            (
                "processType",
                enumeration(
                    &process_types(),
                    "`BATCH`: the schedule creates instances of the whole DAG; `REAL_TIME`: each node runs on its own trigger.",
                ),
            ),
            ("params", array(reference("JobParam"), "Job parameters, `${name}` in node properties.")),
            ("directory", string("Folder in the job tree; created when missing.").with("default", "/")),
            ("lastUpdateUser", string("Last modifier; overwritten by the server with the caller.")),
            ("logPath", string("Cloud OBS log prefix; stored and echoed.")),
            ("basicConfig", reference("BasicConfig")),
            ("cleanOverdueDays", int32("Days a waiting instance may wait before `cleanWaitingJob` cancels it.")),
            ("cleanWaitingJob", string("`cleanup` cancels instances waiting longer than `cleanOverdueDays`.")),
            (
                "emptyRunningJob",
                enumeration(&["0", "1"], "`1` = dry run: instances pass through every state but no node executes.").with("default", "0"),
            ),
            ("singleNodeJobFlag", boolean("Single-task job: exactly one node.").with("default", false)),
            ("singleNodeJobType", string("Single-task label (`DliSQL`, `HiveSQL`, `FlinkSQL`, ...); any string is accepted.")),
            (
                "targetStatus",
                enumeration(&TARGET_STATUSES, "`SAVED` saves the development state only; otherwise a new version is also submitted."),
            ),
            ("approvers", array(reference("JobApprover"), "Approval mode only; stored and echoed.")),
            (
                "description",
                string("Job description (JOBS.md §2.1: returned by ShowJob, accepted on input although the reference JobInfo lacks it).")
                    .with("maxLength", 255)
                    .extension(),
            ),
        ],
    )
    .open()
}

fn node() -> Value {
    object(
        "One step of a job (JOBS.md §2.3).",
        &["name", "type", "location", "properties"],
        [
            ("name", string("Unique in the job; 1-128 letters, digits, `-`, `_`, `.`, `/`, `<`, `>`.")),
            (
                "type",
                string("Node type (`Shell`, `Python`, `Dummy`, `HiveSQL`, `RESTAPI`, `SubJob` ...); unknown types fail when run.")
                    .with("example", "Shell"),
            ),
            ("location", reference("Location")),
            (
                "properties",
                array(reference("Property"), "Per-type settings (API.md Appendix A); any name is accepted, unknown ones are kept.")
                    .extension(),
            ),
            ("preNodeName", array(json!({"type": "string"}), "Upstream nodes in this job.")),
            ("conditions", array(reference("Condition"), "EL guards on edges from upstream nodes.")),
            ("pollingInterval", int_range(1, 60, "Seconds between result polls of an asynchronous node.").with("default", 10)),
            ("maxExecutionTime", int_range(5, 1440, "Minutes an attempt may run before it is killed.").with("default", 60)),
            ("retryTimes", int_range(0, 5, "Extra attempts after a failure.").with("default", 0)),
            ("retryInterval", int_range(5, 120, "Seconds between attempts.").with("default", 120)),
            (
                "failPolicy",
                enumeration(&fail_policies(), "What the node's final failure does (JOBS.md §5.5).")
                    .with("default", FailPolicy::Fail.as_str()),
            ),
            ("execTimeOutRetry", enumeration(&["true", "false"], "Retry an attempt that timed out (a string).").with("default", "false")),
            ("eventTrigger", reference("Event")),
            ("cronTrigger", reference("CronTrigger")),
        ],
    )
    .open()
}

fn location() -> Value {
    object(
        "Canvas position; JSON numbers are accepted and returned as strings.",
        &["x", "y"],
        [
            ("x", string("Horizontal position.").with("example", "-45.5")),
            ("y", string("Vertical position.").with("example", "-134.5")),
        ],
    )
    .open()
}

fn property() -> Value {
    object(
        "A node setting; values are strings (numbers are accepted and stringified).",
        &["name", "value"],
        [
            ("name", string("Setting name, e.g. `scriptName`, `connectionName`.").with("example", "scriptName")),
            ("value", string("Setting value; may contain `${param}` and `#{EL}`.")),
        ],
    )
    .open()
}

fn condition() -> Value {
    object(
        "Runs the node only if `expression` renders `true` (JOBS.md §5.6).",
        &["preNodeName", "expression"],
        [
            ("preNodeName", string("The upstream node of the guarded edge; must be in the node's `preNodeName`.")),
            (
                "expression",
                string("EL expression.")
                    .with("example", "#{Job.getNodeStatus(\"A\") == \"success\" ? \"true\" : \"false\"}"),
            ),
            (
                "skipPolicy",
                enumeration(
                    &["SKIP_ALL", "SKIP_NEXT"],
                    "When false: skip every following node (`SKIP_ALL`) or only this one (`SKIP_NEXT`). JOBS.md §5.6.",
                )
                .with("default", "SKIP_ALL")
                .extension(),
            ),
        ],
    )
    .open()
}

fn schedule() -> Value {
    object(
        "When instances are created (JOBS.md §2.4). The type is stored as received; aliases are interpreted.",
        &["type"],
        [
            (
                "type",
                enumeration(
                    &SCHEDULE_TYPES,
                    "`EXECUTE_ONCE` (alias `RUN_ONCE`): on start; `CRON` (`SCHEDULE`): periodic; `EVENT` (`EVENT_TRIGGER`): per event.",
                ),
            ),
            ("cron", reference("Cron")),
            ("event", reference("Event")),
            (
                "requireManualConfirmBeforeExecute",
                boolean("Export field dlf honours: instances wait in `waiting-confirm` (JOBS.md §4.9).").with("default", false).extension(),
            ),
        ],
    )
    .open()
}

fn cron_fields<'a>() -> Vec<(&'a str, Value)> {
    vec![
        (
            "startTime",
            string("First possible plan time, `yyyy-MM-dd'T'HH:mm:ssZ` (`+08`, `+0800`, `+08:00`, `Z` accepted).")
                .with("example", "2024-01-01T00:00:00+08"),
        ),
        ("endTime", string("Last possible plan time (inclusive); absent = forever.")),
        (
            "expression",
            string("Quartz cron: second minute hour day month week [year] (JOBS.md §4.2).")
                .with("example", "0 0 2 * * ?"),
        ),
        (
            "expressionTimeZone",
            string("Zone of the expression (`GMT+8`, `UTC`, IANA names); default the service zone.")
                .with("example", "GMT+8"),
        ),
        ("dependPrePeriod", boolean("Each instance waits for this job's previous instance.").with("default", false)),
        ("dependJobs", reference("DependJob")),
    ]
}

fn cron() -> Value {
    let mut fields = cron_fields();
    fields.insert(
        5,
        (
            "intervalType",
            enumeration(
                &["minutes", "hours", "days", "weeks", "months", "seasons", "years"],
                "Period class for dependency windows; derived from the expression when absent.",
            ),
        ),
    );
    fields.push((
        "concurrent",
        int_range(1, 128, "Max instances of the job running at once (exports; JOBS.md §2.4, §4.8).")
            .with("default", 1)
            .extension(),
    ));
    object("A periodic schedule of a BATCH job.", &["startTime", "expression"], fields).open()
}

fn cron_trigger() -> Value {
    let mut fields = cron_fields();
    fields.push((
        "period",
        string("Interval matching the expression, e.g. `1 hours`, `1 days`.").with("example", "1 days"),
    ));
    fields.push(("concurrent", int32("Allowed concurrent runs.").with("default", 10)));
    object(
        "Periodic trigger of a node of a REAL_TIME job; stored as received.",
        &["startTime", "expression", "period"],
        fields,
    )
    .open()
}

fn depend_job() -> Value {
    object(
        "Cross-job dependencies (JOBS.md §4.6); a list is accepted and its first element used.",
        &["jobs"],
        [
            ("jobs", array(json!({"type": "string"}), "Existing jobs of the workspace this job depends on.")),
            (
                "dependPeriod",
                enumeration(&["SAME_PERIOD", "PRE_PERIOD"], "Depend on the upstream's same or previous period.")
                    .with("default", "SAME_PERIOD"),
            ),
            (
                "dependFailPolicy",
                enumeration(&["FAIL", "IGNORE", "SUSPEND"], "What a failed upstream instance does.")
                    .with("default", "FAIL"),
            ),
            (
                "sameWorkSpaceJobs",
                array(reference("DependWorkSpaceJob"), "Per-dependency entries in this workspace; stored."),
            ),
            (
                "otherWorkSpaceJobs",
                array(reference("DependWorkSpaceJob"), "Per-dependency entries in other workspaces; stored."),
            ),
        ],
    )
    .open()
}

fn depend_work_space_job() -> Value {
    object(
        "A dependency entry; stored verbatim.",
        &[],
        [
            ("workSpace", string("Workspace name.")),
            ("workSpaceId", string("Workspace id.")),
            ("jobName", string("Job name.")),
            ("dependType", string("Dependency rule (`ALL`, `ANY`, `LAST`, `DEFAULT`).")),
            ("dependOnLastPeriod", boolean("Depend on the latest period.").with("default", false)),
            ("dependOnLastNPeriodValue", int32("Depend on the last N periods (1-30).")),
        ],
    )
    .open()
}

fn event() -> Value {
    object(
        "An event trigger (BATCH `EVENT` schedule, or a REAL_TIME node's `eventTrigger`).",
        &["eventType", "channel"],
        [
            ("eventType", enumeration(&["KAFKA", "DIS", "OBS"], "Event source.")),
            ("channel", string("Stream, topic or path name.")),
            (
                "failPolicy",
                enumeration(&["SUSPEND", "IGNORE"], "After a failed event run: stop consuming, or go on.")
                    .with("default", "SUSPEND"),
            ),
            ("concurrent", int_range(1, 128, "Event runs at once.").with("default", 1)),
            (
                "readPolicy",
                enumeration(&["LAST", "NEW"], "Resume from the last position, or from the newest.")
                    .with("default", "LAST"),
            ),
        ],
    )
    .open()
}

fn job_param() -> Value {
    object(
        "A job parameter (`params`), or a per-run override (`jobParams`). `paramType` is accepted as an alias of `type`.",
        &["name", "value"],
        [
            ("name", string("1-64 letters, digits, `-`, `_`, `.`.")),
            ("value", string("Constant or template with `${...}` / `#{...}`; numbers are accepted and stringified.")),
            ("type", enumeration(&PARAM_TYPES, "Parameter kind; no run-time difference (JOBS.md §2.5).").with("default", "variable")),
        ],
    )
    .open()
}

fn basic_config() -> Value {
    object(
        "Owner, priority, timeouts, tags (JOBS.md §2.2).",
        &[],
        [
            ("owner", string("Responsible user; default the creator.")),
            ("agency", string("Cloud IAM agency; stored.")),
            (
                "isIgnoreWaiting",
                int32("`1`: waiting time does not count towards `instanceTimeout`.").with("enum", json!([0, 1])),
            ),
            ("priority", int_range(0, 2, "0 high, 1 medium, 2 low.").with("default", 0)),
            ("taskPriority", int_range(0, 2, "Newer duplicate of `priority`.").with("default", 0)),
            ("executeUser", string("User the job runs as; opaque to dlf.")),
            ("instanceTimeout", int32("Soft instance timeout in minutes; 0 = none.")),
            ("customFields", map_of(json!({"type": "string"}), "Free key/values.")),
            ("tags", array(json!({"type": "string"}), "Job tags (ListJobs `tags` filter); `{}` on input means none.")),
        ],
    )
    .open()
}

fn job_approver() -> Value {
    object(
        "An approver (approval mode; stored).",
        &["approverName"],
        [("approverName", string("Approver's user name."))],
    )
    .open()
}

fn delete_req() -> Value {
    object(
        "Optional DeleteJob/DeleteScript body (approval mode); accepted and ignored.",
        &[],
        [("approvers", array(reference("JobApprover"), "Approvers."))],
    )
}

fn start_job_req() -> Value {
    object(
        "Optional StartJob/RunOnce body; an empty body is `{}`.",
        &[],
        [(
            "jobParams",
            array(
                reference("JobParam"),
                "Parameter values overriding the job's `params` for the instances this call creates.",
            ),
        )],
    )
}

fn export_fields() -> [(&'static str, Value); 3] {
    [
        ("exportDepend", boolean("Also export the scripts and resources the job uses.").with("default", true)),
        (
            "exportStatus",
            enumeration(
                &["SUBMIT", "DEVELOP"],
                "`DEVELOP`: the development copy; `SUBMIT`: the latest submitted version.",
            )
            .with("default", "DEVELOP"),
        ),
        (
            "obsPath",
            string(
                "Write the zip here instead of answering it: `obs://bucket/folder/` (under the usual file name) or `obs://bucket/name.zip`.",
            ),
        ),
    ]
}

fn export_job_req() -> Value {
    object("ExportJob body; every field is optional and an empty body is `{}`.", &[], export_fields())
}

fn export_jobs_req() -> Value {
    let mut fields = vec![("jobList", array(json!({"type": "string"}), "Names of the jobs, 1-100."))];
    fields.extend(export_fields());
    object("ExportJobList body.", &["jobList"], fields)
}

fn show_job_info_resp() -> Value {
    json!({
        "description": "ShowJob answer: the stored job document (development state or a submitted version) plus server fields.",
        "allOf": [
            reference("JobInfo"),
            object(
                "Server-owned fields (ignored on input).",
                &["id", "createTime", "version"],
                [
                    ("id", int64("Job id.")),
                    ("createTime", epoch_ms("Creation time")),
                    ("version", string("Version returned, a string; `\"0\"`: never submitted.").with("example", "3")),
                    ("downstreamJobs", array(reference("JobInformation"), "With `dependencies=true`: jobs depending on this one.")),
                ],
            ),
        ],
    })
}

fn job_information() -> Value {
    object(
        "A downstream job.",
        &["jobId", "jobName", "workSpace"],
        [("jobId", int64("Job id.")), ("jobName", string("Job name.")), ("workSpace", string("Workspace name."))],
    )
}

fn list_job_resp() -> Value {
    object(
        "ListJobs answer.",
        &["total", "jobs"],
        [
            ("total", int32("Matching jobs, independent of paging.")),
            ("jobs", array(reference("JobResult"), "One page.")),
        ],
    )
}

fn job_result() -> Value {
    object(
        "A ListJobs row.",
        &[
            "name",
            "jobType",
            "status",
            "createUser",
            "createTime",
            "priority",
            "lastUpdateTime",
            "lastUpdateUser",
            "path",
            "singleNodeJobFlag",
        ],
        [
            ("name", string("Job name.")),
            ("jobType", enumeration(&process_types(), "Process type.")),
            ("status", enumeration(&job_statuses(), "Scheduling status (JOBS.md §2.7).")),
            ("createUser", string("Creator.")),
            ("createTime", epoch_ms("Creation time")),
            ("owner", string("`basicConfig.owner`.")),
            ("priority", int_range(0, 2, "`basicConfig.priority`.")),
            ("startTime", epoch_ms("When the job was last started")),
            ("endTime", epoch_ms("Configured schedule end")),
            (
                "lastInstanceStatus",
                enumeration(&instance_statuses(), "Status of the most recent finished instance (BATCH)."),
            ),
            ("lastInstanceEndTime", epoch_ms("End of that instance")),
            ("lastUpdateTime", epoch_ms("Last modification")),
            ("lastUpdateUser", string("Last modifier.")),
            ("path", string("Folder, e.g. `/` or `/dir/`.")),
            ("singleNodeJobFlag", boolean("Single-task job.")),
            ("alarms", array(reference("JobAlarm"), "The job's notification rules, when it has any.")),
        ],
    )
}

fn job_alarm() -> Value {
    object(
        "One notification rule of a job as ListJobs shows it.",
        &["alarmType", "topicUrn"],
        [
            ("alarmType", enumeration(NOTIFICATION_EVENTS, "The rule's event.")),
            ("topicUrn", string("The notifier the rule names.")),
        ],
    )
}

const NOTIFICATION_EVENTS: &[&str] = &["FAILED", "SUCCESS", "CANCELED", "NOT_FINISHED"];

fn notification_rule() -> Value {
    object(
        "On `event`, notify `notifier` (dlf extension, JOBS.md §2.9).",
        &["event", "notifier"],
        [
            ("event", enumeration(NOTIFICATION_EVENTS, "What the rule fires on.")),
            ("notifier", string("A configured notifier's name, or an SMN topic URN whose last `:` part is one.")),
            (
                "notFinishedBy",
                string("`NOT_FINISHED` only: `HH:mm`, daily, in the job's schedule zone (else the service zone)."),
            ),
        ],
    )
}

fn notification_rules() -> Value {
    object(
        "A job's notification rules (at most 20; an empty list removes them).",
        &["rules"],
        [("rules", array(reference("NotificationRule"), "The rules."))],
    )
}

fn notification_delivery() -> Value {
    object(
        "One notification and how its delivery went.",
        &["id", "jobName", "event", "notifier", "status", "attempts", "createTime", "updateTime"],
        [
            ("id", string("Delivery id (the webhook's `X-DLF-Delivery` header).")),
            ("jobName", string("Job.")),
            ("instanceId", int64("Instance the notification is about.")),
            ("event", enumeration(NOTIFICATION_EVENTS, "What fired.")),
            ("notifier", string("The notifier it went to.")),
            ("status", enumeration(&["pending", "sent", "failed"], "Where the delivery stands.")),
            ("attempts", int64("Attempts made.")),
            ("lastError", string("Why the last attempt failed.")),
            ("createTime", epoch_ms("When it was queued")),
            ("updateTime", epoch_ms("Its last attempt")),
        ],
    )
}

fn notification_delivery_list() -> Value {
    object(
        "Deliveries, newest first.",
        &["total", "deliveries"],
        [("total", int64("How many match.")), ("deliveries", array(reference("NotificationDelivery"), "One page."))],
    )
}

fn run_once_resp() -> Value {
    object("RunOnce answer.", &["instanceId"], [("instanceId", int64("The new instance (instanceType 2)."))])
}

fn real_time_job_status_resp() -> Value {
    object(
        "ShowJobStatus answer. Note the wire spellings `starttime` and `lastModifiyUser`; times are epoch ms integers (API.md §0.8).",
        &["name", "status", "lastUpdateTime", "createUser", "lastModifiyUser", "nodes"],
        [
            ("name", string("Job name.")),
            ("status", enumeration(&job_statuses(), "Job status.")),
            ("starttime", epoch_ms("When the job was started (all lowercase key)")),
            ("endTime", epoch_ms("Schedule end")),
            ("lastUpdateTime", epoch_ms("Last change")),
            ("createUser", string("Creator.")),
            ("lastModifiyUser", string("Last modifier (the misspelling is the wire name).")),
            ("nodes", array(reference("RealTimeNodeStatus"), "One per node.")),
        ],
    )
}

fn real_time_node_status() -> Value {
    object(
        "Status of one node in ShowJobStatus.",
        &["name", "status", "nodeType"],
        [
            ("name", string("Node name.")),
            ("status", enumeration(&job_statuses(), "Node status.")),
            ("nodeType", string("Node type.")),
            ("logPath", string("Log location.")),
            ("lastInstanceStatus", enumeration(&instance_statuses(), "Status of the node's latest run.")),
        ],
    )
}

fn query_job_instance_list_resp() -> Value {
    object(
        "ListJobInstances answer.",
        &["total", "instances"],
        [
            ("total", int32("Matching instances, independent of paging.")),
            ("instances", array(reference("JobInstance"), "One page, by plan time descending.")),
        ],
    )
}

fn job_instance() -> Value {
    object(
        "A ListJobInstances row (JOBS.md §5.10).",
        &[
            "jobName",
            "jobId",
            "jobInstanceName",
            "status",
            "planTime",
            "startTime",
            "executeTime",
            "submitTime",
            "instanceId",
            "instanceType",
            "version",
            "forceSuccess",
            "ignoreSuccess",
        ],
        [
            ("jobName", string("Job name (`<job>_<node>` for REAL_TIME node runs).")),
            ("jobId", int64("Job id.")),
            ("jobInstanceName", string("Name used in logs.")),
            ("status", enumeration(&instance_statuses(), "Instance status (JOBS.md §5.1).")),
            ("planTime", epoch_ms("Planned time")),
            ("startTime", epoch_ms("Actual start; the plan time before the instance starts")),
            ("endTime", epoch_ms("End")),
            ("executeTime", int64("Run duration in milliseconds.")),
            ("submitTime", epoch_ms("When the job version it runs was submitted")),
            ("instanceId", int64("Instance id.")),
            ("instanceType", instance_type()),
            ("version", int32("Job version the instance runs.")),
            ("forceSuccess", boolean("Forced to success.")),
            ("ignoreSuccess", boolean("Failure ignored.")),
            ("errorMessage", string("Failure reason.")),
            ("parentInstanceId", int64("SubJob / For Each child (`instanceType` 6): the parent instance.").extension()),
            ("parentNodeName", string("SubJob / For Each child: the parent's node that started it.").extension()),
            ("parentRow", int64("For Each child: its row, from 0 (0 for SubJob).").extension()),
        ],
    )
}

fn query_job_instance_resp() -> Value {
    object(
        "ShowJobInstance answer.",
        &[
            "jobName",
            "instanceId",
            "status",
            "instanceType",
            "planTime",
            "startTime",
            "executeTime",
            "forceSuccess",
            "ignoreSuccess",
            "total",
            "nodes",
        ],
        [
            ("jobName", string("Job name.")),
            ("instanceId", int64("Instance id.")),
            ("status", enumeration(&instance_statuses(), "Instance status.")),
            ("instanceType", instance_type()),
            ("planTime", epoch_ms("Planned time")),
            ("startTime", epoch_ms("Actual start")),
            ("endTime", epoch_ms("End")),
            ("executeTime", int64("Run duration in milliseconds.")),
            ("forceSuccess", boolean("Forced to success.")),
            ("ignoreSuccess", boolean("Failure ignored.")),
            ("errorMessage", string("Failure reason, as in ListJobInstances (JOBS.md §5.10).").extension()),
            ("total", int32("Number of `nodes`.")),
            ("nodes", array(reference("NodeInstance"), "One per node.")),
            ("parentInstanceId", int64("SubJob / For Each child (`instanceType` 6): the parent instance.").extension()),
            ("parentNodeName", string("SubJob / For Each child: the parent's node that started it.").extension()),
            ("parentRow", int64("For Each child: its row, from 0 (0 for SubJob).").extension()),
        ],
    )
}

fn node_instance() -> Value {
    object(
        "One node of a job instance.",
        &[
            "nodeName",
            "type",
            "status",
            "queue",
            "planTime",
            "startTime",
            "retryTimes",
            "instanceId",
            "inputRowCount",
            "speed",
        ],
        [
            ("nodeName", string("Node name.")),
            ("type", string("Node type (`RESTAPI` is reported as `RestClient`, `HetuEngineSQL` as `MRSHetuEngine`).")),
            ("status", enumeration(&wire(NodeStatus::ALL, NodeStatus::as_str), "Node status (JOBS.md §5.2).")),
            ("queue", string("DLI queue; empty otherwise.")),
            ("planTime", epoch_ms("Planned time")),
            ("startTime", epoch_ms("Start")),
            ("endTime", epoch_ms("End")),
            ("retryTimes", int32("Retries performed.")),
            ("instanceId", int64("The job instance id.")),
            ("inputRowCount", int64("Rows written.")),
            ("speed", double("Rows per second.")),
            ("logPath", string("Node log location.")),
        ],
    )
}

fn script_info() -> Value {
    object(
        "A stored script: CreateScript/UpdateScript body, ShowScript answer, ListScripts item.",
        &["name", "type", "content"],
        [
            ("name", string("1-128 letters, digits, `_`, `-`, `.`; unique in the workspace.")),
            ("type", enumeration(&SCRIPT_TYPES, "Script type.")),
            ("content", string("Script text.")),
            ("directory", string("Folder in the script tree.").with("default", "/")),
            ("connectionName", string("Connection; for `Shell`/`PYTHON` absent means the built-in `local` host.")),
            ("database", string("Database (SQL types).")),
            ("queueName", string("DLI queue (`DLISQL`).")),
            ("configuration", map_of(json!({}), "DLI settings (`DLISQL`).")),
            ("description", string("Description.").with("maxLength", 255)),
            ("owner", string("Responsible user; default the creator.")),
            ("targetStatus", enumeration(&TARGET_STATUSES, "Approval mode; stored.")),
            ("approvers", array(reference("JobApprover"), "Approval mode; stored.")),
            ("id", string("Script id (server-owned).").with("readOnly", true)),
            ("version", int32("Latest version (server-owned).").with("readOnly", true)),
            ("modifyTime", epoch_ms("Last modification (server-owned)").with("readOnly", true)),
        ],
    )
    .open()
}

fn script_info_list_resp() -> Value {
    object(
        "ListScripts answer.",
        &["total", "scripts"],
        [
            ("total", int32("Matching scripts, independent of paging.")),
            ("scripts", array(reference("ScriptInfo"), "One page, by name.")),
        ],
    )
}

fn execute_script_req() -> Value {
    object(
        "ExecuteScript body; may be empty.",
        &[],
        [("params", map_of(json!({"type": "string"}), "Values for the script's `${name}` placeholders."))],
    )
}

fn execute_script_resp() -> Value {
    object("ExecuteScript answer.", &["instanceId"], [("instanceId", string("The script run's id."))])
}

fn script_status() -> Value {
    object(
        "ListScriptResults answer.",
        &["status", "results"],
        [
            ("status", enumeration(&wire(ScriptRunStatus::ALL, ScriptRunStatus::as_str), "The run's status.")),
            ("message", string("Why it failed (`FAILED` only).")),
            ("results", array(reference("Result"), "One per SQL statement; one for a Shell or Python run's output.")),
        ],
    )
}

fn script_result() -> Value {
    object(
        "One result of a script run.",
        &["message", "duration", "rowCount", "rows", "schema"],
        [
            ("message", string("`\"\"`, rows affected, or the rows the caps left out.")),
            ("duration", double("Seconds.")),
            ("rowCount", int64("Rows in `rows`.")),
            (
                "rows",
                array(
                    array(json!({"type": "string", "nullable": true}), "A row."),
                    "Values in column order; NULL is `null`.",
                ),
            ),
            ("schema", array(map_of(json!({"type": "string"}), "`{column: type}`"), "One object per column.")),
            ("resultCount", int64("Rows the statement returned in all, before the caps.")),
        ],
    )
}

fn connection_info() -> Value {
    let types: Vec<&str> = ConnectionType::ALL.iter().map(|t| t.as_str()).collect();
    object(
        "A data connection: CreateConnection/UpdateConnection body, ShowConnection answer, ListConnections item.",
        &["name", "type"],
        [
            ("name", string("1-100 letters, digits, `_`, `-`; unique in the workspace; `local` is built in.")),
            ("type", enumeration(&types, "Connection type (`HIVE` is read as `Hive`).")),
            (
                "config",
                map_of(
                    json!({"oneOf": [{"type": "string"}, {"type": "boolean"}]}),
                    "Per-type settings (API.md §0.11): `ip`, `port`, `userName`, `password`, `driverName`, `sslEnable`, \
                     `database`, `privateKey` ... Secret keys are answered as `*********`.",
                ),
            ),
            ("description", string("Description.").with("maxLength", 255)),
        ],
    )
    .open()
}

fn connection_list() -> Value {
    object(
        "ListConnections answer.",
        &["total", "connections"],
        [
            ("total", int32("Matching connections (`local` included), independent of paging.")),
            ("connections", array(reference("ConnectionInfo"), "One page: `local` first, then by name.")),
        ],
    )
}

fn connection_test_result() -> Value {
    object(
        "The connection test's answer (dlf extension).",
        &["ok", "message", "duration_ms"],
        [
            ("ok", boolean("Whether a session could be opened.")),
            ("message", string("The target's own error text (secrets masked); empty when ok.")),
            ("duration_ms", int64("How long the test took.")),
        ],
    )
}

fn resource_info() -> Value {
    object(
        "A resource: CreateResource/UpdateResource body, ShowResource answer, ListResources item.",
        &["name", "type", "location"],
        [
            ("id", string("Resource id (server-owned).").with("readOnly", true)),
            ("name", string("1-32 letters, digits, Chinese characters, `_`, `-`; unique in the workspace.")),
            ("type", enumeration(&RESOURCE_TYPES, "Resource type (`DLF.6263` otherwise).")),
            (
                "location",
                string(
                    "Where the file is, at most 1,023 characters (`DLF.6264`). `obs://bucket/key` names an object of \
                     dlf's object store in the caller's project (the bytes Shell and Python nodes get); any other \
                     location is stored only.",
                )
                .with("maxLength", 1023),
            ),
            ("dependFiles", array(json!({"type": "string"}), "Files the main file depends on; stored.")),
            ("dependPackages", array(reference("DependPackage"), "As `dependFiles`; stored.")),
            ("desc", string("Description (`DLF.6265` over 255 characters).").with("maxLength", 255)),
            ("directory", string("Folder; cannot change.").with("default", "/")),
            (
                "jobRelation",
                array(reference("Relation"), "Jobs that use the resource (ShowResource).").with("readOnly", true),
            ),
        ],
    )
}

fn depend_package() -> Value {
    object(
        "A file a resource depends on.",
        &[],
        [("type", string("File type.")), ("location", string("Where the file is."))],
    )
}

fn relation() -> Value {
    object(
        "A job that uses a resource.",
        &[],
        [
            ("relationType", string("`job`.")),
            ("taskName", string("The job's name.")),
            ("taskId", int64("The job's id.")),
            ("deleted", boolean("Always false.")),
        ],
    )
}

fn resource_list() -> Value {
    object(
        "ListResources answer.",
        &["total", "resources"],
        [
            ("total", int32("Matching resources, independent of paging.")),
            ("resources", array(reference("ResourceInfo"), "One page, by name.")),
        ],
    )
}

fn http_trigger_fired() -> Value {
    object(
        "The instances whose HTTP Trigger node a call fired (dlf extension).",
        &["instances"],
        [("instances", array(string("A job instance id."), "The instances fired, each a decimal id."))],
    )
}

fn workspace() -> Value {
    object(
        "A workspace of a project (API.md §0.4).",
        &["id", "name", "projectId", "isDefault"],
        [
            ("id", string("Workspace id: the value of the `workspace` header.")),
            ("name", string("Workspace name.")),
            ("projectId", string("Project.")),
            ("isDefault", boolean("The workspace used without a `workspace` header.")),
        ],
    )
}

fn workspace_list() -> Value {
    object(
        "The project's workspaces.",
        &["total", "workspaces"],
        [("total", int32("Count.")), ("workspaces", array(reference("Workspace"), "All of them."))],
    )
}

fn new_workspace() -> Value {
    object("CreateWorkspace body.", &["name"], [("name", string("Workspace name, unique in the project."))])
}

fn new_access_key_req() -> Value {
    object(
        "CreateAccessKey body (optional).",
        &[],
        [
            ("user", string("User the key acts as; default the caller.")),
            (
                "allProjects",
                boolean("Administrators only: a key valid for every project instead of the path's.")
                    .with("default", false),
            ),
        ],
    )
}

fn access_key_list() -> Value {
    object(
        "The access keys of a project (never their secrets).",
        &["total", "accessKeys"],
        [
            ("total", int32("Count.")),
            (
                "accessKeys",
                array(
                    object(
                        "One access key.",
                        &["accessKey", "projectId", "user", "createTime", "disabled"],
                        [
                            ("accessKey", string("Access key id (AK).")),
                            ("projectId", string("The project the key is bound to.")),
                            ("user", string("User the key acts as.")),
                            ("createTime", int64("Creation time, epoch ms.")),
                            ("disabled", boolean("A disabled key authenticates nothing.")),
                        ],
                    ),
                    "The keys, oldest first.",
                ),
            ),
        ],
    )
}

fn new_access_key() -> Value {
    object(
        "A new AK/SK pair; the only time the secret is shown. Keys are snake_case.",
        &["access_key", "secret_key", "project_id"],
        [
            ("access_key", string("Access key id (AK).")),
            ("secret_key", string("Secret access key (SK).")),
            (
                "project_id",
                string("Project the key is bound to; `null` for an all-projects key.").with("nullable", true),
            ),
        ],
    )
}

fn remove_dependency_req() -> Value {
    object(
        "The upstream instance a waiting instance stops waiting on (JOBS.md §5.8).",
        &["jobName", "instanceId"],
        [("jobName", string("The upstream job.")), ("instanceId", int64("The upstream instance's id."))],
    )
    .extension()
}

fn new_token_req() -> Value {
    object(
        "CreateToken body (optional).",
        &[],
        [(
            "ttlSeconds",
            int64("Lifetime in seconds.").with("minimum", 1).with("maximum", 2_592_000).with("default", 86_400),
        )],
    )
}

fn new_token() -> Value {
    object(
        "A token for `X-Auth-Token`, bound to the path's project.",
        &["token", "expiresAt"],
        [("token", string("The token.")), ("expiresAt", epoch_ms("Expiry"))],
    )
}

fn server_info() -> Value {
    object(
        "Server information.",
        &["name", "version", "timeZone", "strictDlfCron"],
        [
            ("name", string("`dlf`.")),
            ("version", string("Server version.")),
            ("timeZone", string("Service time zone used by EL dates and plan-time defaults.")),
            ("strictDlfCron", boolean("Whether cron seconds must be 0 (`--strict-dlf-cron`).")),
        ],
    )
}

fn health() -> Value {
    object(
        "Health answer.",
        &["status", "time"],
        [("status", enumeration(&["ok"], "Always `ok` once ready.")), ("time", epoch_ms("Server clock"))],
    )
}
