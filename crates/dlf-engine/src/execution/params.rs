//! Parameters and the EL context of a running instance (JOBS.md §6.2, §6.3).
//!
//! At instance start the job's own `params` are evaluated in definition order (each may use the
//! ones before it, `Job.planTime`, `DateUtil` ...), then the overrides from StartJob/RunOnce are
//! evaluated and layered on top. Nodes then render their properties against the result, their
//! upstream nodes' statuses and outputs, and (for stored scripts) their `scriptArgs`.

use super::error::ParamError;
use super::plan::JobPlan;
use dlf_core::el::{self, ElContext, EnvLookup, NodeLookup, NodeLookupError, ParamLookup};
use dlf_core::model::NodeStatus;
use dlf_core::zone::Zone;
use std::collections::HashMap;

/// What identifies the instance to expressions.
#[derive(Clone, Debug)]
pub struct InstanceFacts {
    pub job_id: i64,
    pub job_name: String,
    pub project_id: String,
    pub instance_id: i64,
    pub plan_time_ms: i64,
    pub start_time_ms: i64,
    pub service_zone: Zone,
}

/// The resolved parameters of an instance.
#[derive(Clone, Debug, Default)]
pub struct InstanceParams {
    /// Every job-parameter value by priority (overrides over the job's own).
    pub merged: HashMap<String, String>,
    /// The job's own values (`Job.getParam`).
    pub own: HashMap<String, String>,
    /// Names in definition order, then override-only names (for the process environment).
    pub order: Vec<String>,
    /// Names given a value from outside (StartJob/RunOnce): Rest Client response variables
    /// do not shadow them (JOBS.md §6.3).
    pub overridden: std::collections::HashSet<String>,
}

/// Parameter lookup over resolved values plus a node's script parameters.
pub struct Params<'a> {
    pub resolved: &'a InstanceParams,
    pub script: Option<&'a HashMap<String, String>>,
}

impl ParamLookup for Params<'_> {
    fn job_param(&self, name: &str) -> Option<String> {
        self.resolved.merged.get(name).cloned()
    }
    fn own_param(&self, name: &str) -> Option<String> {
        self.resolved.own.get(name).cloned()
    }
    fn script_param(&self, name: &str) -> Option<String> {
        self.script.and_then(|s| s.get(name).cloned())
    }
}

/// Workspace environment variables: dlf's v1 API has no way to define them yet, so none exist.
pub struct NoEnv;

impl EnvLookup for NoEnv {
    fn env_var(&self, _name: &str) -> Option<String> {
        None
    }
}

/// Node statuses and outputs of this instance, seen from one node (`for_node`): outputs only
/// of its ancestors (JOBS.md §6.5).
pub struct InstanceNodes<'a> {
    pub plan: &'a JobPlan,
    pub statuses: &'a [NodeStatus],
    pub outputs: &'a [Option<String>],
    pub for_node: Option<usize>,
}

impl NodeLookup for InstanceNodes<'_> {
    fn node_status(&self, name: &str) -> Result<Option<String>, NodeLookupError> {
        match self.plan.index.get(name) {
            Some(&i) => Ok(Some(self.statuses[i].as_str().to_string())),
            None => Err(NodeLookupError::UnknownNode(name.to_string())),
        }
    }

    fn node_output(&self, name: &str) -> Result<Option<String>, NodeLookupError> {
        let Some(&i) = self.plan.index.get(name) else {
            return Err(NodeLookupError::UnknownNode(name.to_string()));
        };
        match self.for_node {
            Some(me) if self.plan.ancestors[me].contains(&i) => Ok(self.outputs[i].clone()),
            Some(me) => {
                Err(NodeLookupError::NotUpstream { node: name.to_string(), of: Some(self.plan.node(me).name.clone()) })
            }
            None => Ok(self.outputs[i].clone()),
        }
    }
}

/// An EL context over the given lookups.
pub fn context<'a>(
    facts: &'a InstanceFacts,
    now_ms: i64,
    params: &'a dyn ParamLookup,
    nodes: &'a dyn NodeLookup,
) -> ElContext<'a> {
    ElContext {
        plan_time_ms: facts.plan_time_ms,
        start_time_ms: facts.start_time_ms,
        now_ms,
        job_name: &facts.job_name,
        project_id: &facts.project_id,
        service_zone: facts.service_zone,
        params,
        env: &NoEnv,
        nodes,
        loop_ctx: None,
        event_data: None,
        simple_variables: false,
        job_id: Some(facts.job_id),
        instance_id: Some(facts.instance_id),
    }
}

/// No node data (job parameters are evaluated before any node ran).
struct NoNodes;

impl NodeLookup for NoNodes {
    fn node_status(&self, name: &str) -> Result<Option<String>, NodeLookupError> {
        Err(NodeLookupError::NotAvailable {
            function: "getNodeStatus",
            node: name.to_string(),
            place: "a job parameter",
        })
    }
    fn node_output(&self, name: &str) -> Result<Option<String>, NodeLookupError> {
        Err(NodeLookupError::NotAvailable {
            function: "getNodeOutput",
            node: name.to_string(),
            place: "a job parameter",
        })
    }
}

/// Evaluates the job's parameters and the overrides (a JSON object name → value).
pub fn resolve(
    plan: &JobPlan,
    overrides: Option<&str>,
    facts: &InstanceFacts,
    now_ms: i64,
) -> Result<InstanceParams, ParamError> {
    let mut resolved = InstanceParams::default();
    for p in plan.doc.params.as_deref().unwrap_or(&[]) {
        let raw = p.value.clone().unwrap_or_default();
        let value = {
            let lookup = Params { resolved: &resolved, script: None };
            let ctx = context(facts, now_ms, &lookup, &NoNodes);
            el::render(&raw, &ctx).map_err(|source| ParamError::Evaluate { name: p.name.clone(), source })?
        };
        resolved.own.insert(p.name.clone(), value.clone());
        resolved.merged.insert(p.name.clone(), value);
        resolved.order.push(p.name.clone());
    }
    if let Some(json) = overrides {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(json).map_err(ParamError::Overrides)?;
        for (name, value) in map {
            let raw = value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string());
            let value = {
                let lookup = Params { resolved: &resolved, script: None };
                let ctx = context(facts, now_ms, &lookup, &NoNodes);
                el::render(&raw, &ctx).map_err(|source| ParamError::Evaluate { name: name.clone(), source })?
            };
            if !resolved.merged.contains_key(&name) {
                resolved.order.push(name.clone());
            }
            resolved.overridden.insert(name.clone());
            resolved.merged.insert(name, value);
        }
    }
    Ok(resolved)
}

/// `k=v` lines (scriptArgs), values rendered; lines without `=` are ignored.
pub fn key_value_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let (k, v) = line.split_once('=')?;
            let k = k.trim();
            (!k.is_empty()).then(|| (k.to_string(), v.trim().to_string()))
        })
        .collect()
}
