//! `paths`: one table row per route of [`crate::router`], in the router's order.
//!
//! Each row names the method, path template (axum's and OpenAPI's `{name}` syntax agree),
//! operationId (the reference file's operation name for DLF v1 operations), query parameters,
//! body and success answer. Path parameters, the `workspace` header, security and the error
//! answers follow from the kind of operation.

use super::schema::*;
use super::schemas::instance_type_codes;
use dlf_core::model::InstanceStatus;
use serde_json::{Map, Value, json};

/// Who may call an operation and what it shares with the DLF API.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A DLF v1 operation: authenticated, optional `workspace` header.
    Dlf,
    /// A dlf extension acting in a workspace (`/x/v1/{project_id}/jobs/...`).
    WorkspaceExtension,
    /// A dlf extension outside workspaces (workspaces, keys, tokens, info).
    Extension,
    /// No credentials needed.
    Public,
}

/// One operation, built by chaining.
struct Op {
    method: &'static str,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    kind: Kind,
    description: Option<&'static str>,
    query: Vec<Value>,
    body: Option<Value>,
    status: u16,
    answer: Value,
    errors: &'static [u16],
}

/// Error answers of authenticated operations (`components.responses`).
const ERRORS: &[u16] = &[400, 401, 403, 404, 413, 500];

fn op(
    kind: Kind,
    method: &'static str,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
) -> Op {
    let errors = if kind == Kind::Public { &[][..] } else { ERRORS };
    Op {
        method,
        path,
        id,
        tag,
        summary,
        kind,
        description: None,
        query: Vec::new(),
        body: None,
        status: 204,
        answer: no_content(),
        errors,
    }
}

impl Op {
    fn describe(mut self, text: &'static str) -> Op {
        self.description = Some(text);
        self
    }

    /// An optional query parameter; `example` is a value the server accepts.
    fn query(mut self, name: &str, schema: Value, description: &str, example: Value) -> Op {
        self.query.push(json!({
            "name": name, "in": "query", "required": false, "description": description, "schema": schema, "example": example,
        }));
        self
    }

    /// A JSON body of schema `name`; optional bodies may also be empty (API.md §0.9).
    fn body(mut self, name: &str, required: bool) -> Op {
        let mut body = json!({
            "required": required,
            "content": { "application/json": { "schema": reference(name) } },
        });
        if !required {
            body["description"] = json!("Optional: an empty body (`Content-Length: 0`) is the same as `{}`.");
        }
        self.body = Some(body);
        self
    }

    /// A request body example (must be accepted by the server; the tests send it).
    fn body_example(mut self, example: Value) -> Op {
        if let Some(body) = &mut self.body {
            body["content"]["application/json"]["example"] = example;
        }
        self
    }

    /// 200 with a JSON body of schema `name`.
    fn returns(mut self, name: &str, description: &str) -> Op {
        self.status = 200;
        self.answer = json!({
            "description": description,
            "content": { "application/json": { "schema": reference(name) } },
        });
        self
    }

    /// 200 with a plain-text body.
    fn returns_text(mut self, description: &str) -> Op {
        self.status = 200;
        self.answer = json!({
            "description": description,
            "content": { "text/plain": { "schema": { "type": "string" } } },
        });
        self
    }

    /// 200 with raw bytes.
    fn returns_bytes(mut self, description: &str) -> Op {
        self.status = 200;
        self.answer = json!({
            "description": description,
            "content": { "application/octet-stream": { "schema": { "type": "string", "format": "binary" } } },
        });
        self
    }

    /// 200 with an arbitrary JSON object.
    fn returns_object(mut self, description: &str) -> Op {
        self.status = 200;
        self.answer = json!({
            "description": description,
            "content": { "application/json": { "schema": { "type": "object" } } },
        });
        self
    }

    fn errors(mut self, errors: &'static [u16]) -> Op {
        self.errors = errors;
        self
    }

