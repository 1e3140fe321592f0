//! Job instances: RunOnce (J8), ListJobInstances (I1), ShowJobInstance (I2), StopJobInstance
//! (I3), RestoreJobInstance (I4), and the instance an EXECUTE_ONCE start creates.

use crate::dispatch::end_waiting_instance;
use crate::execution::Control;
use crate::{Caller, Engine, Tenant, internal};
use dlf_core::model::requests::StartJobBody;
use dlf_core::model::responses::{InstanceDetail, InstanceList, InstanceListItem, NodeInstanceItem, RunOnceResult};
use dlf_core::model::{InstanceStatus, InstanceType, JobStatus, NodeStatus, ProcessType};
use dlf_core::state::{self, InstanceEvent, NodeEvent, RerunFrom};
use dlf_core::{DlfError, ErrorCode};
use dlf_store::{
    ChildLink, InstanceCommit, InstanceFilter, InstanceRecord, JobRecord, JobStatusChange, NewInstance,
    NodeInstanceRecord,
};
use std::collections::HashSet;
use std::time::Duration;

/// Widest plan-time window ListJobInstances accepts (API.md I1).
const MAX_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

/// ListJobInstances' query parameters as received.
#[derive(Clone, Debug, Default)]
pub struct InstanceListQuery {
    pub job_name: Option<String>,
    pub precise_query: Option<bool>,
    pub min_plan_time: Option<i64>,
    pub max_plan_time: Option<i64>,
    pub status: Option<String>,
    pub instance_type: Option<i64>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

/// The extension options of a rerun (JOBS.md §5.9).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RerunOptions {
    /// `rerunFrom`: `ERROR_NODE` (default), `FIRST_NODE`, or a node name.
    pub from: RerunFrom,
    /// `useLatestParams`: the rerun drops the parameter values the instance was started with
    /// (StartJob's or RunOnce's `jobParams`) and runs with the `params` of the job's latest
    /// submitted version; by default it keeps them.
    pub use_latest_params: bool,
}

/// The node type as instance payloads report it (API.md I2).
fn reported_type(node_type: &str) -> String {
    match node_type {
        "RESTAPI" => "RestClient".to_string(),
        "HetuEngineSQL" => "MRSHetuEngine".to_string(),
        other => other.to_string(),
    }
}

fn execute_time(i: &InstanceRecord, now: i64) -> i64 {
    match (i.start_ms, i.end_ms) {
        (Some(s), Some(e)) => e.saturating_sub(s).max(0),
        (Some(s), None) => now.saturating_sub(s).max(0),
        _ => 0,
    }
}

fn list_item(i: &InstanceRecord, now: i64, link: Option<&ChildLink>) -> InstanceListItem {
    InstanceListItem {
        job_name: i.job_name.clone(),
        job_id: i.job_id,
        job_instance_name: link.map_or_else(|| i.job_name.clone(), |l| l.instance_name.clone()),
        status: i.status.as_str().to_string(),
        plan_time: i.plan_ms,
        start_time: i.start_ms.unwrap_or(i.plan_ms),
        end_time: i.end_ms,
        execute_time: execute_time(i, now),
        submit_time: i.submit_ms,
        instance_id: i.id,
        instance_type: i.instance_type.code(),
        version: i.version,
        force_success: i.status == InstanceStatus::ForceSuccess,
        ignore_success: i.status == InstanceStatus::IgnoreSuccess,
        error_message: i.error_message.clone(),
        parent_instance_id: link.map(|l| l.parent_instance_id),
        parent_node_name: link.map(|l| l.parent_node.clone()),
        parent_row: link.map(|l| l.parent_row),
    }
}

