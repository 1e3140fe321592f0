//! Node runners: one [`NodeRunner`] per node type, one file each, registered in [`Registry`].
//!
//! # The contract
//!
//! A runner executes ONE attempt of one node. Everything around it is the engine's: rendering
//! `${}`/`#{}` in the properties, resolving the stored script, choosing the log file, recording
//! the attempt before its work starts, the attempt's time limit, counting retries, applying
//! failure policies, persisting the outcome. A runner never touches the store and never parses
//! HTTP.
//!
//! [`NodeRunner::run`] gets the rendered [`AttemptSpec`] and an [`AttemptContext`]:
//!
//! - `cancel` fires when the attempt must end now: the instance was stopped, the attempt passed
//!   its `maxExecutionTime`, another node failed under `FAIL`, or the server shuts down. "Stop"
//!   is the runner's own cancel: it stops the work **where it runs** (kills the process group,
//!   cancels the query in the database, aborts the request, stops the child instance) and
//!   returns [`AttemptOutcome::Stopped`] once nothing of it is left. Why it was cancelled is the
//!   engine's business;
//! - `log` is the attempt's log: output goes there as it happens;
//! - `report` takes what the engine must know while the attempt runs: every OS process group
//!   it starts ([`AttemptReport::process_started`], so a restarted server can find orphans) and
//!   progress notes ([`AttemptReport::progress`]).
//!
//! The returned [`AttemptOutcome`] is the attempt's end: success with the node's output (what
//! `Job.getNodeOutput` returns), or failure with a message and whether a retry may help.
//!
//! A runner whose attempts have no effect outside the instance and end at once (Dummy) says so
//! with [`Execution::Inline`]: the engine then runs it inside its decision pass, without a task
//! and without waiting for the attempt's record to be committed first. Every other runner is
//! [`Execution::Task`].
//!
//! Adding a node type is one file here, one line in [`Registry::builtin`] and its tests
//! (ARCHITECTURE.md, "Adding a node type", walks through Dummy).

use crate::connections::ResolvedConnection;
use async_trait::async_trait;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub use log_sink::LogSink;

/// Everything one attempt needs, already rendered.
#[derive(Clone, Debug)]
pub struct AttemptSpec {
    pub instance_id: i64,
    pub node_name: String,
    pub node_type: String,
    /// 1 for the first attempt; never reused within an instance run (see `DLF_ATTEMPT`).
    pub attempt: u32,
    /// The node's properties after `${}`/`#{}` rendering.
    pub properties: Vec<(String, String)>,
    /// The program text for Shell, Python and SQL nodes: the stored script's rendered content
    /// in script mode, the rendered `statement` in inline mode.
    pub program: Option<String>,
    /// The connection the node runs on, opened (secrets in memory): the built-in `local` host
    /// ([`ResolvedConnection::is_local`]) for a Shell or Python node that names none, a SQL
    /// connection for a SQL node; `None` for types that need none.
    pub connection: Option<Arc<ResolvedConnection>>,
    /// The database a SQL node uses: its `database`, else its script's, else the connection's
    /// default, else the type's default (`postgres` for DWSSQL); `None` for the server's.
    pub database: Option<String>,
    /// Positional arguments (`arguments`, split on whitespace).
    pub arguments: Vec<String>,
    /// Text fed to standard input (`interactiveArguments`), if any.
    pub stdin: Option<String>,
    /// The process's whole environment: the sandbox's base (an allowlist of the server's),
    /// job parameters and `DLF_*` metadata. Nothing else of the server's environment reaches a
    /// node.
    pub env: Vec<(String, String)>,
    /// This attempt's log file (the engine opens [`AttemptContext::log`] on it); scripts that
    /// need a file are written beside it.
    pub log_path: PathBuf,
    /// Working directory of the process: the instance's directory, shared by its nodes, outside
    /// the data directory (`EngineConfig::nodes`). A runner that starts a process creates it if
    /// needed, owned by [`AttemptSpec::run_as`] and private to it.
    pub work_dir: PathBuf,
    /// The user the process runs as, when not the server's own (`--run-as`).
    pub run_as: Option<NodeUser>,
    /// Grace between SIGTERM and SIGKILL when killing.
    pub kill_grace: Duration,
    /// SubJob and For Each: the child instances to run, computed by the engine (empty for
    /// every other type).
    pub child_calls: Vec<subjob::ChildCall>,
    /// Files copied into the working directory before the program starts (the resources a
    /// Shell or Python node names in its `resources` property).
    pub resources: Vec<ResourceFile>,
}

/// A resource's file, to be copied into a node's working directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceFile {
    /// The resource's name.
    pub name: String,
    /// The file's name in the working directory (the last segment of the object's key).
    pub file_name: String,
    /// The object's file in the object store (read by the server, never by the node).
    pub source: PathBuf,
}

