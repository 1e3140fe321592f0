//! `kill -9` during an import: after the restart the task is not `RUNNING` (it is `FAILED` and
//! says the server stopped), and every job of the package is either wholly there, equal to its
//! document, or absent: one store transaction per job leaves nothing half-imported.

mod common;

use common::*;
use dlf_engine::packages::batch;
use serde_json::{Value, json};
use std::io::{Cursor, Write};
use std::time::{Duration, Instant};
use zip::write::SimpleFileOptions;

const JOBS: usize = 300;

fn document(i: usize) -> Value {
    let nodes: Vec<Value> = (0..8)
        .map(|n| {
            let upstream: Vec<String> = if n == 0 { vec![] } else { vec![format!("n{}", n - 1)] };
            json!({"name": format!("n{n}"), "type": "Dummy", "location": {"x": "0", "y": n.to_string()},
                   "preNodeName": upstream, "properties": []})
        })
        .collect();
    json!({
        "name": format!("imported_{i:03}"),
        "processType": "BATCH",
        "directory": "/crash",
        "schedule": {"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+08", "expression": "0 0 2 * * ?",
                                             "expressionTimeZone": "GMT+8"}},
        "params": [{"name": "index", "value": i.to_string()}],
        "nodes": nodes,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_an_import_leaves_no_running_task_and_no_half_job() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let imports = dir.path().join("imports");
    std::fs::create_dir_all(&imports).unwrap();
    let docs: Vec<Value> = (0..JOBS).map(document).collect();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for doc in &docs {
        w.start_file(batch::job(doc["name"].as_str().unwrap()), SimpleFileOptions::default()).unwrap();
        w.write_all(&serde_json::to_vec(doc).unwrap()).unwrap();
    }
    let package = imports.join("jobs.zip");
    std::fs::write(&package, w.finish().unwrap().into_inner()).unwrap();
    let import_dir = imports.to_str().unwrap().to_string();
    let args = ["--import-dir", import_dir.as_str()];

    let mut server = Server::start(&data, &args).await;
    let (status, started) = server.json("POST", "/jobs/import", Some(&json!({"path": package}))).await;
    assert_eq!(status, 200, "{started}");
    let task_path = format!("/system-tasks/{}", started["taskId"].as_str().unwrap());
    // Kill it once some jobs are in and the task is still running.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, task) = server.json("GET", &task_path, None).await;
        assert_eq!(task["status"], "RUNNING", "the import ended before the crash could interrupt it: {task}");
        let done = task["subtasks"].as_array().map_or(0, |s| s.iter().filter(|t| t["status"] != "RUNNING").count());
        if done >= 5 {
            break;
        }
        assert!(Instant::now() < deadline, "the import made no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill9();

    let server = Server::start(&data, &args).await;
    let (status, task) = server.json("GET", &task_path, None).await;
    assert_eq!(status, 200, "{task}");
    assert_eq!(task["status"], "FAILED", "{task}");
    assert!(task["message"].as_str().unwrap().contains("The server stopped while this task was running"), "{task}");
    assert!(task["endTime"].is_i64());
    assert!(task["subtasks"].as_array().unwrap().iter().all(|t| t["status"] != "RUNNING"), "{task}");

    let (mut present, mut absent) = (0, 0);
    for doc in &docs {
        let name = doc["name"].as_str().unwrap();
        let (status, shown) = server.json("GET", &format!("/jobs/{name}"), None).await;
        if status != 200 {
            assert_eq!(shown["error_code"], "DLF.0100", "{name}: {shown}");
            absent += 1;
            continue;
        }
        present += 1;
        for (key, value) in doc.as_object().unwrap() {
            if key == "nodes" {
                for (sent, got) in value.as_array().unwrap().iter().zip(shown["nodes"].as_array().unwrap()) {
                    assert_eq!(got["name"], sent["name"], "{name}");
                    assert_eq!(got["preNodeName"], sent["preNodeName"], "{name}");
                }
                assert_eq!(shown["nodes"].as_array().unwrap().len(), 8, "{name}: every node is there");
            } else if key != "schedule" {
                assert_eq!(&shown[key], value, "{name}: {key}");
            }
        }
        assert_eq!(shown["version"], "1", "{name} was submitted with its creation");
    }
    assert!(present >= 5, "the jobs imported before the crash stay ({present})");
    assert!(absent > 0, "the crash interrupted the import ({present} present)");
}
