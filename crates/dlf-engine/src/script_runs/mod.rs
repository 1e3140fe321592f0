//! Script runs: S6 ExecuteScript, S7 ListScriptResults, S8 CancelScript.
//!
//! Executing a stored script creates a *script run* (API.md S6; not a job instance, never in
//! instance lists): `LAUNCHING` until a worker slot is free, `RUNNING`, then `FINISHED` or
//! `FAILED`. The run's row is written before S6 answers, so an acknowledged run is never lost;
//! its work runs in a task of this server.
//!
//! - **What runs.** The script's content with `${name}` replaced by the request's `params`
//!   (unknown names stay as written, JOBS.md §6.3). SQL scripts (`DWSSQL`, `RDSSQL`, `DorisSQL`) run
//!   statement by statement in one session on their connection (`crate::sql`); `Shell` and
//!   `PYTHON` scripts run like the nodes of those types — on the built-in `local` host (as the
//!   node user, in a work directory of their own) or on a `HOST` connection over SSH. Other
//!   types fail with "script type … is not supported by this server".
//! - **Results** (S7): one result per SQL statement (rows as strings, NULL as `null`, the
//!   schema, rows affected in `message`), or one for a Shell/Python run whose rows are the
//!   lines of its output. At most [`MAX_RESULT_ROWS`] rows per result and [`MAX_RESULTS_BYTES`]
//!   in all are kept; a result that lost rows says so in its `message` and keeps the full count
//!   in `resultCount`.
//! - **Limits.** A run may take [`EngineConfig::script_run_timeout_ms`] (60 minutes by
//!   default); runs are kept for [`EngineConfig::script_run_retention_ms`] after they end (7
//!   days by default), then deleted with their logs.
//! - **Cancel** (S8) stops the work where it runs (the process group, the query in the
//!   database, the remote process group) and ends the run `FAILED` with the message
//!   "Canceled.". Cancelling a run that has ended changes nothing.
//! - **Crashes.** A run carries the epoch of the engine that runs it; at start-up, runs left
//!   open by an engine that is gone end `FAILED` ("the server stopped while the script ran")
//!   and their local processes are killed (`recovery`).
//!
//! [`EngineConfig::script_run_timeout_ms`]: crate::EngineConfig::script_run_timeout_ms
//! [`EngineConfig::script_run_retention_ms`]: crate::EngineConfig::script_run_retention_ms

mod results;

use crate::connections::ResolvedConnection;
use crate::runners::{AttemptContext, AttemptOutcome, AttemptReport, AttemptSpec, LogSink, NodeUser, ProcessInfo};
use crate::sql::{Batch, Beyond, RowLimits, RunFailure, RunOptions};
use crate::{Caller, Engine, Tenant, internal};
use dlf_core::model::ScriptRunStatus::{self, Failed, Finished, Launching, Running};
use dlf_core::model::connection::{ConnectionTarget, SqlProtocol, check_node_target};
use dlf_core::model::responses::{ExecuteScriptResp, ScriptResult, ScriptRunResults};
use dlf_core::sql_split::{Dialect, split_statements};
use dlf_core::{DlfError, ErrorCode, el};
use dlf_store::{ScriptRunChange, ScriptRunRecord};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

pub use results::{MAX_RESULT_ROWS, MAX_RESULTS_BYTES};

/// The message of a cancelled run.
pub const CANCELED: &str = "Canceled.";

/// What a script type runs as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Sql,
    /// A process: the node type whose runner runs it (`Shell`, `Python`).
    Process(&'static str),
    Unsupported,
}

fn kind_of(script_type: &str) -> Kind {
    match script_type {
        "DWSSQL" | "RDSSQL" | "DorisSQL" | "DORISSQL" => Kind::Sql,
        "Shell" => Kind::Process("Shell"),
        "PYTHON" => Kind::Process("Python"),
        _ => Kind::Unsupported,
    }
}