    fn into_json(self) -> Value {
        let mut parameters: Vec<Value> = path_parameters(self.path);
        if matches!(self.kind, Kind::Dlf | Kind::WorkspaceExtension) {
            parameters.push(json!({ "$ref": "#/components/parameters/workspace" }));
        }
        parameters.extend(self.query);
        let mut responses = Map::new();
        responses.insert(self.status.to_string(), self.answer);
        for code in self.errors {
            responses.insert(
                code.to_string(),
                json!({ "$ref": format!("#/components/responses/{}", error_response_name(*code)) }),
            );
        }
        let mut operation = json!({
            "operationId": self.id,
            "tags": [self.tag],
            "summary": self.summary,
        });
        if let Some(description) = self.description {
            operation["description"] = json!(description);
        }
        if !parameters.is_empty() {
            operation["parameters"] = json!(parameters);
        }
        if let Some(body) = self.body {
            operation["requestBody"] = body;
        }
        operation["responses"] = Value::Object(responses);
        operation["security"] = match self.kind {
            Kind::Public => json!([]),
            _ => json!([{ "akSk": [] }, { "token": [] }]),
        };
        if matches!(self.kind, Kind::WorkspaceExtension | Kind::Extension) {
            operation = operation.extension();
        }
        operation
    }
}

fn no_content() -> Value {
    json!({ "description": "Done; no body." })
}

/// The `components.responses` entry for an error status.
pub fn error_response_name(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "ApiNotFound",
        413 => "PayloadTooLarge",
        500 => "InternalError",
        other => unreachable!("no error response for status {other}"),
    }
}

/// `components.responses`: the error answers, all with the `ErrorResponse` body.
pub fn error_responses() -> Map<String, Value> {
    let described = [
        (
            400,
            "A `DLF.xxxx` business or validation error. Every business error is 400, a missing job \
             (`DLF.0100`), instance (`DLF.0137`) or script (`DLF.6201`) included; bad parameters are `DLF.3051`.",
        ),
        (
            401,
            "`APIGW.0301`: no credentials, unknown key, bad signature, clock skew over 15 minutes, or an unknown/expired token.",
        ),
        (
            403,
            "`APIGW.0302`: the credential may not act on this project (or `X-Project-Id` differs from the \
             path), or the operation needs administrator rights.",
        ),
        (
            404,
            "`APIGW.0101`: no such route or method. Never used for a missing job, instance or script (those are 400).",
        ),
        (
            413,
            "`APIGW.0201`: body larger than 12 MB (an uploaded object: larger than the object store's cap, 100 MiB by default).",
        ),
        (500, "`DLF.9999`: server fault; the message carries an id to look up in the server log."),
    ];
    described
        .into_iter()
        .map(|(status, description)| {
            let response = json!({
                "description": description,
                "content": { "application/json": { "schema": reference("ErrorResponse") } },
            });
            (error_response_name(status).to_string(), response)
        })
        .collect()
}

/// Path parameters of a template, in order, with what each one means.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let description = match name {
                "project_id" => "Project id (Huawei: 32 lowercase hex characters); the credential must be valid for it.",
                "job_name" => "Job name, percent-encoded (a `%2F` stays inside the name).",
                "instance_id" => "Job instance id: decimal digits of an int64 (`DLF.0137` otherwise); for a script run (S7, S8), the id ExecuteScript returned.",
                "script_name" => "Script name, percent-encoded.",
                "connection_name" => "Connection name.",
                "node_name" => "Node name, percent-encoded.",
                "access_key" => "An access key (AK) bound to the path's project.",
                "resource_id" => "Resource id (CreateResource's `resourceId`).",
                "bucket" => "Bucket: letters, digits, `-`, `_`, `.`, at most 63.",
                "key" => "Object key, the rest of the path (it may contain `/`); no `..`, `.` or empty segment.",
                "trigger_id" => "An HTTP Trigger node's `triggerId`, or `<job name>.<node name>` when it sets none; percent-encoded.",
                _ => "Path segment.",
            };
            json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string" } })
        })
        .collect()
}

const JOBS: &str = "Jobs";
const INSTANCES: &str = "Job instances";
const SCRIPTS: &str = "Scripts";
const CONNECTIONS: &str = "Connections";
const RESOURCES: &str = "Resources";
const EXTENSIONS: &str = "dlf extensions";
const SYSTEM: &str = "System";
const SYSTEM_TASKS: &str = "System tasks";

/// `tags`, in display order.
pub fn tags() -> Value {
    json!([
        { "name": JOBS, "description": "DLF v1 job operations (API.md J1-J9)." },
        { "name": INSTANCES, "description": "DLF v1 job instance operations (API.md I1-I4)." },
        { "name": SCRIPTS, "description": "DLF v1 script operations (API.md S1-S8)." },
        { "name": CONNECTIONS, "description": "DLF v1 data connections (API.md C1-C5)." },
        { "name": RESOURCES, "description": "DLF v1 resources (API.md R1-R5)." },
        { "name": EXTENSIONS, "description": "dlf additions under `/x/v1/` (marked `x-dlf-extension`).", "x-dlf-extension": true },
        { "name": SYSTEM_TASKS, "description": "Imports running in the background." },
        { "name": SYSTEM, "description": "Health and this document; no credentials." },
    ])
}

