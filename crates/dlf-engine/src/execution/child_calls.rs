//! The children a SubJob or For Each attempt runs (JOBS.md §3.2, §6.9), computed when the
//! attempt is prepared, in the parent instance's EL context.
//!
//! - SubJob: one child; `jobParams` (a JSON object or `name=value` lines) was rendered with the
//!   node's other properties.
//! - For Each: the rendered `dataset` is parsed once ([`el::parse_dataset`]: at most 1,000
//!   rows, else the node fails before any child exists); for row *i*, `jobParams` (`name=EL`
//!   lines, or a JSON object whose values are EL) and `instanceNameSuffix` are rendered with
//!   `Loop.dataArray`, `Loop.current` and `Loop.offset` bound. The child's `jobInstanceName` is
//!   `<node>_<suffix>`, the suffix defaulting to the 1-based row number.

use super::params::{self, InstanceFacts, Params};
use crate::runners::subjob::ChildCall;
use dlf_core::el::{self, LoopContext, NodeLookup};
use dlf_core::model::Node;

/// Node types that run child instances.
pub(super) fn calls_children(node_type: &str) -> bool {
    is_subjob(node_type) || node_type == "ForEach"
}

fn is_subjob(node_type: &str) -> bool {
    matches!(node_type, "SubJob" | "Subjob")
}

/// Properties rendered per row rather than with the node's others.
pub(super) fn per_row(node_type: &str, property: &str) -> bool {
    node_type == "ForEach" && matches!(property, "jobParams" | "instanceNameSuffix")
}

/// `jobParams` as (name, value) pairs: a JSON object, or `name=value` lines.
fn param_pairs(text: &str) -> Result<Vec<(String, String)>, String> {
    let text = text.trim();
    if text.starts_with('{') {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|e| format!("jobParams is not a JSON object: {e}"))?;
        return Ok(map
            .into_iter()
            .map(|(k, v)| {
                let v = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
                (k, v)
            })
            .collect());
    }
    Ok(params::key_value_lines(text))
}

/// The overrides a child runs with: a JSON object, or `None` for the child job's own values.
fn overrides(pairs: Vec<(String, String)>) -> Option<String> {
    if pairs.is_empty() {
        return None;
    }
    let map: serde_json::Map<String, serde_json::Value> =
        pairs.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
    Some(serde_json::Value::Object(map).to_string())
}

/// The children of one attempt of `node`, whose other properties are `rendered`.
pub(super) fn calls(
    node: &Node,
    rendered: &[(String, String)],
    facts: &InstanceFacts,
    now_ms: i64,
    lookup: &Params<'_>,
    nodes: &dyn NodeLookup,
) -> Result<Vec<ChildCall>, String> {
    let prop = |name: &str| rendered.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if is_subjob(&node.node_type) {
        let params = overrides(param_pairs(prop("jobParams").unwrap_or_default())?);
        let name = prop("subJobName").unwrap_or_default().trim().to_string();
        return Ok(vec![ChildCall { row: 0, params, instance_name: name }]);
    }
    let dataset = prop("dataset").unwrap_or_default();
    if dataset.trim().is_empty() {
        return Err("a ForEach node needs the property 'dataset'".to_string());
    }
    let rows = el::parse_dataset(dataset).map_err(|e| format!("dataset: {e}"))?;
    let template = param_pairs(node.property("jobParams").unwrap_or_default())?;
    let suffix = node.property("instanceNameSuffix").map(str::trim).filter(|s| !s.is_empty());
    let mut calls = Vec::with_capacity(rows.len());
    for offset in 0..rows.len() {
        let mut ctx = params::context(facts, now_ms, lookup, nodes);
        ctx.loop_ctx = Some(LoopContext { data_array: &rows, offset });
        let mut pairs = Vec::with_capacity(template.len());
        for (name, value) in &template {
            let value = el::render(value, &ctx).map_err(|e| format!("jobParams {name} (row {}): {e}", offset + 1))?;
            pairs.push((name.clone(), value));
        }
        let suffix = match suffix {
            Some(s) => el::render(s, &ctx).map_err(|e| format!("instanceNameSuffix (row {}): {e}", offset + 1))?,
            None => (offset + 1).to_string(),
        };
        calls.push(ChildCall {
            row: offset as i64,
            params: overrides(pairs),
            instance_name: format!("{}_{}", node.name, suffix),
        });
    }
    Ok(calls)
}
