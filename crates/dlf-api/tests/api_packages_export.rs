//! J10, J11 and C6 through the router: the zips are opened and their entries read. Every stored
//! field of a job (unknown ones included) is in its `.job`, and CreateJob of that file recreates
//! the job ShowJob showed; `exportDepend` and `exportStatus`; the batch layout; `obsPath` into
//! the object store; connection exports without secrets; workspaces kept apart.

mod common;

use common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Read;

/// The entries of a zip, by name.
fn entries(zip_bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("a zip");
    let mut out = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        out.insert(file.name().unwrap().to_string(), bytes);
    }
    out
}

fn names(zip_bytes: &[u8]) -> Vec<String> {
    entries(zip_bytes).into_keys().collect()
}

fn entry_json(zip_bytes: &[u8], name: &str) -> Value {
    let all = entries(zip_bytes);
    let bytes = all.get(name).unwrap_or_else(|| panic!("no entry {name} in {:?}", all.keys()));
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// A download: 200, the zip's content type and file name.
fn assert_zip(reply: &Reply, file_name: &str) {
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.headers["content-type"], "application/octet-stream");
    assert_eq!(reply.headers["content-disposition"], format!("attachment; filename=\"{file_name}\""));
}

async fn created(s: &TestServer, path: &str, v: &Value) {
    let reply = s.call("POST", &v1(path), &body(v)).await;
    assert!(reply.status.is_success(), "POST {path}: {}", String::from_utf8_lossy(&reply.body));
}

fn script(name: &str, content: &str) -> Value {
    json!({"name": name, "type": "Shell", "content": content, "directory": "/etl", "description": "loads",
           "currentDatabase": "dw", "templateVersion": "2"})
}

fn resource(name: &str) -> Value {
    json!({"name": name, "type": "file", "location": format!("obs://tools/{name}.sh"), "desc": "a helper",
           "directory": "/tools", "dependFiles": ["obs://tools/common.sh"]})
}

fn shell(name: &str, script: &str, resources: &str, upstream: &[&str]) -> Value {
    json!({"name": name, "type": "Shell", "location": {"x": "10", "y": "-45.5"}, "preNodeName": upstream,
           "properties": [{"name": "scriptName", "value": script}, {"name": "resources", "value": resources}]})
}

/// A job with many of the shapes a document can take, unknown fields at the top and in a node.
fn rich_job(name: &str) -> Value {
    let mut doc = job(name, json!([shell("load", "s1", "r1", &[]), dummy("done", &["load"])]));
    doc["params"] = json!([{"name": "bizdate", "value": "#{Job.getYesterday(\"yyyyMMdd\")}", "type": "variable"}]);
    doc["basicConfig"] = json!({"owner": "alice", "priority": 1, "tags": ["daily"], "customFields": {"team": "data"},
                                "executeUser": "etl", "instanceTimeout": 30});
    doc["directory"] = json!("/etl/daily");
    doc["logPath"] = json!("obs://logs/etl");
    doc["description"] = json!("loads the warehouse");
    doc["nodes"][1]["conditions"] = json!([{"preNodeName": "load", "expression": "#{\"true\"}"}]);
    doc["nodes"][1]["retryTimes"] = json!(2);
    doc["nodes"][1]["retryInterval"] = json!(30);
    doc["nodes"][0]["futureNodeField"] = json!({"kept": [1, 2]});
    doc["maskedParams"] = json!([]);
    doc["resouces"] = json!([]);
    doc["someFutureField"] = json!({"nested": {"deep": true}});
    doc
}

/// ShowJob's answer without the fields only the server sets (and `version`, which depends on
/// how often the job was submitted).
fn definition(mut shown: Value) -> Value {
    for key in ["id", "createTime", "lastUpdateUser", "version", "downstreamJobs"] {
        shown.as_object_mut().unwrap().remove(key);
    }
    shown
}

