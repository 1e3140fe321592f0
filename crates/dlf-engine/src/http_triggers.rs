//! Firing HTTP Trigger nodes (`POST /x/v1/{project_id}/http-triggers/{trigger_id}/fire`): the
//! operation behind the route. The waiting list is the runner's
//! ([`crate::runners::http_trigger::HttpTriggers`]); this checks that the caller only reaches
//! nodes of its own workspace (tenants do not trust each other).

use crate::runners::http_trigger::HttpTriggers;
use crate::{Engine, Tenant, internal};
use dlf_core::DlfError;
use std::sync::Arc;

/// The largest body a call may hand to the node (its output).
pub const MAX_FIRE_BODY_BYTES: usize = 1024 * 1024;

impl Engine {
    /// The HTTP Trigger nodes waiting for calls.
    pub fn http_triggers(&self) -> &Arc<HttpTriggers> {
        &self.inner.runtime.http_triggers
    }

    /// Fires every node of the tenant's workspace waiting on `trigger`, handing it `body` as
    /// its output; answers the instances fired. Nothing waiting is a `DLF.3051` error, so a
    /// caller learns that its call went nowhere.
    pub async fn fire_http_trigger(
        &self,
        tenant: &Tenant,
        trigger: &str,
        body: Option<String>,
    ) -> Result<Vec<i64>, DlfError> {
        if body.as_ref().is_some_and(|b| b.len() > MAX_FIRE_BODY_BYTES) {
            return Err(DlfError::invalid_param(format!(
                "the body of a call to an HTTP trigger is limited to {} bytes",
                MAX_FIRE_BODY_BYTES
            )));
        }
        let mut mine = Vec::new();
        for instance_id in self.http_triggers().waiting_instances(trigger) {
            let record = self.store().find_instance(instance_id).await.map_err(internal)?;
            if record.is_some_and(|r| r.workspace_id == tenant.workspace_id()) {
                mine.push(instance_id);
            }
        }
        let fired = self.http_triggers().fire(trigger, &mine, body);
        if fired.is_empty() {
            return Err(DlfError::invalid_param(format!(
                "no HTTP Trigger node of this workspace is waiting on '{trigger}' (it fires only while a node \
                 with this trigger id runs)"
            )));
        }
        Ok(fired)
    }
}
