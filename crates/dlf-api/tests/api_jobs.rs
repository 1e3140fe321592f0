//! Job definitions through the HTTP API: StopJob's documented answers, round trips, validation
//! codes, Huawei's own published job documents, and bad input that must change nothing.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn stop_job_answers_204_or_dlf_0100() {
    let s = TestServer::start().await;
    let missing = s.call("POST", &v1("/jobs/nope/stop"), b"").await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json(), json!({"error_code": "DLF.0100", "error_msg": "The job does not exists."}));
    assert!(missing.headers.get("x-request-id").is_some(), "every response carries X-Request-Id");
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&job("j", json!([dummy("a", &[])])))).await.status, 204);
    assert_eq!(s.call("POST", &v1("/jobs/j/stop"), b"").await.status, 204);
    assert_eq!(s.call("POST", &v1("/jobs/j/stop"), b"").await.status, 204, "stop is idempotent");
}

#[tokio::test]
async fn create_show_update_delete_round_trip() {
    let s = TestServer::start().await;
    let mut doc = job("round", json!([dummy("a", &[]), dummy("b", &["a"])]));
    doc["params"] = json!([{"name": "bizdate", "value": "#{Job.getYesterday(\"yyyyMMdd\")}", "type": "variable"}]);
    doc["basicConfig"] = json!({"owner": "alice", "priority": 1, "tags": ["daily"], "customFields": {"team": "data"}});
    doc["nodes"][1]["conditions"] =
        json!([{"preNodeName": "a", "expression": "#{Job.getNodeStatus(\"a\") == \"success\"}"}]);
    doc["someFutureField"] = json!({"kept": true});
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&doc)).await.status, 204);
    let shown = s.call("GET", &v1("/jobs/round"), b"").await.json();
    for key in ["name", "processType", "schedule", "params", "someFutureField"] {
        assert_eq!(shown[key], doc[key], "{key} comes back as sent");
    }
    assert_eq!(shown["basicConfig"]["tags"], json!(["daily"]));
    assert_eq!(shown["nodes"][1]["conditions"], doc["nodes"][1]["conditions"]);
    assert_eq!(shown["nodes"][0]["pollingInterval"], 10, "defaults are filled in");
    assert!(shown["id"].is_i64());
    assert_eq!(shown["version"], "1");
    doc["nodes"] = json!([dummy("only", &[])]);
    assert_eq!(s.call("PUT", &v1("/jobs/round"), &body(&doc)).await.status, 204);
    let updated = s.call("GET", &v1("/jobs/round"), b"").await.json();
    assert_eq!(updated["version"], "2");
    assert_eq!(updated["nodes"].as_array().unwrap().len(), 1);
    let v1_doc = s.call("GET", &v1("/jobs/round?version=1"), b"").await.json();
    assert_eq!(v1_doc["nodes"].as_array().unwrap().len(), 2, "older versions stay readable");
    assert_eq!(s.call("DELETE", &v1("/jobs/round"), b"").await.status, 204);
    s.call("GET", &v1("/jobs/round"), b"").await.assert_error(400, "DLF.0100");
}

/// ShowJob answers are reused between writes (`answer_cache`): every kind of job write is seen
/// by the next ShowJob, including a write to *another* job that changes this one's
/// `downstreamJobs`.
#[tokio::test]
async fn show_job_sees_every_write_at_once() {
    let s = TestServer::start().await;
    let show = |path: &'static str| {
        let s = &s;
        async move { s.call("GET", &v1(path), b"").await }
    };
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&job("parent", json!([dummy("a", &[])])))).await.status, 204);
    let first = show("/jobs/parent").await;
    assert_eq!(show("/jobs/parent").await.body, first.body, "a repeated ShowJob answers the same");
    assert_eq!(show("/jobs/parent?dependencies=true").await.json()["downstreamJobs"], json!([]));

    let mut child = job("child", json!([dummy("c", &[])]));
    child["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["parent"]});
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&child)).await.status, 204);
    assert_eq!(
        show("/jobs/parent?dependencies=true").await.json()["downstreamJobs"][0]["jobName"],
        "child",
        "another job's creation"
    );

    let mut changed = job("parent", json!([dummy("a", &[]), dummy("b", &["a"])]));
    changed["description"] = json!("two nodes");
    assert_eq!(s.call("PUT", &v1("/jobs/parent"), &body(&changed)).await.status, 204);
    let updated = show("/jobs/parent").await.json();
    assert_eq!(
        (updated["description"].clone(), updated["version"].clone()),
        (json!("two nodes"), json!("2")),
        "an update"
    );
    assert_eq!(show("/jobs/parent?version=1").await.json()["nodes"].as_array().unwrap().len(), 1);

    assert_eq!(s.call("DELETE", &v1("/jobs/child"), b"").await.status, 204);
    assert_eq!(
        show("/jobs/parent?dependencies=true").await.json()["downstreamJobs"],
        json!([]),
        "another job's deletion"
    );
    assert_eq!(s.call("DELETE", &v1("/jobs/parent"), b"").await.status, 204);
    show("/jobs/parent").await.assert_error(400, "DLF.0100");
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&job("parent", json!([dummy("z", &[])])))).await.status, 204);
    let recreated = show("/jobs/parent").await.json();
    assert_eq!(recreated["nodes"][0]["name"], "z", "a job created again under the same name");
    assert_ne!(recreated["id"], first.json()["id"]);
}

