//! What Rest Client and HTTP Trigger nodes do to their instance beyond their own status.
//!
//! **Rest Client response → job variables** (JOBS.md §3.2, §6.2, §6.3). Decision: the
//! variables are not stored anywhere of their own. A Rest Client node's output is its response
//! body, which the store already keeps with the node's row; the variables are a pure function
//! of that body and the node's `responseParams` as written in the job (`var=json.path` lines,
//! not rendered), computed again whenever a node is started or an edge condition is evaluated
//! ([`InstanceRun::current_params`]). So a restart, a rerun that keeps the node, and the
//! running loop all see the same variables, without a migration or a second copy to keep in
//! step. They are visible to every node started after the Rest Client node succeeded (JOBS.md:
//! "nodes started later in the same instance"), as `${var}`, in EL, and in a process's
//! environment. Priority (§6.3): values passed to the instance (StartJob/RunOnce `jobParams`)
//! win over them, and they shadow the job's own `params`; when two Rest Client nodes set one
//! name, the one that ended later wins.
//!
//! **HTTP Trigger expiry** (JOBS.md §3.2, §5.4): when no call arrived within the node's maximum
//! wait, the node and everything not yet ended are canceled and the instance stops
//! (`manual-stop`), as a stop by an operator does, with the reason as its message.

use super::InstanceRun;
use super::error::RunError;
use super::params::InstanceParams;
use crate::runners::http_trigger;
use crate::runners::rest::json_path::response_variables;
use dlf_core::model::NodeStatus;
use dlf_core::state::{AbortCause, InstanceEvent, NodeEvent};

/// The node type whose response sets job variables.
pub const REST_NODE_TYPE: &str = "RESTAPI";

impl InstanceRun {
    /// The instance's parameters plus the job variables of every Rest Client node that
    /// succeeded (see the module docs).
    pub(super) fn current_params(&self) -> InstanceParams {
        let mut setters: Vec<(i64, usize)> = (0..self.nodes.len())
            .filter(|&i| {
                let spec = self.plan.node(i);
                spec.node_type == REST_NODE_TYPE
                    && self.nodes[i].row.status == NodeStatus::Success
                    && self.nodes[i].row.output.is_some()
                    && spec.property("responseParams").is_some_and(|p| !p.trim().is_empty())
            })
            .map(|i| (self.nodes[i].row.end_ms.unwrap_or(0), i))
            .collect();
        if setters.is_empty() {
            return self.params.clone();
        }
        setters.sort();
        let mut params = self.params.clone();
        for (_, i) in setters {
            let spec = self.plan.node(i).property("responseParams").unwrap_or("");
            let body = self.nodes[i].row.output.as_deref().unwrap_or("");
            // The runner checked these paths before the node succeeded.
            let Ok(vars) = response_variables(spec, body) else { continue };
            for (name, value) in vars {
                if params.overridden.contains(&name) {
                    continue;
                }
                if !params.merged.contains_key(&name) {
                    params.order.push(name.clone());
                }
                params.merged.insert(name, value);
            }
        }
        params
    }

    /// Whether node `i` is an HTTP Trigger whose attempt ended with a timeout.
    pub(super) fn trigger_expired(&self, i: usize, timed_out: bool) -> bool {
        timed_out && self.plan.node(i).node_type.eq_ignore_ascii_case(http_trigger::NODE_TYPE)
    }

    /// HTTP Trigger node `i` waited in vain: cancel everything, stop the instance.
    pub(super) async fn stop_on_trigger_expiry(&mut self, i: usize, message: String) -> Result<(), RunError> {
        self.cancel_all().await;
        let name = self.plan.node(i).name.clone();
        for j in 0..self.nodes.len() {
            if !self.nodes[j].row.status.is_terminal() {
                self.apply_node(j, NodeEvent::Abort(AbortCause::InstanceStopped))?;
                self.nodes[j].row.error_message = Some(if j == i {
                    message.clone()
                } else {
                    format!("the HTTP trigger '{name}' was not called in time")
                });
            }
        }
        self.apply_instance(InstanceEvent::Stop)?;
        self.finish(Some(format!("node '{name}': {message}"))).await
    }
}