impl Engine {
    /// Creates an instance of the job's latest submitted version and hands it to the dispatcher.
    async fn create_instance(
        &self,
        job: &JobRecord,
        instance_type: InstanceType,
        params: Option<String>,
    ) -> Result<InstanceRecord, DlfError> {
        let (version, submit_ms, _) = self.submitted_document(job).await?;
        let plan = self.job_plan(job.id(), version).await?;
        let now = self.now_ms();
        // Run-now and start-once instances need no confirmation (§4.9 names scheduled, rerun
        // and PatchData instances) and are never frozen in advance.
        let created = InstanceEvent::Created { manual_confirm: false, pre_frozen: false };
        let status = state::next_instance_status(None, &created).map_err(DlfError::from)?;
        let new = NewInstance {
            workspace_id: job.summary.workspace_id.clone(),
            job_id: job.id(),
            job_name: job.name().to_string(),
            instance_type,
            plan_ms: now,
            status,
            version,
            submit_ms,
            created_ms: now,
            params,
            ignore_depend: instance_type == InstanceType::Manual,
            nodes: plan.doc.nodes.iter().map(|n| (n.name.clone(), n.node_type.clone())).collect(),
        };
        let record = self
            .insert_instance(new)
            .await
            .map_err(internal)?
            .ok_or_else(|| DlfError::internal("the new instance collided with an existing one"))?;
        self.enqueue(record.clone());
        Ok(record)
    }

    /// J8 RunOnce: a manual instance (type 2) now, with `jobParams` for this run only.
    pub async fn run_once(
        &self,
        tenant: &Tenant,
        _caller: &Caller,
        name: &str,
        body: &StartJobBody,
    ) -> Result<RunOnceResult, DlfError> {
        let job = self.job_or_not_found(tenant, name).await?;
        if job.summary.process_type == ProcessType::RealTime.as_str() {
            return Err(DlfError::new(ErrorCode::BatchOnly));
        }
        let params = crate::jobs::override_params(body.job_params.as_deref())?;
        let record = self.create_instance(&job, InstanceType::Manual, params).await?;
        Ok(RunOnceResult { instance_id: record.id })
    }

    /// StartJob of an EXECUTE_ONCE job: one instance now (type 7); the job is `SCHEDULING` until
    /// it ends.
    pub(crate) async fn start_once(&self, job: &JobRecord, params: Option<String>) -> Result<(), DlfError> {
        self.create_instance(job, InstanceType::Once, params).await?;
        Ok(())
    }

    /// An EXECUTE_ONCE instance ended: its job goes back to `STOPPED`.
    pub(crate) async fn once_instance_ended(&self, job_id: i64) {
        let change = JobStatusChange {
            status: JobStatus::Stopped,
            started_ms: None,
            start_params: None,
            schedule_cursor_ms: None,
            cancel_waiting_at_ms: None,
        };
        if let Err(e) = self.store().transition_job(job_id, &[JobStatus::Scheduling], &change).await {
            let _ = internal(e);
        }
    }

    /// The instance `id` of job `name`, or the right error (API.md §5).
    pub(crate) async fn instance_of(
        &self,
        tenant: &Tenant,
        name: &str,
        id: &str,
    ) -> Result<(JobRecord, InstanceRecord), DlfError> {
        let job = self.job_or_not_found(tenant, name).await?;
        if job.summary.process_type == ProcessType::RealTime.as_str() {
            return Err(DlfError::new(ErrorCode::BatchOnly));
        }
        let id: i64 = id.trim().parse().map_err(|_| DlfError::instance_not_found())?;
        let instance =
            self.store().find_instance(id).await.map_err(internal)?.ok_or_else(DlfError::instance_not_found)?;
        if instance.workspace_id != tenant.workspace_id() || instance.job_name != name {
            return Err(DlfError::instance_not_found());
        }
        Ok((job, instance))
    }

