//! One attempt of a node, from its worker slot to its outcome.
//!
//! [`spawn`] runs an [`Execution::Task`](crate::runners::Execution) attempt in a task of its own:
//! it waits for a worker slot, prepares the attempt ([`attempt::prepare`]), then waits until the
//! instance's loop says the attempt's record is committed — **no attempt's work starts before
//! the store shows it running**, so a server killed at any moment leaves no work the store does
//! not know of (ARCHITECTURE.md, "Crash safety") — and only then calls the runner. Preparing
//! overlaps the commit, so the wait costs little.
//!
//! [`execute`] is the part both kinds of runner share: the runner under the attempt's time
//! limit (JOBS.md §5.4, [`attempt_time_limit`]). When the limit passes, the engine cancels the
//! runner — the same cancel as a stop, so every runner stops its work where it runs — waits for
//! it, and reports a timeout. The limit is therefore enforced the same way for every node type.

use super::attempt::{self, InstanceView, NodesSnapshot};
use super::params::{InstanceFacts, InstanceParams};
use super::plan::JobPlan;
use crate::Engine;
use crate::runners::{AttemptContext, AttemptOutcome, AttemptReport, AttemptSpec, LogSink, NodeRunner, ProcessInfo};
use dlf_core::state::attempt_time_limit;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// What attempts report to their instance's loop.
#[derive(Debug)]
pub(super) enum AttemptEvent {
    /// The attempt started an OS process group.
    ProcessStarted { node: usize, attempt: u32, info: ProcessInfo },
    /// The attempt reported progress.
    Progress { node: usize, attempt: u32, note: String },
    /// The attempt ended.
    Finished { node: usize, attempt: u32, outcome: AttemptOutcome },
}

/// Everything an attempt needs from its instance, owned (the task outlives the loop's borrow).
pub(super) struct AttemptInput {
    pub engine: Engine,
    pub runner: Arc<dyn NodeRunner>,
    pub plan: Arc<JobPlan>,
    pub workspace_id: String,
    pub facts: InstanceFacts,
    pub params: InstanceParams,
    pub snapshot: NodesSnapshot,
    pub node: usize,
    pub attempt: u32,
}

impl AttemptInput {
    /// The attempt's spec, or why it fails before its runner starts (written to its log).
    pub async fn prepare(&self) -> Result<AttemptSpec, AttemptOutcome> {
        let view = InstanceView {
            plan: &self.plan,
            workspace_id: &self.workspace_id,
            facts: &self.facts,
            params: &self.params,
            nodes: &self.snapshot,
        };
        match attempt::prepare(&self.engine, &view, self.node, self.attempt).await {
            Ok(spec) => Ok(spec),
            Err(e) => {
                let message = e.to_string();
                let log_path = crate::logs::attempt_log(
                    &self.engine.config().logs_dir(),
                    self.facts.instance_id,
                    &self.plan.node(self.node).name,
                    i64::from(self.attempt),
                );
                LogSink::new(&log_path).write(format!("{message}\n").as_bytes()).await;
                // The same properties render the same way next time: no retry can help.
                Err(AttemptOutcome::failed(message, false))
            }
        }
    }

    /// The attempt's time limit.
    pub fn time_limit(&self) -> Duration {
        let node = self.plan.node(self.node);
        if node.node_type.eq_ignore_ascii_case(crate::runners::http_trigger::NODE_TYPE) {
            // The trigger's own maximum wait, not `maxExecutionTime`, bounds its wait; the runner
            // ends it, this limit is a backstop (runners/http_trigger.rs).
            return crate::runners::http_trigger::max_wait(node.property("maxWaitHours")) + Duration::from_secs(60);
        }
        attempt_time_limit(node.max_execution_minutes())
    }
}

/// Reports of one attempt, forwarded to its instance's loop.
pub(super) struct LoopReport {
    pub node: usize,
    pub attempt: u32,
    pub events: mpsc::UnboundedSender<AttemptEvent>,
}

