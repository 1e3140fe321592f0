//! Nodes and the graph they form (JOBS.md §2.3, API.md Appendix A).

use super::MAX_NODES;
use super::dag;
use super::job_fields::check_enum;
use crate::error::{DlfError, ErrorCode};
use crate::model::{FailPolicy, JobDocument, Location, Node};
use std::collections::HashSet;

/// Property keys a node type needs to run (API.md Appendix A). `scriptName` entries are checked
/// by mode (script vs. inline statement) instead of here.
fn required_properties(node_type: &str) -> &'static [&'static str] {
    match node_type {
        "CDMJob" => &["clusterName", "jobName"],
        "CloudTableManager" => &["action"],
        "OBSManager" => &["action", "path"],
        "RESTAPI" => &["url", "method"],
        "SMN" => &["topic", "subject", "messageType", "message"],
        "MRSSpark" => &["clusterName", "jobName", "resourcePath", "parameters"],
        "MapReduce" => &["clusterName", "jobName", "resourcePath", "parameters", "input", "output"],
        "DLISpark" => &["clusterName", "jobName", "resourcePath"],
        "MRSFlinkJob" => &["clusterName", "jobName", "flinkJobType", "flinkJobProcessType"],
        "SubJob" | "Subjob" => &["subJobName"],
        "ForEach" => &["subJobName", "dataset"],
        _ => &[],
    }
}

/// Types that run a stored script (`scriptName`) or an inline statement (`statement`/`sql`).
fn is_script_capable(node_type: &str) -> bool {
    matches!(node_type, "HiveSQL" | "SparkSQL" | "DWSSQL" | "DLISQL" | "RDSSQL" | "HetuEngineSQL" | "Shell" | "Python")
}

pub fn check_nodes(doc: &JobDocument) -> Result<(), DlfError> {
    if doc.nodes.is_empty() {
        return Err(DlfError::with_message(
            ErrorCode::JobHasNoNodes,
            "The job has no nodes: nodes must list at least one node.",
        ));
    }
    if doc.nodes.len() > MAX_NODES {
        return Err(DlfError::invalid_param(format!(
            "nodes: the job has {} nodes, at most {MAX_NODES} are allowed",
            doc.nodes.len()
        )));
    }
    let mut names = HashSet::new();
    for (i, node) in doc.nodes.iter().enumerate() {
        check_node_fields(i, node)?;
        if !names.insert(node.name.as_str()) {
            return Err(DlfError::invalid_param(format!("nodes[{i}].name: node name '{}' is used twice", node.name)));
        }
    }
    for (i, node) in doc.nodes.iter().enumerate() {
        for up in node.upstream() {
            if up == &node.name {
                return Err(DlfError::invalid_param(format!("nodes[{i}].preNodeName: node '{up}' lists itself")));
            }
            if !names.contains(up.as_str()) {
                return Err(DlfError::invalid_param(format!(
                    "nodes[{i}].preNodeName: node '{}' names '{up}', which is not a node of this job",
                    node.name
                )));
            }
        }
        let mut conditioned = HashSet::new();
        for (j, cond) in node.conditions().iter().enumerate() {
            let field = format!("nodes[{i}].conditions[{j}]");
            if cond.pre_node_name.is_empty() {
                return Err(DlfError::invalid_param(format!("{field}.preNodeName is required")));
            }
            if cond.expression.trim().is_empty() {
                return Err(DlfError::invalid_param(format!("{field}.expression is required")));
            }
            if !node.upstream().contains(&cond.pre_node_name) {
                return Err(DlfError::invalid_param(format!(
                    "{field}.preNodeName '{}' must also be listed in the preNodeName of node '{}'",
                    cond.pre_node_name, node.name
                )));
            }
            if !conditioned.insert(cond.pre_node_name.as_str()) {
                return Err(DlfError::invalid_param(format!(
                    "{field}: node '{}' has two conditions on the edge from '{}'",
                    node.name, cond.pre_node_name
                )));
            }
            check_enum(&format!("{field}.skipPolicy"), cond.skip_policy.as_deref(), &["SKIP_ALL", "SKIP_NEXT"])?;
        }
    }
    if let Some(cycle) = dag::find_cycle(&doc.nodes) {
        return Err(DlfError::invalid_param(format!("nodes form a cycle: {}", cycle.join(" -> "))));
    }
    Ok(())
}

