//! J12 ImportJob, J13 ShowFileInfo, C7 ImportConnections and T1 through the router: packages
//! uploaded to the object store, imported as system tasks polled to their end; the name
//! policies, every override, hostile packages (the task or J13 says why, and nothing changed),
//! server import folders, tenancy of tasks, and Huawei's published job documents packed in
//! both layouts.

mod common;

use common::{PROJECT, TestServer, body, dummy, job, v1};
use dlf_engine::packages::{batch, connection_entry, single};
use serde_json::{Value, json};
use std::io::{Cursor, Write};
use std::time::Duration;
use zip::write::SimpleFileOptions;

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(name.as_str(), SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn entry(name: String, doc: &Value) -> (String, Vec<u8>) {
    (name, body(doc))
}

async fn upload(s: &TestServer, key: &str, bytes: &[u8]) -> String {
    let reply = s.call("PUT", &format!("/x/v1/{PROJECT}/objects/pkgs/{key}"), bytes).await;
    assert_eq!(reply.status, 204, "{}", String::from_utf8_lossy(&reply.body));
    format!("obs://pkgs/{key}")
}

/// Starts J12 and waits for the task's end.
async fn import(s: &TestServer, request: Value) -> Value {
    let reply = s.call("POST", &v1("/jobs/import"), &body(&request)).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    wait_task(s, reply.json()["taskId"].as_str().expect("taskId")).await
}

async fn wait_task(s: &TestServer, task_id: &str) -> Value {
    for _ in 0..500 {
        let task = s.call("GET", &v1(&format!("/system-tasks/{task_id}")), b"").await;
        assert_eq!(task.status, 200, "{}", String::from_utf8_lossy(&task.body));
        let task = task.json();
        if task["status"] != "RUNNING" {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the task {task_id} is still RUNNING");
}

fn statuses(task: &Value) -> Vec<(String, String)> {
    task["subtasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t["status"].as_str().unwrap().to_string()))
        .collect()
}

fn pair(name: &str, status: &str) -> (String, String) {
    (name.to_string(), status.to_string())
}

async fn show_job(s: &TestServer, name: &str) -> Value {
    let reply = s.call("GET", &v1(&format!("/jobs/{name}")), b"").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

/// What a workspace holds: jobs (their documents), scripts, resources, connections.
async fn everything(s: &TestServer) -> Value {
    let jobs = s.call("GET", &v1("/jobs?limit=1000"), b"").await.json();
    let mut docs = Vec::new();
    for j in jobs["jobs"].as_array().unwrap() {
        docs.push(show_job(s, j["name"].as_str().unwrap()).await);
    }
    json!({
        "jobs": docs,
        "scripts": s.call("GET", &v1("/scripts?limit=100"), b"").await.json(),
        "resources": s.call("GET", &v1("/resources?limit=100"), b"").await.json(),
        "connections": s.call("GET", &v1("/connections?limit=100"), b"").await.json(),
    })
}

fn with_param(mut doc: Value, params: Value) -> Value {
    doc["params"] = params;
    doc
}

fn script(name: &str) -> Value {
    json!({"name": name, "type": "Shell", "content": "echo hello", "directory": "/scripts/etl"})
}

fn resource(name: &str) -> Value {
    json!({"name": name, "type": "file", "location": "obs://tools/helper.sh", "directory": "/res"})
}

fn shell_job(name: &str, script_name: &str) -> Value {
    let mut doc = job(
        name,
        json!([{"name": "run", "type": "Shell", "location": {"x": "0", "y": "0"}, "preNodeName": [],
                "properties": [{"name": "scriptName", "value": script_name}]}]),
    );
    doc["directory"] = json!("/imported");
    doc["params"] = json!([{"name": "env", "value": "dev"}, {"name": "day", "value": "0"}]);
    doc["someUnknownField"] = json!({"kept": [1, 2]});
    doc
}

#[tokio::test]
async fn a_package_is_imported_scripts_first_and_skip_leaves_existing_objects() {
    let s = TestServer::start().await;
    let package = zip_of(&[
        entry(single::job("daily"), &shell_job("daily", "greet")),
        entry(single::script("greet"), &script("greet")),
        entry(single::resource("helper"), &resource("helper")),
    ]);
    let path = upload(&s, "DLF_daily.zip", &package).await;

    let info = s.call("POST", &v1("/jobs/check-file"), &body(&json!({"path": path}))).await;
    assert_eq!(info.status, 200);
    assert_eq!(
        info.json(),
        json!({"jobs": [{"name": "daily", "path": "/imported", "params": {"env": "dev", "day": "0"}}],
               "scripts": [{"name": "greet", "path": "/scripts/etl"}]})
    );
    assert_eq!(s.call("GET", &v1("/jobs"), b"").await.json()["total"], 0, "J13 imports nothing");

    let task = import(&s, json!({"path": path})).await;
    assert_eq!(task["status"], "SUCCESSFUL", "{task}");
    assert_eq!(task["name"], format!("Import the job from {path}."));
    assert!(task["endTime"].as_i64().unwrap() >= task["startTime"].as_i64().unwrap());
    assert_eq!(
        statuses(&task),
        [
            pair("Import the greet script.", "SUCCESSFUL"),
            pair("Import the helper resource.", "SUCCESSFUL"),
            pair("Import the daily job.", "SUCCESSFUL")
        ]
    );
    for sub in task["subtasks"].as_array().unwrap() {
        assert_eq!(sub["taskId"], task["id"]);
    }
    let shown = show_job(&s, "daily").await;
    assert_eq!(shown["someUnknownField"], json!({"kept": [1, 2]}), "unknown fields are kept");
    assert_eq!(shown["directory"], "/imported");
    assert_eq!(shown["version"], "1", "submitted, so it can be started");
    let status = s.call("GET", &v1("/jobs/daily/status"), b"").await.json();
    assert_eq!(status["status"], "STOPPED", "imported jobs are created stopped");
    assert_eq!(s.call("GET", &v1("/scripts/greet"), b"").await.json()["content"], "echo hello");
    assert_eq!(s.call("GET", &v1("/resources?resourceName=helper"), b"").await.json()["total"], 1);

    // SKIP (the default): existing objects are untouched, the subtasks still succeed.
    let mut changed = shell_job("daily", "greet");
    changed["params"] = json!([{"name": "env", "value": "changed here"}]);
    assert_eq!(s.call("PUT", &v1("/jobs/daily"), &body(&changed)).await.status, 204);
    let before = everything(&s).await;
    let task = import(&s, json!({"path": path, "sameNamePolicy": "SKIP"})).await;
    assert_eq!(task["status"], "SUCCESSFUL");
    for sub in task["subtasks"].as_array().unwrap() {
        assert!(sub["message"].as_str().unwrap().contains("skipped"), "{sub}");
    }
    assert_eq!(everything(&s).await, before, "SKIP changes nothing");

    // OVERWRITE: the development state is replaced and a new version submitted.
    let task = import(&s, json!({"path": path, "sameNamePolicy": "OVERWRITE"})).await;
    assert_eq!(task["status"], "SUCCESSFUL", "{task}");
    let shown = show_job(&s, "daily").await;
    assert_eq!(shown["params"], json!([{"name": "env", "value": "dev"}, {"name": "day", "value": "0"}]));
    assert_eq!(shown["version"], "3");
}

#[tokio::test]
async fn overwrite_is_refused_for_a_scheduling_job_and_the_others_go_on() {
    let s = TestServer::start().await;
    for name in ["running", "idle"] {
        assert_eq!(s.call("POST", &v1("/jobs"), &body(&job(name, json!([dummy("a", &[])])))).await.status, 204);
    }
    assert_eq!(s.call("POST", &v1("/jobs/running/start"), b"").await.status, 204);
    let before = show_job(&s, "running").await;
    let replacement = |name: &str| job(name, json!([dummy("a", &[]), dummy("b", &["a"])]));
    let package = zip_of(&[
        entry(batch::job("running"), &replacement("running")),
        entry(batch::job("idle"), &replacement("idle")),
    ]);
    let path = upload(&s, "jobs.zip", &package).await;
    let task = import(&s, json!({"path": path, "sameNamePolicy": "OVERWRITE"})).await;
    assert_eq!(task["status"], "WARNING", "{task}");
    let subtasks = task["subtasks"].as_array().unwrap();
    let of = |name: &str| subtasks.iter().find(|t| t["name"] == format!("Import the {name} job.")).unwrap();
    assert_eq!(of("running")["status"], "FAILED");
    assert!(of("running")["message"].as_str().unwrap().contains("scheduling"), "{}", of("running"));
    assert_eq!(of("idle")["status"], "SUCCESSFUL");
    assert_eq!(show_job(&s, "running").await, before, "the scheduling job is untouched");
    assert_eq!(show_job(&s, "idle").await["nodes"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn params_jobs_param_execute_user_and_resources_rewrite_the_imported_jobs() {
    let s = TestServer::start().await;
    let node = |name: &str, props: Value| json!({"name": name, "type": "Dummy", "location": {"x": "0", "y": "0"}, "preNodeName": [], "properties": props});
    let doc = |name: &str| {
        with_param(
            job(
                name,
                json!([node(
                    "sql",
                    json!([{"name": "connectionName", "value": "dws_dev"},
                                          {"name": "cluster", "value": "mrs_dev"},
                                          {"name": "note", "value": "dws_dev"}])
                )]),
            ),
            json!([{"name": "env", "value": "dev"}, {"name": "day", "value": "0"}, {"name": "keep", "value": "k"}]),
        )
    };
    let package = zip_of(&[
        entry(batch::job("a"), &doc("a")),
        entry(batch::job("b"), &doc("b")),
        entry(batch::job("c"), &doc("c")),
    ]);
    let path = upload(&s, "jobs.zip", &package).await;
    let resources = json!([{"name": "dws_dev", "type": "DWS_CONNECTION", "replace": "dws_prod"},
                           {"name": "mrs_dev", "type": "MRS_CLUSTER", "replace": "mrs_prod"}]);
    let task = import(
        &s,
        json!({"path": path, "params": {"env": "prod", "day": "1"},
               "jobsParam": [{"name": "a", "params": {"day": "7"}}],
               "executeUser": "etl", "resources": resources}),
    )
    .await;
    assert_eq!(task["status"], "SUCCESSFUL", "{task}");
    for (name, day) in [("a", "7"), ("b", "1"), ("c", "1")] {
        let shown = show_job(&s, name).await;
        assert_eq!(
            shown["params"],
            json!([{"name": "env", "value": "prod"}, {"name": "day", "value": day}, {"name": "keep", "value": "k"}]),
            "{name}"
        );
        assert_eq!(shown["basicConfig"]["executeUser"], "etl");
        assert_eq!(
            shown["nodes"][0]["properties"],
            json!([{"name": "connectionName", "value": "dws_prod"}, {"name": "cluster", "value": "mrs_prod"},
                   {"name": "note", "value": "dws_dev"}]),
            "a *_CONNECTION substitution renames connectionName only"
        );
    }
    // The map form of jobsParam.
    let task = import(
        &s,
        json!({"path": path, "sameNamePolicy": "OVERWRITE", "jobsParam": {"b": {"env": "staging"}, "c": {"day": 9}}}),
    )
    .await;
    assert_eq!(task["status"], "SUCCESSFUL", "{task}");
    assert_eq!(show_job(&s, "b").await["params"][0]["value"], "staging");
    assert_eq!(show_job(&s, "c").await["params"][1]["value"], "9");
    assert_eq!(show_job(&s, "a").await["params"][0]["value"], "dev");
    for bad in [json!({"path": path, "jobsParam": "x"}), json!({"path": path, "sameNamePolicy": "MERGE"})] {
        s.call("POST", &v1("/jobs/import"), &body(&bad)).await.assert_error(400, "DLF.3051");
    }
}

#[tokio::test]
async fn unresolved_references_warn_and_bad_documents_fail_only_their_subtask() {
    let s = TestServer::start().await;
    let mut cyclic = job("cyclic", json!([dummy("a", &["b"]), dummy("b", &["a"])]));
    cyclic["directory"] = json!("/x");
    let package = zip_of(&[
        entry(batch::job("dangling"), &shell_job("dangling", "no_such_script")),
        entry(batch::job("cyclic"), &cyclic),
        ("jobs/broken/broken.job".to_string(), b"{\"name\": ".to_vec()),
    ]);
    let path = upload(&s, "jobs.zip", &package).await;
    let task = import(&s, json!({"path": path})).await;
    assert_eq!(task["status"], "WARNING", "{task}");
    let subtasks = task["subtasks"].as_array().unwrap();
    let of = |name: &str| subtasks.iter().find(|t| t["name"] == format!("Import the {name} job.")).unwrap().clone();
    assert_eq!(of("dangling")["status"], "SUCCESSFUL");
    assert!(of("dangling")["message"].as_str().unwrap().contains("no_such_script, which does not exist"));
    let caller = job(
        "caller",
        json!([{"name": "call", "type": "SubJob", "location": {"x": "0", "y": "0"},
        "preNodeName": [], "properties": [{"name": "subJobName", "value": "nowhere"}]}]),
    );
    let path_caller = upload(&s, "caller.zip", &zip_of(&[entry(single::job("caller"), &caller)])).await;
    let task = import(&s, json!({"path": path_caller})).await;
    assert_eq!(task["status"], "SUCCESSFUL", "{task}");
    assert!(task["subtasks"][0]["message"].as_str().unwrap().contains("subJobName nowhere, which does not exist"));
    assert_eq!(of("cyclic")["status"], "FAILED");
    assert!(of("cyclic")["message"].as_str().unwrap().contains("DLF."), "{}", of("cyclic"));
    assert_eq!(of("broken")["status"], "FAILED");
    assert!(of("broken")["message"].as_str().unwrap().contains("jobs/broken/broken.job is not valid JSON"));
    let names: Vec<Value> = s.call("GET", &v1("/jobs"), b"").await.json()["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].clone())
        .collect();
    assert_eq!(names, [json!("caller"), json!("dangling")], "the failed jobs left nothing behind");
    // J13 refuses the package whose documents it cannot read.
    let message =
        s.call("POST", &v1("/jobs/check-file"), &body(&json!({"path": path}))).await.assert_error(400, "DLF.3051");
    assert!(message.contains("broken.job is not valid JSON"), "{message}");
}

/// Packages the reader refuses: the task fails with the reason, J13 answers it, nothing changes.
#[tokio::test]
async fn hostile_packages_fail_with_the_reason_and_change_nothing() {
    let s = TestServer::start().await;
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&job("existing", json!([dummy("a", &[])])))).await.status, 204);
    assert_eq!(s.call("POST", &v1("/scripts"), &body(&script("kept"))).await.status, 204);
    let good = body(&job("intruder", json!([dummy("a", &[])])));
    let other_intruder = body(&job("intruder", json!([dummy("b", &[])])));
    let symlink = {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("jobs/intruder.job", SimpleFileOptions::default()).unwrap();
        w.write_all(&good).unwrap();
        w.add_symlink("jobs/link.job", "/etc/passwd", SimpleFileOptions::default()).unwrap();
        w.finish().unwrap().into_inner()
    };
    let many: Vec<(String, Vec<u8>)> = (0..5_000).map(|i| (format!("x/{i}.txt"), Vec::new())).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "slip.zip",
            zip_of(&[(single::job("intruder"), good.clone()), ("../x.job".into(), good.clone())]),
            "leaves the package",
        ),
        (
            "abs.zip",
            zip_of(&[(single::job("intruder"), good.clone()), ("/tmp/x.job".into(), good.clone())]),
            "leaves the package",
        ),
        ("symlink.zip", symlink, "is a symbolic link"),
        (
            "bomb.zip",
            zip_of(&[(single::job("intruder"), good.clone()), ("pad.txt".into(), vec![0u8; 11 << 20])]),
            "expands to more than 10 MB",
        ),
        ("many.zip", zip_of(&many), "5000 entries, more than 1000"),
        (
            "dup.zip",
            zip_of(&[(batch::job("intruder"), good.clone()), (single::job("intruder"), other_intruder.clone())]),
            "two entries hold different jobs intruder",
        ),
        ("garbage.zip", b"PK\x03\x04 not really a zip".to_vec(), "not a readable zip"),
    ];
    let before = everything(&s).await;
    for (key, bytes, reason) in cases {
        let path = upload(&s, key, &bytes).await;
        let task = import(&s, json!({"path": path, "sameNamePolicy": "OVERWRITE"})).await;
        assert_eq!(task["status"], "FAILED", "{key}: {task}");
        let message = task["message"].as_str().unwrap();
        assert!(message.contains(reason) && message.starts_with("DLF.3051"), "{key}: {message}");
        assert_eq!(task["subtasks"], json!([]), "{key}");
        let answer = s.call("POST", &v1("/jobs/check-file"), &body(&json!({"path": path}))).await;
        assert!(answer.assert_error(400, "DLF.3051").contains(reason), "{key}");
        assert_eq!(everything(&s).await, before, "{key} changed something");
    }
    // A cycle in the only job: the task fails, nothing is created.
    let cyclic = zip_of(&[entry(single::job("loop"), &job("loop", json!([dummy("a", &["b"]), dummy("b", &["a"])])))]);
    let task = import(&s, json!({"path": upload(&s, "loop.zip", &cyclic).await})).await;
    assert_eq!(task["status"], "FAILED");
    assert_eq!(everything(&s).await, before);
}

#[tokio::test]
async fn paths_are_checked_before_any_task_starts() {
    let s = TestServer::start().await;
    upload(&s, "exists.zip", &zip_of(&[])).await;
    for (request, code) in [
        (json!({}), "DLF.0803"),
        (json!({"path": "relative/x.zip"}), "DLF.0803"),
        (json!({"path": "/etc/passwd"}), "DLF.0803"),
        (json!({"path": "obs://pkgs/missing.zip"}), "DLF.0815"),
        (json!({"path": "obs://nobucket/x.zip"}), "DLF.1242"),
    ] {
        s.call("POST", &v1("/jobs/import"), &body(&request)).await.assert_error(400, code);
        s.call("POST", &v1("/jobs/check-file"), &body(&request)).await.assert_error(400, code);
        s.call("POST", &v1("/connections/import"), &body(&request)).await.assert_error(400, code);
    }
    let task = import(&s, json!({"path": "obs://pkgs/exists.zip"})).await;
    assert_eq!(task["status"], "SUCCESSFUL", "an empty package imports nothing: {task}");
}

/// An unauthenticated request to a router (the import-folder server below has no keys).
async fn send(router: &axum::Router, method: &str, path: &str, request: &Value) -> (u16, Value) {
    use tower::ServiceExt;
    let request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("Content-Type", "application/json")
        .body(axum::body::Body::from(body(request)))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn server_paths_are_read_only_inside_import_folders() {
    use dlf_engine::{Engine, EngineConfig, SystemClock};
    let dir = tempfile::tempdir().unwrap();
    let allowed = dir.path().join("imports");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&allowed).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let package = zip_of(&[entry(single::job("from_disk"), &job("from_disk", json!([dummy("a", &[])])))]);
    std::fs::write(allowed.join("p.zip"), &package).unwrap();
    std::fs::write(outside.join("p.zip"), &package).unwrap();
    std::fs::write(allowed.join("bare.job"), body(&job("bare", json!([dummy("a", &[])])))).unwrap();

    let store = dlf_store::open(dir.path().join("dlf.db").to_str().unwrap()).await.unwrap();
    let mut config = EngineConfig::new(dir.path().join("data"));
    config.import_dirs = vec![allowed.clone()];
    let engine =
        Engine::new(store, config, std::sync::Arc::new(SystemClock), dlf_store::SecretBox::from_key(&[9u8; 32]));
    let _runtime = engine.start().await.unwrap();
    let router = dlf_api::router(dlf_api::AppState::new(engine, dlf_api::AuthMode::Disabled));

    for file in [allowed.join("p.zip"), allowed.join("bare.job")] {
        let (status, started) = send(&router, "POST", &v1("/jobs/import"), &json!({"path": file})).await;
        assert_eq!(status, 200, "{started}");
        let task_path = v1(&format!("/system-tasks/{}", started["taskId"].as_str().unwrap()));
        let task = loop {
            let (_, task) = send(&router, "GET", &task_path, &Value::Null).await;
            if task["status"] != "RUNNING" {
                break task;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(task["status"], "SUCCESSFUL", "{file:?}: {task}");
    }
    for name in ["from_disk", "bare"] {
        assert_eq!(send(&router, "GET", &v1(&format!("/jobs/{name}")), &Value::Null).await.0, 200, "{name}");
    }
    for refused in [outside.join("p.zip"), allowed.join("../outside/p.zip")] {
        let (status, error) = send(&router, "POST", &v1("/jobs/import"), &json!({"path": refused})).await;
        assert_eq!((status, error["error_code"].as_str()), (400, Some("DLF.0803")), "{refused:?}");
    }
}

#[tokio::test]
async fn tasks_are_seen_only_in_their_workspace_and_project() {
    let s = TestServer::start().await;
    s.call("GET", &v1("/system-tasks/0123456789abcdef0123456789abcdef"), b"").await.assert_error(400, "DLF.0810");
    let path = upload(&s, "empty.zip", &zip_of(&[])).await;
    let task = import(&s, json!({"path": path})).await;
    let id = task["id"].as_str().unwrap();
    assert_eq!(task["projectId"], PROJECT);
    let ws = s.engine.create_workspace(PROJECT, "dev").await.unwrap();
    let message =
        s.call_in(&ws.id, "GET", &v1(&format!("/system-tasks/{id}")), b"").await.assert_error(400, "DLF.0810");
    assert_eq!(message, format!("Task[{id}] does not exist"));
    let other = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
    let reply = s
        .signed_as(
            common::AK,
            common::SK,
            "GET",
            &format!("/v1/{other}/system-tasks/{id}"),
            &[("X-Project-Id", other)],
            b"",
        )
        .await;
    reply.assert_error(400, "DLF.0810");
}

fn real_job(file: &str) -> Value {
    let path = format!("{}/tests/data/real-jobs/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Huawei's published documents, each under a name of its own.
fn cloud_documents() -> Vec<Value> {
    let files = [
        ("01-hivesql-myjob-create.json", "cloudCreate"),
        ("02-hivesql-myjob-update.json", "cloudUpdate"),
        ("03-hivesql-myjob-show-response.json", "cloudShow"),
        ("04-realtime-dis-cs-dli-chain.json", "cloudRealtime"),
    ];
    files
        .iter()
        .map(|(file, name)| {
            let mut doc = real_job(file);
            doc["name"] = json!(name);
            doc
        })
        .collect()
}

/// ShowJob without the fields the server owns.
fn comparable(mut shown: Value) -> Value {
    for key in ["id", "createTime", "lastUpdateUser"] {
        shown.as_object_mut().unwrap().remove(key);
    }
    shown
}

/// The cloud's documents, packed in both layouts, import exactly as CreateJob stores them
/// (cloud-only node types included).
#[tokio::test]
async fn a_cloud_package_in_either_layout_imports_as_create_job_stores_it() {
    let s = TestServer::start().await;
    let docs = cloud_documents();
    let dev = s.engine.create_workspace(PROJECT, "created").await.unwrap();
    for doc in &docs {
        assert_eq!(s.call_in(&dev.id, "POST", &v1("/jobs"), &body(doc)).await.status, 204, "{doc}");
    }
    let single_layout: Vec<(String, Vec<u8>)> =
        docs.iter().map(|d| entry(single::job(d["name"].as_str().unwrap()), d)).collect();
    let batch_layout: Vec<(String, Vec<u8>)> =
        docs.iter().map(|d| entry(batch::job(d["name"].as_str().unwrap()), d)).collect();
    for (key, files) in [("single.zip", single_layout), ("batch.zip", batch_layout)] {
        let ws = s.engine.create_workspace(PROJECT, key.trim_end_matches(".zip")).await.unwrap();
        let path = upload(&s, key, &zip_of(&files)).await;
        let reply = s.call_in(&ws.id, "POST", &v1("/jobs/import"), &body(&json!({"path": path}))).await;
        let task_id = reply.json()["taskId"].as_str().unwrap().to_string();
        let task = loop {
            let t = s.call_in(&ws.id, "GET", &v1(&format!("/system-tasks/{task_id}")), b"").await.json();
            if t["status"] != "RUNNING" {
                break t;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(task["status"], "SUCCESSFUL", "{key}: {task}");
        for doc in &docs {
            let name = doc["name"].as_str().unwrap();
            let created = s.call_in(&dev.id, "GET", &v1(&format!("/jobs/{name}")), b"").await.json();
            let imported = s.call_in(&ws.id, "GET", &v1(&format!("/jobs/{name}")), b"").await.json();
            assert_eq!(comparable(imported.clone()), comparable(created), "{key}: {name}");
            for (sent, got) in doc["nodes"].as_array().unwrap().iter().zip(imported["nodes"].as_array().unwrap()) {
                assert_eq!(got["type"], sent["type"], "node types of the cloud are kept");
            }
        }
    }
}

#[tokio::test]
async fn connections_import_with_secrets_from_params() {
    let s = TestServer::start().await;
    let rds = |name: &str| {
        json!({"name": name, "type": "RDS", "description": "orders",
               "config": {"ip": "127.0.0.1", "port": "5432", "userName": "etl",
                          "driverName": "org.postgresql.Driver"}})
    };
    let package = zip_of(&[
        entry(connection_entry("orders"), &rds("orders")),
        entry(connection_entry("local"), &json!({"name": "local", "type": "HOST", "config": {}})),
        entry(connection_entry("broken"), &json!({"name": "broken", "type": "NOPE"})),
        entry(single::job("ignored"), &job("ignored", json!([dummy("a", &[])]))),
    ]);
    let path = upload(&s, "DLF_All_DataConnections.zip", &package).await;
    let request = json!({"path": path, "params": [{"name": "orders", "connectionType": "RDS", "params": {"password": "s3cret"}}]});
    let reply = s.call("POST", &v1("/connections/import"), &body(&request)).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let task = wait_task(&s, reply.json()["taskId"].as_str().unwrap()).await;
    assert_eq!(task["name"], format!("Import the connection from {path}."));
    assert_eq!(task["status"], "WARNING", "{task}");
    assert_eq!(
        statuses(&task),
        [pair("Import the orders connection.", "SUCCESSFUL"), pair("Import the broken connection.", "FAILED")],
        "local is skipped, the job is not a connection"
    );
    let shown = s.call("GET", &v1("/connections/orders"), b"").await.json();
    assert_eq!(shown["config"]["password"], "*********", "the secret from params is stored (and masked)");
    assert_eq!(s.call("GET", &v1("/jobs"), b"").await.json()["total"], 0);

    // SKIP keeps the stored connection; OVERWRITE with the `type` spelling replaces it.
    let mut changed = rds("orders");
    changed["config"]["ip"] = json!("10.0.0.9");
    let package = zip_of(&[entry(connection_entry("orders"), &changed)]);
    let path = upload(&s, "second.zip", &package).await;
    let reply = s.call("POST", &v1("/connections/import"), &body(&json!({"path": path}))).await;
    let task = wait_task(&s, reply.json()["taskId"].as_str().unwrap()).await;
    assert_eq!(task["status"], "SUCCESSFUL");
    assert_eq!(s.call("GET", &v1("/connections/orders"), b"").await.json()["config"]["ip"], "127.0.0.1");
    let request = json!({"path": path, "sameNamePolicy": "OVERWRITE",
                         "params": [{"name": "orders", "type": "RDS", "params": {"password": "n3w"}}]});
    let reply = s.call("POST", &v1("/connections/import"), &body(&request)).await;
    let task = wait_task(&s, reply.json()["taskId"].as_str().unwrap()).await;
    assert_eq!(task["status"], "SUCCESSFUL", "{task}");
    assert_eq!(s.call("GET", &v1("/connections/orders"), b"").await.json()["config"]["ip"], "10.0.0.9");
}
