//! Operator actions on instances and nodes (JOBS.md §5.8), served as `/x/v1/…` extensions.
//!
//! Every action is a compare-and-set: the status it expects is checked by the state machines of
//! `dlf_core::state` and again by the store write (or by the running instance's task, which owns
//! its instance's state), so a wrong status or a lost race answers `DLF.3051` and changes
//! nothing.
//!
//! - An instance that runs (`running`, `running-exception`, `pause`) is acted on by its own task
//!   through [`Control::Operator`]: succeed, continue and retry an abnormal instance, and every
//!   node action (`execution/operator.rs`).
//! - An instance that does not run is changed in the store: succeed a `fail` / `manual-stop`
//!   instance, freeze and unfreeze, execute without dependencies, remove one dependency; the
//!   dispatcher is told, so a gate that opened is seen at once.
//!
//! Freezing plan times that have no instance yet is not offered: the scheduler creates an
//! instance only when its plan time comes, and a waiting instance can be frozen then.

use crate::execution::Control;
use crate::execution::operator::LoopAction;
pub use crate::execution::operator::NodeAction;
use crate::{Engine, Tenant, internal};
use dlf_core::DlfError;
use dlf_core::model::{InstanceStatus, JobDocument};
use dlf_core::state::{self, InstanceEvent, RecoverAction};
use dlf_store::{InstanceCommit, InstanceRecord};
use std::time::Duration;

/// What an operator does to an instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstanceAction {
    /// `fail`, `manual-stop`, `running-exception` → `forceSuccess`.
    Succeed,
    /// `running-exception` → `running`; the suspended failures count as `IGNORE`.
    Continue,
    /// `running-exception` → `running`; the suspended failed nodes run again.
    Retry,
    /// `waiting` → `freeze`.
    Freeze,
    /// `freeze` → `waiting`.
    Unfreeze,
    /// A `waiting` instance no longer waits on cross-job or self dependencies.
    IgnoreDependencies,
    /// A `waiting` instance no longer waits on one upstream instance (of job `job_name`).
    RemoveDependency { job_name: String, instance_id: i64 },
}

impl InstanceAction {
    /// The action's name in the extension route (`…/instances/{instance_id}/{action}`); the
    /// dependency to remove comes separately.
    pub fn parse(s: &str) -> Option<InstanceAction> {
        Some(match s {
            "succeed" => InstanceAction::Succeed,
            "continue" => InstanceAction::Continue,
            "retry" => InstanceAction::Retry,
            "freeze" => InstanceAction::Freeze,
            "unfreeze" => InstanceAction::Unfreeze,
            "ignore-dependencies" => InstanceAction::IgnoreDependencies,
            _ => return None,
        })
    }
}

fn refused(id: i64, e: impl std::fmt::Display) -> DlfError {
    DlfError::invalid_param(format!("Job instance {id}: {e}."))
}

fn lost_race(id: i64) -> DlfError {
    DlfError::invalid_param(format!("Job instance {id} changed meanwhile; nothing was done, try again."))
}

impl Engine {
    /// An operator action on instance `id` of job `name` (JOBS.md §5.8).
    pub async fn instance_action(
        &self,
        tenant: &Tenant,
        name: &str,
        id: &str,
        action: InstanceAction,
    ) -> Result<(), DlfError> {
        let (job, instance) = self.instance_of(tenant, name, id).await?;
        let id = instance.id;
        let check = |event: InstanceEvent| {
            state::next_instance_status(Some(instance.status), &event).map_err(|e| refused(id, e))
        };
        match action {
            InstanceAction::Succeed => {
                let to = check(InstanceEvent::ForceSuccess)?;
                if instance.status.holds_slot() {
                    return self
                        .act_on_running(&instance, LoopAction::Succeed, Some(InstanceEvent::ForceSuccess))
                        .await;
                }
                let mut next = instance.clone();
                next.status = to;
                next.error_message = None;
                let end = next.end_ms.unwrap_or_else(|| self.now_ms());
                next.end_ms = Some(end);
                self.compare_and_set(&instance, next, Some(end)).await
            }
            InstanceAction::Continue => {
                let event = InstanceEvent::Recover(RecoverAction::Continue);
                check(event)?;
                self.act_on_running(&instance, LoopAction::Continue, Some(event)).await
            }
            InstanceAction::Retry => {
                let event = InstanceEvent::Recover(RecoverAction::RetryNode);
                check(event)?;
                self.act_on_running(&instance, LoopAction::Retry, Some(event)).await
            }
            InstanceAction::Freeze | InstanceAction::Unfreeze => {
                let event =
                    if action == InstanceAction::Freeze { InstanceEvent::Freeze } else { InstanceEvent::Unfreeze };
                let mut next = instance.clone();
                next.status = check(event)?;
                self.compare_and_set(&instance, next.clone(), None).await?;
                self.enqueue(next);
                Ok(())
            }
            InstanceAction::IgnoreDependencies => {
                waiting_only(&instance, "run without its dependencies")?;
                let mut next = instance.clone();
                next.ignore_depend = true;
                self.compare_and_set(&instance, next.clone(), None).await?;
                self.enqueue(next);
                Ok(())
            }
            InstanceAction::RemoveDependency { job_name, instance_id } => {
                waiting_only(&instance, "remove one of its dependencies")?;
                let doc = self.job_plan(job.id(), instance.version).await?.doc.clone();
                self.check_upstream(&instance, &doc, &job_name, instance_id).await?;
                if !self
                    .store()
                    .remove_dependency(instance.id, InstanceStatus::Waiting, instance_id)
                    .await
                    .map_err(internal)?
                {
                    return Err(lost_race(id));
                }
                // The dispatcher reads the removals when it looks at the instance's gates.
                self.enqueue(instance);
                Ok(())
            }
        }
    }