async fn show(s: &TestServer, name: &str) -> Value {
    let reply = s.call("GET", &v1(&format!("/jobs/{name}")), b"").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn setup_rich(s: &TestServer, job_name: &str) {
    created(s, "/scripts", &script("s1", "echo loading")).await;
    created(s, "/resources", &resource("r1")).await;
    created(s, "/resources", &resource("unused")).await;
    created(s, "/jobs", &rich_job(job_name)).await;
}

#[tokio::test]
async fn a_job_export_holds_every_stored_field_and_recreates_the_job() {
    let s = TestServer::start().await;
    setup_rich(&s, "rich").await;
    let original = show(&s, "rich").await;

    let reply = s.call("POST", &v1("/jobs/rich/export"), b"").await;
    assert_zip(&reply, "DLF_rich.zip");
    assert_eq!(names(&reply.body), vec!["jobs/rich.job", "resources/r1.resource", "scripts/s1.script"]);

    let file = entry_json(&reply.body, "jobs/rich.job");
    assert_eq!(file["version"], original["version"], "the exported version");
    for key in ["id", "createTime", "lastUpdateUser"] {
        assert!(file.get(key).is_none(), "{key} is set by the server, not exported: {file}");
    }
    assert_eq!(definition(file.clone()), definition(original.clone()), "every other field, as ShowJob shows it");
    assert_eq!(file["someFutureField"], json!({"nested": {"deep": true}}), "an unknown top-level field");
    assert_eq!(file["nodes"][0]["futureNodeField"], json!({"kept": [1, 2]}), "an unknown node field");
    assert_eq!(file["resouces"], json!([]), "the cloud's export-only fields");

    let script_file = entry_json(&reply.body, "scripts/s1.script");
    let mut expected = script("s1", "echo loading");
    expected["configuration"] = json!({});
    expected["owner"] = s.call("GET", &v1("/scripts/s1"), b"").await.json()["owner"].clone();
    let mut got = script_file.as_object().unwrap().clone();
    got.retain(|k, _| expected.get(k).is_some());
    assert_eq!(Value::Object(got), expected, "the create-script body with what the store keeps");
    assert!(script_file.get("id").is_none() && script_file.get("modifyTime").is_none());
    assert_eq!(entry_json(&reply.body, "resources/r1.resource"), resource("r1"), "the create-resource body");

    // Same job, same bytes: exports diff cleanly.
    assert_eq!(s.call("POST", &v1("/jobs/rich/export"), b"{}").await.body, reply.body);

    // The .job is a CreateJob body: the job it creates shows the same definition.
    assert_eq!(s.call("DELETE", &v1("/jobs/rich"), b"").await.status, 204);
    let job_bytes = entries(&reply.body).remove("jobs/rich.job").unwrap();
    let recreated = s.call("POST", &v1("/jobs"), &job_bytes).await;
    assert_eq!(recreated.status, 204, "{}", String::from_utf8_lossy(&recreated.body));
    assert_eq!(definition(show(&s, "rich").await), definition(original));
}

#[tokio::test]
async fn export_depend_false_exports_the_job_alone() {
    let s = TestServer::start().await;
    setup_rich(&s, "rich").await;
    let reply = s.call("POST", &v1("/jobs/rich/export"), &body(&json!({"exportDepend": false}))).await;
    assert_zip(&reply, "DLF_rich.zip");
    assert_eq!(names(&reply.body), vec!["jobs/rich.job"]);
    let with = s.call("POST", &v1("/jobs/rich/export"), &body(&json!({"exportDepend": true}))).await;
    assert_eq!(names(&with.body).len(), 3);
    // A node naming a script or resource that does not exist exports without it.
    created(&s, "/jobs", &job("dangling", json!([shell("a", "no_such_script", "no_such_resource", &[])]))).await;
    let reply = s.call("POST", &v1("/jobs/dangling/export"), b"").await;
    assert_eq!(names(&reply.body), vec!["jobs/dangling.job"]);
}

#[tokio::test]
async fn submit_exports_the_latest_submitted_version_and_develop_the_saved_copy() {
    let s = TestServer::start().await;
    created(&s, "/scripts", &script("s1", "echo one")).await;
    created(&s, "/scripts", &script("s2", "echo two")).await;
    created(&s, "/jobs", &job("j", json!([shell("a", "s1", "", &[])]))).await;
    let mut saved = job("j", json!([shell("a", "s1", "", &[]), shell("b", "s2", "", &["a"])]));
    saved["targetStatus"] = json!("SAVED");
    assert_eq!(s.call("PUT", &v1("/jobs/j"), &body(&saved)).await.status, 204);

    let develop = s.call("POST", &v1("/jobs/j/export"), b"").await;
    assert_eq!(names(&develop.body), vec!["jobs/j.job", "scripts/s1.script", "scripts/s2.script"]);
    let file = entry_json(&develop.body, "jobs/j.job");
    assert_eq!(file["nodes"].as_array().unwrap().len(), 2, "DEVELOP: the saved development copy");
    assert_eq!(file["targetStatus"], "SAVED");
    assert_eq!(definition(file), definition(show(&s, "j").await));

    let submit = s.call("POST", &v1("/jobs/j/export"), &body(&json!({"exportStatus": "SUBMIT"}))).await;
    assert_zip(&submit, "DLF_j.zip");
    assert_eq!(names(&submit.body), vec!["jobs/j.job", "scripts/s1.script"], "the scripts of the submitted version");
    let file = entry_json(&submit.body, "jobs/j.job");
    assert_eq!(file["nodes"].as_array().unwrap().len(), 1, "SUBMIT: version 1");
    assert_eq!(file["version"], "1");
    assert_eq!(definition(file), definition(show(&s, "j?version=1").await));

    let mut never = job("never", json!([dummy("a", &[])]));
    never["targetStatus"] = json!("SAVED");
    created(&s, "/jobs", &never).await;
    let e = s.call("POST", &v1("/jobs/never/export"), &body(&json!({"exportStatus": "SUBMIT"}))).await;
    let message = e.assert_error(400, "DLF.3051");
    assert!(message.contains("never") && message.contains("not been submitted"), "{message}");
    assert_eq!(s.call("POST", &v1("/jobs/never/export"), b"").await.status, 200, "its development copy exports");
    let e = s.call("POST", &v1("/jobs/j/export"), &body(&json!({"exportStatus": "LATEST"}))).await;
    assert!(e.assert_error(400, "DLF.3051").contains("exportStatus"));
    let e = s.call("POST", &v1("/jobs/j/export"), b"{not json").await;
    e.assert_error(400, "DLF.3051");
}

#[tokio::test]
async fn a_batch_export_has_one_folder_per_job() {
    let s = TestServer::start().await;
    created(&s, "/scripts", &script("shared", "echo shared")).await;
    created(&s, "/resources", &resource("tool")).await;
    created(&s, "/jobs", &job("a", json!([shell("n", "shared", "tool", &[])]))).await;
    created(&s, "/jobs", &job("b", json!([shell("n", "shared", "", &[])]))).await;
    created(&s, "/jobs", &job("c", json!([dummy("n", &[])]))).await;

    let reply = s.call("POST", &v1("/jobs/batch-export"), &body(&json!({"jobList": ["b", "a", "b"]}))).await;
    assert_zip(&reply, "jobs.zip");
    assert_eq!(
        names(&reply.body),
        vec!["jobs/a/a.job", "jobs/a/shared.script", "jobs/a/tool.resource", "jobs/b/b.job", "jobs/b/shared.script"],
        "each listed job once, with what it uses"
    );
    assert_eq!(entry_json(&reply.body, "jobs/b/b.job"), {
        let single = s.call("POST", &v1("/jobs/b/export"), b"").await;
        entry_json(&single.body, "jobs/b.job")
    });
    let lean = body(&json!({"jobList": ["a", "c"], "exportDepend": false}));
    let lean = s.call("POST", &v1("/jobs/batch-export"), &lean).await;
    assert_eq!(names(&lean.body), vec!["jobs/a/a.job", "jobs/c/c.job"]);

    for bad in
        [json!({}), json!({"jobList": []}), json!({"jobList": (0..101).map(|i| format!("j{i}")).collect::<Vec<_>>()})]
    {
        s.call("POST", &v1("/jobs/batch-export"), &body(&bad)).await.assert_error(400, "DLF.3051");
    }
    s.call("POST", &v1("/jobs/batch-export"), b"").await.assert_error(400, "DLF.3051");
    let missing = s.call("POST", &v1("/jobs/batch-export"), &body(&json!({"jobList": ["a", "ghost"]}))).await;
    assert!(missing.assert_error(400, "DLF.0100").contains("ghost"));
}

#[tokio::test]
async fn obs_path_writes_the_zip_into_the_object_store() {
    let s = TestServer::start().await;
    setup_rich(&s, "rich").await;
    let download = s.call("POST", &v1("/jobs/rich/export"), b"").await.body;

    let reply = s.call("POST", &v1("/jobs/rich/export"), &body(&json!({"obsPath": "obs://exports/daily/"}))).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert!(reply.body.is_empty(), "the zip went to the object store");
    assert_eq!(reply.headers["x-dlf-export-location"], "obs://exports/daily/DLF_rich.zip");
    let object = s.call("GET", &format!("/x/v1/{PROJECT}/objects/exports/daily/DLF_rich.zip"), b"").await;
    assert_eq!(object.status, 200);
    assert_eq!(object.body, download, "the same zip as the download");

    let batch = json!({"jobList": ["rich"], "obsPath": "obs://exports/mine.zip", "exportDepend": false});
    let reply = s.call("POST", &v1("/jobs/batch-export"), &body(&batch)).await;
    assert_eq!(reply.headers["x-dlf-export-location"], "obs://exports/mine.zip");
    let object = s.call("GET", &format!("/x/v1/{PROJECT}/objects/exports/mine.zip"), b"").await;
    assert_eq!(names(&object.body), vec!["jobs/rich/rich.job"]);

    for bad in ["/tmp/exports/", "obs://exports/../x/", "s3://exports/", "obs://"] {
        let reply = s.call("POST", &v1("/jobs/rich/export"), &body(&json!({"obsPath": bad}))).await;
        reply.assert_error(400, "DLF.0803");
        let reply =
            s.call("POST", &v1("/jobs/batch-export"), &body(&json!({"jobList": ["rich"], "obsPath": bad}))).await;
        reply.assert_error(400, "DLF.0803");
    }
    let unknown = s.call("POST", &v1("/jobs/ghost/export"), &body(&json!({"obsPath": "obs://exports/x/"}))).await;
    unknown.assert_error(400, "DLF.0100");
    let none = s.call("GET", &format!("/x/v1/{PROJECT}/objects/exports/x/DLF_ghost.zip"), b"").await;
    assert_eq!(none.status, 400, "nothing was written for a job that does not exist");
}

#[tokio::test]
async fn connection_exports_leave_every_secret_out() {
    let s = TestServer::start().await;
    s.call("POST", &v1("/connections/export"), b"").await.assert_error(400, "DLF.6322");

    let password = "pw-Very-Secret-1234";
    let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAkeymaterialNOTFORANYONE\n-----END OPENSSH PRIVATE KEY-----";
    let passphrase = "phrase-Very-Secret-5678";
    created(
        &s,
        "/connections",
        &json!({"name": "orders_db", "type": "RDS", "description": "orders",
        "config": {"ip": "10.0.0.5", "port": "5432", "userName": "etl", "password": password,
                   "driverName": "org.postgresql.Driver", "kmsKey": "cdm-dlf"}}),
    )
    .await;
    created(
        &s,
        "/connections",
        &json!({"name": "edge", "type": "HOST",
        "config": {"ip": "10.0.0.9", "port": "22", "userName": "ops", "privateKey": key, "passphrase": passphrase}}),
    )
    .await;

    let reply = s.call("POST", &v1("/connections/export"), b"").await;
    assert_zip(&reply, "DLF_All_DataConnections.zip");
    let all = entries(&reply.body);
    assert_eq!(all.keys().collect::<Vec<_>>(), vec!["connections/edge.conn", "connections/orders_db.conn"], "no local");
    for secret in [password, key, passphrase, "AAAAkeymaterialNOTFORANYONE", "*********"] {
        let needle = secret.as_bytes();
        assert!(!reply.body.windows(needle.len()).any(|w| w == needle), "{secret} in the zip bytes");
        for (name, bytes) in &all {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{secret} in {name}");
        }
    }
    assert_eq!(
        entry_json(&reply.body, "connections/orders_db.conn"),
        json!({"name": "orders_db", "type": "RDS", "description": "orders",
               "config": {"ip": "10.0.0.5", "port": "5432", "userName": "etl",
                          "driverName": "org.postgresql.Driver", "kmsKey": "cdm-dlf"}})
    );
    assert_eq!(
        entry_json(&reply.body, "connections/edge.conn"),
        json!({"name": "edge", "type": "HOST", "config": {"ip": "10.0.0.9", "port": "22", "userName": "ops"}})
    );
}

#[tokio::test]
async fn exports_see_only_their_own_workspace() {
    let s = TestServer::start().await;
    let other = s.call("POST", &format!("/x/v1/{PROJECT}/workspaces"), b"{\"name\":\"other\"}").await.json();
    let other = other["id"].as_str().unwrap().to_string();
    created(&s, "/scripts", &script("s1", "echo default workspace")).await;
    created(&s, "/jobs", &job("mine", json!([shell("a", "s1", "", &[])]))).await;
    created(
        &s,
        "/connections",
        &json!({"name": "db", "type": "RDS", "config": {"ip": "h", "port": "5432",
        "userName": "u", "password": "p", "driverName": "org.postgresql.Driver"}}),
    )
    .await;

    s.call_in(&other, "POST", &v1("/jobs/mine/export"), b"").await.assert_error(400, "DLF.0100");
    let batch = body(&json!({"jobList": ["mine"]}));
    s.call_in(&other, "POST", &v1("/jobs/batch-export"), &batch).await.assert_error(400, "DLF.0100");
    s.call_in(&other, "POST", &v1("/connections/export"), b"").await.assert_error(400, "DLF.6322");

    // A same-named job and script in the other workspace export their own content.
    let made = s.call_in(&other, "POST", &v1("/scripts"), &body(&script("s1", "echo other workspace"))).await;
    assert_eq!(made.status, 204);
    let made = s.call_in(&other, "POST", &v1("/jobs"), &body(&job("mine", json!([shell("b", "s1", "", &[])])))).await;
    assert_eq!(made.status, 204);
    let theirs = s.call_in(&other, "POST", &v1("/jobs/mine/export"), b"").await;
    assert_eq!(entry_json(&theirs.body, "scripts/s1.script")["content"], "echo other workspace");
    assert_eq!(entry_json(&theirs.body, "jobs/mine.job")["nodes"][0]["name"], "b");
    let ours = s.call("POST", &v1("/jobs/mine/export"), b"").await;
    assert_eq!(entry_json(&ours.body, "scripts/s1.script")["content"], "echo default workspace");
}

#[tokio::test]
async fn a_job_name_beyond_ascii_is_given_in_filename_star() {
    let s = TestServer::start().await;
    created(&s, "/jobs", &job("作业1", json!([dummy("a", &[])]))).await;
    let reply = s.call("POST", &v1("/jobs/%E4%BD%9C%E4%B8%9A1/export"), b"").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let disposition = reply.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("filename*=UTF-8''DLF%5F%E4%BD%9C%E4%B8%9A1%2Ezip"), "{disposition}");
    assert_eq!(names(&reply.body), vec!["jobs/作业1.job"]);
}