fn paging(op: Op, max_limit: i64) -> Op {
    op.query(
        "limit",
        int_param("int32").with("minimum", 1).with("maximum", max_limit).with("default", 10),
        "Page size.",
        json!(10),
    )
    .query(
        "offset",
        int_param("int32").with("minimum", 0).with("default", 0),
        "Row offset (API.md §0.7).",
        json!(0),
    )
}

// Parameter schemas (the parameter carries the description).
fn string_schema() -> Value {
    json!({ "type": "string" })
}

fn boolean_schema(default: bool) -> Value {
    json!({ "type": "boolean", "default": default })
}

fn int_param(format: &str) -> Value {
    json!({ "type": "integer", "format": format })
}

fn enum_param(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

/// Every operation, in the router's order.
fn operations() -> Vec<Op> {
    use Kind::*;
    let statuses: Vec<&str> = InstanceStatus::ALL.iter().map(|s| s.as_str()).collect();
    vec![
        paging(op(Dlf, "get", "/v1/{project_id}/jobs", "ListJobs", JOBS, "List jobs"), 1000)
            .query(
                "jobType",
                enum_param(&["BATCH", "REAL_TIME"]).with("default", "BATCH"),
                "Only jobs of this process type.",
                json!("BATCH"),
            )
            .query("jobName", string_schema(), "Substring of the job name.", json!("myJob"))
            .query("tags", string_schema(), "Comma-separated tags; a job matches if it has any of them.", json!("tag1,tag2"))
            .returns("ListJobResp", "One page of jobs."),
        op(Dlf, "post", "/v1/{project_id}/jobs", "CreateJob", JOBS, "Create a job")
            .describe("Validates and stores the job (stopped); unless `targetStatus` is `SAVED` it is also submitted as version 1.")
            .body("JobInfo", true)
            .body_example(create_job_example()),
        op(Dlf, "get", "/v1/{project_id}/jobs/{job_name}", "ShowJob", JOBS, "Show a job")
            .query("version", int_param("int32").with("default", -1), "A submitted version; -1 = see `getJobSubmitVersion`.", json!(-1))
            .query("dependencies", boolean_schema(false), "Also return `downstreamJobs`.", json!(true))
            .query(
                "getJobSubmitVersion",
                boolean_schema(false),
                "Without `version`: the latest submitted version, not the development state.",
                json!(false),
            )
            .returns("ShowJobInfoResp", "The job document."),
        op(Dlf, "put", "/v1/{project_id}/jobs/{job_name}", "UpdateJob", JOBS, "Replace a job's definition")
            .describe("Full replacement; `name` must equal the path's job name. A scheduling job keeps scheduling.")
            .body("JobInfo", true),
        op(Dlf, "delete", "/v1/{project_id}/jobs/{job_name}", "DeleteJob", JOBS, "Delete a stopped job").body("DeleteReq", false),
        op(Dlf, "post", "/v1/{project_id}/jobs/{job_name}/start", "StartJob", JOBS, "Start scheduling a job")
            .describe(
                "CRON/EVENT jobs start scheduling; an EXECUTE_ONCE job runs once (instanceType 7). \
                 Already started: `DLF.3051` with a message containing `is running`.",
            )
            .body("StartJobReq", false)
            .body_example(start_job_example()),
        op(Dlf, "post", "/v1/{project_id}/jobs/{job_name}/stop", "StopJob", JOBS, "Stop scheduling a job"),
        op(Dlf, "get", "/v1/{project_id}/jobs/{job_name}/status", "ShowJobStatus", JOBS, "Show a job's running status")
            .returns("RealTimeJobStatusResp", "Status of the job and its nodes."),
        op(Dlf, "post", "/v1/{project_id}/jobs/{job_name}/run-immediate", "RunOnce", JOBS, "Run a job once now")
            .body("StartJobReq", false)
            .body_example(start_job_example())
            .returns("RunOnceResp", "The created instance."),
        op(Dlf, "post", "/v1/{project_id}/jobs/{job_name}/export", "ExportJob", JOBS, "Export a job as a zip")
            .describe(
                "`DLF_{job_name}.zip` (`application/octet-stream`, `Content-Disposition: attachment`): `jobs/{job}.job` \
                 (every stored field of the job as ShowJob shows it, less `id`, `createTime`, `lastUpdateUser`), with \
                 `exportDepend` (default true) also `scripts/{name}.script` and `resources/{name}.resource` for what the \
                 nodes use. `exportStatus`: `DEVELOP` (default) or `SUBMIT` (the latest submitted version; a job never \
                 submitted is `DLF.3051`). An empty body is `{}`. With `obsPath` (`obs://bucket/folder/` or \
                 `obs://bucket/key.zip`) the zip is written to the object store and the answer is an empty body with \
                 `X-Dlf-Export-Location`; a bad path is `DLF.0803`. Entries are sorted and carry a fixed time, so equal \
                 jobs export to equal bytes.",
            )
            .body("ExportJobReq", true)
            .body_example(json!({"exportDepend": true, "exportStatus": "DEVELOP"}))
            .returns_bytes("The zip (empty when written to `obsPath`)."),
        op(Dlf, "post", "/v1/{project_id}/jobs/batch-export", "ExportJobList", JOBS, "Export jobs as one zip")
            .describe(
                "`jobs.zip`, one folder per job: `jobs/{job}/{job}.job`, `jobs/{job}/{script}.script`, \
                 `jobs/{job}/{resource}.resource`. `jobList`: 1-100 names (else `DLF.3051`; repeated names are exported \
                 once); a name the workspace lacks is `DLF.0100` naming it. Other fields as ExportJob.",
            )
            .body("ExportJobsReq", true)
            .body_example(json!({"jobList": ["myJob"], "exportDepend": true}))
            .returns_bytes("The zip (empty when written to `obsPath`)."),
        paging(op(Dlf, "get", "/v1/{project_id}/jobs/instances/detail", "ListJobInstances", INSTANCES, "List job instances"), 1000)
            .query("jobName", string_schema(), "Job name; substring match unless `preciseQuery=true`.", json!("myJob"))
            .query("preciseQuery", boolean_schema(false), "Exact match on `jobName`.", json!(false))
            .query(
                "minPlanTime",
                int_param("int64"),
                "From (epoch ms, inclusive); default today 00:00, service zone.",
                json!(1_700_000_000_000_i64),
            )
            .query(
                "maxPlanTime",
                int_param("int64"),
                "To (epoch ms, inclusive); default now; window ≤ 7 days.",
                json!(1_700_086_400_000_i64),
            )
            .query("status", enum_param(&statuses), "One instance status.", json!(InstanceStatus::Success.as_str()))
            .query(
                "instanceType",
                int_param("int32").with("enum", instance_type_codes()),
                "One instance type (sent as text by the SDK).",
                json!(0),
            )
            .returns("QueryJobInstanceListResp", "One page of instances."),
        op(Dlf, "get", "/v1/{project_id}/jobs/{job_name}/instances/{instance_id}", "ShowJobInstance", INSTANCES, "Show a job instance")
            .returns("QueryJobInstanceResp", "The instance and its nodes."),
        op(
            Dlf,
            "post",
            "/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/stop",
            "StopJobInstance",
            INSTANCES,
            "Cancel a job instance",
        )
        .describe("Any non-terminal instance ends as `manual-stop`; a finished one is `DLF.3051`."),
        op(
            Dlf,
            "post",
            "/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/restart",
            "RestoreJobInstance",
            INSTANCES,
            "Rerun a finished job instance",
        )
        .describe(
            "Same instance id and plan time; from the failed nodes unless it had succeeded (JOBS.md §5.9). \
             Extension options, in the query or a JSON body: `rerunFrom` = `ERROR_NODE` (default) | `FIRST_NODE` | \
             a node name; `useLatestParams` = `true` drops the parameter values the instance was started with.",
        ),
        op(
            WorkspaceExtension,
            "post",
            "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/confirm",
            "ConfirmJobInstance",
            EXTENSIONS,
            "Confirm a waiting-confirm instance",
        )
        .describe("Releases an instance held by `schedule.requireManualConfirmBeforeExecute` (JOBS.md §4.9)."),
        // Operator actions (JOBS.md §5.8): 204, or DLF.3051 with nothing changed.
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/succeed", "SucceedJobInstance", EXTENSIONS, "Mark an instance successful")
            .describe("`fail`, `manual-stop` or `running-exception` → `forceSuccess`; nodes still running are stopped, waiting ones canceled."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/continue", "ContinueJobInstance", EXTENSIONS, "Continue an abnormal instance")
            .describe("`running-exception` → `running`: the suspended failed nodes count as `IGNORE` failures and their descendants run."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/retry", "RetryJobInstance", EXTENSIONS, "Retry an abnormal instance's suspended nodes")
            .describe("`running-exception` → `running`: every failed `SUSPEND` node runs again."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/freeze", "FreezeJobInstance", EXTENSIONS, "Freeze a waiting instance")
            .describe("`waiting` → `freeze`: it does not start until unfrozen; downstream jobs count it as failed."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/unfreeze", "UnfreezeJobInstance", EXTENSIONS, "Unfreeze an instance")
            .describe("`freeze` → `waiting`."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/ignore-dependencies", "IgnoreJobInstanceDependencies", EXTENSIONS, "Run a waiting instance without its dependencies")
            .describe("A `waiting` instance no longer waits on `dependJobs` or `dependPrePeriod`; it still needs a concurrency slot."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/remove-dependency", "RemoveJobInstanceDependency", EXTENSIONS, "Remove one dependency of a waiting instance")
            .describe("The named upstream instance (of a job in `dependJobs`, or of the job itself with `dependPrePeriod`) is left out of the `waiting` instance's dependency windows.")
            .body("RemoveDependencyReq", true)
            .body_example(json!({"jobName": "upstream", "instanceId": 1})),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/succeed", "SucceedNodeInstance", EXTENSIONS, "Mark a suspended node successful")
            .describe("A failed `SUSPEND` node of a `running-exception` instance → `success`; its descendants run."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/retry", "RetryNodeInstance", EXTENSIONS, "Retry a suspended node")
            .describe("A failed `SUSPEND` node of a `running-exception` instance → `running` (one more attempt)."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/skip", "SkipNodeInstance", EXTENSIONS, "Skip a node")
            .describe("A `waiting` or `pause` node of a running instance → `skip` (as `SKIP_NEXT`: its descendants run); not for single-node jobs."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/pause", "PauseNodeInstance", EXTENSIONS, "Pause a node")
            .describe("A `waiting` node of a running instance → `pause`: it does not start, nor do its descendants, until resumed."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/resume", "ResumeNodeInstance", EXTENSIONS, "Resume a paused node")
            .describe("A `pause` node → `waiting`."),
        op(
            WorkspaceExtension,
            "get",
            "/x/v1/{project_id}/instances/{instance_id}/children",
            "ListInstanceChildren",
            EXTENSIONS,
            "List the children of a SubJob / For Each parent",
        )
        .describe(
            "The child instances (`instanceType` 6) that the SubJob and For Each nodes of this instance started, \
             oldest first, each with `parentInstanceId`, `parentNodeName` and `parentRow` (JOBS.md §3.2).",
        )
        .returns("QueryJobInstanceListResp", "Every child of the instance."),
        op(
            WorkspaceExtension,
            "get",
            "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/log",
            "ShowNodeLog",
            EXTENSIONS,
            "Read a node's log",
        )
        .query("attempt", int_param("int32").with("minimum", 1), "Attempt (1-based); default the latest.", json!(1))
        .query("follow", boolean_schema(false), "Stream (chunked) until the attempt ends.", json!(false))
        .returns_text("The log of one attempt, as text."),
        op(
            WorkspaceExtension,
            "get",
            "/x/v1/{project_id}/jobs/{job_name}/notifications",
            "ShowJobNotifications",
            EXTENSIONS,
            "Show a job's notification rules",
        )
        .returns("NotificationRules", "The job's rules (an empty list when it has none)."),
        op(
            WorkspaceExtension,
            "put",
            "/x/v1/{project_id}/jobs/{job_name}/notifications",
            "UpdateJobNotifications",
            EXTENSIONS,
            "Replace a job's notification rules",
        )
        .describe(
            "On an instance's end (`FAILED`, `SUCCESS`, `CANCELED`) or when it has not ended by a daily time \
             (`NOT_FINISHED`), notify a configured notifier (docs/configuration.md). RunOnce, PatchData and \
             SubJob instances never notify a success. Deleted with the job.",
        )
        .body("NotificationRules", true)
        .body_example(json!({"rules": [{"event": "FAILED", "notifier": "ops"}, {"event": "NOT_FINISHED", "notifier": "ops", "notFinishedBy": "06:30"}]}))
        .returns("NotificationRules", "The rules kept."),
        paging(
            op(
                WorkspaceExtension,
                "get",
                "/x/v1/{project_id}/notifications/deliveries",
                "ListNotificationDeliveries",
                EXTENSIONS,
                "List notification deliveries",
            ),
            1000,
        )
        .describe("What was notified, to whom, and whether it arrived (a failed delivery never changes a job).")
        .query("jobName", string_schema(), "Only this job's.", json!("myJob"))
        .returns("NotificationDeliveryList", "One page, newest first."),
        paging(op(Dlf, "get", "/v1/{project_id}/scripts", "ListScripts", SCRIPTS, "List scripts"), 100)
            .query("scriptName", string_schema(), "Substring of the script name.", json!("mrs"))
            .returns("ScriptInfoListResp", "One page of scripts."),
        op(Dlf, "post", "/v1/{project_id}/scripts", "CreateScript", SCRIPTS, "Create a script")
            .body("ScriptInfo", true)
            .body_example(json!({"name": "echoTimeShell", "type": "Shell", "content": "echo a"})),
        op(Dlf, "get", "/v1/{project_id}/scripts/{script_name}", "ShowScript", SCRIPTS, "Show a script")
            .returns("ScriptInfo", "The script."),
        op(Dlf, "put", "/v1/{project_id}/scripts/{script_name}", "UpdateScript", SCRIPTS, "Update a script")
            .describe("Name and type cannot change (`DLF.0203`).")
            .body("ScriptInfo", true),
        op(Dlf, "delete", "/v1/{project_id}/scripts/{script_name}", "DeleteScript", SCRIPTS, "Delete a script").body("DeleteReq", false),
        op(Dlf, "post", "/v1/{project_id}/scripts/{script_name}/execute", "ExecuteScript", SCRIPTS, "Execute a script")
            .describe("Starts a script run (`LAUNCHING` → `RUNNING` → `FINISHED` | `FAILED`); poll it with ListScriptResults.")
            .body("ExecuteScriptReq", true)
            .body_example(json!({"params": {"tableVar": "citys"}}))
            .returns("ExecuteScriptResp", "The run's id."),
        op(Dlf, "get", "/v1/{project_id}/scripts/{script_name}/instances/{instance_id}", "ListScriptResults", SCRIPTS, "Show a script run")
            .describe("At most 1,000 rows per result and 3 MB per run are kept; a result that lost rows says so in `message`.")
            .returns("ScriptStatus", "The run's status and results."),
        op(Dlf, "post", "/v1/{project_id}/scripts/{script_name}/instances/{instance_id}/stop", "CancelScript", SCRIPTS, "Cancel a script run")
            .describe("Stops the work where it runs; the run ends `FAILED` (\"Canceled.\"). A run that has ended is left as it is."),
        paging(op(Dlf, "get", "/v1/{project_id}/connections", "ListConnections", CONNECTIONS, "List connections"), 100)
            .describe("The built-in host connection `local` comes first. Secrets are shown as `*********`.")
            .query("connectionName", string_schema(), "Substring of the connection name.", json!("pg"))
            .returns("QueryConnectionListResp", "One page of connections."),
        op(Dlf, "post", "/v1/{project_id}/connections", "CreateConnection", CONNECTIONS, "Create a connection")
            .describe("Secret `config` keys (password, privateKey, ...) are sealed with the server's master key.")
            .body("ConnectionInfo", true)
            .body_example(json!({"name": "pg_local", "type": "RDS", "config": {"ip": "127.0.0.1", "port": "5432",
                "userName": "postgres", "password": "secret", "driverName": "org.postgresql.Driver"}})),
        op(Dlf, "get", "/v1/{project_id}/connections/{connection_name}", "ShowConnection", CONNECTIONS, "Show a connection")
            .returns("ConnectionInfo", "The connection, secrets masked."),
        op(Dlf, "put", "/v1/{project_id}/connections/{connection_name}", "UpdateConnection", CONNECTIONS, "Update a connection")
            .describe("The whole definition; the type cannot change (`DLF.6323`); a secret sent as `*********` keeps its value.")
            .body("ConnectionInfo", true),
        op(Dlf, "delete", "/v1/{project_id}/connections/{connection_name}", "DeleteConnction", CONNECTIONS, "Delete a connection")
            .describe("Refused (`DLF.3051`) while a job node or a script names the connection."),
        op(Dlf, "post", "/v1/{project_id}/connections/export", "ExportConnections", CONNECTIONS, "Export every connection as a zip")
            .describe(
                "`DLF_All_DataConnections.zip`: `connections/{name}.conn` per stored connection, its ConnectionInfo with \
                 every secret key removed (ImportConnections' `params` supply them again). The built-in `local` is never \
                 exported; a workspace with nothing to export is `DLF.6322`. No body.",
            )
            .returns_bytes("The zip."),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/connections/{connection_name}/test", "TestConnection", EXTENSIONS, "Test a connection")
            .describe("Connects for real (SQL: runs `SELECT 1`; HOST: logs in) and returns the target's own error text.")
            .returns("ConnectionTestResult", "Whether it worked, and the error text if not."),
        paging(op(Dlf, "get", "/v1/{project_id}/resources", "ListResources", RESOURCES, "List resources"), 100)
            .query("resourceName", string_schema(), "Substring of the resource name.", json!("jar"))
            .returns("ResourceList", "One page of resources, by name."),
        op(Dlf, "post", "/v1/{project_id}/resources", "CreateResource", RESOURCES, "Create a resource")
            .describe(
                "Answers `{\"resourceId\": \"<id>\"}` (API.md §0.10; the reference types the answer as a string). \
                 Names are unique in the workspace (`DLF.6259`).",
            )
            .body("ResourceInfo", true)
            .body_example(json!({"name": "test", "type": "jar", "location": "obs://dlf-test/hadoop-mapreduce-examples-2.4.1.jar",
                "dependFiles": ["obs://dlf-test/depend1.jar"], "desc": "test", "directory": "/resource"}))
            .returns_object("`{\"resourceId\": \"<id>\"}`."),
        op(Dlf, "get", "/v1/{project_id}/resources/{resource_id}", "ShowResource", RESOURCES, "Show a resource")
            .returns("ResourceInfo", "The resource, with the jobs that use it."),
        op(Dlf, "put", "/v1/{project_id}/resources/{resource_id}", "UpdateResource", RESOURCES, "Update a resource")
            .describe("The fields sent replace the stored ones; `type` and `directory` cannot change (`DLF.3051`); a rename is refused while jobs use the resource.")
            .body("ResourceInfo", false),
        op(Dlf, "delete", "/v1/{project_id}/resources/{resource_id}", "DeleteResource", RESOURCES, "Delete a resource")
            .describe("Refused (`DLF.3051`, naming the jobs) while a job node uses the resource."),
        op(Extension, "get", "/x/v1/{project_id}/objects/{bucket}/{key}", "GetObject", EXTENSIONS, "Download an object")
            .describe("The bytes of `obs://{bucket}/{key}` in the path's project (`DLF.3051` when there is none).")
            .returns_bytes("The object's bytes."),
        op(Extension, "put", "/x/v1/{project_id}/objects/{bucket}/{key}", "PutObject", EXTENSIONS, "Upload an object")
            .describe(
                "Stores the body (any content type, signed like every request) as `obs://{bucket}/{key}` of the path's \
                 project, replacing an older one atomically; at most 100 MiB by default (413).",
            ),
        op(WorkspaceExtension, "post", "/x/v1/{project_id}/http-triggers/{trigger_id}/fire", "FireHttpTrigger", EXTENSIONS, "Fire an HTTP Trigger")
            .describe("Every HTTP Trigger node of the workspace waiting on the trigger id succeeds, with the request body (any content, at most 1 MB) as its output. Nothing waiting is `DLF.3051`.")
            .returns("HttpTriggerFired", "The instances fired."),
        op(Extension, "get", "/x/v1/{project_id}/workspaces", "ListWorkspaces", EXTENSIONS, "List the project's workspaces")
            .returns("WorkspaceList", "Every workspace, the default one included."),
        op(Extension, "post", "/x/v1/{project_id}/workspaces", "CreateWorkspace", EXTENSIONS, "Create a workspace")
            .body("NewWorkspace", true)
            .returns("Workspace", "The new workspace; send its `id` in the `workspace` header."),
        op(Extension, "post", "/x/v1/{project_id}/access-keys", "CreateAccessKey", EXTENSIONS, "Create an AK/SK pair")
            .describe("Administrator credentials only (403 otherwise).")
            .body("NewAccessKeyReq", false)
            .returns("NewAccessKey", "The key and its secret."),
        op(Extension, "get", "/x/v1/{project_id}/access-keys", "ListAccessKeys", EXTENSIONS, "List the project's access keys")
            .describe("Administrator credentials only (403 otherwise). Secrets are never shown.")
            .returns("AccessKeyList", "The keys bound to the project."),
        op(Extension, "delete", "/x/v1/{project_id}/access-keys/{access_key}", "DeleteAccessKey", EXTENSIONS, "Delete an access key")
            .describe("Administrator credentials only. The key and the tokens it created stop working within a second."),
        op(Extension, "post", "/x/v1/{project_id}/access-keys/{access_key}/disable", "DisableAccessKey", EXTENSIONS, "Disable an access key")
            .describe("Administrator credentials only. The key and its tokens stop working within a second, until enabled."),
        op(Extension, "post", "/x/v1/{project_id}/access-keys/{access_key}/enable", "EnableAccessKey", EXTENSIONS, "Enable an access key again")
            .describe("Administrator credentials only."),
        op(Extension, "post", "/x/v1/{project_id}/tokens", "CreateToken", EXTENSIONS, "Create an X-Auth-Token")
            .describe("Only for a request signed with an access key (AK/SK); the token belongs to that key and stops working with it.")
            .body("NewTokenReq", false)
            .returns("NewToken", "The token."),
        op(Extension, "get", "/x/v1/info", "ShowServerInfo", EXTENSIONS, "Show server information")
            .returns("ServerInfo", "Version and service time zone.")
            // 403: the auth layer reads `info` as a project id (an `X-Project-Id` header or a
            // project-bound key is refused).
            .errors(&[401, 403, 404, 413, 500]),
        op(Dlf, "post", "/v1/{project_id}/jobs/import", "ImportJob", JOBS, "Import jobs")
            .describe("Checks the path, then imports in the background as a system task (poll it with ListSystemTasks).")
            .body("ImportFileReq", true)
            .body_example(json!({"path": "obs://pkgs/jobs.zip", "sameNamePolicy": "OVERWRITE", "jobsParam": [{"name": "daily", "params": {"env": "prod"}}]}))
            .returns("ImportJobResp", "The task id."),
        op(Dlf, "post", "/v1/{project_id}/jobs/check-file", "ShowFileInfo", JOBS, "List what a package holds")
            .describe("Changes nothing; a package that would be refused answers `DLF.3051` saying why.")
            .body("FilePath", true)
            .body_example(json!({"path": "obs://pkgs/jobs.zip"}))
            .returns("FileInfoResp", "Its jobs and scripts."),
        op(Dlf, "post", "/v1/{project_id}/connections/import", "ImportConnections", CONNECTIONS, "Import connections")
            .describe("As ImportJob, for the `.conn` entries of a package; an entry named `local` is skipped.")
            .body("ImportConnectionReq", true)
            .body_example(json!({"path": "obs://pkgs/DLF_All_DataConnections.zip", "params": [{"name": "pg", "connectionType": "RDS", "params": {"password": "secret"}}]}))
            .returns("ImportConnectionResp", "The task id."),
        op(Dlf, "get", "/v1/{project_id}/system-tasks/{task_id}", "ListSystemTasks", SYSTEM_TASKS, "Show a system task")
            .describe("One task (despite the name), with a subtask per imported object.")
            .returns("QuerySystemTaskResp", "The task."),
        op(Public, "get", "/healthz", "CheckHealth", SYSTEM, "Health check").returns("Health", "Ready."),
        op(Public, "get", "/openapi.json", "ShowOpenApi", SYSTEM, "This document").returns_object("This OpenAPI document."),
    ]
}

/// `paths`: operations grouped by path template, in first-seen order.
pub fn paths() -> Map<String, Value> {
    let mut paths = Map::new();
    for op in operations() {
        let (path, method) = (op.path, op.method);
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[method] = op.into_json();
    }
    paths
}

/// API.md J1's example (camelCase, as the wire wants it).
fn create_job_example() -> Value {
    json!({
        "name": "myJob",
        "processType": "BATCH",
        "directory": "/myDir",
        "basicConfig": {"owner": "test_user", "priority": 0, "executeUser": "", "instanceTimeout": 0, "customFields": {}},
        "schedule": {
            "type": "CRON",
            "cron": {"startTime": "2024-01-01T00:00:00+08", "expression": "0 0 2 * * ?", "expressionTimeZone": "GMT+8"},
        },
        "params": [{"name": "day", "value": "20240101", "type": "variable"}],
        "nodes": [{
            "name": "echo",
            "type": "Shell",
            "location": {"x": "-45.5", "y": "-134.5"},
            "preNodeName": [],
            "failPolicy": "FAIL_CHILD",
            "maxExecutionTime": 360,
            "retryTimes": 0,
            "retryInterval": 120,
            "properties": [{"name": "scriptName", "value": "echoTimeShell"}, {"name": "arguments", "value": "${day}"}],
        }],
    })
}

fn start_job_example() -> Value {
    json!({"jobParams": [{"name": "day", "value": "20240101", "type": "variable"}]})
}
