//! Everything an evaluation may see, passed in explicitly: no globals, no clock, no I/O.
//!
//! The engine owns the data (parameters, environment variables, node statuses and outputs) and
//! hands it over through three small traits, so that this crate decides the *rules* (§6.3
//! priorities, the `getNodeOutput` size limit) while the engine decides the *sources*.

use crate::zone::Zone;

/// Where parameter values come from. All values are final text (any EL in a parameter's
/// definition has already been evaluated by the engine, in definition order, §6.2).
///
/// The §6.3 priority — job parameter > workspace environment variable > script parameter — is
/// applied by this crate ([`ElContext::resolve_name`]); within "job parameter" the engine
/// layers its sources (run-now/parent values > Rest Client response values > the job's own
/// `params`) behind [`ParamLookup::job_param`].
pub trait ParamLookup {
    /// A job parameter from any job-parameter source, by priority.
    fn job_param(&self, name: &str) -> Option<String>;
    /// The job's own configured value (`Job.getParam`): not values passed by a parent job or at
    /// start, not environment variables.
    fn own_param(&self, name: &str) -> Option<String>;
    /// A script parameter (`scriptArgs`) of the node being rendered.
    fn script_param(&self, _name: &str) -> Option<String> {
        None
    }
}

/// Workspace environment variables (`Env.get`, and `${}` after job parameters).
pub trait EnvLookup {
    /// The variable's final value, if defined.
    fn env_var(&self, name: &str) -> Option<String>;
}

/// The nodes of the running instance (`Job.getNodeStatus`, `Job.getNodeOutput`).
pub trait NodeLookup {
    /// The status string of node `name` in this instance (`success`, `fail`, …); `Ok(None)` if
    /// it has none yet; `Err` if the engine refuses (e.g. no such node).
    fn node_status(&self, name: &str) -> Result<Option<String>, NodeLookupError>;
    /// The output of node `name`: `Ok(None)` if it produced none (renders as the text `null`);
    /// `Err` if the node is not an upstream node of the one being evaluated.
    fn node_output(&self, name: &str) -> Result<Option<String>, NodeLookupError>;
}

/// Why a [`NodeLookup`] refuses a node (the message becomes the expression's error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeLookupError {
    /// The job has no node of that name.
    #[error("the job has no node named '{0}'")]
    UnknownNode(String),
    /// `getNodeOutput` of a node that is not upstream of the one being evaluated (§6.5).
    #[error("node '{node}' is not an upstream node{}", .of.as_ref().map(|o| format!(" of '{o}'")).unwrap_or_default())]
    NotUpstream {
        /// The node asked for.
        node: String,
        /// The node whose expression asked, when known.
        of: Option<String>,
    },
    /// Node data does not exist where the expression is evaluated (a job parameter is
    /// evaluated before any node runs).
    #[error("Job.{function}(\"{node}\") cannot be used in {place}")]
    NotAvailable {
        /// `getNodeStatus` or `getNodeOutput`.
        function: &'static str,
        /// The node asked for.
        node: String,
        /// Where the expression is, e.g. "a job parameter".
        place: &'static str,
    },
}

/// The For Each row being processed (§6.9): `Loop.dataArray`, `Loop.current`, `Loop.offset`.
#[derive(Debug, Clone, Copy)]
pub struct LoopContext<'a> {
    /// The whole dataset, rows of bare element texts (see [`super::parse_dataset`]).
    pub data_array: &'a [Vec<String>],
    /// Index of the current row, from 0.
    pub offset: usize,
}

/// The context of one evaluation.
pub struct ElContext<'a> {
    /// `Job.planTime`, epoch ms.
    pub plan_time_ms: i64,
    /// `Job.startTime`, epoch ms.
    pub start_time_ms: i64,
    /// `DateUtil.now()`, epoch ms (the caller reads the clock, never this crate).
    pub now_ms: i64,
    /// `Job.name`.
    pub job_name: &'a str,
    /// `Job.projectId`.
    pub project_id: &'a str,
    /// The zone for `DateUtil`, `Job.get…` formatting and date rendering (§6.6).
    pub service_zone: Zone,
    pub params: &'a dyn ParamLookup,
    pub env: &'a dyn EnvLookup,
    pub nodes: &'a dyn NodeLookup,
    /// `Some` only while evaluating a For Each child's parameters; `Loop` is null otherwise.
    pub loop_ctx: Option<LoopContext<'a>>,
    /// `Job.eventData` for event-triggered runs.
    pub event_data: Option<&'a str>,
    /// Whether the workspace enabled simple variable sets (§6.13).
    pub simple_variables: bool,
    /// `$job_id` (§6.13).
    pub job_id: Option<i64>,
    /// `$instance_id` (§6.13; none in single-node test runs).
    pub instance_id: Option<i64>,
}

impl ElContext<'_> {
    /// The value of `${name}` or a bare name by §6.3: job parameter, then environment variable,
    /// then script parameter.
    pub fn resolve_name(&self, name: &str) -> Option<String> {
        self.params.job_param(name).or_else(|| self.env.env_var(name)).or_else(|| self.params.script_param(name))
    }
}