/// The `params` of an ExecuteScript body: none, `{}`, or `{"params": {name: value}}`.
fn parse_params(body: &[u8]) -> Result<HashMap<String, String>, DlfError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(HashMap::new());
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| DlfError::invalid_param(format!("the body is not JSON: {e}")))?;
    let Value::Object(mut object) = value else {
        return Err(DlfError::invalid_param("the body must be a JSON object"));
    };
    let params = match object.remove("params") {
        None | Some(Value::Null) => return Ok(HashMap::new()),
        Some(Value::Object(params)) => params,
        Some(_) => return Err(DlfError::invalid_param("params must be an object of names to values")),
    };
    params
        .into_iter()
        .map(|(name, value)| match value {
            Value::String(s) => Ok((name, s)),
            Value::Number(n) => Ok((name, n.to_string())),
            Value::Bool(b) => Ok((name, b.to_string())),
            _ => Err(DlfError::invalid_param(format!("params.{name} must be a string"))),
        })
        .collect()
}

/// `60 minutes`, `90 seconds`, `300 ms`.
fn limit_text(limit: Duration) -> String {
    match limit.as_secs() {
        0 => format!("{} ms", limit.as_millis()),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}

/// Reports nothing: a script run's processes are found after a crash by their epoch.
struct QuietReport;

impl AttemptReport for QuietReport {
    fn process_started(&self, _info: ProcessInfo) {}
    fn progress(&self, _note: &str) {}
}

/// How a run ended.
struct Ended {
    status: ScriptRunStatus,
    message: Option<String>,
    results: Vec<ScriptResult>,
}

impl Ended {
    fn failed(message: impl Into<String>) -> Ended {
        Ended { status: Failed, message: Some(message.into()), results: Vec::new() }
    }
}

/// A run to start: what the task needs.
struct Launch {
    run_id: String,
    project_id: String,
    workspace_id: String,
    script_name: String,
    script_type: String,
    content: String,
    connection_name: Option<String>,
    database: Option<String>,
    cancel: CancellationToken,
}

impl Engine {
    /// S6 ExecuteScript: records the run (`LAUNCHING`) and starts it.
    pub async fn execute_script(
        &self,
        tenant: &Tenant,
        caller: &Caller,
        name: &str,
        body: &[u8],
    ) -> Result<ExecuteScriptResp, DlfError> {
        let params = parse_params(body)?;
        let script = self
            .resolve_script(tenant.workspace_id(), name)
            .await?
            .ok_or_else(|| DlfError::new(ErrorCode::ScriptNotFound))?;
        let content = el::substitute_params(&script.content, &|n: &str| params.get(n).cloned());
        let run_id = uuid::Uuid::now_v7().to_string();
        let record = ScriptRunRecord {
            id: run_id.clone(),
            workspace_id: tenant.workspace_id().to_string(),
            script_name: name.to_string(),
            script_type: script.script_type.clone(),
            status: Launching,
            message: None,
            results: None,
            runner_epoch: self.epoch().to_string(),
            create_user: caller.user.clone(),
            created_ms: self.now_ms(),
            ended_ms: None,
        };
        self.store().insert_script_run(&record).await.map_err(internal)?;
        self.sweep_script_runs().await;
        let cancel = self.inner.runtime.shutdown.child_token();
        self.inner.runtime.script_runs.lock().expect("lock").insert(run_id.clone(), cancel.clone());
        let launch = Launch {
            run_id: run_id.clone(),
            project_id: tenant.project_id.clone(),
            workspace_id: tenant.workspace_id().to_string(),
            script_name: name.to_string(),
            script_type: script.script_type,
            content,
            connection_name: script.connection_name,
            database: script.database,
            cancel,
        };
        let engine = self.clone();
        tokio::spawn(async move { engine.run_script(launch).await });
        Ok(ExecuteScriptResp { instance_id: run_id })
    }

    /// S7 ListScriptResults.
    pub async fn script_run_results(
        &self,
        tenant: &Tenant,
        name: &str,
        id: &str,
    ) -> Result<ScriptRunResults, DlfError> {
        let run = self.script_run(tenant, name, id).await?;
        let results: Vec<ScriptResult> = match &run.results {
            Some(json) => {
                serde_json::from_str(json).map_err(|_| DlfError::internal("a script run's results are unreadable"))?
            }
            None => Vec::new(),
        };
        Ok(ScriptRunResults { status: run.status.as_str(), message: run.message, results })
    }

    /// S8 CancelScript: stops a run that has not ended; one that has is left as it is.
    pub async fn cancel_script_run(&self, tenant: &Tenant, name: &str, id: &str) -> Result<(), DlfError> {
        let run = self.script_run(tenant, name, id).await?;
        if run.status.is_terminal() {
            return Ok(());
        }
        let token = self.inner.runtime.script_runs.lock().expect("lock").get(id).cloned();
        match token {
            Some(token) => token.cancel(),
            None => {
                // Not running here (its engine is gone): end it in the store.
                let change = ScriptRunChange {
                    status: Failed,
                    message: Some(CANCELED.to_string()),
                    results: None,
                    ended_ms: Some(self.now_ms()),
                };
                self.store().change_script_run(id, &[Launching, Running], &change).await.map_err(internal)?;
            }
        }
        Ok(())
    }

    async fn script_run(&self, tenant: &Tenant, name: &str, id: &str) -> Result<ScriptRunRecord, DlfError> {
        if self.store().find_script(tenant.workspace_id(), name).await.map_err(internal)?.is_none() {
            return Err(DlfError::new(ErrorCode::ScriptNotFound));
        }
        match self.store().find_script_run(tenant.workspace_id(), id).await.map_err(internal)? {
            Some(run) if run.script_name == name => Ok(run),
            _ => Err(DlfError::new(ErrorCode::ScriptInstanceNotFound)),
        }
    }

    /// The run's task: wait for a worker slot, run, record the end.
    async fn run_script(&self, launch: Launch) {
        let ended = self.run_to_end(&launch).await;
        let results = match results::to_json(&ended.results) {
            Ok(json) => Some(json),
            Err(e) => {
                tracing::error!(error = %e, run = %launch.run_id, "cannot serialise a script run's results");
                None
            }
        };
        let change =
            ScriptRunChange { status: ended.status, message: ended.message, results, ended_ms: Some(self.now_ms()) };
        if let Err(e) = self.store().change_script_run(&launch.run_id, &[Launching, Running], &change).await {
            tracing::error!(error = %e, run = %launch.run_id, "cannot record the end of a script run");
        }
        self.inner.runtime.script_runs.lock().expect("lock").remove(&launch.run_id);
    }

    async fn run_to_end(&self, launch: &Launch) -> Ended {
        let cancel = &launch.cancel;
        let slot = tokio::select! {
            slot = self.inner.runtime.worker_slots.clone().acquire_owned() => slot,
            _ = cancel.cancelled() => return self.cancelled_end(),
        };
        let Ok(_slot) = slot else { return Ended::failed("the server is shutting down") };
        let running = ScriptRunChange { status: Running, message: None, results: None, ended_ms: None };
        match self.store().change_script_run(&launch.run_id, &[Launching], &running).await {
            Ok(true) => {}
            Ok(false) => return Ended::failed(CANCELED),
            Err(e) => return Ended::failed(format!("cannot record the start: {e}")),
        }
        let kind = kind_of(&launch.script_type);
        let node_type = match kind {
            Kind::Sql => launch.script_type.as_str(),
            Kind::Process(node_type) => node_type,
            Kind::Unsupported => {
                return Ended::failed(format!("script type {} is not supported by this server", launch.script_type));
            }
        };
        let connection = match self.script_connection(launch, node_type).await {
            Ok(connection) => connection,
            Err(message) => return Ended::failed(message),
        };
        let timeout = Duration::from_millis(self.config().script_run_timeout_ms);
        let work = async {
            match kind {
                Kind::Sql => self.run_sql_script(launch, &connection).await,
                Kind::Process(node_type) => self.run_process_script(launch, node_type, connection).await,
                Kind::Unsupported => unreachable!("refused above"),
            }
        };
        let ended = tokio::select! {
            ended = work => ended,
            _ = tokio::time::sleep(timeout) => {
                // Dropping the work cancelled nothing yet: cancel it where it runs.
                cancel.cancel();
                Ended::failed(format!("the script ran longer than {}", limit_text(timeout)))
            }
        };
        if cancel.is_cancelled() && ended.status != Finished && ended.message.as_deref() != Some(CANCELED) {
            if self.inner.runtime.shutdown.is_cancelled() {
                return Ended::failed("the server shut down while the script ran");
            }
            if ended.message.as_deref().is_some_and(|m| m.starts_with("the script ran longer")) {
                return ended;
            }
            return Ended { status: Failed, message: Some(CANCELED.to_string()), results: ended.results };
        }
        ended
    }

    fn cancelled_end(&self) -> Ended {
        if self.inner.runtime.shutdown.is_cancelled() {
            Ended::failed("the server shut down while the script ran")
        } else {
            Ended::failed(CANCELED)
        }
    }

    /// The connection a script runs on, checked against its type (as for nodes).
    async fn script_connection(&self, launch: &Launch, node_type: &str) -> Result<Arc<ResolvedConnection>, String> {
        let name = launch.connection_name.as_deref();
        let label = name.unwrap_or(dlf_core::model::connection::LOCAL_CONNECTION).to_string();
        let resolved = self
            .resolve_connection(&launch.workspace_id, name)
            .await
            .map_err(|e| format!("cannot read the connection '{label}': {}", e.message))?
            .ok_or_else(|| format!("the connection '{label}' does not exist"))?;
        let target = (!resolved.is_local()).then_some(&resolved.target);
        check_node_target(node_type, &label, target).map_err(|reason| format!("cannot run on '{label}': {reason}"))?;
        Ok(resolved)
    }

    async fn run_sql_script(&self, launch: &Launch, connection: &ResolvedConnection) -> Ended {
        let ConnectionTarget::Sql(address) = &connection.target else {
            return Ended::failed(format!("the connection {} is not a SQL connection", connection.name));
        };
        let database = launch.database.clone().filter(|d| !d.trim().is_empty()).or_else(|| address.database.clone());
        let database = database.or_else(|| (launch.script_type == "DWSSQL").then(|| "postgres".to_string()));
        let dialect = match address.protocol {
            SqlProtocol::Postgres => Dialect::Postgres,
            SqlProtocol::MySql => Dialect::MySql,
        };
        let statements = split_statements(&launch.content, dialect);
        if statements.is_empty() {
            return Ended::failed("the SQL script has no statements to run (it is empty or only comments)");
        }
        let options = RunOptions {
            limits: RowLimits {
                keep_rows: MAX_RESULT_ROWS + 1,
                keep_bytes: MAX_RESULTS_BYTES + 1,
                beyond: Beyond::Count,
            },
            last_rows_only: false,
        };
        let mut log = LogSink::new(self.script_run_log(&launch.run_id));
        let batch = Batch { connection, database: database.as_deref(), statements: &statements, options };
        let ran = self.sql_sessions().run_statements(batch, &launch.cancel, &mut log, None).await;
        match ran {
            Ok(done) => {
                Ended { status: Finished, message: None, results: done.iter().map(results::of_statement).collect() }
            }
            Err(RunFailure::Failed { message, results }) => Ended {
                status: Failed,
                message: Some(message),
                results: results.iter().map(results::of_statement).collect(),
            },
            Err(RunFailure::Cancelled { results }) => Ended {
                status: Failed,
                message: Some(CANCELED.to_string()),
                results: results.iter().map(results::of_statement).collect(),
            },
        }
    }

    async fn run_process_script(&self, launch: &Launch, node_type: &str, connection: Arc<ResolvedConnection>) -> Ended {
        let Some(runner) = self.inner.runtime.runners.get(node_type) else {
            return Ended::failed(format!("script type {} is not supported by this server", launch.script_type));
        };
        let sandbox = &self.config().nodes;
        let mut env = sandbox.base_env.clone();
        env.extend([
            ("DLF_PROJECT_ID".to_string(), launch.project_id.clone()),
            ("DLF_SCRIPT_NAME".to_string(), launch.script_name.clone()),
            ("DLF_SCRIPT_RUN_ID".to_string(), launch.run_id.clone()),
            (crate::recovery::EPOCH_ENV.to_string(), self.epoch().to_string()),
        ]);
        let log_path = self.script_run_log(&launch.run_id);
        let spec = AttemptSpec {
            instance_id: 0,
            node_name: launch.script_name.clone(),
            node_type: node_type.to_string(),
            attempt: 1,
            properties: Vec::new(),
            program: Some(launch.content.clone()),
            connection: Some(connection),
            database: None,
            arguments: Vec::new(),
            stdin: None,
            env,
            log_path: log_path.clone(),
            work_dir: sandbox.script_run_work_dir(&launch.run_id),
            run_as: sandbox.run_as.as_ref().map(|u| NodeUser {
                uid: u.uid,
                gid: u.gid,
                launcher: sandbox.launcher.clone(),
            }),
            kill_grace: Duration::from_millis(self.config().kill_grace_ms),
            child_calls: Vec::new(),
            resources: Vec::new(),
        };
        let started = Instant::now();
        let mut log = LogSink::new(&log_path);
        let ctx = AttemptContext { cancel: launch.cancel.clone(), log: &mut log, report: &QuietReport };
        let outcome = runner.run(&spec, ctx).await;
        drop(log);
        let output = results::of_output(&log_path, started.elapsed()).await;
        match outcome {
            AttemptOutcome::Succeeded { .. } => Ended { status: Finished, message: None, results: vec![output] },
            AttemptOutcome::Failed { message, .. } => {
                Ended { status: Failed, message: Some(message), results: vec![output] }
            }
            AttemptOutcome::Stopped => {
                Ended { status: Failed, message: Some(CANCELED.to_string()), results: vec![output] }
            }
        }
    }

    /// `<data-dir>/logs/script-runs/<run>.log`.
    fn script_run_log(&self, run_id: &str) -> PathBuf {
        self.config().logs_dir().join("script-runs").join(format!("{}.log", crate::logs::safe_file_name(run_id)))
    }

    /// Deletes the runs whose retention ended, with their logs and work directories.
    pub(crate) async fn sweep_script_runs(&self) {
        let before = self.now_ms().saturating_sub(self.config().script_run_retention_ms);
        match self.store().delete_script_runs_ended_before(before).await {
            Ok(ids) => {
                for id in ids {
                    let _ = tokio::fs::remove_file(self.script_run_log(&id)).await;
                    let _ = tokio::fs::remove_dir_all(self.config().nodes.script_run_work_dir(&id)).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot delete old script runs"),
        }
    }

    /// At start-up: runs an engine that is gone left open end `FAILED`; returns their epochs
    /// (whose processes `recovery` kills).
    pub(crate) async fn fail_orphaned_script_runs(&self) -> std::collections::HashSet<String> {
        let mut epochs = std::collections::HashSet::new();
        let Ok(open) = self.store().open_script_runs().await else { return epochs };
        for run in open.into_iter().filter(|r| r.runner_epoch != self.epoch()) {
            let change = ScriptRunChange {
                status: Failed,
                message: Some("the server stopped while the script ran".to_string()),
                results: None,
                ended_ms: Some(self.now_ms()),
            };
            if let Err(e) = self.store().change_script_run(&run.id, &[Launching, Running], &change).await {
                tracing::warn!(error = %e, run = %run.id, "cannot end a script run a previous server left open");
            }
            epochs.insert(run.runner_epoch);
        }
        epochs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execute_bodies_of_every_documented_shape() {
        assert!(parse_params(b"").unwrap().is_empty());
        assert!(parse_params(b"{}").unwrap().is_empty());
        let params = parse_params(br#"{"params": {"tableVar": "citys", "n": 3}}"#).unwrap();
        assert_eq!((params["tableVar"].as_str(), params["n"].as_str()), ("citys", "3"));
        assert_eq!(parse_params(b"[1]").unwrap_err().code.code(), "DLF.3051");
        assert_eq!(parse_params(br#"{"params": [1]}"#).unwrap_err().code.code(), "DLF.3051");
        assert_eq!(parse_params(br#"{"params": {"a": {"b": 1}}}"#).unwrap_err().code.code(), "DLF.3051");
    }

    #[test]
    fn script_types_map_to_what_runs_them() {
        assert_eq!(kind_of("DWSSQL"), Kind::Sql);
        assert_eq!(kind_of("RDSSQL"), Kind::Sql);
        assert_eq!(kind_of("DORISSQL"), Kind::Sql);
        assert_eq!(kind_of("Shell"), Kind::Process("Shell"));
        assert_eq!(kind_of("PYTHON"), Kind::Process("Python"));
        assert_eq!(kind_of("DLISQL"), Kind::Unsupported);
    }
}
