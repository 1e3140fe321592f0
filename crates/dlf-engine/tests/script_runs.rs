//! Script runs (S6–S8) through the engine: what a restart does to runs a dead server left,
//! the time limit, the retention of results, and SQL scripts against real servers (gated on
//! `DLF_TEST_POSTGRES_URL` / `DLF_TEST_MYSQL_URL`, see `sql_support`).

mod sql_support;
mod support;

use dlf_core::model::ScriptRunStatus;
use dlf_engine::{Engine, EngineConfig, SystemClock};
use dlf_store::ScriptRunRecord;
use serde_json::json;
use sql_support::{Server, TestDb, unique};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::TestEngine;

async fn create_script(t: &TestEngine, name: &str, content: &str) {
    let info = json!({"name": name, "type": "Shell", "content": content});
    t.engine.create_script(&t.tenant, &t.caller, &serde_json::to_vec(&info).unwrap()).await.unwrap();
}

async fn until_ended(t: &TestEngine, name: &str, id: &str) -> (String, Option<String>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = t.engine.script_run_results(&t.tenant, name, id).await.unwrap();
        if r.status == "FINISHED" || r.status == "FAILED" {
            return (r.status.to_string(), r.message);
        }
        assert!(Instant::now() < deadline, "the run did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_a_dead_server_left_fails_at_start_and_its_processes_die() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("dlf.db");
    let store = dlf_store::open(url.to_str().unwrap()).await.unwrap();
    let ws = store.default_workspace("proj", 0).await.unwrap();
    store
        .insert_script_run(&ScriptRunRecord {
            id: "left-open".into(),
            workspace_id: ws.id.clone(),
            script_name: "report".into(),
            script_type: "Shell".into(),
            status: ScriptRunStatus::Running,
            message: None,
            results: None,
            runner_epoch: "epoch-of-a-dead-server".into(),
            create_user: "u".into(),
            created_ms: 1,
            ended_ms: None,
        })
        .await
        .unwrap();
    let mut orphan = std::process::Command::new("sleep")
        .arg("30")
        .env("DLF_RUNNER_EPOCH", "epoch-of-a-dead-server")
        .spawn()
        .unwrap();

    let engine = Engine::new(
        store.clone(),
        EngineConfig::new(dir.path().join("data")),
        Arc::new(SystemClock),
        dlf_store::SecretBox::from_key(&[1; 32]),
    );
    let _runtime = engine.start().await.unwrap();
    let run = store.find_script_run(&ws.id, "left-open").await.unwrap().unwrap();
    assert_eq!(run.status, ScriptRunStatus::Failed);
    assert_eq!(run.message.as_deref(), Some("the server stopped while the script ran"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while orphan.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the dead server's script process still runs");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_past_its_time_limit_is_stopped_and_fails() {
    let t = TestEngine::start_with(|c| c.script_run_timeout_ms = 500).await;
    let marker = t.dir.path().join("went-on");
    create_script(&t, "slow", &format!("sleep 5; touch '{}'", marker.display())).await;
    let started = Instant::now();
    let id = t.engine.execute_script(&t.tenant, &t.caller, "slow", b"").await.unwrap().instance_id;
    let (status, message) = until_ended(&t, "slow", &id).await;
    assert_eq!((status.as_str(), message.as_deref()), ("FAILED", Some("the script ran longer than 500 ms")));
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!marker.exists(), "the script went on past its limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_are_deleted_with_their_log_when_their_retention_ends() {
    let t = TestEngine::start_with(|c| c.script_run_retention_ms = 0).await;
    create_script(&t, "quick", "echo done").await;
    let first = t.engine.execute_script(&t.tenant, &t.caller, "quick", b"").await.unwrap().instance_id;
    assert_eq!(until_ended(&t, "quick", &first).await.0, "FINISHED");
    let log = t.dir.path().join("data").join("logs").join("script-runs").join(format!("{first}.log"));
    assert!(log.exists(), "the run wrote its log");
    tokio::time::sleep(Duration::from_millis(5)).await;
    // The next run sweeps what ended before it.
    let second = t.engine.execute_script(&t.tenant, &t.caller, "quick", b"").await.unwrap().instance_id;
    let err = t.engine.script_run_results(&t.tenant, "quick", &first).await.unwrap_err();
    assert_eq!(err.code.code(), "DLF.6205");
    assert!(!log.exists(), "its log went with it");
    assert_eq!(until_ended(&t, "quick", &second).await.0, "FINISHED");
}

// SQL scripts against real servers (gated on DLF_TEST_POSTGRES_URL / DLF_TEST_MYSQL_URL).

/// An engine with the connection `db` and the SQL script `name` on it.
async fn sql_script(db: &TestDb, name: &str, content: &str) -> TestEngine {
    let t = TestEngine::start().await;
    let body = serde_json::to_vec(&db.connection_body("db")).unwrap();
    t.engine.create_connection(&t.tenant, &t.caller, &body).await.unwrap();
    let info = json!({"name": name, "type": db.node_type(), "content": content, "connectionName": "db"});
    t.engine.create_script(&t.tenant, &t.caller, &serde_json::to_vec(&info).unwrap()).await.unwrap();
    t
}

async fn results_of(t: &TestEngine, name: &str, id: &str) -> dlf_core::model::responses::ScriptRunResults {
    until_ended(t, name, id).await;
    t.engine.script_run_results(&t.tenant, name, id).await.unwrap()
}

/// Runs `$test(db)` once per server, as `$test::postgres` and `$test::mysql`.
macro_rules! on_both {
    ($test:ident) => {
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = super::TestDb::of(super::Server::Postgres, "SQL script run") {
                    super::$test(db).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() {
                if let Some(db) = super::TestDb::of(super::Server::MySql, "SQL script run") {
                    super::$test(db).await;
                }
            }
        }
    };
}

async fn a_sql_script_gives_one_result_per_statement(db: TestDb) {
    let temporary = if db.server == Server::Postgres { "TEMP" } else { "TEMPORARY" };
    let content = format!(
        "CREATE {temporary} TABLE t (a int, b varchar(10));\n\
         INSERT INTO t VALUES (1, NULL), (2, 'x');\n\
         SELECT a, b FROM t ORDER BY a;\n\
         SELECT '${{n}}' AS n"
    );
    let t = sql_script(&db, "q", &content).await;
    let id = t.engine.execute_script(&t.tenant, &t.caller, "q", br#"{"params": {"n": "7"}}"#).await.unwrap();
    let run = results_of(&t, "q", &id.instance_id).await;
    assert_eq!((run.status, run.message.as_deref()), ("FINISHED", None));
    assert_eq!(run.results.len(), 4);
    assert_eq!(run.results[1].message, "2 rows affected");
    assert_eq!((run.results[1].row_count, run.results[1].rows.len()), (0, 0));
    let select = &run.results[2];
    assert_eq!(
        select.rows,
        vec![vec![Some("1".to_string()), None], vec![Some("2".to_string()), Some("x".to_string())]]
    );
    assert_eq!((select.row_count, select.result_count, select.message.as_str()), (2, 2, ""));
    let columns: Vec<(&String, &str)> =
        select.schema.iter().flat_map(|c| c.iter().map(|(k, v)| (k, v.as_str().unwrap()))).collect();
    let expected_types = match db.server {
        Server::Postgres => ["int4", "varchar"],
        Server::MySql => ["int", "varchar"],
    };
    assert_eq!(columns, [(&"a".to_string(), expected_types[0]), (&"b".to_string(), expected_types[1])]);
    assert_eq!(run.results[3].rows, vec![vec![Some("7".to_string())]], "the run's params fill ${{n}}");
}
on_both!(a_sql_script_gives_one_result_per_statement);

async fn a_failed_statement_fails_the_run_and_keeps_earlier_results(db: TestDb) {
    let missing = unique("no_such_table");
    let t = sql_script(&db, "q", &format!("SELECT 1 AS one; SELECT * FROM {missing}; SELECT 3")).await;
    let id = t.engine.execute_script(&t.tenant, &t.caller, "q", b"").await.unwrap();
    let run = results_of(&t, "q", &id.instance_id).await;
    assert_eq!(run.status, "FAILED");
    let message = run.message.unwrap_or_default();
    assert!(message.contains("statement 2 of 3 failed") && message.contains(&missing), "{message}");
    assert_eq!(run.results.len(), 1);
    assert_eq!(run.results[0].rows, vec![vec![Some("1".to_string())]]);
}
on_both!(a_failed_statement_fails_the_run_and_keeps_earlier_results);

async fn cancelling_a_sql_run_cancels_the_query_in_the_server(db: TestDb) {
    let marker = unique("dlf_cancel_me");
    let sleep = match db.server {
        Server::Postgres => format!("SELECT pg_sleep(60) AS {marker}"),
        Server::MySql => format!("SELECT SLEEP(60) AS {marker}"),
    };
    let t = sql_script(&db, "q", &format!("SELECT 1; {sleep}; SELECT 3")).await;
    let id = t.engine.execute_script(&t.tenant, &t.caller, "q", b"").await.unwrap().instance_id;
    db.wait_running(&marker).await;
    t.engine.cancel_script_run(&t.tenant, "q", &id).await.unwrap();
    let run = results_of(&t, "q", &id).await;
    assert_eq!((run.status, run.message.as_deref()), ("FAILED", Some("Canceled.")));
    assert_eq!(run.results.len(), 1, "the statement before the cancelled one keeps its result");
    db.assert_gone(&marker).await;
}
on_both!(cancelling_a_sql_run_cancels_the_query_in_the_server);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_sql_result_keeps_its_first_rows_and_counts_the_rest() {
    let Some(db) = TestDb::of(Server::Postgres, "SQL script run") else { return };
    let t = sql_script(&db, "q", "SELECT generate_series(1, 1500) AS n").await;
    let id = t.engine.execute_script(&t.tenant, &t.caller, "q", b"").await.unwrap();
    let run = results_of(&t, "q", &id.instance_id).await;
    assert_eq!(run.status, "FINISHED");
    let result = &run.results[0];
    assert_eq!((result.row_count, result.rows.len(), result.result_count), (1000, 1000, 1500));
    assert!(result.message.contains("first 1000 of 1500"), "{}", result.message);
    assert_eq!(result.rows[999], vec![Some("1000".to_string())]);
}
