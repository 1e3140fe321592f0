//! Preparing one attempt of a node: rendering its properties (`${}` then `#{}`), resolving the
//! stored script and its `scriptArgs`, and choosing where it logs — everything a runner needs,
//! in an [`AttemptSpec`].
//!
//! Decision (JOBS.md §6.1 leaves it open): a stored script's content gets `${}` substitution
//! (job parameters > environment variables > its `scriptArgs`), not `#{}` evaluation — `#{` is
//! comment syntax in shells and would break scripts; EL reaches scripts through parameters,
//! whose values are evaluated at instance start. Inline statements are node properties and are
//! rendered in full.

use super::error::AttemptError;
use super::params::{self, InstanceFacts, InstanceNodes, InstanceParams, Params};
use super::plan::JobPlan;
use crate::Engine;
use crate::runners::AttemptSpec;
use dlf_core::el;
use dlf_core::model::NodeStatus;
use dlf_core::model::connection::{ConnectionTarget, check_node_target, sql_node_protocol};
use std::collections::HashMap;
use std::time::Duration;

/// Node types whose program is a script or statement.
fn runs_program(node_type: &str) -> bool {
    matches!(node_type, "Shell" | "Python") || sql_node_protocol(node_type).is_some()
}

/// Node types that run on a host: the built-in `local` one unless they name another.
fn runs_on_host(node_type: &str) -> bool {
    matches!(node_type, "Shell" | "Python")
}

/// A snapshot of the instance's nodes when the attempt is prepared.
pub struct NodesSnapshot {
    pub statuses: Vec<NodeStatus>,
    pub outputs: Vec<Option<String>>,
}

/// The instance an attempt belongs to, as the attempt sees it.
pub struct InstanceView<'a> {
    pub plan: &'a JobPlan,
    pub workspace_id: &'a str,
    pub facts: &'a InstanceFacts,
    pub params: &'a InstanceParams,
    pub nodes: &'a NodesSnapshot,
}

/// The node's properties with `${}` and `#{}` rendered (JOBS.md §6.2, at node start).
fn render_properties(
    plan: &JobPlan,
    node_index: usize,
    facts: &InstanceFacts,
    resolved: &InstanceParams,
    snapshot: &NodesSnapshot,
    now: i64,
) -> Result<Vec<(String, String)>, AttemptError> {
    let nodes =
        InstanceNodes { plan, statuses: &snapshot.statuses, outputs: &snapshot.outputs, for_node: Some(node_index) };
    let lookup = Params { resolved, script: None };
    let ctx = params::context(facts, now, &lookup, &nodes);
    let node_type = plan.node(node_index).node_type.as_str();
    plan.node(node_index)
        .properties
        .iter()
        .map(|p| {
            if super::child_calls::per_row(node_type, &p.name) {
                // Rendered once per row, with `Loop` bound (`children::calls`).
                return Ok((p.name.clone(), p.value.clone()));
            }
            el::render(&p.value, &ctx)
                .map(|v| (p.name.clone(), v))
                .map_err(|source| AttemptError::Property { property: p.name.clone(), source })
        })
        .collect()
}