    /// I1 ListJobInstances.
    pub async fn list_instances(&self, tenant: &Tenant, q: &InstanceListQuery) -> Result<InstanceList, DlfError> {
        let (offset, limit) = crate::jobs::paging(q.offset, q.limit, 1000)?;
        let now = self.now_ms();
        let max = q.max_plan_time.unwrap_or(now);
        let min = match q.min_plan_time {
            Some(m) => m,
            None => start_of_day(now, &self.config().service_zone).min(max),
        };
        if min > max {
            return Err(DlfError::invalid_param("minPlanTime must not be later than maxPlanTime"));
        }
        // Checked: both bounds are the caller's, and their difference may not fit an i64.
        if max.checked_sub(min).is_none_or(|window| window > MAX_WINDOW_MS) {
            return Err(DlfError::invalid_param(
                "the plan-time window (maxPlanTime - minPlanTime) must not exceed 7 days",
            ));
        }
        let status = match &q.status {
            Some(s) => Some(
                InstanceStatus::parse(s)
                    .ok_or_else(|| DlfError::invalid_param(format!("status '{s}' is not an instance status")))?,
            ),
            None => None,
        };
        let instance_type = match q.instance_type {
            Some(t) => Some(
                InstanceType::from_code(t)
                    .ok_or_else(|| DlfError::invalid_param(format!("instanceType {t} is not one of 0, 2, 5, 6, 7")))?,
            ),
            None => None,
        };
        let exact = q.precise_query.unwrap_or(false);
        let job_name = q.job_name.clone().filter(|n| !n.is_empty());
        if exact && let Some(name) = &job_name {
            self.job_or_not_found(tenant, name).await?;
        }
        let filter = InstanceFilter {
            job_name,
            exact_name: exact,
            min_plan_ms: min,
            max_plan_ms: max,
            status,
            instance_type,
            offset,
            limit,
        };
        let (total, rows) = self.store().list_instances(tenant.workspace_id(), &filter).await.map_err(internal)?;
        let links = self.links_of(&rows).await?;
        Ok(InstanceList { total, instances: rows.iter().map(|i| list_item(i, now, links.get(&i.id))).collect() })
    }

    /// Extension: the SubJob / For Each children of an instance, oldest first, as
    /// ListJobInstances rows (with their links).
    pub async fn list_children(&self, tenant: &Tenant, instance_id: &str) -> Result<InstanceList, DlfError> {
        let now = self.now_ms();
        let children = self.instance_children(tenant, instance_id).await?;
        Ok(InstanceList {
            total: children.len() as i64,
            instances: children.iter().map(|(i, l)| list_item(i, now, Some(l))).collect(),
        })
    }

    /// The child links of the SubJob / For Each children among `rows`.
    pub(crate) async fn links_of(
        &self,
        rows: &[InstanceRecord],
    ) -> Result<std::collections::HashMap<i64, ChildLink>, DlfError> {
        let ids: Vec<i64> = rows.iter().filter(|i| i.instance_type == InstanceType::SubJob).map(|i| i.id).collect();
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let links = self.store().child_links(&ids).await.map_err(internal)?;
        Ok(links.into_iter().map(|l| (l.instance_id, l)).collect())
    }

    /// I2 ShowJobInstance.
    pub async fn show_instance(&self, tenant: &Tenant, name: &str, id: &str) -> Result<InstanceDetail, DlfError> {
        let (_, instance) = self.instance_of(tenant, name, id).await?;
        let mut nodes = self.store().node_instances(instance.id).await.map_err(internal)?;
        let plan = self.job_plan(instance.job_id, instance.version).await.ok();
        if let Some(plan) = &plan {
            nodes.sort_by_key(|n| plan.index.get(&n.node_name).copied().unwrap_or(usize::MAX));
        }
        let now = self.now_ms();
        let link = self.links_of(std::slice::from_ref(&instance)).await?.remove(&instance.id);
        let items: Vec<NodeInstanceItem> = nodes
            .iter()
            .map(|n| NodeInstanceItem {
                node_name: n.node_name.clone(),
                node_type: reported_type(&n.node_type),
                status: n.status.as_str().to_string(),
                queue: String::new(),
                plan_time: instance.plan_ms,
                start_time: n.start_ms.unwrap_or(instance.plan_ms),
                end_time: n.end_ms,
                retry_times: (n.attempts - 1).max(0),
                instance_id: instance.id,
                input_row_count: 0,
                speed: 0.0,
                log_path: n.log_path.clone(),
            })
            .collect();
        Ok(InstanceDetail {
            job_name: instance.job_name.clone(),
            instance_id: instance.id,
            status: instance.status.as_str().to_string(),
            instance_type: instance.instance_type.code(),
            plan_time: instance.plan_ms,
            start_time: instance.start_ms.unwrap_or(instance.plan_ms),
            end_time: instance.end_ms,
            execute_time: execute_time(&instance, now),
            force_success: instance.status == InstanceStatus::ForceSuccess,
            ignore_success: instance.status == InstanceStatus::IgnoreSuccess,
            error_message: instance.error_message.clone(),
            total: items.len() as i64,
            nodes: items,
            parent_instance_id: link.as_ref().map(|l| l.parent_instance_id),
            parent_row: link.as_ref().map(|l| l.parent_row),
            parent_node_name: link.map(|l| l.parent_node),
        })
    }

