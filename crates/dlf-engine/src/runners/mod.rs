//! Node runners: one [`NodeRunner`] per node type, one file each, registered in [`Registry`].
//!
//! A runner executes ONE attempt of one node. Everything before it — evaluating `${}`/`#{}` in
//! the properties, resolving the stored script, choosing the log file, counting retries,
//! applying failure policies — is the executor's job; everything after it (persisting the
//! outcome) too. A runner never touches the store and never parses HTTP.

use async_trait::async_trait;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Everything one attempt needs, already rendered.
#[derive(Clone, Debug)]
pub struct AttemptSpec {
    pub instance_id: i64,
    pub node_name: String,
    pub node_type: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The node's properties after `${}`/`#{}` rendering.
    pub properties: Vec<(String, String)>,
    /// The program text for Shell/Python nodes: the stored script's rendered content in script
    /// mode, the rendered `statement` in inline mode.
    pub program: Option<String>,
    /// Positional arguments (`arguments`, split on whitespace).
    pub arguments: Vec<String>,
    /// Text fed to standard input (`interactiveArguments`), if any.
    pub stdin: Option<String>,
    /// Environment for the process: job parameters and `DLF_*` metadata.
    pub env: Vec<(String, String)>,
    /// This attempt's log file (stdout and stderr, as they arrive). A runner creates it, and its
    /// directory, when it has something to write.
    pub log_path: PathBuf,
    /// Working directory of the process: the instance's directory, shared by its nodes (see
    /// `crate::logs`). A runner that starts a process creates it if needed.
    pub work_dir: PathBuf,
    /// `maxExecutionTime`: the attempt is killed after this long.
    pub timeout: Duration,
    /// Grace between SIGTERM and SIGKILL when killing.
    pub kill_grace: Duration,
}

impl AttemptSpec {
    /// The value of a rendered property.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A started OS process, reported as soon as it exists so a crash can never orphan it
/// unnoticed (the executor persists it before the attempt goes on).
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
    /// It failed. `retryable` is false when a retry condition (e.g. Shell's `retryExitCodes`)
    /// excludes this failure.
    Failed { message: String, exit_code: Option<i32>, timed_out: bool, retryable: bool },
    /// It was stopped through the cancellation token (its processes are gone).
    Stopped,
}

/// Runs attempts of one node type.
#[async_trait]
pub trait NodeRunner: Send + Sync {
    /// Runs one attempt. It must return promptly (and leave no process behind) once `cancel`
    /// fires, and call `started` for every OS process group it creates.
    async fn run(&self, spec: &AttemptSpec, cancel: CancellationToken, started: &(dyn Fn(ProcessInfo) + Send + Sync)) -> AttemptOutcome;
}

/// Node type → runner.
#[derive(Clone, Default)]
pub struct Registry {
    runners: HashMap<String, Arc<dyn NodeRunner>>,
}

impl Registry {
    /// The runners this server has.
    pub fn builtin() -> Registry {
        let mut r = Registry::default();
        r.register("Dummy", Arc::new(dummy::DummyRunner));
        r.register("Shell", Arc::new(shell::ShellRunner));
        r.register("Python", Arc::new(python::PythonRunner));
        r
    }

    pub fn register(&mut self, node_type: &str, runner: Arc<dyn NodeRunner>) {
        self.runners.insert(node_type.to_string(), runner);
    }

    /// The runner for a type, or `None` (the node fails with "not supported", JOBS.md §3.1).
    pub fn get(&self, node_type: &str) -> Option<Arc<dyn NodeRunner>> {
        self.runners.get(node_type).cloned()
    }

    /// Whether the type has a runner.
    pub fn supports(&self, node_type: &str) -> bool {
        self.runners.contains_key(node_type)
    }
}

/// The message a node of an unsupported type fails with (JOBS.md §3.1).
pub fn unsupported_message(node_type: &str) -> String {
    format!("node type {node_type} is not supported by this server")
}

pub mod dummy;
pub mod process;
pub mod python;
pub mod shell;