/// Builds the attempt, or the reason the node fails before running.
pub async fn prepare(
    engine: &Engine,
    view: &InstanceView<'_>,
    node_index: usize,
    attempt: u32,
) -> Result<AttemptSpec, AttemptError> {
    let InstanceView { plan, workspace_id, facts, params: resolved, nodes: snapshot } = *view;
    let node = plan.node(node_index);
    let now = engine.now_ms();
    let properties = render_properties(plan, node_index, facts, resolved, snapshot, now)?;
    let prop = |name: &str| properties.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut connection = prop("connectionName").filter(|c| !c.trim().is_empty()).map(str::to_string);
    let mut database = prop("database").filter(|d| !d.trim().is_empty()).map(str::to_string);
    let mut program = None;
    if runs_program(&node.node_type) {
        let inline = prop("statement").or_else(|| prop("sql")).filter(|s| !s.trim().is_empty());
        let script_name = prop("scriptName").filter(|s| !s.trim().is_empty());
        let use_inline = match prop("statementOrScript") {
            Some("STATEMENT") => true,
            Some("SCRIPT") => false,
            _ => script_name.is_none() && inline.is_some(),
        };
        if use_inline {
            program = inline.map(str::to_string);
        } else if let Some(name) = script_name {
            let script = engine
                .resolve_script(workspace_id, name)
                .await
                .map_err(|source| AttemptError::ScriptLookup { name: name.to_string(), source })?
                .ok_or_else(|| AttemptError::MissingScript(name.to_string()))?;
            let script_params: HashMap<String, String> =
                prop("scriptArgs").map(params::key_value_lines).unwrap_or_default().into_iter().collect();
            let with_script = Params { resolved, script: Some(&script_params) };
            let content = el::substitute_params(&script.content, &|n: &str| {
                use el::ParamLookup;
                with_script.job_param(n).or_else(|| with_script.script_param(n))
            });
            program = Some(content);
            if connection.is_none() {
                connection = script.connection_name;
            }
            if database.is_none() {
                database = script.database;
            }
        }
    }
    let connection = resolve_connection(engine, workspace_id, &node.node_type, connection).await?;
    let resources = match prop(crate::resources::RESOURCES_PROPERTY) {
        Some(value) if runs_on_host(&node.node_type) => {
            engine.node_resource_files(&facts.project_id, workspace_id, value).await.map_err(AttemptError::Resource)?
        }
        _ => Vec::new(),
    };
    if let Some(ConnectionTarget::Sql(address)) = connection.as_ref().map(|c| &c.target) {
        database = database.or_else(|| address.database.clone());
        if node.node_type == "DWSSQL" {
            database = database.or_else(|| Some("postgres".to_string()));
        }
    }
    let arguments = prop("arguments").map(|a| a.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
    let stdin = prop("interactiveArguments")
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split_whitespace().map(|w| format!("{w}\n")).collect::<String>());
    // The node's whole environment (docs/security.md): the sandbox's base, the job's parameters,
    // the DLF_* job variables — nothing else of the server's.
    let sandbox = &engine.config().nodes;
    let mut env: Vec<(String, String)> = sandbox.base_env.clone();
    env.extend(resolved.order.iter().filter_map(|n| resolved.merged.get(n).map(|v| (n.clone(), v.clone()))));
    env.extend([
        ("DLF_PROJECT_ID".to_string(), facts.project_id.clone()),
        ("DLF_JOB_NAME".to_string(), facts.job_name.clone()),
        ("DLF_INSTANCE_ID".to_string(), facts.instance_id.to_string()),
        ("DLF_NODE_NAME".to_string(), node.name.clone()),
        ("DLF_PLAN_TIME".to_string(), facts.plan_time_ms.to_string()),
        ("DLF_ATTEMPT".to_string(), attempt.to_string()),
        (crate::recovery::EPOCH_ENV.to_string(), engine.epoch().to_string()),
    ]);
    let child_calls = if super::child_calls::calls_children(&node.node_type) {
        let nodes = InstanceNodes {
            plan,
            statuses: &snapshot.statuses,
            outputs: &snapshot.outputs,
            for_node: Some(node_index),
        };
        let lookup = Params { resolved, script: None };
        super::child_calls::calls(node, &properties, facts, now, &lookup, &nodes).map_err(AttemptError::Children)?
    } else {
        Vec::new()
    };
    let logs = engine.config().logs_dir();
    let log_path = crate::logs::attempt_log(&logs, facts.instance_id, &node.name, attempt as i64);
    let work_dir = sandbox.work_dir(facts.instance_id);
    Ok(AttemptSpec {
        instance_id: facts.instance_id,
        node_name: node.name.clone(),
        node_type: node.node_type.clone(),
        attempt,
        properties,
        program,
        connection,
        database,
        arguments,
        stdin,
        env,
        log_path,
        work_dir,
        run_as: sandbox.run_as.as_ref().map(|u| crate::runners::NodeUser {
            uid: u.uid,
            gid: u.gid,
            launcher: sandbox.launcher.clone(),
        }),
        kill_grace: Duration::from_millis(engine.config().kill_grace_ms),
        child_calls,
        resources,
    })
}

/// The connection a node runs on (see [`AttemptSpec::connection`]), checked against its type.
async fn resolve_connection(
    engine: &Engine,
    workspace_id: &str,
    node_type: &str,
    name: Option<String>,
) -> Result<Option<std::sync::Arc<crate::connections::ResolvedConnection>>, AttemptError> {
    if !runs_on_host(node_type) && sql_node_protocol(node_type).is_none() {
        return Ok(None);
    }
    if name.is_none() && sql_node_protocol(node_type).is_some() {
        let reason = check_node_target(node_type, "", None).unwrap_err();
        return Err(AttemptError::Connection { name: String::new(), reason });
    }
    let label = name.clone().unwrap_or_else(|| dlf_core::model::connection::LOCAL_CONNECTION.to_string());
    let resolved = engine
        .resolve_connection(workspace_id, name.as_deref())
        .await
        .map_err(|source| AttemptError::ConnectionLookup { name: label.clone(), source })?
        .ok_or_else(|| AttemptError::MissingConnection(label.clone()))?;
    let target = (!resolved.is_local()).then_some(&resolved.target);
    check_node_target(node_type, &label, target)
        .map_err(|reason| AttemptError::Connection { name: label.clone(), reason })?;
    Ok(Some(resolved))
}