/// Each invalid document gets its catalogue code and a message naming the field, and the job
/// list is unchanged afterwards.
#[tokio::test]
async fn validation_errors_have_their_codes_and_change_nothing() {
    let s = TestServer::start().await;
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&job("taken", json!([dummy("a", &[])])))).await.status, 204);
    let base = job("ok_name", json!([dummy("a", &[])]));
    let with = |f: &dyn Fn(&mut Value)| {
        let mut d = base.clone();
        f(&mut d);
        d
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (with(&|d| d["name"] = json!("")), "DLF.3004", "name"),
        (with(&|d| d["name"] = json!("bad name!")), "DLF.3018", "name"),
        (with(&|d| d["name"] = json!("taken")), "DLF.0102", "exists"),
        (with(&|d| d["nodes"] = json!([])), "DLF.1006", "nodes"),
        (with(&|d| d["processType"] = json!("STREAM")), "DLF.2014", "processType"),
        (with(&|d| d["schedule"]["cron"]["expression"] = json!("0 0 25 * * ?")), "DLF.3025", "expression"),
        (with(&|d| d["schedule"]["cron"]["endTime"] = json!("2023-01-01T00:00:00+08")), "DLF.3025", "endTime"),
        (with(&|d| d["schedule"]["cron"]["expressionTimeZone"] = json!("Mars/Base")), "DLF.3025", "expressionTimeZone"),
        (with(&|d| d["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["ghost"]})), "DLF.3025", "ghost"),
        (with(&|d| d["nodes"] = json!([dummy("a", &[]), dummy("a", &[])])), "DLF.3051", "twice"),
        (with(&|d| d["nodes"] = json!([dummy("a", &["zz"])])), "DLF.3051", "preNodeName"),
        (with(&|d| d["nodes"] = json!([dummy("a", &["b"]), dummy("b", &["a"])])), "DLF.3051", "cycle"),
        (with(&|d| d["nodes"][0]["failPolicy"] = json!("EXPLODE")), "DLF.3051", "failPolicy"),
        (with(&|d| d["nodes"][0]["retryTimes"] = json!(6)), "DLF.3051", "retryTimes"),
        (
            with(&|d| d["nodes"] = json!((0..201).map(|i| dummy(&format!("n{i}"), &[])).collect::<Vec<_>>())),
            "DLF.3051",
            "200",
        ),
        (with(&|d| d["nodes"] = json!("x")), "DLF.3051", "nodes"),
    ];
    for (doc, code, field) in cases {
        let msg = s.call("POST", &v1("/jobs"), &body(&doc)).await.assert_error(400, code);
        assert!(msg.contains(field), "{code}: message {msg:?} should name {field:?}");
    }
    let list = s.call("GET", &v1("/jobs"), b"").await.json();
    assert_eq!(list["total"], 1, "no rejected create left a job behind");
    let before = s.call("GET", &v1("/jobs/taken"), b"").await.json();
    let bad_update = with(&|d| {
        d["name"] = json!("taken");
        d["nodes"] = json!([dummy("a", &["a"])]);
    });
    s.call("PUT", &v1("/jobs/taken"), &body(&bad_update)).await.assert_error(400, "DLF.3051");
    assert_eq!(s.call("GET", &v1("/jobs/taken"), b"").await.json(), before, "a rejected update changes nothing");
}

fn real_job(file: &str) -> Value {
    let path = format!("{}/tests/data/real-jobs/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Huawei's published documents, quirks included, are accepted and read back.
#[tokio::test]
async fn huaweis_published_job_documents_are_accepted() {
    let s = TestServer::start().await;
    let create = real_job("01-hivesql-myjob-create.json");
    assert_eq!(s.call("POST", &v1("/jobs"), &serde_json::to_vec(&create).unwrap()).await.status, 204);
    let shown = s.call("GET", &v1("/jobs/myJob"), b"").await.json();
    assert_eq!(shown["schedule"], json!({"type": "CRON"}), "a CRON schedule without a cron block is kept");
    assert_eq!(shown["nodes"][0]["location"], create["nodes"][0]["location"], "string coordinates preserved");
    assert_eq!(shown["nodes"][0]["properties"], create["nodes"][0]["properties"]);
    assert_eq!(shown["directory"], create["directory"]);
    s.call("POST", &v1("/jobs/myJob/start"), b"").await.assert_error(400, "DLF.3025");

    let update = real_job("02-hivesql-myjob-update.json");
    assert_eq!(update["id"], 608627);
    assert_eq!(
        s.call("PUT", &v1("/jobs/myJob"), &serde_json::to_vec(&update).unwrap()).await.status,
        204,
        "the foreign id is ignored"
    );
    let shown = s.call("GET", &v1("/jobs/myJob"), b"").await.json();
    assert_ne!(shown["id"], 608627, "the server's own id is returned");
    assert_eq!(shown["version"], "2");

    let mut show_response = real_job("03-hivesql-myjob-show-response.json");
    assert_eq!(show_response["basicConfig"]["tags"], json!({}));
    show_response["name"] = json!("myJobFromShow");
    assert_eq!(s.call("POST", &v1("/jobs"), &serde_json::to_vec(&show_response).unwrap()).await.status, 204);
    let shown = s.call("GET", &v1("/jobs/myJobFromShow"), b"").await.json();
    assert_eq!(shown["basicConfig"]["tags"], json!([]), "tags {{}} means no tags");
    assert_eq!(shown["emptyRunningJob"], "0");

    let mut realtime = real_job("04-realtime-dis-cs-dli-chain.json");
    realtime["name"] = json!("realtimeChain"); // 04 is also called myJob
    assert_eq!(s.call("POST", &v1("/jobs"), &serde_json::to_vec(&realtime).unwrap()).await.status, 204);
    let name = realtime["name"].as_str().unwrap();
    let shown = s.call("GET", &v1(&format!("/jobs/{name}")), b"").await.json();
    assert_eq!(shown["processType"], "REAL_TIME");
    assert_eq!(shown["nodes"].as_array().unwrap().len(), 4);
    for (sent, got) in realtime["nodes"].as_array().unwrap().iter().zip(shown["nodes"].as_array().unwrap()) {
        assert_eq!(got["type"], sent["type"], "unknown node types are stored");
        assert_eq!(got["preNodeName"], sent["preNodeName"]);
        if !sent["eventTrigger"].is_null() {
            assert_eq!(got["eventTrigger"], sent["eventTrigger"], "trigger quirks kept verbatim");
        }
        assert_eq!(got["resources"], sent["resources"], "unknown fields kept");
    }
    let list = s.call("GET", &v1("/jobs?jobType=REAL_TIME"), b"").await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(s.call("GET", &v1("/jobs"), b"").await.json()["total"], 2, "the default lists BATCH jobs only");
}

#[tokio::test]
async fn list_jobs_pages_by_rows_and_filters() {
    let s = TestServer::start().await;
    for i in 0..15 {
        let mut d = job(&format!("page_{i:02}"), json!([dummy("a", &[])]));
        if i % 5 == 0 {
            d["basicConfig"] = json!({"tags": ["five"]});
        }
        assert_eq!(s.call("POST", &v1("/jobs"), &body(&d)).await.status, 204);
    }
    let page = s.call("GET", &v1("/jobs?offset=10&limit=10"), b"").await.json();
    assert_eq!((page["total"].as_i64(), page["jobs"].as_array().unwrap().len()), (Some(15), 5));
    assert_eq!(s.call("GET", &v1("/jobs?jobName=page_1"), b"").await.json()["total"], 5);
    assert_eq!(s.call("GET", &v1("/jobs?tags=five,none"), b"").await.json()["total"], 3);
    s.call("GET", &v1("/jobs?limit=0"), b"").await.assert_error(400, "DLF.3051");
    s.call("GET", &v1("/jobs?limit=1001"), b"").await.assert_error(400, "DLF.3051");
    s.call("GET", &v1("/jobs?offset=-1"), b"").await.assert_error(400, "DLF.3051");
    s.call("GET", &v1("/jobs?jobType=STREAMING"), b"").await.assert_error(400, "DLF.3051");
    s.call("GET", &v1("/jobs?limit=ten"), b"").await.assert_error(400, "DLF.3051");
}

#[tokio::test]
async fn start_stop_and_delete_rules() {
    let s = TestServer::start().await;
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&job("up", json!([dummy("a", &[])])))).await.status, 204);
    let mut down = job("down", json!([dummy("a", &[])]));
    down["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["up"]});
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&down)).await.status, 204);
    let status = |list: Value, name: &str| {
        list["jobs"].as_array().unwrap().iter().find(|j| j["name"] == name).unwrap()["status"].clone()
    };
    assert_eq!(status(s.call("GET", &v1("/jobs"), b"").await.json(), "up"), "STOPPED");
    assert_eq!(s.call("POST", &v1("/jobs/up/start"), b"").await.status, 204);
    assert_eq!(status(s.call("GET", &v1("/jobs"), b"").await.json(), "up"), "SCHEDULING");
    let msg = s.call("POST", &v1("/jobs/up/start"), b"").await.assert_error(400, "DLF.3051");
    assert!(msg.contains("is running"), "{msg}");
    let msg = s.call("DELETE", &v1("/jobs/up"), b"").await.assert_error(400, "DLF.3051");
    assert!(msg.contains("stop the job first"), "{msg}");
    assert_eq!(s.call("POST", &v1("/jobs/up/stop"), b"").await.status, 204);
    assert_eq!(status(s.call("GET", &v1("/jobs"), b"").await.json(), "up"), "STOPPED");
    let msg = s.call("DELETE", &v1("/jobs/up"), b"").await.assert_error(400, "DLF.3051");
    assert!(msg.contains("down"), "the dependent job is named: {msg}");
    assert_eq!(s.call("DELETE", &v1("/jobs/down"), b"").await.status, 204);
    assert_eq!(s.call("DELETE", &v1("/jobs/up"), b"").await.status, 204);
}