impl AttemptReport for LoopReport {
    fn process_started(&self, info: ProcessInfo) {
        let _ = self.events.send(AttemptEvent::ProcessStarted { node: self.node, attempt: self.attempt, info });
    }

    fn progress(&self, note: &str) {
        let _ =
            self.events.send(AttemptEvent::Progress { node: self.node, attempt: self.attempt, note: note.to_string() });
    }
}

/// Starts the task of a [`Task`](crate::runners::Execution::Task) attempt. Its work begins only
/// once `recorded` fires; if the sender is dropped instead (the record could not be
/// committed), or `cancel` fires first, nothing runs and the attempt ends `Stopped`.
pub(super) fn spawn(
    input: AttemptInput,
    recorded: oneshot::Receiver<()>,
    cancel: CancellationToken,
    events: mpsc::UnboundedSender<AttemptEvent>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let (node, attempt) = (input.node, input.attempt);
        let report = LoopReport { node, attempt, events: events.clone() };
        let outcome = run_when_recorded(&input, recorded, &cancel, &report).await;
        let _ = events.send(AttemptEvent::Finished { node, attempt, outcome });
    })
}

async fn run_when_recorded(
    input: &AttemptInput,
    recorded: oneshot::Receiver<()>,
    cancel: &CancellationToken,
    report: &LoopReport,
) -> AttemptOutcome {
    let slots = input.engine.worker_slots();
    let _permit = if input.runner.needs_worker_slot() {
        Some(tokio::select! {
            permit = slots.acquire_owned() => permit,
            _ = cancel.cancelled() => return AttemptOutcome::Stopped,
        })
    } else {
        None
    };
    let spec = match input.prepare().await {
        Ok(spec) => spec,
        Err(failed) => return failed,
    };
    tokio::select! {
        committed = recorded => if committed.is_err() { return AttemptOutcome::Stopped },
        _ = cancel.cancelled() => return AttemptOutcome::Stopped,
    }
    execute(input.runner.as_ref(), &spec, input.time_limit(), cancel, report).await
}

/// Runs one attempt's runner under its time limit: the runner's own cancel is a child of
/// `cancel` (stop) and also fires when `limit` passes, which is then reported as a timeout —
/// after the runner has stopped its work — with a line in the attempt's log.
pub(super) async fn execute(
    runner: &dyn NodeRunner,
    spec: &AttemptSpec,
    limit: Duration,
    cancel: &CancellationToken,
    report: &dyn AttemptReport,
) -> AttemptOutcome {
    let mut log = LogSink::new(&spec.log_path);
    let runner_cancel = cancel.child_token();
    {
        let run = runner.run(spec, AttemptContext { cancel: runner_cancel.clone(), log: &mut log, report });
        tokio::pin!(run);
        tokio::select! {
            outcome = &mut run => return outcome,
            _ = tokio::time::sleep(limit) => {}
        }
        runner_cancel.cancel();
        // The runner stops its work and returns; what it says is superseded by the timeout.
        let _ = run.await;
    }
    if cancel.is_cancelled() {
        // Stopped for another reason while the limit passed: the stop wins.
        return AttemptOutcome::Stopped;
    }
    let message = format!("timed out after {}", describe_duration(limit));
    log.write(format!("{message}\n").as_bytes()).await;
    AttemptOutcome::Failed { message, exit_code: None, timed_out: true, retryable: true }
}