fn check_node_fields(i: usize, node: &Node) -> Result<(), DlfError> {
    let field = format!("nodes[{i}]");
    let len = node.name.chars().count();
    if len == 0 {
        return Err(DlfError::invalid_param(format!("{field}.name is required")));
    }
    if len > 128 {
        return Err(DlfError::invalid_param(format!("{field}.name is longer than 128 characters")));
    }
    if let Some(bad) =
        node.name.chars().find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '<' | '>')))
    {
        return Err(DlfError::invalid_param(format!(
            "{field}.name '{}' contains '{bad}'; only letters, digits and - _ . / < > are allowed",
            node.name
        )));
    }
    if node.node_type.trim().is_empty() {
        return Err(DlfError::invalid_param(format!("{field}.type is required")));
    }
    if let Some(policy) = &node.fail_policy
        && FailPolicy::parse(policy).is_none()
    {
        return Err(DlfError::invalid_param(format!(
            "{field}.failPolicy '{policy}' is not one of FAIL, IGNORE, SUSPEND, FAIL_CHILD"
        )));
    }
    check_range(&field, "pollingInterval", node.polling_interval, 1, 60)?;
    check_range(&field, "maxExecutionTime", node.max_execution_time, 5, 1440)?;
    check_range(&field, "retryTimes", node.retry_times, 0, 5)?;
    check_range(&field, "retryInterval", node.retry_interval, 5, 120)?;
    check_enum(&format!("{field}.execTimeOutRetry"), node.exec_time_out_retry.as_deref(), &["true", "false"])?;
    let mut keys = HashSet::new();
    for (j, p) in node.properties.iter().enumerate() {
        if p.name.is_empty() {
            return Err(DlfError::invalid_param(format!("{field}.properties[{j}].name is required")));
        }
        if !keys.insert(p.name.as_str()) {
            return Err(DlfError::invalid_param(format!(
                "{field}.properties[{j}]: property '{}' is given twice",
                p.name
            )));
        }
    }
    for key in required_properties(&node.node_type) {
        if node.property(key).is_none_or(|v| v.trim().is_empty()) {
            return Err(DlfError::invalid_param(format!(
                "{field}: a {} node needs the property '{key}'",
                node.node_type
            )));
        }
    }
    if is_script_capable(&node.node_type) {
        check_script_or_statement(&field, node)?;
    }
    super::rest_trigger::check(&field, node)?;
    Ok(())
}

/// Script mode needs `scriptName`; inline mode (`statementOrScript` = `STATEMENT`) needs the
/// text in `statement` (or `sql`). Without `statementOrScript`, a node that carries inline text
/// and no script name is taken as inline (a decision: JOBS.md §3.1 defaults to SCRIPT, which
/// would reject such a node for no benefit).
fn check_script_or_statement(field: &str, node: &Node) -> Result<(), DlfError> {
    let has = |k: &str| node.property(k).is_some_and(|v| !v.trim().is_empty());
    let inline = has("statement") || has("sql");
    match node.property("statementOrScript") {
        Some("STATEMENT") if !inline => Err(DlfError::invalid_param(format!(
            "{field}: statementOrScript is STATEMENT, so the property 'statement' is required"
        ))),
        Some("STATEMENT") => Ok(()),
        Some("SCRIPT") | None if has("scriptName") || (node.property("statementOrScript").is_none() && inline) => {
            Ok(())
        }
        Some("SCRIPT") | None => Err(DlfError::invalid_param(format!(
            "{field}: a {} node needs the property 'scriptName' (or statementOrScript=STATEMENT with 'statement')",
            node.node_type
        ))),
        Some(other) => Err(DlfError::invalid_param(format!(
            "{field}.properties statementOrScript '{other}' is not SCRIPT or STATEMENT"
        ))),
    }
}

fn check_range(field: &str, name: &str, value: Option<i64>, min: i64, max: i64) -> Result<(), DlfError> {
    match value {
        Some(v) if v < min || v > max => {
            Err(DlfError::invalid_param(format!("{field}.{name} must be in [{min},{max}], got {v}")))
        }
        _ => Ok(()),
    }
}

/// Fills the per-node defaults of the reference and collapses duplicate upstream names.
pub fn normalize_nodes(doc: &mut JobDocument) {
    for node in &mut doc.nodes {
        node.location.get_or_insert_with(|| Location { x: "0".into(), y: "0".into(), ..Default::default() });
        if let Some(ups) = &mut node.pre_node_name {
            let mut seen = HashSet::new();
            ups.retain(|u| seen.insert(u.clone()));
        } else {
            node.pre_node_name = Some(Vec::new());
        }
        node.polling_interval.get_or_insert(10);
        node.max_execution_time.get_or_insert(60);
        node.retry_times.get_or_insert(0);
        node.retry_interval.get_or_insert(120);
        node.fail_policy.get_or_insert_with(|| "FAIL".to_string());
        node.exec_time_out_retry.get_or_insert_with(|| "false".to_string());
    }
}