#[tokio::test]
async fn bad_input_gets_dlf_errors_not_500s() {
    let s = TestServer::start().await;
    s.call("POST", &v1("/jobs"), b"{not json").await.assert_error(400, "DLF.3051");
    s.call("POST", &v1("/jobs"), b"[1,2]").await.assert_error(400, "DLF.3051");
    s.call("POST", &v1("/jobs"), b"\"x\"").await.assert_error(400, "DLF.3051");
    s.call("GET", &v1("/nothing/here"), b"").await.assert_error(404, "APIGW.0101");
    s.call("PATCH", &v1("/jobs"), b"").await.assert_error(404, "APIGW.0101");
    let big = vec![b' '; 13 * 1024 * 1024];
    s.call("POST", &v1("/jobs"), &big).await.assert_error(413, "APIGW.0201");
    // A name with a slash travels as %2F and stays one name.
    s.call("GET", &v1("/jobs/a%2Fb"), b"").await.assert_error(400, "DLF.0100");
    s.call("GET", &v1("/jobs/%FF%FE"), b"").await.assert_error(400, "DLF.3051");
    // Non-ASCII names round-trip.
    let name = "作业_1";
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&job(name, json!([dummy("节点", &[])])))).await.status, 204);
    let encoded = "%E4%BD%9C%E4%B8%9A_1";
    let shown = s.call("GET", &v1(&format!("/jobs/{encoded}")), b"").await.json();
    assert_eq!(shown["name"], name);
    assert_eq!(shown["nodes"][0]["name"], "节点");
    assert_eq!(s.call("GET", "/healthz", b"").await.status, 200, "still healthy");
}