/// "60 min", "30 s", "300 ms".
fn describe_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    if duration.subsec_nanos() != 0 {
        format!("{} ms", duration.as_millis())
    } else if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runners::shell::ShellRunner;
    use std::sync::Mutex;
    use std::time::Instant;

    #[derive(Default)]
    struct Recorded(Mutex<Vec<ProcessInfo>>);

    impl AttemptReport for Recorded {
        fn process_started(&self, info: ProcessInfo) {
            self.0.lock().unwrap().push(info);
        }
        fn progress(&self, _note: &str) {}
    }

    fn spec(dir: &std::path::Path, program: &str) -> AttemptSpec {
        AttemptSpec {
            instance_id: 1,
            node_name: "node".into(),
            node_type: "Shell".into(),
            attempt: 1,
            properties: Vec::new(),
            program: Some(program.into()),
            connection: None,
            database: None,
            arguments: Vec::new(),
            stdin: None,
            env: Vec::new(),
            log_path: dir.join("node").join("attempt-1.log"),
            work_dir: dir.to_path_buf(),
            run_as: None,
            kill_grace: Duration::from_millis(200),
            child_calls: Vec::new(),
            resources: Vec::new(),
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(describe_duration(Duration::from_secs(3600)), "60 min");
        assert_eq!(describe_duration(Duration::from_secs(90)), "90 s");
        assert_eq!(describe_duration(Duration::from_millis(300)), "300 ms");
    }

    /// The limit is the engine's: the runner is cancelled, its processes are killed, and the
    /// attempt is a retryable timeout with a line in its log.
    #[tokio::test]
    async fn an_attempt_past_its_limit_is_killed_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(dir.path(), "echo started; sleep 30");
        let report = Recorded::default();
        let began = Instant::now();
        let outcome =
            execute(&ShellRunner, &spec, Duration::from_millis(300), &CancellationToken::new(), &report).await;
        assert_eq!(
            outcome,
            AttemptOutcome::Failed {
                message: "timed out after 300 ms".into(),
                exit_code: None,
                timed_out: true,
                retryable: true
            }
        );
        assert!(began.elapsed() < Duration::from_secs(5), "killed at the limit, not at the end of sleep");
        let groups = report.0.lock().unwrap().clone();
        assert_eq!(groups.len(), 1);
        let pgid = nix::unistd::Pid::from_raw(-groups[0].process_group);
        assert!(nix::sys::signal::kill(pgid, None).is_err(), "nothing of the group is left");
        let log = std::fs::read_to_string(&spec.log_path).unwrap();
        assert_eq!(log, "started\ntimed out after 300 ms\n");
    }

    /// A stop during the attempt is a stop, not a timeout.
    #[tokio::test]
    async fn a_stop_is_not_a_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(dir.path(), "sleep 30");
        let cancel = CancellationToken::new();
        let stopper = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            stopper.cancel();
        });
        let outcome = execute(&ShellRunner, &spec, Duration::from_secs(60), &cancel, &Recorded::default()).await;
        assert_eq!(outcome, AttemptOutcome::Stopped);
    }

    /// An attempt within its limit ends as its runner says.
    #[tokio::test]
    async fn an_attempt_within_its_limit_ends_as_the_runner_says() {
        let dir = tempfile::tempdir().unwrap();
        let outcome = execute(
            &ShellRunner,
            &spec(dir.path(), "echo hi"),
            Duration::from_secs(60),
            &CancellationToken::new(),
            &Recorded::default(),
        )
        .await;
        assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("hi\n".into()) });
    }

    /// A SQL statement past `maxExecutionTime` is cancelled in the server, as a stop is: the
    /// limit fires the runner's own cancel (needs `DLF_TEST_POSTGRES_URL`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sql_statement_past_its_limit_is_cancelled_in_the_server() {
        let Ok(url) = std::env::var("DLF_TEST_POSTGRES_URL") else {
            eprintln!("DLF_TEST_POSTGRES_URL is not set: the PostgreSQL SQL-node time limit test does not run");
            return;
        };
        let (outcome, log) = sql_past_its_limit(SqlProtocol::Postgres, &url).await;
        assert_eq!(
            outcome,
            AttemptOutcome::Failed {
                message: "timed out after 500 ms".into(),
                exit_code: None,
                timed_out: true,
                retryable: true
            }
        );
        assert!(log.contains("cancelling it in the server") && log.ends_with("timed out after 500 ms\n"), "{log}");
    }

    /// The same on MySQL: the statement is killed in the server (`KILL QUERY`), which the
    /// process list shows (needs `DLF_TEST_MYSQL_URL`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_mysql_statement_past_its_limit_is_killed_in_the_server() {
        let Ok(url) = std::env::var("DLF_TEST_MYSQL_URL") else {
            eprintln!("DLF_TEST_MYSQL_URL is not set: the MySQL SQL-node time limit test does not run");
            return;
        };
        let (outcome, _) = sql_past_its_limit(SqlProtocol::MySql, &url).await;
        assert!(matches!(outcome, AttemptOutcome::Failed { timed_out: true, .. }), "{outcome:?}");
    }

    use dlf_core::model::connection::SqlProtocol;

    /// Runs a SQL node sleeping 60 s on the database at `url` with a 500 ms limit, checks that it
    /// ended within 10 s and that its statement is gone from the server within 5 s more;
    /// returns its outcome and its log.
    async fn sql_past_its_limit(protocol: SqlProtocol, url: &str) -> (AttemptOutcome, String) {
        use crate::connections::ResolvedConnection;
        use dlf_core::model::connection::{ConnectionTarget, ConnectionType, SqlAddress};
        use std::str::FromStr;
        let marker = format!("dlf_limit_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let (kind, node_type, sleep, host, port, user, database) = match protocol {
            SqlProtocol::Postgres => {
                let o = sqlx::postgres::PgConnectOptions::from_str(url).unwrap();
                let database = o.get_database().map(str::to_string);
                (
                    ConnectionType::Dws,
                    "DWSSQL",
                    "pg_sleep",
                    o.get_host().to_string(),
                    o.get_port(),
                    o.get_username().to_string(),
                    database,
                )
            }
            SqlProtocol::MySql => {
                let o = sqlx::mysql::MySqlConnectOptions::from_str(url).unwrap();
                let database = o.get_database().map(str::to_string);
                (
                    ConnectionType::Rds,
                    "RDSSQL",
                    "SLEEP",
                    o.get_host().to_string(),
                    o.get_port(),
                    o.get_username().to_string(),
                    database,
                )
            }
        };
        let statement = format!("SELECT {sleep}(60) AS {marker}");
        let connection = ResolvedConnection {
            id: "c1".into(),
            name: "db".into(),
            version: 1,
            kind,
            target: ConnectionTarget::Sql(SqlAddress { protocol, host, port, user, database, ssl: false }),
            password: None,
            private_key: None,
            passphrase: None,
        };
        let dir = tempfile::tempdir().unwrap();
        let mut spec = spec(dir.path(), &statement);
        spec.node_type = node_type.into();
        spec.connection = Some(std::sync::Arc::new(connection));
        let runner = crate::runners::sql::SqlRunner::new(std::sync::Arc::new(crate::sql::Sessions::default()));
        let began = Instant::now();
        let outcome =
            execute(&runner, &spec, Duration::from_millis(500), &CancellationToken::new(), &Recorded::default()).await;
        assert!(began.elapsed() < Duration::from_secs(10), "{:?}", began.elapsed());
        let deadline = Instant::now() + Duration::from_secs(5);
        while running_in_server(protocol, url, &marker).await > 0 {
            assert!(Instant::now() < deadline, "the statement still runs in the server");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (outcome, std::fs::read_to_string(&spec.log_path).unwrap())
    }

    /// How many statements other than this check's own run in the server with `marker` in
    /// their text (`pg_stat_activity`, the MySQL process list).
    async fn running_in_server(protocol: SqlProtocol, url: &str, marker: &str) -> i64 {
        use sqlx::Connection;
        let pattern = format!("%{marker}%");
        match protocol {
            SqlProtocol::Postgres => {
                let mut observer = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_scalar(
                    "SELECT count(*) FROM pg_stat_activity \
                     WHERE query LIKE $1 AND state = 'active' AND pid <> pg_backend_pid()",
                )
                .bind(pattern)
                .fetch_one(&mut observer)
                .await
                .unwrap()
            }
            SqlProtocol::MySql => {
                let mut observer = sqlx::MySqlConnection::connect(url).await.unwrap();
                sqlx::query_scalar(
                    "SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()",
                )
                .bind(pattern)
                .fetch_one(&mut observer)
                .await
                .unwrap()
            }
        }
    }
}