impl AttemptSpec {
    /// The value of a rendered property.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The user a node process runs as (`--run-as`), and the launcher that starts processes as
/// that user without the server forking itself (`process::launcher`; `None`: the server forks
/// and switches in the child, slower).
#[derive(Clone, Debug)]
pub struct NodeUser {
    pub uid: u32,
    pub gid: u32,
    pub launcher: Option<Arc<process::launcher::Launcher>>,
}

/// A started OS process, reported as soon as it exists so a crash can never orphan it
/// unnoticed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessInfo {
    /// Process id of the leader, which is also the process group id.
    pub process_group: i32,
    /// `/proc/<pid>/stat` start time of the leader (clock ticks since boot), to recognise it.
    pub start_ticks: Option<u64>,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The node's operation succeeded. `output` is what `Job.getNodeOutput` returns.
    Succeeded { output: Option<String> },
    /// It failed. `retryable` is false when a retry cannot help or the node's retry condition
    /// (e.g. Shell's `retryExitCodes`) excludes this failure; `timed_out` when the engine's time
    /// limit ended it.
    Failed { message: String, exit_code: Option<i32>, timed_out: bool, retryable: bool },
    /// It was stopped through the cancellation token (its work is gone).
    Stopped,
}

impl AttemptOutcome {
    /// A failure without exit code, not caused by a timeout.
    pub fn failed(message: impl Into<String>, retryable: bool) -> AttemptOutcome {
        AttemptOutcome::Failed { message: message.into(), exit_code: None, timed_out: false, retryable }
    }
}

/// What a runner tells the engine while its attempt runs.
pub trait AttemptReport: Send + Sync {
    /// An OS process group exists (leader pid = group id). Call it at once for every group the
    /// attempt starts.
    fn process_started(&self, info: ProcessInfo);
    /// A note on how far the attempt got ("statement 3 of 5", "polled 12 times"), for the
    /// server's log.
    fn progress(&self, note: &str);
}

/// What an attempt runs with besides its spec (see the module docs).
pub struct AttemptContext<'a> {
    /// Fires when the attempt must end now.
    pub cancel: CancellationToken,
    /// The attempt's log.
    pub log: &'a mut LogSink,
    /// Where the runner reports process groups and progress.
    pub report: &'a dyn AttemptReport,
}

/// How the engine runs a type's attempts (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Execution {
    /// In a task of its own, on a worker slot, after the attempt's record is committed.
    Task,
    /// At once, inside the instance's decision pass: only for attempts with no effect outside
    /// the instance that end without waiting on anything.
    Inline,
}

/// Runs attempts of one node type.
#[async_trait]
pub trait NodeRunner: Send + Sync {
    /// How the engine runs this type's attempts; [`Execution::Task`] unless the runner says
    /// otherwise.
    fn execution(&self) -> Execution {
        Execution::Task
    }

    /// Runs one attempt. It must return promptly (and leave nothing running) once
    /// `ctx.cancel` fires, and report every OS process group it creates.
    async fn run(&self, spec: &AttemptSpec, ctx: AttemptContext<'_>) -> AttemptOutcome;

    /// Whether an attempt holds one of the engine's worker slots while it runs (`false` for a
    /// runner that only waits on other instances, which need the slots themselves).
    fn needs_worker_slot(&self) -> bool {
        true
    }

    /// Whether an attempt a dead server left running is taken up again by the node's next
    /// attempt (its work lives in the store, as SubJob's child instances do) instead of being
    /// counted as failed.
    fn survives_restart(&self) -> bool {
        false
    }
}

/// Node type → runner.
#[derive(Clone, Default)]
pub struct Registry {
    runners: HashMap<String, Arc<dyn NodeRunner>>,
}

impl Registry {
    /// The runners this server has (SQL nodes open their sessions through `sql_sessions`).
    pub fn builtin(sql_sessions: &Arc<crate::sql::Sessions>) -> Registry {
        let mut r = Registry::default();
        r.register("Dummy", Arc::new(dummy::DummyRunner));
        r.register("Shell", Arc::new(shell::ShellRunner));
        r.register("Python", Arc::new(python::PythonRunner));
        let sql: Arc<dyn NodeRunner> = Arc::new(sql::SqlRunner::new(sql_sessions.clone()));
        for node_type in ["DWSSQL", "RDSSQL", "DorisSQL", "DORISSQL"] {
            r.register(node_type, sql.clone());
        }
        r
    }

    pub fn register(&mut self, node_type: &str, runner: Arc<dyn NodeRunner>) {
        self.runners.insert(node_type.to_string(), runner);
    }

    /// The runner for a type, or `None` (the node fails with "not supported", JOBS.md §3.1).
    pub fn get(&self, node_type: &str) -> Option<Arc<dyn NodeRunner>> {
        self.runners.get(node_type).cloned()
    }
}

pub mod dummy;
pub mod http_trigger;
mod log_sink;
pub mod process;
pub mod python;
pub mod rest;
pub mod shell;
pub mod smn;
pub mod sql;
pub mod subjob;