    /// I3 StopJobInstance: running nodes are killed (whole process groups) and the instance
    /// ends `manual-stop`; a not-yet-running instance is cancelled. Which statuses may be
    /// stopped is the state machine's rule (an ended instance is refused, 400 `DLF.3051`).
    pub async fn stop_instance(&self, tenant: &Tenant, name: &str, id: &str) -> Result<(), DlfError> {
        let (_, instance) = self.instance_of(tenant, name, id).await?;
        self.stop_instance_record(instance).await
    }

    /// Stops an instance (see [`Engine::stop_instance`]).
    pub(crate) async fn stop_instance_record(&self, instance: InstanceRecord) -> Result<(), DlfError> {
        state::next_instance_status(Some(instance.status), &InstanceEvent::Stop)
            .map_err(|e| DlfError::invalid_param(format!("Job instance {}: {e}.", instance.id)))?;
        for _ in 0..50 {
            if let Some(handle) = self.running_handle(instance.id) {
                let (tx, rx) = tokio::sync::oneshot::channel();
                if handle.control.send(Control::Stop { reply: tx }).is_ok() && rx.await.is_ok() {
                    return Ok(());
                }
            }
            let current = self
                .store()
                .find_instance(instance.id)
                .await
                .map_err(internal)?
                .ok_or_else(DlfError::instance_not_found)?;
            if current.status.is_terminal() {
                return Ok(());
            }
            // Not yet running (waiting, waiting-confirm, freeze): stopped where it waits.
            if !current.status.holds_slot() {
                if self.cancel_waiting(current).await? {
                    return Ok(());
                }
                continue;
            }
            // Running, but its task is not (yet) registered here: it is starting. Try again.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err(DlfError::internal("the instance could not be stopped; try again"))
    }

    /// Cancels a not-yet-running instance; false if its status changed meanwhile.
    async fn cancel_waiting(&self, instance: InstanceRecord) -> Result<bool, DlfError> {
        let id = instance.id;
        let reason = Some("The instance was stopped by an operator.".to_string());
        let done = end_waiting_instance(self, instance, InstanceEvent::Stop, reason).await.map_err(|e| {
            tracing::error!(instance_id = id, error = %e, "cannot cancel a waiting instance");
            DlfError::internal(format!("the instance {id} could not be cancelled"))
        })?;
        if done {
            self.forget_waiting(id);
        }
        Ok(done)
    }

    /// I4 RestoreJobInstance: rerun an ended instance (same id and plan time, latest submitted
    /// version), from its failed nodes unless it succeeded or its node set changed (§5.9).
    pub async fn restart_instance(&self, tenant: &Tenant, name: &str, id: &str) -> Result<(), DlfError> {
        self.rerun_instance(tenant, name, id, &RerunOptions::default()).await
    }

    /// I4 with the extension options of JOBS.md §5.9: where the rerun starts (`rerunFrom`) and
    /// whether it drops the parameters the instance was started with (`useLatestParams`).
    pub async fn rerun_instance(
        &self,
        tenant: &Tenant,
        name: &str,
        id: &str,
        options: &RerunOptions,
    ) -> Result<(), DlfError> {
        let (job, instance) = self.instance_of(tenant, name, id).await?;
        let (version, submit_ms, doc) = self.submitted_document(&job).await?;
        let manual_confirm = doc.schedule.as_ref().is_some_and(|s| s.requires_manual_confirm());
        let rerun_status = state::next_instance_status(Some(instance.status), &InstanceEvent::Rerun { manual_confirm })
            .map_err(|e| {
                DlfError::invalid_param(format!(
                    "Job instance {}: {e}; only an ended instance can be restarted.",
                    instance.id
                ))
            })?;
        let plan = self.job_plan(job.id(), version).await?;
        let old_rows = self.store().node_instances(instance.id).await.map_err(internal)?;
        let new_names: HashSet<&str> = plan.doc.nodes.iter().map(|n| n.name.as_str()).collect();
        let previous: Vec<(String, NodeStatus)> = old_rows.iter().map(|r| (r.node_name.clone(), r.status)).collect();
        let reset = state::rerun_reset(&previous, &plan.dag, instance.status, &options.from)
            .map_err(|e| DlfError::invalid_param(e.to_string()))?;
        let mut nodes = Vec::new();
        for n in &plan.doc.nodes {
            let old = old_rows.iter().find(|r| r.node_name == n.name);
            match old {
                Some(row) if !reset.contains(&n.name) => {
                    let mut kept = row.clone();
                    kept.node_type = n.node_type.clone();
                    nodes.push(kept);
                }
                Some(row) => {
                    // A node of the last run that reruns: the state machine moves it back to
                    // waiting, and its row starts afresh.
                    state::next_node_status(row.status, &NodeEvent::Rerun).map_err(DlfError::from)?;
                    nodes.push(NodeInstanceRecord::waiting(instance.id, &n.name, &n.node_type));
                }
                None => nodes.push(NodeInstanceRecord::waiting(instance.id, &n.name, &n.node_type)),
            }
        }
        let remove_nodes = old_rows
            .iter()
            .filter(|r| !new_names.contains(r.node_name.as_str()))
            .map(|r| (instance.id, r.node_name.clone()))
            .collect();
        let mut next = instance.clone();
        next.status = rerun_status;
        next.version = version;
        next.submit_ms = submit_ms;
        next.start_ms = None;
        next.end_ms = None;
        next.error_message = None;
        next.rerun_count += 1;
        next.ignore_depend = true;
        if options.use_latest_params {
            next.params = None;
        }
        let commit = InstanceCommit {
            instance: Some((next.clone(), instance.status)),
            nodes,
            remove_nodes,
            ..Default::default()
        };
        if !self.store().commit(&commit).await.map_err(internal)? {
            return Err(DlfError::invalid_param("the instance changed while it was being restarted; try again"));
        }
        self.enqueue(next);
        Ok(())
    }

    /// Extension: confirm a `waiting-confirm` instance (JOBS.md §4.9).
    pub async fn confirm_instance(&self, tenant: &Tenant, name: &str, id: &str) -> Result<(), DlfError> {
        let (_, instance) = self.instance_of(tenant, name, id).await?;
        let confirmed = state::next_instance_status(Some(instance.status), &InstanceEvent::Confirm).map_err(|e| {
            DlfError::invalid_param(format!(
                "Job instance {}: {e}; only a waiting-confirm instance can be confirmed.",
                instance.id
            ))
        })?;
        let mut next = instance.clone();
        next.status = confirmed;
        let commit = InstanceCommit { instance: Some((next.clone(), instance.status)), ..Default::default() };
        if self.store().commit(&commit).await.map_err(internal)? {
            self.forget_waiting(instance.id);
            self.enqueue(next);
        }
        Ok(())
    }
}

/// 00:00 of the day containing `now_ms` in `zone`.
pub(crate) fn start_of_day(now_ms: i64, zone: &dlf_core::zone::Zone) -> i64 {
    let offset_ms = zone.offset_at_ms(now_ms).local_minus_utc() as i64 * 1000;
    let local = now_ms + offset_ms;
    let midnight_local = local - local.rem_euclid(86_400_000);
    let guess = midnight_local - offset_ms;
    // Across a DST change the offset at midnight may differ from the offset now.
    let offset_then = zone.offset_at_ms(guess).local_minus_utc() as i64 * 1000;
    midnight_local - offset_then
}
