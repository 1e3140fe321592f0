//! CreateJob, UpdateJob, ShowJob, ListJobs, DeleteJob (API.md J1–J5).

use super::{job_fields, stored_document};
use crate::{Caller, Engine, Tenant, internal};
use dlf_core::model::responses::{JobList, JobListItem};
use dlf_core::model::{JobDocument, JobStatus, ProcessType};
use dlf_core::validate::{JobValidationContext, normalize_job, validate_job};
use dlf_core::{DlfError, ErrorCode};
use dlf_store::{JobFilter, JobUpdate, NewJob, StoreError};
use serde_json::{Value, json};

/// Jobs a workspace may hold (JOBS.md §8).
const JOB_QUOTA: i64 = 10_000;

/// ShowJob's query parameters.
#[derive(Clone, Debug, Default)]
pub struct ShowJobQuery {
    pub version: Option<i64>,
    pub dependencies: bool,
    pub get_job_submit_version: bool,
}

/// ListJobs' query parameters, as received (validated here).
#[derive(Clone, Debug, Default)]
pub struct JobListQuery {
    pub job_type: Option<String>,
    pub job_name: Option<String>,
    pub tags: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

impl Engine {
    /// Parses, normalises and validates a job body for this tenant.
    async fn checked_document(&self, tenant: &Tenant, body: &[u8]) -> Result<JobDocument, DlfError> {
        let mut doc = JobDocument::from_json_bytes(body).map_err(DlfError::invalid_param)?;
        normalize_job(&mut doc);
        let upstream = self.upstream_jobs(tenant, &doc).await?;
        {
            let lookup = |name: &str| upstream.get(name).cloned();
            let ctx = JobValidationContext { strict_dlf_cron: self.config().strict_dlf_cron, lookup_job: &lookup };
            validate_job(&doc, &ctx)?;
        }
        self.check_no_subjob_cycle(tenant, &doc).await?;
        Ok(doc)
    }

    /// J1 CreateJob.
    pub async fn create_job(&self, tenant: &Tenant, caller: &Caller, body: &[u8]) -> Result<(), DlfError> {
        let mut doc = self.checked_document(tenant, body).await?;
        doc.last_update_user = Some(caller.user.clone());
        if self.store().count_jobs(tenant.workspace_id()).await.map_err(internal)? >= JOB_QUOTA {
            return Err(DlfError::with_message(
                ErrorCode::JobQuota,
                format!("The number of jobs exceeds the quota: a workspace holds at most {JOB_QUOTA} jobs."),
            ));
        }
        let submit = doc.target_status.as_deref() != Some("SAVED");
        let new = NewJob {
            workspace_id: tenant.workspace_id().to_string(),
            name: doc.name.clone(),
            fields: job_fields(&doc)?,
            user: caller.user.clone(),
            now_ms: self.now_ms(),
            submit,
        };
        match self.store().insert_job(&new).await {
            Ok(_) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(DlfError::new(ErrorCode::JobNameTaken)),
            Err(e) => Err(internal(e)),
        }
    }

    /// J4 UpdateJob: replaces the definition (and submits it unless `targetStatus` is SAVED).
    pub async fn update_job(&self, tenant: &Tenant, caller: &Caller, name: &str, body: &[u8]) -> Result<(), DlfError> {
        let job = self.job_or_not_found(tenant, name).await?;
        let mut doc = self.checked_document(tenant, body).await?;
        if doc.name != name {
            return Err(DlfError::invalid_param(format!(
                "name '{}' differs from the job '{name}' in the path; jobs cannot be renamed",
                doc.name
            )));
        }
        doc.last_update_user = Some(caller.user.clone());
        let submit = doc.target_status.as_deref() != Some("SAVED");
        let update = JobUpdate { fields: job_fields(&doc)?, user: caller.user.clone(), now_ms: self.now_ms(), submit };
        self.store().update_job(job.id(), &update).await.map_err(internal)?;
        self.schedule_changed(job.id());
        Ok(())
    }

