//! Schemas of the imports (J12, J13, C7) and of their system tasks (T1), with the reference's
//! definition names.

use super::schema::*;
use serde_json::{Value, json};

const TASK_STATUSES: [&str; 4] = ["RUNNING", "SUCCESSFUL", "FAILED", "WARNING"];

pub fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("ImportFileReq", import_file_req()),
        ("JobResourceInfo", job_resource_info()),
        ("ImportJobResp", task_started("ImportJob answer.")),
        (
            "FilePath",
            object(
                "ShowFileInfo body.",
                &["path"],
                [("path", string("The package: `obs://bucket/key` or a server path inside an import folder."))],
            ),
        ),
        ("FileInfoResp", file_info_resp()),
        ("ImportConnectionReq", import_connection_req()),
        ("ConnectionParam", connection_param()),
        ("ImportConnectionResp", task_started("ImportConnections answer.")),
        ("QuerySystemTaskResp", query_system_task_resp()),
        ("SubTaskStatus", sub_task_status()),
    ]
}

fn task_started(description: &str) -> Value {
    object(description, &["taskId"], [("taskId", string("The system task to poll with ListSystemTasks."))])
}

fn import_file_req() -> Value {
    object(
        "ImportJob body.",
        &["path"],
        [
            (
                "path",
                string(
                    "The package: `obs://bucket/key` (a zip or a `.job`), or a server path inside an import folder.",
                ),
            ),
            (
                "params",
                map_of(json!({"type": "string"}), "Values of same-named job parameters, in every imported job."),
            ),
            (
                "sameNamePolicy",
                enumeration(&["SKIP", "OVERWRITE"], "What happens to an existing job, script or resource.")
                    .with("default", "SKIP"),
            ),
            (
                "jobsParam",
                json!({"description": "Per job: a list `[{name, params}]` or an object `{job: {param: value}}`; wins over `params`."}),
            ),
            ("executeUser", string("Sets `basicConfig.executeUser` of every imported job.")),
            ("targetStatus", enumeration(&["SAVED", "SUBMITTED", "PRODUCTION"], "Accepted and ignored.")),
            ("approvers", array(reference("JobApprover"), "Accepted and ignored.")),
            ("resources", array(reference("JobResourceInfo"), "Names to replace while importing.")),
        ],
    )
}

fn job_resource_info() -> Value {
    object(
        "A substitution: `*_CONNECTION` types rename matching `connectionName` node properties, other types matching property values.",
        &["name", "type"],
        [
            ("name", string("The name in the package.")),
            (
                "type",
                enumeration(
                    &[
                        "DWS_CONNECTION",
                        "DIS_STREAM",
                        "CDM_CLUSTER",
                        "MRS_CLUSTER",
                        "MRS_HIVE_CONNECTION",
                        "MRS_SPARK_CONNECTION",
                        "GES_GRAPH",
                        "ROMA_INSTANCE",
                        "TICS_INSTANCE",
                        "DRS_TASK",
                    ],
                    "What the name is.",
                ),
            ),
            ("replace", string("The name to use instead.")),
        ],
    )
}

fn file_info_resp() -> Value {
    let job = object(
        "A job of the package.",
        &[],
        [
            ("name", string("Job name.")),
            ("path", string("Its folder (`directory`).")),
            (
                "params",
                json!({"type": "object", "description": "Its parameters, name → value.", "additionalProperties": true}),
            ),
        ],
    );
    let script =
        object("A script of the package.", &[], [("name", string("Script name.")), ("path", string("Its folder."))]);
    object("ShowFileInfo answer.", &[], [("jobs", array(job, "Jobs.")), ("scripts", array(script, "Scripts."))])
}

fn import_connection_req() -> Value {
    object(
        "ImportConnections body.",
        &["path"],
        [
            ("path", string("The package: a connection export zip or one `.conn` file.")),
            (
                "sameNamePolicy",
                enumeration(&["SKIP", "OVERWRITE"], "What happens to an existing connection.").with("default", "SKIP"),
            ),
            ("params", array(reference("ConnectionParam"), "Config keys (secrets) per connection.")),
        ],
    )
}

fn connection_param() -> Value {
    object(
        "Config keys for one imported connection.",
        &["name"],
        [
            ("name", string("The connection.")),
            ("connectionType", string("Its type (the docs' `type` is accepted too); another type does not apply.")),
            ("params", map_of(json!({"type": "string"}), "Config keys to set.")),
        ],
    )
}

fn query_system_task_resp() -> Value {
    object(
        "ListSystemTasks answer: one task.",
        &["id", "name", "startTime", "lastUpdate", "status", "subtasks"],
        [
            ("id", string("Task id.")),
            ("name", string("What it does, e.g. `Import the job from obs://b/jobs.zip.`")),
            ("projectId", string("The project.")),
            ("startTime", epoch_ms("Start.")),
            ("endTime", epoch_ms("End (absent while running).")),
            ("lastUpdate", epoch_ms("Last progress.")),
            ("status", enumeration(&TASK_STATUSES, "RUNNING until every subtask ended.")),
            ("message", string("The result, or why the task failed.")),
            ("subtasks", array(reference("SubTaskStatus"), "One per imported object.")),
        ],
    )
}

fn sub_task_status() -> Value {
    object(
        "One imported object.",
        &["id", "name", "lastUpdate", "status"],
        [
            ("id", string("Subtask id.")),
            ("name", string("e.g. `Import the daily job.`")),
            ("lastUpdate", epoch_ms("Last change.")),
            ("status", enumeration(&TASK_STATUSES, "Its status.")),
            ("message", string("What happened (created, skipped, overwritten) or why it failed; warnings.")),
            ("taskId", string("The task.")),
        ],
    )
}
