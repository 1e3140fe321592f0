//! C1–C5 through the router: secrets sealed and masked, the built-in `local`, the rules of the
//! catalogue, the delete-in-use refusal, and bad input that changes nothing.

mod common;

use common::{TestServer, body, job, v1};
use serde_json::{Value, json};

fn rds(name: &str, password: &str) -> Value {
    json!({"name": name, "type": "RDS", "description": "orders",
           "config": {"ip": "127.0.0.1", "port": "5432", "userName": "etl", "password": password,
                      "driverName": "org.postgresql.Driver", "kmsKey": "cdm-dlf"}})
}

async fn show(s: &TestServer, name: &str) -> Value {
    let reply = s.call("GET", &v1(&format!("/connections/{name}")), b"").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

#[tokio::test]
async fn secrets_are_sealed_at_rest_and_masked_in_every_answer() {
    let s = TestServer::start().await;
    let reply = s.call("POST", &v1("/connections"), &body(&rds("orders_db", "s3cr3t-value"))).await;
    assert_eq!(reply.status, 204, "{}", String::from_utf8_lossy(&reply.body));

    let shown = show(&s, "orders_db").await;
    assert_eq!(shown["config"]["password"], "*********");
    assert_eq!(shown["config"]["kmsKey"], "cdm-dlf", "a key name is not a secret");
    assert_eq!(shown["type"], "RDS");
    let list = s.call("GET", &v1("/connections"), b"").await.json();
    assert_eq!(list["total"], 2, "local and orders_db: {list}");
    assert_eq!(list["connections"][0], json!({"name": "local", "type": "HOST", "config": {}}));
    assert_eq!(list["connections"][1]["config"]["password"], "*********");
    assert!(!list.to_string().contains("s3cr3t-value"));

    // Not in clear in the database file either.
    let db = std::fs::read(s.dir.path().join("dlf.db")).unwrap();
    let wal = std::fs::read(s.dir.path().join("dlf.db-wal")).unwrap_or_default();
    let needle = b"s3cr3t-value";
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle), "the password is stored in clear");
    }
    // The engine opens it for running.
    let tenant = s.engine.resolve_tenant(common::PROJECT, None).await.unwrap();
    let resolved = s.engine.resolve_connection(tenant.workspace_id(), Some("orders_db")).await.unwrap().unwrap();
    use secrecy::ExposeSecret;
    assert_eq!(resolved.password.as_ref().unwrap().expose_secret(), "s3cr3t-value");
}

#[tokio::test]
async fn an_update_keeps_a_masked_secret_and_refuses_a_type_change() {
    let s = TestServer::start().await;
    s.call("POST", &v1("/connections"), &body(&rds("orders_db", "first"))).await;
    let mut shown = show(&s, "orders_db").await;
    shown["description"] = json!("changed");
    let reply = s.call("PUT", &v1("/connections/orders_db?ischeck=true"), &body(&shown)).await;
    assert_eq!(reply.status, 204, "{}", String::from_utf8_lossy(&reply.body));
    let tenant = s.engine.resolve_tenant(common::PROJECT, None).await.unwrap();
    let resolved = s.engine.resolve_connection(tenant.workspace_id(), Some("orders_db")).await.unwrap().unwrap();
    use secrecy::ExposeSecret;
    assert_eq!(resolved.password.as_ref().unwrap().expose_secret(), "first", "the mask kept the stored password");
    assert_eq!(show(&s, "orders_db").await["description"], "changed");

    let mut other_type = shown.clone();
    other_type["type"] = json!("DWS");
    s.call("PUT", &v1("/connections/orders_db"), &body(&other_type)).await.assert_error(400, "DLF.6323");
    s.call("PUT", &v1("/connections/nothing"), &body(&shown)).await.assert_error(400, "DLF.6322");
    // A rename onto another connection's name.
    s.call("POST", &v1("/connections"), &body(&rds("other_db", "x"))).await;
    let mut renamed = shown.clone();
    renamed["name"] = json!("other_db");
    s.call("PUT", &v1("/connections/orders_db"), &body(&renamed)).await.assert_error(400, "DLF.6309");
    assert_eq!(show(&s, "orders_db").await["description"], "changed", "nothing changed");
}

