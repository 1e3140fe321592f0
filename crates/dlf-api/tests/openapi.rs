//! `/openapi.json` stays true: it is well-formed OpenAPI 3.0.3, every documented operation is
//! routed (and nothing else on its paths), its security is what the server enforces, its wire
//! names are the reference's (`tests/data/dlf-openapi/`, copied unchanged from
//! `shared/reference/dlf-openapi/`) up to a justified allow-list, live answers match the
//! documented schemas, and the router serves it.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use dlf_api::AuthMode;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn doc() -> &'static Value {
    dlf_api::openapi::document()
}

/// A local `$ref` (`#/components/...`), resolved.
fn resolve<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("non-local $ref {reference}"));
    doc.pointer(pointer).unwrap_or_else(|| panic!("$ref {reference} does not resolve"))
}

/// Follows `$ref`s until a concrete object.
fn deref<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    while let Some(r) = value.get("$ref").and_then(Value::as_str) {
        value = resolve(doc, r);
    }
    value
}

/// Every (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if METHODS.contains(&method.as_str()) {
                ops.push((path.clone(), method.clone(), op));
            }
        }
    }
    ops
}

fn operation<'a>(doc: &'a Value, id: &str) -> &'a Value {
    operations(doc)
        .into_iter()
        .find(|(_, _, op)| op["operationId"] == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
        .2
}

/// An operation's parameters, `$ref`s resolved.
fn parameters<'a>(doc: &'a Value, op: &'a Value) -> Vec<&'a Value> {
    op["parameters"].as_array().map(|ps| ps.iter().map(|p| deref(doc, p)).collect()).unwrap_or_default()
}

fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// What the router serves (lib.rs), as documented: method, path, operationId.
const ROUTES: &[(&str, &str, &str)] = &[
    ("get", "/v1/{project_id}/jobs", "ListJobs"),
    ("post", "/v1/{project_id}/jobs", "CreateJob"),
    ("get", "/v1/{project_id}/jobs/{job_name}", "ShowJob"),
    ("put", "/v1/{project_id}/jobs/{job_name}", "UpdateJob"),
    ("delete", "/v1/{project_id}/jobs/{job_name}", "DeleteJob"),
    ("post", "/v1/{project_id}/jobs/{job_name}/start", "StartJob"),
    ("post", "/v1/{project_id}/jobs/{job_name}/stop", "StopJob"),
    ("get", "/v1/{project_id}/jobs/{job_name}/status", "ShowJobStatus"),
    ("post", "/v1/{project_id}/jobs/{job_name}/run-immediate", "RunOnce"),
    ("post", "/v1/{project_id}/jobs/{job_name}/export", "ExportJob"),
    ("post", "/v1/{project_id}/jobs/batch-export", "ExportJobList"),
    ("get", "/v1/{project_id}/jobs/instances/detail", "ListJobInstances"),
    ("get", "/v1/{project_id}/jobs/{job_name}/instances/{instance_id}", "ShowJobInstance"),
    ("post", "/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/stop", "StopJobInstance"),
    ("post", "/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/restart", "RestoreJobInstance"),
    ("post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/confirm", "ConfirmJobInstance"),
    ("post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/succeed", "SucceedJobInstance"),
    ("post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/continue", "ContinueJobInstance"),
    ("post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/retry", "RetryJobInstance"),
    ("post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/freeze", "FreezeJobInstance"),
    ("post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/unfreeze", "UnfreezeJobInstance"),
    (
        "post",
        "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/ignore-dependencies",
        "IgnoreJobInstanceDependencies",
    ),
    (
        "post",
        "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/remove-dependency",
        "RemoveJobInstanceDependency",
    ),
    (
        "post",
        "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/succeed",
        "SucceedNodeInstance",
    ),
    ("post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/retry", "RetryNodeInstance"),
    ("post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/skip", "SkipNodeInstance"),
    ("post", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/pause", "PauseNodeInstance"),
    (
        "post",
        "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/resume",
        "ResumeNodeInstance",
    ),
    ("get", "/x/v1/{project_id}/instances/{instance_id}/children", "ListInstanceChildren"),
    ("get", "/x/v1/{project_id}/jobs/{job_name}/instances/{instance_id}/nodes/{node_name}/log", "ShowNodeLog"),
    ("get", "/x/v1/{project_id}/jobs/{job_name}/notifications", "ShowJobNotifications"),
    ("put", "/x/v1/{project_id}/jobs/{job_name}/notifications", "UpdateJobNotifications"),
    ("get", "/x/v1/{project_id}/notifications/deliveries", "ListNotificationDeliveries"),
    ("get", "/v1/{project_id}/scripts", "ListScripts"),
    ("post", "/v1/{project_id}/scripts", "CreateScript"),
    ("get", "/v1/{project_id}/scripts/{script_name}", "ShowScript"),
    ("put", "/v1/{project_id}/scripts/{script_name}", "UpdateScript"),
    ("delete", "/v1/{project_id}/scripts/{script_name}", "DeleteScript"),
    ("post", "/v1/{project_id}/scripts/{script_name}/execute", "ExecuteScript"),
    ("get", "/v1/{project_id}/scripts/{script_name}/instances/{instance_id}", "ListScriptResults"),
    ("post", "/v1/{project_id}/scripts/{script_name}/instances/{instance_id}/stop", "CancelScript"),
    ("get", "/v1/{project_id}/connections", "ListConnections"),
    ("post", "/v1/{project_id}/connections", "CreateConnection"),
    ("get", "/v1/{project_id}/connections/{connection_name}", "ShowConnection"),
    ("put", "/v1/{project_id}/connections/{connection_name}", "UpdateConnection"),
    ("delete", "/v1/{project_id}/connections/{connection_name}", "DeleteConnction"),
    ("post", "/v1/{project_id}/connections/export", "ExportConnections"),
    ("post", "/x/v1/{project_id}/connections/{connection_name}/test", "TestConnection"),
    ("get", "/v1/{project_id}/resources", "ListResources"),
    ("post", "/v1/{project_id}/resources", "CreateResource"),
    ("get", "/v1/{project_id}/resources/{resource_id}", "ShowResource"),
    ("put", "/v1/{project_id}/resources/{resource_id}", "UpdateResource"),
    ("delete", "/v1/{project_id}/resources/{resource_id}", "DeleteResource"),
    ("get", "/x/v1/{project_id}/objects/{bucket}/{key}", "GetObject"),
    ("put", "/x/v1/{project_id}/objects/{bucket}/{key}", "PutObject"),
    ("post", "/x/v1/{project_id}/http-triggers/{trigger_id}/fire", "FireHttpTrigger"),
    ("get", "/x/v1/{project_id}/workspaces", "ListWorkspaces"),
    ("post", "/x/v1/{project_id}/workspaces", "CreateWorkspace"),
    ("post", "/x/v1/{project_id}/access-keys", "CreateAccessKey"),
    ("get", "/x/v1/{project_id}/access-keys", "ListAccessKeys"),
    ("delete", "/x/v1/{project_id}/access-keys/{access_key}", "DeleteAccessKey"),
    ("post", "/x/v1/{project_id}/access-keys/{access_key}/disable", "DisableAccessKey"),
    ("post", "/x/v1/{project_id}/access-keys/{access_key}/enable", "EnableAccessKey"),
    ("post", "/x/v1/{project_id}/tokens", "CreateToken"),
    ("get", "/x/v1/info", "ShowServerInfo"),
    ("post", "/v1/{project_id}/jobs/import", "ImportJob"),
    ("post", "/v1/{project_id}/jobs/check-file", "ShowFileInfo"),
    ("post", "/v1/{project_id}/connections/import", "ImportConnections"),
    ("get", "/v1/{project_id}/system-tasks/{task_id}", "ListSystemTasks"),
    ("get", "/healthz", "CheckHealth"),
    ("get", "/openapi.json", "ShowOpenApi"),
];

#[test]
fn document_is_well_formed_openapi_3_0_3() {
    let doc = doc();
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string(), "info needs title and version");
    assert!(doc["paths"].as_object().is_some_and(|p| !p.is_empty()), "paths");

    let mut refs = Vec::new();
    collect_refs(doc, &mut refs);
    assert!(refs.len() > 50, "the document uses components");
    for r in refs {
        resolve(doc, r);
    }

    let tags: BTreeSet<&str> =
        doc["tags"].as_array().expect("tags").iter().map(|t| t["name"].as_str().unwrap()).collect();
    let schemes = doc["components"]["securitySchemes"].as_object().expect("securitySchemes");
    let mut ids = BTreeSet::new();
    let mut documented = BTreeSet::new();
    for (path, method, op) in operations(doc) {
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: operationId"));
        assert!(ids.insert(id.to_string()), "operationId {id} is used twice");
        documented.insert((method.clone(), path.clone(), id.to_string()));
        let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{id}: responses"));
        assert!(responses.keys().any(|s| s.starts_with('2')), "{id}: no success response");
        for (status, response) in responses {
            assert!(status.len() == 3 && status.parse::<u16>().is_ok(), "{id}: status {status}");
            assert!(deref(doc, response)["description"].is_string(), "{id} {status}: description");
        }
        for tag in op["tags"].as_array().unwrap_or_else(|| panic!("{id}: tags")) {
            assert!(tags.contains(tag.as_str().unwrap()), "{id}: tag {tag} is not declared");
        }
        // Path parameters and the template agree, in order.
        let in_template: Vec<&str> = path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
        let params = parameters(doc, op);
        let in_path: Vec<&str> =
            params.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(in_path, in_template, "{id}: path parameters");
        for p in &params {
            assert!(p["schema"].is_object(), "{id}: parameter {} needs a schema", p["name"]);
            assert!(p["in"] != "path" || p["required"] == true, "{id}: path parameters are required");
        }
        // Security: every /v1 and /x/v1 route needs AK/SK or a token; the rest need nothing.
        let security = op["security"].as_array().unwrap_or_else(|| panic!("{id}: security"));
        let authenticated = path.starts_with("/v1/") || path.starts_with("/x/v1/");
        assert_eq!(!security.is_empty(), authenticated, "{id}: security");
        for requirement in security {
            for scheme in requirement.as_object().unwrap().keys() {
                assert!(schemes.contains_key(scheme), "{id}: unknown security scheme {scheme}");
            }
        }
        // The workspace header on every operation that acts in a workspace.
        let workspace = params.iter().any(|p| p["in"] == "header" && p["name"] == "workspace");
        assert_eq!(
            workspace,
            path.starts_with("/v1/")
                || path.starts_with("/x/v1/{project_id}/jobs/")
                || path.starts_with("/x/v1/{project_id}/connections/")
                || path.starts_with("/x/v1/{project_id}/http-triggers/")
                || path.starts_with("/x/v1/{project_id}/notifications/")
                || path.starts_with("/x/v1/{project_id}/instances/"),
            "{id}: workspace header"
        );
        // Extensions are flagged, DLF operations are not.
        assert_eq!(op["x-dlf-extension"] == true, path.starts_with("/x/"), "{id}: x-dlf-extension");
        if authenticated {
            for status in ["400", "401", "404", "413"] {
                if id == "ShowServerInfo" && status == "400" {
                    continue;
                }
                let error = deref(doc, &responses[status]);
                assert_eq!(
                    error["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorResponse",
                    "{id} {status}"
                );
            }
        }
    }
    let expected: BTreeSet<_> =
        ROUTES.iter().map(|(m, p, id)| (m.to_string(), p.to_string(), id.to_string())).collect();
    assert_eq!(documented, expected, "documented operations = the router's routes");

    // Object schemas: `required` names documented properties.
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        assert!(schema["type"].is_string() || schema["allOf"].is_array(), "schema {name}: type");
        if let (Some(required), Some(props)) = (schema["required"].as_array(), schema["properties"].as_object()) {
            for r in required {
                assert!(props.contains_key(r.as_str().unwrap()), "schema {name}: required {r} is not a property");
            }
        }
    }
}

