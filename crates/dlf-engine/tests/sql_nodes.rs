//! SQL nodes end to end against real servers (JOBS.md §3.2): PostgreSQL (`DWSSQL`) and MySQL /
//! MariaDB (`RDSSQL`, `DorisSQL`), through jobs run by the engine. Gated on
//! `DLF_TEST_POSTGRES_URL` / `DLF_TEST_MYSQL_URL` (see `sql_support`).

mod sql_support;
mod support;

use dlf_store::NodeInstanceRecord;
use serde_json::{Value, json};
use sql_support::{Server, TestDb, unique};
use std::time::{Duration, Instant};
use support::*;

/// Runs `$test(db)` once per server, as `$test::postgres` and `$test::mysql`.
macro_rules! on_both {
    ($test:ident) => {
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = super::TestDb::of(super::Server::Postgres, "SQL-node") {
                    super::$test(db).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() {
                if let Some(db) = super::TestDb::of(super::Server::MySql, "SQL-node") {
                    super::$test(db).await;
                }
            }
        }
    };
}

/// An engine with the connection `db` on the test database.
async fn engine_on(db: &TestDb) -> TestEngine {
    let t = TestEngine::start().await;
    let body = serde_json::to_vec(&db.connection_body("db")).unwrap();
    t.engine.create_connection(&t.tenant, &t.caller, &body).await.unwrap();
    t
}

/// A SQL node of `node_type` on the connection `db` running `statement`.
fn sql_node(name: &str, node_type: &str, statement: &str, upstream: &[&str]) -> Value {
    json!({"name": name, "type": node_type, "location": {"x": "0", "y": "0"}, "preNodeName": upstream,
           "properties": [{"name": "connectionName", "value": "db"},
                          {"name": "statementOrScript", "value": "STATEMENT"},
                          {"name": "statement", "value": statement}]})
}

async fn node_record(t: &TestEngine, id: i64, name: &str) -> NodeInstanceRecord {
    let nodes = t.engine.store().node_instances(id).await.unwrap();
    nodes.into_iter().find(|n| n.node_name == name).unwrap_or_else(|| panic!("no node {name}"))
}

async fn node_log(t: &TestEngine, job: &str, id: i64, name: &str) -> String {
    let log = t.engine.node_log(&t.tenant, job, &id.to_string(), name, None).await.unwrap();
    std::fs::read_to_string(log.path).unwrap_or_default()
}

/// Runs a job of one SQL node to its end; returns the instance's status and the node's record.
async fn run_one(t: &TestEngine, node_type: &str, statement: &str) -> (String, NodeInstanceRecord) {
    let job = unique("j");
    t.create(&support::job(&job, vec![sql_node("q", node_type, statement, &[])])).await;
    let id = t.run(&job, &[]).await;
    let detail = t.finished(&job, id).await;
    (detail.status, node_record(t, id, "q").await)
}