    /// J3 ShowJob: the stored document plus the server-owned fields.
    pub async fn show_job(&self, tenant: &Tenant, name: &str, query: &ShowJobQuery) -> Result<Value, DlfError> {
        let job = self.job_or_not_found(tenant, name).await?;
        let submitted = job.summary.submitted_version;
        let (document, version) = match query.version.filter(|v| *v >= 0) {
            Some(v) => {
                let stored = self.store().job_version(job.id(), v).await.map_err(internal)?.ok_or_else(|| {
                    DlfError::with_message(
                        ErrorCode::JobNotFound,
                        format!("The job does not exists: version {v} of {name} is unknown."),
                    )
                })?;
                (stored.document, v)
            }
            None if query.get_job_submit_version && submitted > 0 => {
                let stored = self.store().job_version(job.id(), submitted).await.map_err(internal)?;
                (stored.map(|s| s.document).unwrap_or_else(|| job.document.clone()), submitted)
            }
            None => (job.document.clone(), submitted),
        };
        let doc = stored_document(&document)?;
        let mut body =
            serde_json::to_value(&doc).map_err(|e| DlfError::internal(format!("cannot serialise a job: {e}")))?;
        let Value::Object(map) = &mut body else {
            return Err(DlfError::internal("a job document is not an object"));
        };
        map.insert("id".into(), json!(job.id()));
        map.insert("createTime".into(), json!(job.summary.create_ms));
        map.insert("version".into(), json!(version.to_string()));
        map.insert("lastUpdateUser".into(), json!(job.summary.update_user));
        map.entry("description").or_insert_with(|| json!(""));
        if query.dependencies {
            let downstream = self.store().downstream_jobs(tenant.workspace_id(), name).await.map_err(internal)?;
            let items: Vec<Value> = downstream
                .into_iter()
                .map(|(id, job_name)| json!({"jobId": id, "jobName": job_name, "workSpace": tenant.workspace.name}))
                .collect();
            map.insert("downstreamJobs".into(), Value::Array(items));
        }
        Ok(body)
    }

    /// J2 ListJobs.
    pub async fn list_jobs(&self, tenant: &Tenant, query: &JobListQuery) -> Result<JobList, DlfError> {
        let job_type = query.job_type.as_deref().unwrap_or("BATCH");
        if ProcessType::parse(job_type).is_none() {
            return Err(DlfError::invalid_param(format!("jobType '{job_type}' is not BATCH or REAL_TIME")));
        }
        let (offset, limit) = paging(query.offset, query.limit, 1000)?;
        let any_tag: Vec<String> = query
            .tags
            .as_deref()
            .map(|t| t.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        let filter = JobFilter {
            process_type: job_type.to_string(),
            name_contains: query.job_name.clone().filter(|n| !n.is_empty()),
            any_tag,
            offset,
            limit,
        };
        let (total, rows) = self.store().list_jobs(tenant.workspace_id(), &filter).await.map_err(internal)?;
        let jobs = rows
            .into_iter()
            .map(|j| JobListItem {
                job_type: j.process_type,
                status: j.status.as_str().to_string(),
                create_user: j.create_user,
                create_time: j.create_ms,
                owner: j.owner,
                priority: j.priority,
                start_time: j.started_ms,
                end_time: j.schedule_end_ms,
                last_instance_status: j.last_instance_status.map(|s| s.as_str().to_string()),
                last_instance_end_time: j.last_instance_end_ms,
                last_update_time: j.update_ms,
                last_update_user: j.update_user,
                path: j.directory,
                single_node_job_flag: j.single_node,
                name: j.name,
            })
            .collect();
        Ok(JobList { total, jobs })
    }

    /// J5 DeleteJob: only a stopped job that no other job depends on.
    pub async fn delete_job(&self, tenant: &Tenant, name: &str) -> Result<(), DlfError> {
        let job = self.job_or_not_found(tenant, name).await?;
        if job.status() != JobStatus::Stopped {
            return Err(DlfError::invalid_param(format!(
                "the job {name} is {}; stop the job first before deleting it",
                job.status()
            )));
        }
        let downstream = self.store().downstream_jobs(tenant.workspace_id(), name).await.map_err(internal)?;
        if !downstream.is_empty() {
            let names: Vec<String> = downstream.into_iter().map(|(_, n)| n).collect();
            return Err(DlfError::invalid_param(format!(
                "the job {name} cannot be deleted: the jobs {} depend on it (dependJobs)",
                names.join(", ")
            )));
        }
        self.store().delete_job(job.id()).await.map_err(internal)
    }
}

/// Validates `offset`/`limit` (API.md §0.7): offset ≥ 0, 1 ≤ limit ≤ `max`, default 10.
pub fn paging(offset: Option<i64>, limit: Option<i64>, max: i64) -> Result<(i64, i64), DlfError> {
    let offset = offset.unwrap_or(0);
    let limit = limit.unwrap_or(10);
    if offset < 0 {
        return Err(DlfError::invalid_param(format!("offset must be >= 0, got {offset}")));
    }
    if !(1..=max).contains(&limit) {
        return Err(DlfError::invalid_param(format!("limit must be in [1,{max}], got {limit}")));
    }
    Ok((offset, limit))
}
