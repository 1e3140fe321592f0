//! Ready-made lookups backed by maps: for `dlf el eval`, tests, and engines that have the data
//! at hand.

use super::context::{EnvLookup, NodeLookup, NodeLookupError, ParamLookup};
use std::collections::HashMap;

/// Parameters from maps. `job` holds every job-parameter value by priority already merged;
/// `own` the job's own definition (for `Job.getParam`); `script` the node's script parameters.
#[derive(Debug, Clone, Default)]
pub struct StaticParams {
    pub job: HashMap<String, String>,
    pub own: HashMap<String, String>,
    pub script: HashMap<String, String>,
}

impl ParamLookup for StaticParams {
    fn job_param(&self, name: &str) -> Option<String> {
        self.job.get(name).cloned()
    }
    fn own_param(&self, name: &str) -> Option<String> {
        self.own.get(name).cloned()
    }
    fn script_param(&self, name: &str) -> Option<String> {
        self.script.get(name).cloned()
    }
}

/// Environment variables from a map.
#[derive(Debug, Clone, Default)]
pub struct StaticEnv(pub HashMap<String, String>);

impl EnvLookup for StaticEnv {
    fn env_var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// Node statuses and outputs from maps. A node listed in `outputs` counts as upstream; any other
/// name is refused by `node_output`.
#[derive(Debug, Clone, Default)]
pub struct StaticNodes {
    pub statuses: HashMap<String, String>,
    /// Upstream nodes and their outputs (`None` = produced no output).
    pub outputs: HashMap<String, Option<String>>,
}

impl NodeLookup for StaticNodes {
    fn node_status(&self, name: &str) -> Result<Option<String>, NodeLookupError> {
        Ok(self.statuses.get(name).cloned())
    }
    fn node_output(&self, name: &str) -> Result<Option<String>, NodeLookupError> {
        self.outputs.get(name).cloned().ok_or_else(|| NodeLookupError::NotUpstream { node: name.to_string(), of: None })
    }
}