/// Enums the model owns are the model's.
#[test]
fn enums_follow_the_model() {
    use dlf_core::model::{InstanceStatus, InstanceType, JobStatus, NodeStatus, ScheduleKind};
    let doc = doc();
    let schema = |name: &str, prop: &str| doc["components"]["schemas"][name]["properties"][prop].clone();
    let strings = |v: Value| -> Vec<String> {
        v["enum"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
    };
    let instance: Vec<String> = InstanceStatus::ALL.iter().map(|s| s.to_string()).collect();
    assert_eq!(strings(schema("JobInstance", "status")), instance);
    assert_eq!(strings(schema("QueryJobInstanceResp", "status")), instance);
    assert_eq!(
        strings(schema("NodeInstance", "status")),
        NodeStatus::ALL.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    );
    assert_eq!(
        strings(schema("JobResult", "status")),
        JobStatus::ALL.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    );
    let codes: Vec<i64> = InstanceType::ALL.iter().map(|t| t.code()).collect();
    assert_eq!(schema("JobInstance", "instanceType")["enum"], json!(codes));
    let schedule_types = strings(schema("Schedule", "type"));
    assert_eq!(schedule_types.len(), 6, "three kinds and three aliases");
    for t in &schedule_types {
        assert!(ScheduleKind::parse(t).is_some(), "schedule type {t} is not understood by the model");
    }
    for p in strings(schema("Node", "failPolicy")) {
        assert!(dlf_core::model::FailPolicy::parse(&p).is_some(), "failPolicy {p}");
    }
    assert_eq!(strings(schema("ScriptInfo", "type")), dlf_core::model::script::SCRIPT_TYPES.to_vec());
}

/// A concrete URI for an operation: placeholders for path parameters, optionally the query
/// examples.
fn uri(doc: &Value, path: &str, op: &Value, with_examples: bool) -> String {
    let mut uri = path
        .replace("{project_id}", PROJECT)
        .replace("{job_name}", "no-such-job")
        .replace("{instance_id}", "1")
        .replace("{script_name}", "no-such-script")
        .replace("{node_name}", "no-such-node")
        .replace("{access_key}", "NOSUCHKEY")
        .replace("{resource_id}", "no-such-resource")
        .replace("{bucket}", "bucket")
        .replace("{key}", "dir/key.txt");
    if with_examples {
        let query: Vec<String> = parameters(doc, op)
            .into_iter()
            .filter(|p| p["in"] == "query")
            .map(|p| {
                let example = &p["example"];
                let text = example.as_str().map(str::to_string).unwrap_or_else(|| example.to_string());
                format!("{}={}", p["name"].as_str().unwrap(), text.replace(',', "%2C"))
            })
            .collect();
        if !query.is_empty() {
            uri = format!("{uri}?{}", query.join("&"));
        }
    }
    uri
}

fn request(method: &str, uri: &str, body: &[u8]) -> Request<Body> {
    Request::builder()
        .method(method.to_uppercase().as_str())
        .uri(uri)
        .header("Content-Type", "application/json")
        .body(Body::from(body.to_vec()))
        .unwrap()
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_nothing_else() {
    let s = TestServer::start_with(AuthMode::Disabled).await;
    let doc = doc();
    for (path, method, op) in operations(doc) {
        let id = &op["operationId"];
        let body: &[u8] = if method == "post" || method == "put" { b"{}" } else { b"" };
        let reply = s.send(request(&method, &uri(doc, &path, op, false), body)).await;
        assert_ne!(reply.status, 404, "{id} ({method} {path}) is not routed: {}", String::from_utf8_lossy(&reply.body));
        // Documented query parameters (their examples) are understood by the list operations.
        let has_query = parameters(doc, op).iter().any(|p| p["in"] == "query");
        if method == "get" && has_query && path.matches('{').count() == 1 {
            let full = uri(doc, &path, op, true);
            let reply = s.send(request(&method, &full, b"")).await;
            assert_eq!(
                reply.status,
                200,
                "{id} with every documented query parameter ({full}): {}",
                String::from_utf8_lossy(&reply.body)
            );
        }
    }
    // Methods a documented path does not list are unknown routes.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_none() {
                let uri = uri(doc, path, &Value::Null, false);
                s.send(request(method, &uri, b"")).await.assert_error(404, "APIGW.0101");
            }
        }
    }
    // Undocumented DLF operations (not implemented) and made-up paths are unknown routes.
    for (method, path) in [
        ("get", v1("/jobs/j/instances")),
        ("get", format!("/x/v1/{PROJECT}/nothing")),
        ("post", format!("/x/v1/{PROJECT}/jobs/j/instances/1/no-such-action")),
        ("post", format!("/x/v1/{PROJECT}/jobs/j/instances/1/nodes/n/no-such-action")),
        ("get", format!("/v2/{PROJECT}/jobs")),
        ("get", "/openapi.yaml".to_string()),
    ] {
        s.send(request(method, &path, b"")).await.assert_error(404, "APIGW.0101");
    }
}