    /// An operator action on node `node` of instance `id` of job `name` (JOBS.md §5.8): the
    /// instance must be running (`running`, `running-exception`, `pause`); its task acts.
    pub async fn node_action(
        &self,
        tenant: &Tenant,
        name: &str,
        id: &str,
        node: &str,
        action: NodeAction,
    ) -> Result<(), DlfError> {
        let (_, instance) = self.instance_of(tenant, name, id).await?;
        let nodes = self.store().node_instances(instance.id).await.map_err(internal)?;
        if !nodes.iter().any(|n| n.node_name == node) {
            return Err(DlfError::invalid_param(format!("Job instance {}: it has no node '{node}'.", instance.id)));
        }
        if !instance.status.holds_slot() {
            return Err(not_running(&instance));
        }
        // The task re-checks the node and the instance against the state machines.
        self.act_on_running(&instance, LoopAction::Node(node.to_string(), action), None).await
    }

    /// Hands `action` to the instance's task and returns its answer. An instance that is not
    /// (or no longer) running is refused with the state machine's message for `event` (the
    /// instance event the action applies), or a plain "not running" for node actions.
    async fn act_on_running(
        &self,
        instance: &InstanceRecord,
        action: LoopAction,
        event: Option<InstanceEvent>,
    ) -> Result<(), DlfError> {
        for _ in 0..100 {
            if let Some(handle) = self.running_handle(instance.id) {
                let (tx, rx) = tokio::sync::oneshot::channel();
                if handle.control.send(Control::Operator { action: action.clone(), reply: tx }).is_ok()
                    && let Ok(answer) = rx.await
                {
                    return answer;
                }
            }
            let current = self
                .store()
                .find_instance(instance.id)
                .await
                .map_err(internal)?
                .ok_or_else(DlfError::instance_not_found)?;
            if !current.status.holds_slot() {
                return Err(match event.and_then(|e| state::next_instance_status(Some(current.status), &e).err()) {
                    Some(e) => refused(current.id, e),
                    None => not_running(&current),
                });
            }
            // Running, but its task is not (yet) registered here: it is starting. Try again.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err(DlfError::internal("the instance's task did not answer; try again"))
    }

    /// Writes `next` over `current` if the instance still has `current`'s status.
    /// `ended_ms`: the instance ended (the job's "last instance" columns move with it).
    async fn compare_and_set(
        &self,
        current: &InstanceRecord,
        next: InstanceRecord,
        ended_ms: Option<i64>,
    ) -> Result<(), DlfError> {
        let commit = InstanceCommit {
            job_last_instance: ended_ms.map(|end| (next.job_id, next.status, end)),
            instance: Some((next, current.status)),
            ..Default::default()
        };
        if self.store().commit(&commit).await.map_err(internal)? { Ok(()) } else { Err(lost_race(current.id)) }
    }

    /// The upstream instance `upstream_id` must be one `instance` can wait on: an instance of
    /// `job_name`, a job in its `dependJobs` (or its own job, with `dependPrePeriod`).
    async fn check_upstream(
        &self,
        instance: &InstanceRecord,
        doc: &JobDocument,
        job_name: &str,
        upstream_id: i64,
    ) -> Result<(), DlfError> {
        let cron = doc.cron();
        let depends = if job_name == instance.job_name {
            cron.and_then(|c| c.depend_pre_period) == Some(true)
        } else {
            cron.and_then(|c| c.depend_jobs.as_ref()).is_some_and(|d| d.jobs.iter().any(|j| j == job_name))
        };
        if !depends {
            return Err(refused(instance.id, format!("it does not depend on the job {job_name}")));
        }
        let upstream = self.store().find_instance(upstream_id).await.map_err(internal)?;
        match upstream {
            Some(u) if u.workspace_id == instance.workspace_id && u.job_name == job_name && u.id != instance.id => {
                Ok(())
            }
            _ => Err(refused(instance.id, format!("the job {job_name} has no instance {upstream_id}"))),
        }
    }
}

fn waiting_only(instance: &InstanceRecord, what: &str) -> Result<(), DlfError> {
    if instance.status == InstanceStatus::Waiting {
        Ok(())
    } else {
        Err(refused(instance.id, format!("instance is {}; only a waiting instance can {what}", instance.status)))
    }
}

fn not_running(instance: &InstanceRecord) -> DlfError {
    refused(
        instance.id,
        format!("instance is {}; a node can be acted on only while its instance runs", instance.status),
    )
}