#[tokio::test]
async fn the_catalogue_rules_and_bad_input_change_nothing() {
    let s = TestServer::start().await;
    let create = |v: Value| {
        let s = &s;
        async move { s.call("POST", &v1("/connections"), &body(&v)).await }
    };
    create(json!({"name": "local", "type": "HOST", "config": {"ip": "h", "userName": "u", "password": "p"}}))
        .await
        .assert_error(400, "DLF.6309");
    create(json!({"name": "dws", "type": "DWS", "config": {"userName": "u"}})).await.assert_error(400, "DLF.6418");
    assert_eq!(create(json!({"name": "dli1", "type": "DLI"})).await.status, 204);
    create(json!({"name": "dli2", "type": "DLI"})).await.assert_error(400, "DLF.6271");
    create(json!({"name": "bad name", "type": "DLI"})).await.assert_error(400, "DLF.3051");
    create(json!({"name": "t", "type": "Oracle"})).await.assert_error(400, "DLF.3051");
    create(json!({"name": "h", "type": "HOST", "config": {"ip": "h", "userName": "u"}}))
        .await
        .assert_error(400, "DLF.3051");
    create(json!({"name": "p", "type": "RDS", "config": {"ip": "h", "port": "x", "userName": "u",
                  "driverName": "org.postgresql.Driver"}}))
    .await
    .assert_error(400, "DLF.3051");
    let msg = s.call("POST", &v1("/connections"), b"{\"name\": 3}").await.assert_error(400, "DLF.3051");
    assert!(msg.contains("name"), "{msg}");
    let list = s.call("GET", &v1("/connections"), b"").await.json();
    assert_eq!(list["total"], 2, "only local and dli1: {list}");

    s.call("GET", &v1("/connections/nothing"), b"").await.assert_error(400, "DLF.6322");
    s.call("DELETE", &v1("/connections/nothing"), b"").await.assert_error(400, "DLF.6322");
    s.call("DELETE", &v1("/connections/local"), b"").await.assert_error(400, "DLF.3051");
    s.call("PUT", &v1("/connections/local"), &body(&json!({"name": "local", "type": "HOST"})))
        .await
        .assert_error(400, "DLF.3051");
    assert_eq!(show(&s, "local").await, json!({"name": "local", "type": "HOST", "config": {}}));
    s.call("GET", &v1("/connections?limit=0"), b"").await.assert_error(400, "DLF.3051");
}

#[tokio::test]
async fn a_connection_in_use_cannot_be_deleted_or_renamed() {
    let s = TestServer::start().await;
    s.call("POST", &v1("/connections"), &body(&rds("orders_db", "x"))).await;
    let sql = json!({"name": "load", "type": "RDSSQL", "location": {"x": "0", "y": "0"},
                     "properties": [{"name": "connectionName", "value": "orders_db"},
                                    {"name": "statementOrScript", "value": "STATEMENT"},
                                    {"name": "statement", "value": "SELECT 1"}]});
    assert_eq!(s.call("POST", &v1("/jobs"), &body(&job("nightly", json!([sql])))).await.status, 204);
    let script = json!({"name": "report", "type": "RDSSQL", "content": "SELECT 2", "connectionName": "orders_db"});
    assert_eq!(s.call("POST", &v1("/scripts"), &body(&script)).await.status, 204);

    let msg = s.call("DELETE", &v1("/connections/orders_db"), b"").await.assert_error(400, "DLF.3051");
    assert!(msg.contains("nightly") && msg.contains("report"), "{msg}");
    let mut renamed = show(&s, "orders_db").await;
    renamed["name"] = json!("orders_v2");
    let msg = s.call("PUT", &v1("/connections/orders_db"), &body(&renamed)).await.assert_error(400, "DLF.3051");
    assert!(msg.contains("nightly"), "{msg}");
    show(&s, "orders_db").await;

    // Once nothing uses it, it goes.
    assert_eq!(s.call("DELETE", &v1("/jobs/nightly"), b"").await.status, 204);
    assert_eq!(s.call("DELETE", &v1("/scripts/report"), b"").await.status, 204);
    assert_eq!(s.call("DELETE", &v1("/connections/orders_db"), b"").await.status, 204);
    s.call("GET", &v1("/connections/orders_db"), b"").await.assert_error(400, "DLF.6322");
}

#[tokio::test]
async fn lists_page_with_local_first_and_filter_by_name() {
    let s = TestServer::start().await;
    for name in ["b_db", "a_db", "c_db"] {
        assert_eq!(s.call("POST", &v1("/connections"), &body(&rds(name, "x"))).await.status, 204);
    }
    let names = |v: Value| -> Vec<String> {
        v["connections"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
    };
    let page = s.call("GET", &v1("/connections?limit=2&offset=0"), b"").await.json();
    assert_eq!((page["total"].as_i64(), names(page)), (Some(4), vec!["local".into(), "a_db".into()]));
    let page = s.call("GET", &v1("/connections?limit=2&offset=2"), b"").await.json();
    assert_eq!(names(page), vec!["b_db".to_string(), "c_db".to_string()]);
    let page = s.call("GET", &v1("/connections?connectionName=b_"), b"").await.json();
    assert_eq!((page["total"].as_i64(), names(page)), (Some(1), vec!["b_db".to_string()]));
    let page = s.call("GET", &v1("/connections?connectionName=loc"), b"").await.json();
    assert_eq!(names(page), vec!["local".to_string()]);
}

#[tokio::test]
async fn workspaces_do_not_see_each_others_connections() {
    let s = TestServer::start().await;
    let ws = s.call("POST", &format!("/x/v1/{}/workspaces", common::PROJECT), b"{\"name\":\"other\"}").await.json();
    let other = ws["id"].as_str().unwrap().to_string();
    s.call("POST", &v1("/connections"), &body(&rds("orders_db", "x"))).await;
    s.call_in(&other, "GET", &v1("/connections/orders_db"), b"").await.assert_error(400, "DLF.6322");
    assert_eq!(s.call_in(&other, "POST", &v1("/connections"), &body(&rds("orders_db", "y"))).await.status, 204);
}