#[tokio::test]
async fn documented_security_is_enforced() {
    let s = TestServer::start().await;
    let doc = doc();
    for (path, method, op) in operations(doc) {
        let id = &op["operationId"];
        let reply = s.send(request(&method, &uri(doc, &path, op, false), b"")).await;
        if op["security"].as_array().unwrap().is_empty() {
            assert_eq!(reply.status, 200, "{id} needs no credentials");
        } else {
            reply.assert_error(401, "APIGW.0301");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Wire names against the reference.

fn reference_file(name: &str) -> Value {
    let path = format!("{}/tests/data/dlf-openapi/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The properties of one of our schemas, `allOf` parts merged.
fn our_properties<'a>(doc: &'a Value, schema: &'a Value) -> BTreeMap<String, &'a Value> {
    let schema = deref(doc, schema);
    let mut props = BTreeMap::new();
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            props.extend(our_properties(doc, part));
        }
    }
    if let Some(map) = schema["properties"].as_object() {
        props.extend(map.iter().map(|(k, v)| (k.clone(), v)));
    }
    props
}

/// The JSON type a schema describes (`$ref` → object), reference or ours.
fn json_type(doc: &Value, schema: &Value) -> String {
    if schema.get("$ref").is_some() || schema.get("allOf").is_some() {
        return "object".into();
    }
    match schema["type"].as_str() {
        Some("long" | "integer") => "integer".into(),
        Some("double" | "number") => "number".into(),
        Some(other) => other.into(),
        None => deref(doc, schema)["type"].as_str().unwrap_or("?").into(),
    }
}

/// One of our schemas and its reference definition.
struct Counterpart {
    ours: &'static str,
    file: &'static str,
    definition: &'static str,
    /// Our properties the reference lacks, each with its justification.
    extras: &'static [(&'static str, &'static str)],
    /// Properties we type differently on purpose, each with its justification.
    retyped: &'static [(&'static str, &'static str)],
}

/// `(ours, file, definition)` with nothing to excuse.
const fn same(ours: &'static str, file: &'static str, definition: &'static str) -> Counterpart {
    Counterpart { ours, file, definition, extras: &[], retyped: &[] }
}

/// The link of a SubJob / For Each child to its parent (JOBS.md §3.2, `instanceType` 6).
const CHILD_LINK: &[(&str, &str)] = &[
    ("parentInstanceId", "JOBS.md §3.2: a SubJob / For Each child's parent instance"),
    ("parentNodeName", "JOBS.md §3.2: the parent's node that started the child"),
    ("parentRow", "JOBS.md §3.2: the For Each row the child runs"),
];

const COUNTERPARTS: &[Counterpart] = &[
    Counterpart {
        extras: &[("description", "JOBS.md §2.1: ShowJob returns it; accepted on input (exports carry it)")],
        ..same("JobInfo", "CreateJob", "JobInfo")
    },
    same("Node", "CreateJob", "Node"),
    same("Location", "CreateJob", "Location"),
    same("Property", "CreateJob", "Property"),
    Counterpart {
        extras: &[("skipPolicy", "JOBS.md §5.6: skip propagation, SKIP_ALL | SKIP_NEXT")],
        ..same("Condition", "CreateJob", "Condition")
    },
    Counterpart {
        extras: &[(
            "requireManualConfirmBeforeExecute",
            "JOBS.md §2.4/§4.9: export field dlf honours (waiting-confirm)",
        )],
        ..same("Schedule", "CreateJob", "Schedule")
    },
    Counterpart {
        extras: &[("concurrent", "JOBS.md §2.4/§4.8: max running instances, present in exports")],
        ..same("Cron", "CreateJob", "Cron")
    },
    same("CronTrigger", "CreateJob", "CronTrigger"),
    same("DependJob", "CreateJob", "DependJob"),
    same("DependWorkSpaceJob", "CreateJob", "DependWorkSpaceJob"),
    same("Event", "CreateJob", "Event"),
    same("JobParam", "CreateJob", "JobParam"),
    same("BasicConfig", "CreateJob", "BasicConfig"),
    same("JobApprover", "CreateJob", "JobApprover"),
    same("DeleteReq", "DeleteJob", "DeleteReq"),
    same("DeleteReq", "DeleteScript", "DeleteReq"),
    same("StartJobReq", "StartJob", "StartJobReq"),
    same("StartJobReq", "RunOnce", "StartJobReq"),
    same("ExportJobReq", "ExportJob", "ExportJobReq"),
    same("ExportJobsReq", "ExportJobList", "ExportJobsReq"),
    Counterpart {
        extras: &[
            ("targetStatus", "JOBS.md §2.1: a stored JobInfo field, echoed by ShowJob"),
            ("approvers", "JOBS.md §2.1: a stored JobInfo field, echoed by ShowJob"),
        ],
        ..same("ShowJobInfoResp", "ShowJob", "ShowJobInfoResp")
    },
    same("JobInformation", "ShowJob", "JobInformation"),
    same("ListJobResp", "ListJobs", "ListJobResp"),
    same("JobResult", "ListJobs", "JobResult"),
    same("RunOnceResp", "RunOnce", "RunOnceResp"),
    Counterpart {
        retyped: &[
            ("starttime", "API.md §0.8: epoch ms as a JSON integer (the reference types it string)"),
            ("endTime", "API.md §0.8: epoch ms as a JSON integer"),
            ("lastUpdateTime", "API.md §0.8: epoch ms as a JSON integer"),
        ],
        ..same("RealTimeJobStatusResp", "ShowJobStatus", "RealTimeJobStatusResp")
    },
    same("RealTimeNodeStatus", "ShowJobStatus", "RealTimeNodeStatus"),
    same("QueryJobInstanceListResp", "ListJobInstances", "QueryJobInstanceListResp"),
    Counterpart { extras: CHILD_LINK, ..same("JobInstance", "ListJobInstances", "JobInstance") },
    Counterpart {
        extras: &[
            ("errorMessage", "JOBS.md §5.10: the failure reason, as on the ListJobInstances row"),
            CHILD_LINK[0],
            CHILD_LINK[1],
            CHILD_LINK[2],
        ],
        ..same("QueryJobInstanceResp", "ShowJobInstance", "QueryJobInstanceResp")
    },
    same("NodeInstance", "ShowJobInstance", "NodeInstance"),
    same("ScriptInfo", "CreateScript", "ScriptInfo"),
    same("ScriptInfo", "ShowScript", "ScriptInfo"),
    same("ScriptInfoListResp", "ListScripts", "ScriptInfoListResp"),
    same("ResourceInfo", "CreateResource", "ResourceInfo"),
    same("ResourceInfo", "ShowResource", "ResourceInfo"),
    same("DependPackage", "CreateResource", "DependPackage"),
    same("Relation", "ShowResource", "Relation"),
    same("ResourceList", "ListResources", "ResourceList"),
];

#[test]
fn schema_wire_names_match_the_reference() {
    let doc = doc();
    let mut failures = Vec::new();
    for Counterpart { ours, file, definition, extras, retyped } in COUNTERPARTS {
        let reference = reference_file(file);
        let theirs = &reference["definitions"][definition];
        assert!(theirs.is_object(), "{file}.json has no definition {definition}");
        let their_props = theirs["properties"].as_object().unwrap();
        let our_props = our_properties(doc, &doc["components"]["schemas"][ours]);
        assert!(!our_props.is_empty(), "schema {ours} has no properties");
        for (name, schema) in &our_props {
            match their_props.get(name) {
                None if extras.iter().any(|(n, _)| n == name) => {
                    // Flagged where it is defined (ShowJobInfoResp inherits JobInfo's fields).
                    let own =
                        deref(doc, &doc["components"]["schemas"][ours])["properties"].get(name.as_str()).is_some();
                    if own && schema["x-dlf-extension"] != true {
                        failures.push(format!("{ours}.{name}: an extension must be flagged x-dlf-extension"));
                    }
                }
                None => failures.push(format!(
                    "{ours}.{name} is not in {file}.json {definition} (typo, or an unlisted extension?)"
                )),
                Some(their) => {
                    let (a, b) = (json_type(doc, schema), json_type(&reference, their));
                    if a != b && !retyped.iter().any(|(n, _)| n == name) {
                        failures.push(format!("{ours}.{name}: type {a}, reference {b}"));
                    }
                }
            }
        }
        for (name, why) in extras.iter().chain(retyped.iter()) {
            assert!(our_props.contains_key(*name), "allow-list entry {ours}.{name} ({why}) is not documented any more");
        }
        for (name, _) in extras.iter() {
            assert!(
                !their_props.contains_key(*name),
                "allow-list entry {ours}.{name} is in the reference: drop it from the list"
            );
        }
        for required in theirs["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap();
            if !our_props.contains_key(name) {
                failures.push(format!("{ours} lacks {name}, required by {file}.json {definition}"));
            }
        }
    }
    assert!(failures.is_empty(), "wire-name mismatches:\n{}", failures.join("\n"));
}

/// Request-side enums accept every value the reference lists (an SDK may send any of them);
/// answer-side enums only hold values the reference knows (an SDK may parse them).
#[test]
fn enums_agree_with_the_reference() {
    let doc = doc();
    let strings = |v: &Value| -> BTreeSet<String> {
        v["enum"].as_array().into_iter().flatten().filter_map(|s| s.as_str().map(String::from)).collect()
    };
    // (our schema, property, reference file, definition, direction)
    let accepts: &[(&str, &str, &str, &str)] = &[
        ("JobInfo", "processType", "CreateJob", "JobInfo"),
        ("JobInfo", "targetStatus", "CreateJob", "JobInfo"),
        ("Node", "failPolicy", "CreateJob", "Node"),
        ("Schedule", "type", "CreateJob", "Schedule"),
        ("DependJob", "dependFailPolicy", "CreateJob", "DependJob"),
        ("JobParam", "type", "CreateJob", "JobParam"),
        ("ScriptInfo", "type", "CreateScript", "ScriptInfo"),
        ("ScriptInfo", "targetStatus", "CreateScript", "ScriptInfo"),
    ];
    for (ours, prop, file, definition) in accepts {
        let reference = reference_file(file);
        let theirs = strings(&reference["definitions"][definition]["properties"][prop]);
        let mine = strings(&doc["components"]["schemas"][ours]["properties"][prop]);
        assert!(!theirs.is_empty(), "{file} {definition}.{prop} has an enum");
        assert!(
            mine.is_superset(&theirs),
            "{ours}.{prop} must accept every reference value: {:?}",
            theirs.difference(&mine).collect::<Vec<_>>()
        );
    }
    let answers: &[(&str, &str, &str, &str, &[&str])] = &[
        ("JobResult", "status", "ListJobs", "JobResult", &[]),
        ("JobInstance", "status", "ListJobInstances", "JobInstance", &[]),
        // dlf answers ShowJobStatus for BATCH jobs too (API.md J9 leaves it open), whose
        // statuses the RealTime enum lacks.
        ("RealTimeJobStatusResp", "status", "ShowJobStatus", "RealTimeJobStatusResp", &["SCHEDULING", "PAUSED"]),
        ("RealTimeNodeStatus", "status", "ShowJobStatus", "RealTimeNodeStatus", &["SCHEDULING", "PAUSED"]),
    ];
    for (ours, prop, file, definition, batch_only) in answers {
        let reference = reference_file(file);
        let mut theirs = strings(&reference["definitions"][definition]["properties"][prop]);
        theirs.extend(batch_only.iter().map(|s| s.to_string()));
        let mine = strings(&doc["components"]["schemas"][ours]["properties"][prop]);
        assert!(
            mine.is_subset(&theirs),
            "{ours}.{prop} emits values the reference lacks: {:?}",
            mine.difference(&theirs).collect::<Vec<_>>()
        );
    }
}

/// Each DLF operation: same method, path, operationId, parameters (names, places), body schema
/// and success status as its reference file.
#[test]
fn operations_match_the_reference() {
    let doc = doc();
    // The reference types `instanceType` as a string with an integer enum; API.md §0.10: integer.
    let retyped_query = ["instanceType"];
    for (path, method, op) in operations(doc) {
        if !path.starts_with("/v1/") {
            continue;
        }
        let id = op["operationId"].as_str().unwrap();
        let reference = reference_file(id);
        assert_eq!(reference["name"], id, "{id}.json names another operation");
        let their_op = &reference["paths"][&path][&method];
        assert_eq!(their_op["operationId"], id, "{id}: {method} {path} is not the reference's route");

        let ours: BTreeSet<(String, String)> = parameters(doc, op)
            .iter()
            .map(|p| (p["in"].as_str().unwrap().to_string(), p["name"].as_str().unwrap().to_string()))
            .collect();
        let theirs: BTreeSet<(String, String)> = their_op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] != "body")
            .map(|p| (p["in"].as_str().unwrap().to_string(), p["name"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(ours, theirs, "{id}: parameters (in, name)");
        for p in parameters(doc, op).into_iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap();
            let their = their_op["parameters"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap();
            if !retyped_query.contains(&name) {
                assert_eq!(p["schema"]["type"], their["type"], "{id}: type of query parameter {name}");
            }
        }

        let their_body = their_op["parameters"].as_array().unwrap().iter().find(|p| p["in"] == "body");
        match (their_body, op.get("requestBody")) {
            (None, None) => {}
            (Some(theirs), Some(ours)) => {
                let their_schema = theirs["schema"]["$ref"].as_str().unwrap().trim_start_matches("#/definitions/");
                let our_schema = ours["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
                assert_eq!(our_schema, format!("#/components/schemas/{their_schema}"), "{id}: body schema");
                assert_eq!(ours["required"], theirs["required"], "{id}: body required");
            }
            (theirs, ours) => panic!("{id}: body {theirs:?} vs ours {ours:?}"),
        }

        let success = |responses: &Value| -> Vec<String> {
            responses.as_object().unwrap().keys().filter(|s| s.starts_with('2')).cloned().collect()
        };
        assert_eq!(success(&op["responses"]), success(&their_op["responses"]), "{id}: success status");
        let their_answer = &their_op["responses"][success(&their_op["responses"])[0].as_str()]["schema"]["$ref"];
        let our_answer =
            &op["responses"][success(&op["responses"])[0].as_str()]["content"]["application/json"]["schema"]["$ref"];
        match their_answer.as_str() {
            Some(r) => assert_eq!(
                our_answer,
                &json!(r.replace("#/definitions/", "#/components/schemas/")),
                "{id}: answer schema"
            ),
            None => assert!(our_answer.is_null(), "{id}: the reference answers without a body"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Live answers against the documented schemas.

/// Checks `value` against `schema` (the subset of OpenAPI the document uses). Object schemas
/// without `additionalProperties: true` must list every key the server sends.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = deref(doc, schema);
    if let Some(parts) = schema["allOf"].as_array() {
        // Merge the parts: one object with every part's properties and required keys.
        let mut merged = json!({"type": "object", "properties": {}, "required": []});
        for part in parts {
            let part = deref(doc, part);
            for (k, v) in part["properties"].as_object().into_iter().flatten() {
                merged["properties"][k] = v.clone();
            }
            for r in part["required"].as_array().into_iter().flatten() {
                merged["required"].as_array_mut().unwrap().push(r.clone());
            }
            if part["additionalProperties"] == true {
                merged["additionalProperties"] = json!(true);
            }
        }
        return validate(doc, &merged, value, at, errors);
    }
    if value.is_null() && schema["nullable"] == true {
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    let ok = match schema["type"].as_str() {
        Some("object") => {
            if let Some(map) = value.as_object() {
                check_object(doc, schema, map, at, errors);
                true
            } else {
                false
            }
        }
        Some("array") => {
            if let Some(items) = value.as_array() {
                for (i, item) in items.iter().enumerate() {
                    validate(doc, &schema["items"], item, &format!("{at}[{i}]"), errors);
                }
                true
            } else {
                false
            }
        }
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        None => true,
        Some(other) => panic!("{at}: schema type {other}"),
    };
    if !ok {
        errors.push(format!("{at}: {value} is not of type {}", schema["type"]));
    }
}

fn check_object(doc: &Value, schema: &Value, map: &Map<String, Value>, at: &str, errors: &mut Vec<String>) {
    let empty = Map::new();
    let props = schema["properties"].as_object().unwrap_or(&empty);
    for required in schema["required"].as_array().into_iter().flatten() {
        if !map.contains_key(required.as_str().unwrap()) {
            errors.push(format!("{at}: required {required} is missing"));
        }
    }
    for (key, v) in map {
        let path = format!("{at}.{key}");
        match (props.get(key), &schema["additionalProperties"]) {
            (Some(p), _) => validate(doc, p, v, &path, errors),
            (None, Value::Bool(true)) => {}
            (None, extra) if extra.is_object() => validate(doc, extra, v, &path, errors),
            // A bare `{"type": "object"}` (the /openapi.json answer) says nothing about keys.
            (None, _) if schema["properties"].is_null() => {}
            (None, _) => errors.push(format!("{path}: not documented")),
        }
    }
}

/// Validates a reply against the documented answer of `operation_id` for its status.
fn check_reply(operation_id: &str, reply: &Reply) {
    let doc = doc();
    let op = operation(doc, operation_id);
    let status = reply.status.as_u16().to_string();
    let response = op["responses"].get(&status).map(|r| deref(doc, r));
    let response = response.unwrap_or_else(|| {
        panic!("{operation_id}: status {status} is not documented: {}", String::from_utf8_lossy(&reply.body))
    });
    match response["content"].as_object() {
        None => assert!(reply.body.is_empty(), "{operation_id} {status}: documented without a body"),
        Some(content) if content.contains_key("application/json") => {
            let content_type = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
            assert!(
                content_type.starts_with("application/json"),
                "{operation_id} {status}: content-type {content_type}"
            );
            let mut errors = Vec::new();
            validate(doc, &content["application/json"]["schema"], &reply.json(), operation_id, &mut errors);
            assert!(
                errors.is_empty(),
                "{operation_id} {status} does not match its schema:\n{}\nbody: {}",
                errors.join("\n"),
                reply.json()
            );
        }
        Some(content) => {
            let content_type = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
            assert!(
                content.keys().any(|k| content_type.starts_with(k.as_str())),
                "{operation_id} {status}: content-type {content_type}"
            );
        }
    }
}

fn request_example(operation_id: &str) -> Value {
    let op = operation(doc(), operation_id);
    let example = op["requestBody"]["content"]["application/json"]["example"].clone();
    assert!(!example.is_null(), "{operation_id} has a request example");
    let mut errors = Vec::new();
    validate(doc(), &op["requestBody"]["content"]["application/json"]["schema"], &example, operation_id, &mut errors);
    assert!(errors.is_empty(), "{operation_id}'s example does not match its schema:\n{}", errors.join("\n"));
    example
}

#[test]
fn parameter_examples_match_their_schemas() {
    let doc = doc();
    for (_, _, op) in operations(doc) {
        for p in parameters(doc, op).into_iter().filter(|p| p["in"] == "query") {
            let mut errors = Vec::new();
            let at = format!("{}?{}", op["operationId"], p["name"]);
            assert!(!p["example"].is_null(), "{at} has an example");
            validate(doc, &p["schema"], &p["example"], &at, &mut errors);
            assert!(errors.is_empty(), "{}", errors.join("\n"));
        }
    }
}

#[tokio::test]
async fn live_answers_match_the_documented_schemas() {
    let s = TestServer::start_with(AuthMode::Disabled).await;
    let call = |method: &'static str, path: String, body: Vec<u8>| {
        let s = &s;
        async move { s.call(method, &path, &body).await }
    };

    // The documented request examples are accepted.
    let script = request_example("CreateScript");
    check_reply("CreateScript", &call("POST", v1("/scripts"), body(&script)).await);
    assert_eq!(call("POST", v1("/scripts"), body(&script)).await.status, 400, "second create: name taken");
    let job_example = request_example("CreateJob");
    let created = call("POST", v1("/jobs"), body(&job_example)).await;
    assert_eq!(created.status, 204, "CreateJob's example: {}", String::from_utf8_lossy(&created.body));

    // A Dummy job with the documented extensions, and a job depending on it.
    let mut extended = job("ext", json!([dummy("a", &[]), dummy("b", &["a"])]));
    extended["description"] = json!("documented extension fields");
    extended["nodes"][1]["conditions"] =
        json!([{"preNodeName": "a", "expression": "#{\"true\"}", "skipPolicy": "SKIP_NEXT"}]);
    extended["schedule"]["cron"]["concurrent"] = json!(2);
    extended["basicConfig"] = json!({"owner": "alice", "tags": ["daily"], "customFields": {"team": "data"}});
    extended["params"] = json!([{"name": "p", "value": "1", "type": "constants"}]);
    check_reply("CreateJob", &call("POST", v1("/jobs"), body(&extended)).await);
    let mut child = job("child", json!([dummy("c", &[])]));
    child["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["ext"], "dependFailPolicy": "IGNORE"});
    check_reply("CreateJob", &call("POST", v1("/jobs"), body(&child)).await);

    check_reply("ShowJob", &call("GET", v1("/jobs/myJob"), vec![]).await);
    let with_downstream = call("GET", v1("/jobs/ext?dependencies=true"), vec![]).await;
    check_reply("ShowJob", &with_downstream);
    assert_eq!(with_downstream.json()["downstreamJobs"][0]["jobName"], "child");
    check_reply("ShowJob", &call("GET", v1("/jobs/child"), vec![]).await);
    check_reply("ShowJob", &call("GET", v1("/jobs/ext?version=1"), vec![]).await);
    check_reply("ShowJob", &call("GET", v1("/jobs/nope"), vec![]).await);
    let jobs = call("GET", v1("/jobs?limit=10&offset=0"), vec![]).await;
    check_reply("ListJobs", &jobs);
    assert_eq!(jobs.json()["total"], 3);
    check_reply("ListJobs", &call("GET", v1("/jobs?jobType=BOTH"), vec![]).await);
    check_reply("ShowJobStatus", &call("GET", v1("/jobs/ext/status"), vec![]).await);
    check_reply("UpdateJob", &call("PUT", v1("/jobs/ext"), body(&extended)).await);

    check_reply("StartJob", &call("POST", v1("/jobs/myJob/start"), body(&request_example("StartJob"))).await);
    check_reply("ListJobs", &call("GET", v1("/jobs"), vec![]).await);
    check_reply("ShowJobStatus", &call("GET", v1("/jobs/myJob/status"), vec![]).await);
    check_reply("StopJob", &call("POST", v1("/jobs/myJob/stop"), vec![]).await);

    // Instances: run the Dummy job now and follow it to its end.
    let run = call("POST", v1("/jobs/ext/run-immediate"), body(&request_example("RunOnce"))).await;
    check_reply("RunOnce", &run);
    let id = run.json()["instanceId"].as_i64().expect("instanceId");
    let show = format!("/jobs/ext/instances/{id}");
    let mut status = String::new();
    for _ in 0..400 {
        let reply = call("GET", v1(&show), vec![]).await;
        check_reply("ShowJobInstance", &reply);
        status = reply.json()["status"].as_str().unwrap().to_string();
        if dlf_core::model::InstanceStatus::parse(&status).is_some_and(|s| s.is_terminal()) {
            assert_eq!(reply.json()["nodes"].as_array().map(Vec::len), Some(2), "both node records were validated");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "success", "the Dummy job ran to its end");
    let instances = call("GET", v1("/jobs/instances/detail?jobName=ext&preciseQuery=true"), vec![]).await;
    check_reply("ListJobInstances", &instances);
    assert_eq!(instances.json()["total"], 1, "the row was validated");
    check_reply("ShowNodeLog", &call("GET", format!("/x/v1/{PROJECT}{show}/nodes/a/log"), vec![]).await);
    check_reply("ShowNodeLog", &call("GET", format!("/x/v1/{PROJECT}{show}/nodes/zz/log"), vec![]).await);
    check_reply("RestoreJobInstance", &call("POST", v1(&format!("{show}/restart")), vec![]).await);
    check_reply("StopJobInstance", &call("POST", v1(&format!("{show}/stop")), vec![]).await);
    check_reply("ConfirmJobInstance", &call("POST", format!("/x/v1/{PROJECT}{show}/confirm"), vec![]).await);
    check_reply("ShowJobInstance", &call("GET", v1("/jobs/ext/instances/999999"), vec![]).await);
    // Notification rules: this server has no notifier, so the example's rules are refused.
    let rules = format!("/x/v1/{PROJECT}/jobs/ext/notifications");
    check_reply("ShowJobNotifications", &call("GET", rules.clone(), vec![]).await);
    let refused = call("PUT", rules.clone(), body(&request_example("UpdateJobNotifications"))).await;
    check_reply("UpdateJobNotifications", &refused);
    assert_eq!(refused.json()["error_code"], "DLF.3051");
    check_reply("UpdateJobNotifications", &call("PUT", rules.clone(), body(&json!({"rules": []}))).await);
    check_reply("ShowJobNotifications", &call("GET", format!("/x/v1/{PROJECT}/jobs/nope/notifications"), vec![]).await);
    let deliveries = format!("/x/v1/{PROJECT}/notifications/deliveries?limit=10&offset=0");
    check_reply("ListNotificationDeliveries", &call("GET", deliveries, vec![]).await);
    check_reply("ShowJobInstance", &call("GET", v1("/jobs/ext/instances/x"), vec![]).await);

    // Scripts.
    check_reply("ShowScript", &call("GET", v1("/scripts/echoTimeShell"), vec![]).await);
    let scripts = call("GET", v1("/scripts?scriptName=echo"), vec![]).await;
    check_reply("ListScripts", &scripts);
    assert_eq!(scripts.json()["total"], 1);
    let mut changed = script.clone();
    changed["content"] = json!("echo b");
    changed["description"] = json!("changed");
    check_reply("UpdateScript", &call("PUT", v1("/scripts/echoTimeShell"), body(&changed)).await);
    check_reply("ShowScript", &call("GET", v1("/scripts/echoTimeShell"), vec![]).await);
    check_reply("DeleteScript", &call("DELETE", v1("/scripts/no-such-script"), vec![]).await);

    // Resources, and the bytes behind one.
    let created = call("POST", v1("/resources"), body(&request_example("CreateResource"))).await;
    check_reply("CreateResource", &created);
    let id = created.json()["resourceId"].as_str().expect("resourceId").to_string();
    check_reply("CreateResource", &call("POST", v1("/resources"), body(&request_example("CreateResource"))).await);
    check_reply("ShowResource", &call("GET", v1(&format!("/resources/{id}")), vec![]).await);
    check_reply("ShowResource", &call("GET", v1("/resources/nope"), vec![]).await);
    let resources = call("GET", v1("/resources?resourceName=te&limit=5"), vec![]).await;
    check_reply("ListResources", &resources);
    assert_eq!(resources.json()["total"], 1, "the row was validated");
    check_reply("UpdateResource", &call("PUT", v1(&format!("/resources/{id}")), body(&json!({"desc": "v2"}))).await);
    check_reply("DeleteResource", &call("DELETE", v1(&format!("/resources/{id}")), vec![]).await);
    check_reply("DeleteResource", &call("DELETE", v1(&format!("/resources/{id}")), vec![]).await);
    let object = format!("/x/v1/{PROJECT}/objects/dlf-test/lib/a.jar");
    check_reply("PutObject", &call("PUT", object.clone(), b"PK".to_vec()).await);
    check_reply("GetObject", &call("GET", object, vec![]).await);
    check_reply("GetObject", &call("GET", format!("/x/v1/{PROJECT}/objects/dlf-test/none"), vec![]).await);

    // Exports: zips of a job and of a batch, one written to the object store, and the errors.
    check_reply("ExportJob", &call("POST", v1("/jobs/ext/export"), body(&request_example("ExportJob"))).await);
    check_reply("ExportJob", &call("POST", v1("/jobs/ext/export"), vec![]).await);
    let to_store = json!({"obsPath": "obs://exports/jobs/"});
    check_reply("ExportJob", &call("POST", v1("/jobs/ext/export"), body(&to_store)).await);
    check_reply("ExportJob", &call("POST", v1("/jobs/nope/export"), vec![]).await);
    check_reply(
        "ExportJobList",
        &call("POST", v1("/jobs/batch-export"), body(&request_example("ExportJobList"))).await,
    );
    check_reply("ExportJobList", &call("POST", v1("/jobs/batch-export"), body(&json!({"jobList": []}))).await);
    check_reply("ExportConnections", &call("POST", v1("/connections/export"), vec![]).await);

    // Deleting: refused while a job depends on it, then done, then unknown.
    check_reply("DeleteJob", &call("DELETE", v1("/jobs/ext"), vec![]).await);
    check_reply("DeleteJob", &call("DELETE", v1("/jobs/child"), vec![]).await);
    check_reply("DeleteJob", &call("DELETE", v1("/jobs/ext"), vec![]).await);
    check_reply("DeleteJob", &call("DELETE", v1("/jobs/ext"), vec![]).await);

    // Extensions and system endpoints.
    check_reply("ListWorkspaces", &call("GET", format!("/x/v1/{PROJECT}/workspaces"), vec![]).await);
    check_reply(
        "CreateWorkspace",
        &call("POST", format!("/x/v1/{PROJECT}/workspaces"), body(&json!({"name": "second"}))).await,
    );
    check_reply(
        "CreateAccessKey",
        &call("POST", format!("/x/v1/{PROJECT}/access-keys"), body(&json!({"user": "bob"}))).await,
    );
    check_reply(
        "CreateAccessKey",
        &call("POST", format!("/x/v1/{PROJECT}/access-keys"), body(&json!({"allProjects": true}))).await,
    );
    check_reply("ListAccessKeys", &call("GET", format!("/x/v1/{PROJECT}/access-keys"), vec![]).await);
    let bob = s.engine.list_access_keys(Some(PROJECT)).await.unwrap().remove(0).access_key;
    check_reply("DisableAccessKey", &call("POST", format!("/x/v1/{PROJECT}/access-keys/{bob}/disable"), vec![]).await);
    check_reply("EnableAccessKey", &call("POST", format!("/x/v1/{PROJECT}/access-keys/{bob}/enable"), vec![]).await);
    check_reply("DeleteAccessKey", &call("DELETE", format!("/x/v1/{PROJECT}/access-keys/{bob}"), vec![]).await);
    check_reply("DeleteAccessKey", &call("DELETE", format!("/x/v1/{PROJECT}/access-keys/{bob}"), vec![]).await);
    check_reply(
        "CreateToken",
        &call("POST", format!("/x/v1/{PROJECT}/tokens"), body(&json!({"ttlSeconds": 60}))).await,
    );
    check_reply("CreateToken", &call("POST", format!("/x/v1/{PROJECT}/tokens"), body(&json!({"ttlSeconds": 0}))).await);
    check_reply("ShowServerInfo", &s.send(request("get", "/x/v1/info", b"")).await);
    check_reply("ShowServerInfo", &call("GET", "/x/v1/info".to_string(), vec![]).await);
    check_reply("CheckHealth", &call("GET", "/healthz".to_string(), vec![]).await);
}

#[tokio::test]
async fn gateway_errors_match_the_documented_schemas() {
    let s = TestServer::start().await;
    // 401 unsigned, 403 another project, 413 too large, 404 unknown method.
    check_reply("ListJobs", &s.send(request("get", &v1("/jobs"), b"")).await);
    let unknown_method = s.call("PATCH", &v1("/jobs"), b"").await;
    unknown_method.assert_error(404, "APIGW.0101");
    check_reply("ListJobs", &unknown_method);
    check_reply("ListJobs", &s.signed_as(AK, SK, "GET", &v1("/jobs"), &[("X-Project-Id", "another")], b"").await);
    let huge = vec![b' '; 12 * 1024 * 1024 + 1];
    check_reply("CreateJob", &s.send(request("post", &v1("/jobs"), &huge)).await);
    let key = s.engine.create_access_key(Some(PROJECT), "bob").await.unwrap();
    check_reply(
        "CreateAccessKey",
        &s.signed_as(&key.access_key, &key.secret_key, "POST", &format!("/x/v1/{PROJECT}/access-keys"), &[], b"").await,
    );
}

#[tokio::test]
async fn openapi_json_is_served_without_credentials() {
    let s = TestServer::start().await;
    let reply = s.send(Request::builder().uri("/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, 200);
    let content_type = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(content_type.starts_with("application/json"), "content-type {content_type}");
    assert_eq!(&reply.json(), doc(), "the router serves document()");
    check_reply("ShowOpenApi", &reply);
}
