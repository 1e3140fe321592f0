//! Resources in job runs: a Shell node finds the resources it names as files in its working
//! directory (copies, not links into the data directory), and a node naming a resource that
//! does not exist, or whose bytes were never uploaded, fails with a message saying so.

mod support;

use dlf_core::model::resource::ObjectPath;
use serde_json::{Value, json};
use support::{TestEngine, job, node_status, shell};

fn with_resources(mut node: Value, resources: &str) -> Value {
    node["properties"].as_array_mut().unwrap().push(json!({"name": "resources", "value": resources}));
    node
}

async fn resource(t: &TestEngine, name: &str, location: &str) {
    let body = json!({"name": name, "type": "file", "location": location});
    t.engine.create_resource(&t.tenant, &t.caller, &serde_json::to_vec(&body).unwrap()).await.unwrap();
}

async fn log_of(t: &TestEngine, job: &str, id: i64, node: &str) -> String {
    let log = t.engine.node_log(&t.tenant, job, &id.to_string(), node, None).await.unwrap();
    std::fs::read_to_string(log.path).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_node_cats_a_resource_from_its_working_directory() {
    let t = TestEngine::start().await;
    let object = ObjectPath::new("tools", "lib/greeting.txt").unwrap();
    t.engine.put_object(&t.tenant.project_id, &object, b"hello from a resource\n".to_vec()).await.unwrap();
    t.engine
        .put_object(&t.tenant.project_id, &ObjectPath::new("tools", "n.txt").unwrap(), b"42".to_vec())
        .await
        .unwrap();
    resource(&t, "greeting", "obs://tools/lib/greeting.txt").await;
    resource(&t, "number", "obs://tools/n.txt").await;
    // The copy is a plain file of the working directory, and the node may change it without
    // changing the object.
    let script = "cat greeting.txt && test ! -L greeting.txt && echo changed > greeting.txt && cat n.txt";
    let node = with_resources(shell("read", script, &[]), "greeting,\nnumber");
    t.create(&job("uses_resources", vec![node])).await;
    let id = t.run("uses_resources", &[]).await;
    let detail = t.finished("uses_resources", id).await;
    let log = log_of(&t, "uses_resources", id, "read").await;
    assert_eq!(detail.status, "success", "{log}");
    assert!(log.contains("hello from a resource") && log.contains("42"), "{log}");
    assert_eq!(t.engine.get_object(&t.tenant.project_id, &object).await.unwrap(), b"hello from a resource\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_or_missing_resource_fails_the_node_with_its_name() {
    let t = TestEngine::start().await;
    resource(&t, "not_uploaded", "obs://tools/absent.txt").await;
    resource(&t, "on_a_path", "/etc/passwd").await;
    for (name, resources, expected) in [
        ("unknown", "nothing_here", "the resource 'nothing_here' does not exist"),
        ("absent", "not_uploaded", "has not been uploaded"),
        ("path", "on_a_path", "not in dlf's object store"),
    ] {
        let node = with_resources(shell("n", "echo ran", &[]), resources);
        t.create(&job(name, vec![node])).await;
        let id = t.run(name, &[]).await;
        let detail = t.finished(name, id).await;
        assert_eq!(node_status(&detail, "n"), "fail", "{name}");
        let log = log_of(&t, name, id, "n").await;
        let message = format!("{log} {:?}", detail.error_message);
        assert!(message.contains(expected), "{name}: {message}");
        assert!(!log.contains("ran\n"), "{name}: the program must not run: {log}");
    }
}
