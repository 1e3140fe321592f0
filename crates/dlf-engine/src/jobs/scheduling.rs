//! StartJob, StopJob, ShowJobStatus (API.md J6, J7, J9; JOBS.md §4.3).
//!
//! These change a job's scheduling status and persist it; the scheduler acts on the stored
//! status (it is told at once, and re-reads the store on start-up).

use super::stored_document;
use crate::{Caller, Engine, Tenant, internal};
use dlf_core::DlfError;
use dlf_core::model::requests::StartJobBody;
use dlf_core::model::responses::{JobStatusResult, RealTimeNodeStatus};
use dlf_core::model::{JobParam, JobStatus, ProcessType, ScheduleKind, ScheduleTime};
use dlf_core::validate::{check_param, parse_cron_block};
use dlf_store::JobStatusChange;

/// Statuses from which StopJob moves a job to `STOPPED`: every other one.
fn stoppable() -> Vec<JobStatus> {
    JobStatus::ALL.iter().copied().filter(|s| *s != JobStatus::Stopped).collect()
}

/// Validates StartJob/RunOnce `jobParams` and serialises them as a name → value object.
pub(crate) fn override_params(params: Option<&[JobParam]>) -> Result<Option<String>, DlfError> {
    let Some(params) = params.filter(|p| !p.is_empty()) else { return Ok(None) };
    let mut map = serde_json::Map::new();
    for (i, p) in params.iter().enumerate() {
        check_param(&format!("jobParams[{i}]"), p)?;
        map.insert(p.name.clone(), serde_json::Value::String(p.value.clone().unwrap_or_default()));
    }
    Ok(Some(serde_json::Value::Object(map).to_string()))
}

impl Engine {
    /// J6 StartJob.
    pub async fn start_job(
        &self,
        tenant: &Tenant,
        _caller: &Caller,
        name: &str,
        body: &StartJobBody,
    ) -> Result<(), DlfError> {
        let job = self.job_or_not_found(tenant, name).await?;
        let params = override_params(body.job_params.as_deref())?;
        match job.status() {
            JobStatus::Stopped => {}
            JobStatus::Paused => {
                return Err(DlfError::invalid_param(format!(
                    "The job {name} is paused; resume it instead of starting it."
                )));
            }
            other => return Err(DlfError::invalid_param(format!("The job {name} is running (status {other})."))),
        }
        let (_, _, doc) = self.submitted_document(&job).await?;
        let now = self.now_ms();
        if doc.process() == Some(ProcessType::RealTime) {
            return self.set_status(job.id(), JobStatus::Normal, Some(now), Some(params), None, name).await;
        }
        let schedule = doc.schedule.as_ref();
        match schedule.and_then(|s| s.kind()) {
            Some(ScheduleKind::Cron) => {
                let cron = schedule.and_then(|s| s.cron.as_ref()).ok_or_else(|| {
                    DlfError::schedule(format!(
                        "the job {name} has schedule type CRON but no schedule.cron block; add one to start it"
                    ))
                })?;
                let spec = parse_cron_block(cron, self.config().strict_dlf_cron)?;
                if cron.start_time.as_deref().and_then(|t| ScheduleTime::parse(t).ok()).is_none() {
                    return Err(DlfError::schedule("schedule.cron.startTime is required"));
                }
                // No catch-up: the first plan time is the first fire time >= max(startTime, now),
                // now truncated to the second (JOBS.md §4.3). The cursor marks "handled up to".
                let now_second = now - now.rem_euclid(1000);
                let first_candidate = spec.start_ms.unwrap_or(now_second).max(now_second);
                let cursor = first_candidate - 1;
                self.set_status(job.id(), JobStatus::Scheduling, Some(now), Some(params), Some(cursor), name).await?;
            }
            Some(ScheduleKind::Event) => {
                self.set_status(job.id(), JobStatus::Scheduling, Some(now), Some(params), None, name).await?;
            }
            Some(ScheduleKind::ExecuteOnce) => {
                self.set_status(job.id(), JobStatus::Scheduling, Some(now), Some(params.clone()), None, name).await?;
                self.start_once(&job, params).await?;
            }
            None => return Err(DlfError::schedule(format!("the job {name} has no valid schedule.type"))),
        }
        self.schedule_changed(job.id());
        Ok(())
    }

    async fn set_status(
        &self,
        job_id: i64,
        status: JobStatus,
        started_ms: Option<i64>,
        start_params: Option<Option<String>>,
        cursor: Option<i64>,
        name: &str,
    ) -> Result<(), DlfError> {
        let change = JobStatusChange {
            status,
            started_ms,
            start_params,
            schedule_cursor_ms: cursor.map(Some),
            cancel_waiting_at_ms: None,
        };
        if self.store().transition_job(job_id, &[JobStatus::Stopped], &change).await.map_err(internal)? {
            Ok(())
        } else {
            Err(DlfError::invalid_param(format!("The job {name} is running.")))
        }
    }

    /// J7 StopJob: idempotent. Waiting scheduled instances are cancelled in the same
    /// transaction; running ones finish (JOBS.md §4.3).
    pub async fn stop_job(&self, tenant: &Tenant, name: &str) -> Result<(), DlfError> {
        let job = self.job_or_not_found(tenant, name).await?;
        let change = JobStatusChange {
            status: JobStatus::Stopped,
            started_ms: None,
            start_params: None,
            schedule_cursor_ms: None,
            cancel_waiting_at_ms: Some(self.now_ms()),
        };
        let changed = self.store().transition_job(job.id(), &stoppable(), &change).await.map_err(internal)?;
        if changed {
            self.schedule_changed(job.id());
        }
        Ok(())
    }

    /// J9 ShowJobStatus. Real-time jobs report their status and nodes; dlf answers batch jobs
    /// the same way (their scheduling status) rather than refusing them.
    pub async fn job_status(&self, tenant: &Tenant, name: &str) -> Result<JobStatusResult, DlfError> {
        let job = self.job_or_not_found(tenant, name).await?;
        let doc = stored_document(&job.document)?;
        let status = job.status().as_str().to_string();
        let nodes = doc
            .nodes
            .iter()
            .map(|n| RealTimeNodeStatus {
                name: n.name.clone(),
                status: status.clone(),
                node_type: n.node_type.clone(),
                log_path: None,
                last_instance_status: None,
            })
            .collect();
        Ok(JobStatusResult {
            name: job.name().to_string(),
            status,
            start_time: job.summary.started_ms,
            end_time: job.summary.schedule_end_ms,
            last_update_time: job.summary.update_ms,
            create_user: job.summary.create_user.clone(),
            last_modify_user: job.summary.update_user.clone(),
            nodes,
        })
    }
}