async fn multi_statement_script_outputs_the_last_row_set(db: TestDb) {
    let t = engine_on(&db).await;
    let (temporary, drop) = match db.server {
        Server::Postgres => ("TEMP", "DROP TABLE"),
        Server::MySql => ("TEMPORARY", "DROP TEMPORARY TABLE"),
    };
    let script = format!(
        "-- people and their numbers\nCREATE {temporary} TABLE people (name varchar(20), n varchar(4));\n\
         INSERT INTO people VALUES ('Smith', '53'), ('Dean', '08');\n\
         SELECT name, n FROM people ORDER BY name;\n\
         {drop} people;\n"
    );
    let job = unique("j");
    t.create(&support::job(&job, vec![sql_node("q", db.node_type(), &script, &[])])).await;
    let id = t.run(&job, &[]).await;
    let detail = t.finished(&job, id).await;
    let node = node_record(&t, id, "q").await;
    assert_eq!(detail.status, "success", "{:?}", node.error_message);
    assert_eq!(node.output.as_deref(), Some(r#"[["Dean","08"],["Smith","53"]]"#));
    let log = node_log(&t, &job, id, "q").await;
    assert!(log.contains("[2/4] INSERT INTO people") && log.contains("[2/4] 2 rows affected"), "{log}");
    assert!(log.contains("[3/4] 2 rows in"), "{log}");
}
on_both!(multi_statement_script_outputs_the_last_row_set);

async fn values_arrive_as_text_and_null_as_null(db: TestDb) {
    let t = engine_on(&db).await;
    let (query, expected, empty, no_rows) = match db.server {
        Server::Postgres => (
            r"SELECT 1 AS a, NULL::text AS b, 1.50::numeric, true, DATE '2024-01-02', 'x;y', '\xff00'::bytea",
            r#"[["1",null,"1.50","t","2024-01-02","x;y","\\xff00"]]"#,
            "SELECT 1 WHERE false",
            "SET search_path TO public; -- no rows here",
        ),
        Server::MySql => (
            "SELECT 1 AS a, NULL AS b, 1.50, TRUE, DATE '2024-01-02', 'x;y', X'FF00'",
            r#"[["1",null,"1.50","1","2024-01-02","x;y","0xff00"]]"#,
            "SELECT 1 FROM DUAL WHERE 1 = 0",
            "SET @dlf_unused = 1; -- no rows here",
        ),
    };
    let (status, node) = run_one(&t, db.node_type(), query).await;
    assert_eq!((status.as_str(), node.output.as_deref()), ("success", Some(expected)), "{:?}", node.error_message);
    let (_, node) = run_one(&t, db.node_type(), empty).await;
    assert_eq!(node.output.as_deref(), Some("[]"), "a query without rows is an empty row set");
    let (_, node) = run_one(&t, db.node_type(), no_rows).await;
    assert_eq!(node.output.as_deref(), Some("null"), "no statement returned rows");
    if db.server == Server::MySql {
        let (_, node) = run_one(&t, "DorisSQL", "SELECT 'doris'").await;
        assert_eq!(node.output.as_deref(), Some(r#"[["doris"]]"#), "Doris speaks MySQL");
    }
}
on_both!(values_arrive_as_text_and_null_as_null);

async fn the_first_error_stops_the_rest_with_the_servers_message(db: TestDb) {
    let t = engine_on(&db).await;
    let table = unique("dlf_stop");
    let missing = unique("no_such_table");
    let script = format!("CREATE TABLE {table} (x int);\nSELECT * FROM {missing};\nINSERT INTO {table} VALUES (1);");
    let job = unique("j");
    t.create(&support::job(&job, vec![sql_node("q", db.node_type(), &script, &[])])).await;
    let id = t.run(&job, &[]).await;
    let detail = t.finished(&job, id).await;
    let node = node_record(&t, id, "q").await;
    let rows_after = db.query(&format!("SELECT count(*) FROM {table}")).await;
    db.query(&format!("DROP TABLE {table}")).await;
    assert_eq!(detail.status, "fail");
    let message = node.error_message.unwrap_or_default();
    let server_says = match db.server {
        Server::Postgres => format!("relation \"{missing}\" does not exist"),
        Server::MySql => format!("{missing}' doesn't exist"),
    };
    assert!(message.contains("statement 2 of 3 failed") && message.contains(&server_says), "{message}");
    assert_eq!(rows_after, [Some("0".to_string())], "the statement after the error did not run");
    let log = node_log(&t, &job, id, "q").await;
    assert!(log.contains("[2/3] ERROR:") && log.contains(&server_says), "{log}");
    assert!(!log.contains("[3/3]"), "{log}");
}
on_both!(the_first_error_stops_the_rest_with_the_servers_message);

async fn a_shell_node_reads_the_sql_output(db: TestDb) {
    let t = engine_on(&db).await;
    let job = unique("j");
    t.create(&support::job(
        &job,
        vec![
            sql_node("sqlnode", db.node_type(), "SELECT 1 AS a, NULL AS b", &[]),
            shell("echo", "echo '#{Job.getNodeOutput(\"sqlnode\")}'", &["sqlnode"]),
        ],
    ))
    .await;
    let id = t.run(&job, &[]).await;
    let detail = t.finished(&job, id).await;
    assert_eq!(detail.status, "success");
    assert_eq!(node_record(&t, id, "echo").await.output.as_deref(), Some("[[\"1\",null]]\n"));
}
on_both!(a_shell_node_reads_the_sql_output);

fn sleep_statement(db: &TestDb, marker: &str) -> String {
    match db.server {
        Server::Postgres => format!("SELECT pg_sleep(60) AS {marker}"),
        Server::MySql => format!("SELECT SLEEP(60) AS {marker}"),
    }
}

async fn a_stop_cancels_the_query_in_the_server(db: TestDb) {
    let t = engine_on(&db).await;
    let marker = unique("dlf_stop_me");
    let job = unique("j");
    t.create(&support::job(&job, vec![sql_node("q", db.node_type(), &sleep_statement(&db, &marker), &[])])).await;
    let id = t.run(&job, &[]).await;
    db.wait_running(&marker).await;
    let stopped = Instant::now();
    t.engine.stop_instance(&t.tenant, &job, &id.to_string()).await.unwrap();
    let detail = t.wait_for(&job, id, &["manual-stop"], Duration::from_secs(10)).await;
    assert_eq!(node_status(&detail, "q"), "manual-stop");
    db.assert_gone(&marker).await;
    assert!(stopped.elapsed() < Duration::from_secs(8), "{:?}", stopped.elapsed());
    let log = node_log(&t, &job, id, "q").await;
    assert!(log.contains("cancelling it in the server"), "{log}");
}
on_both!(a_stop_cancels_the_query_in_the_server);

/// PostgreSQL sessions are reused, reset: the second node gets the first one's backend but
/// none of its temporary tables or settings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sessions_are_reused_and_reset() {
    let Some(db) = TestDb::of(Server::Postgres, "SQL-node") else { return };
    let t = engine_on(&db).await;
    let job = unique("j");
    let first = "CREATE TEMP TABLE reuse_probe (x int); SET application_name = 'changed'; SELECT pg_backend_pid()";
    let second = "SELECT pg_backend_pid(), to_regclass('reuse_probe') IS NULL, current_setting('application_name')";
    t.create(&support::job(&job, vec![sql_node("a", "DWSSQL", first, &[]), sql_node("b", "DWSSQL", second, &["a"])]))
        .await;
    let id = t.run(&job, &[]).await;
    assert_eq!(t.finished(&job, id).await.status, "success");
    let a: Vec<Vec<String>> = serde_json::from_str(&node_record(&t, id, "a").await.output.unwrap()).unwrap();
    let b: Vec<Vec<String>> = serde_json::from_str(&node_record(&t, id, "b").await.output.unwrap()).unwrap();
    assert_eq!(b[0], [a[0][0].clone(), "t".to_string(), "dlf".to_string()]);
    assert_eq!(t.engine.sql_sessions().idle_sessions(), 1);

    // A failed node's session is closed, not reused.
    let failing = unique("j");
    t.create(&support::job(&failing, vec![sql_node("q", "DWSSQL", "SELECT pg_backend_pid(); SELECT 1/0", &[])])).await;
    let id = t.run(&failing, &[]).await;
    assert_eq!(t.finished(&failing, id).await.status, "fail");
    assert_eq!(t.engine.sql_sessions().idle_sessions(), 0, "the failed node took the idle session and closed it");
}

/// MySQL sessions cannot be reset by SQL: each node gets a new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_sessions_are_never_shared() {
    let Some(db) = TestDb::of(Server::MySql, "SQL-node") else { return };
    let t = engine_on(&db).await;
    let job = unique("j");
    let first = "CREATE TEMPORARY TABLE reuse_probe (x int); SET @left_behind = 'a'; SELECT CONNECTION_ID()";
    let second = "SELECT CONNECTION_ID(), @left_behind";
    t.create(&support::job(&job, vec![sql_node("a", "RDSSQL", first, &[]), sql_node("b", "RDSSQL", second, &["a"])]))
        .await;
    let id = t.run(&job, &[]).await;
    assert_eq!(t.finished(&job, id).await.status, "success");
    let a: Vec<Vec<Option<String>>> = serde_json::from_str(&node_record(&t, id, "a").await.output.unwrap()).unwrap();
    let b: Vec<Vec<Option<String>>> = serde_json::from_str(&node_record(&t, id, "b").await.output.unwrap()).unwrap();
    assert_ne!(a[0][0], b[0][0], "another session");
    assert_eq!(b[0][1], None, "no user variable leaks");
    assert_eq!(t.engine.sql_sessions().idle_sessions(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dollar_quoted_function_bodies_run_whole() {
    let Some(db) = TestDb::of(Server::Postgres, "SQL-node") else { return };
    let t = engine_on(&db).await;
    let script = "CREATE FUNCTION pg_temp.add_one(n integer) RETURNS integer LANGUAGE plpgsql AS $$\n\
                  DECLARE r integer;\n\
                  BEGIN\n  r := n + 1; -- one more; always\n  RETURN r;\nEND;\n$$;\n\
                  SELECT pg_temp.add_one(41) AS answer;";
    let (status, node) = run_one(&t, "DWSSQL", script).await;
    assert_eq!((status.as_str(), node.output.as_deref()), ("success", Some(r#"[["42"]]"#)), "{:?}", node.error_message);
}

/// DWS's result-match rule: a match equal to `failMatchValue` fails the node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_result_match_rule_fails_on_its_value() {
    let Some(db) = TestDb::of(Server::Postgres, "SQL-node") else { return };
    let t = engine_on(&db).await;
    let checked = |name: &str, statement: &str| {
        let mut node = sql_node(name, "DWSSQL", statement, &[]);
        node["properties"].as_array_mut().unwrap().extend([
            json!({"name": "matchRule", "value": r#"\[\["(\d+)"\]\]"#}),
            json!({"name": "failMatchValue", "value": "0"}),
        ]);
        node
    };
    // One job each: in one job, the failing node would stop the other under the FAIL policy.
    let (full, empty) = (unique("j"), unique("j"));
    t.create(&support::job(&full, vec![checked("full", "SELECT 3")])).await;
    t.create(&support::job(&empty, vec![checked("empty", "SELECT count(*) FROM pg_class WHERE false")])).await;
    let full_id = t.run(&full, &[]).await;
    let empty_id = t.run(&empty, &[]).await;
    assert_eq!(node_status(&t.finished(&full, full_id).await, "full"), "success");
    assert_eq!(node_status(&t.finished(&empty, empty_id).await, "empty"), "fail");
    let message = node_record(&t, empty_id, "empty").await.error_message.unwrap_or_default();
    assert!(message.contains("failMatchValue"), "{message}");
}

/// `sslEnable` makes the session encrypted (TLS required; the server's certificate is not
/// verified, as JDBC's `sslmode=require`). The machine's PostgreSQL serves TLS with its own
/// certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssl_enable_encrypts_the_postgres_session() {
    let Some(db) = TestDb::of(Server::Postgres, "SQL-node") else { return };
    if db.query("SHOW ssl").await != [Some("on".to_string())] {
        eprintln!("the PostgreSQL of DLF_TEST_POSTGRES_URL does not serve TLS: nothing to check");
        return;
    }
    let t = TestEngine::start().await;
    let mut body = db.connection_body("db");
    body["config"]["sslEnable"] = json!("true");
    t.engine.create_connection(&t.tenant, &t.caller, &serde_json::to_vec(&body).unwrap()).await.unwrap();
    let (status, record) =
        run_one(&t, "DWSSQL", "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()").await;
    assert_eq!(status, "success", "{:?}", record.error_message);
    assert_eq!(record.output.as_deref(), Some(r#"[["true"]]"#));

    let plain = engine_on(&db).await;
    let (_, record) = run_one(&plain, "DWSSQL", "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()").await;
    assert_eq!(record.output.as_deref(), Some(r#"[["false"]]"#), "without sslEnable the session is plain");
}

/// A connection to the server's own store is refused before anything connects (no server is
/// needed: nothing is reached).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_own_store_is_out_of_reach() {
    let t = TestEngine::start_with(|c| {
        c.store_endpoint = dlf_engine::sql::StoreEndpoint::of_database_url("postgres://dlf@localhost:5999/dlfmeta");
    })
    .await;
    let body = json!({"name": "db", "type": "DWS",
                      "config": {"ip": "127.0.0.1", "port": "5999", "userName": "tenant", "database": "dlfmeta"}});
    t.engine.create_connection(&t.tenant, &t.caller, &serde_json::to_vec(&body).unwrap()).await.unwrap();
    let job = unique("j");
    t.create(&support::job(&job, vec![sql_node("q", "DWSSQL", "SELECT * FROM connections", &[])])).await;
    let id = t.run(&job, &[]).await;
    assert_eq!(t.finished(&job, id).await.status, "fail");
    let message = node_record(&t, id, "q").await.error_message.unwrap_or_default();
    assert!(message.contains("this dlf server's own metadata store"), "{message}");
    let log = node_log(&t, &job, id, "q").await;
    assert!(log.contains("own metadata store"), "the log says why too: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_of_only_comments_fails_clearly() {
    let t = TestEngine::start().await;
    let body = json!({"name": "db", "type": "DWS", "config": {"ip": "127.0.0.1", "port": "5999", "userName": "u"}});
    t.engine.create_connection(&t.tenant, &t.caller, &serde_json::to_vec(&body).unwrap()).await.unwrap();
    let (status, node) = run_one(&t, "DWSSQL", "-- nothing to do;\n/* at all */").await;
    assert_eq!(status, "fail");
    assert!(node.error_message.unwrap_or_default().contains("no statements to run"));
}