fn real_job(file: &str) -> Value {
    let path = format!("{}/tests/data/real-jobs/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Export, delete, CreateJob of the `.job`: the same ShowJob, for Huawei's published documents
/// (quirks and cloud-only node types included) and for a job with cross-job dependencies.
#[tokio::test]
async fn published_and_dependent_jobs_come_back_unchanged_from_their_job_file() {
    let s = TestServer::start().await;
    let mut documents = vec![real_job("01-hivesql-myjob-create.json")];
    let mut from_show = real_job("03-hivesql-myjob-show-response.json");
    from_show["name"] = json!("myJobFromShow");
    documents.push(from_show);
    let mut realtime = real_job("04-realtime-dis-cs-dli-chain.json");
    realtime["name"] = json!("realtimeChain");
    documents.push(realtime);
    created(&s, "/jobs", &job("upstream", json!([dummy("a", &[])]))).await;
    let mut dependent = job("dependent", json!([dummy("a", &[]), dummy("b", &["a"])]));
    dependent["schedule"]["cron"]["dependJobs"] =
        json!({"jobs": ["upstream"], "dependPeriod": "SAME_PERIOD", "dependFailPolicy": "IGNORE"});
    dependent["schedule"]["cron"]["dependPrePeriod"] = json!(true);
    dependent["schedule"]["cron"]["concurrent"] = json!(2);
    documents.push(dependent);

    for doc in documents {
        created(&s, "/jobs", &doc).await;
        let name = doc["name"].as_str().unwrap();
        let before = show(&s, name).await;
        let reply = s.call("POST", &v1(&format!("/jobs/{name}/export")), b"").await;
        assert_zip(&reply, &format!("DLF_{name}.zip"));
        let job_bytes = entries(&reply.body).remove(&format!("jobs/{name}.job")).expect("the .job");
        assert_eq!(s.call("DELETE", &v1(&format!("/jobs/{name}")), b"").await.status, 204);
        let again = s.call("POST", &v1("/jobs"), &job_bytes).await;
        assert_eq!(again.status, 204, "{name}: {}", String::from_utf8_lossy(&again.body));
        assert_eq!(definition(show(&s, name).await), definition(before), "{name}");
    }
}
