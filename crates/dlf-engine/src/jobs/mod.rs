//! Job definitions and their scheduling status: the J1–J9 operations.
//!
//! [`definition`] holds create/update/show/list/delete, [`scheduling`] start/stop/status and
//! run-now. Both go through the helpers here to read stored documents and to derive the
//! columns the store keeps beside a document.

mod definition;
pub use definition::paging;
mod scheduling;

pub use definition::{JobListQuery, ShowJobQuery};
pub(crate) use scheduling::override_params;

use crate::{Engine, Tenant, internal};
use dlf_core::DlfError;
use dlf_core::model::{JobDocument, ScheduleTime};
use dlf_core::validate::{UpstreamJob, parse_cron_block};
use dlf_store::{JobFields, JobRecord};
use std::collections::HashMap;

/// Parses a document the store holds (it was validated when saved).
pub(crate) fn stored_document(json: &str) -> Result<JobDocument, DlfError> {
    serde_json::from_str(json).map_err(|e| {
        tracing::error!(error = %e, "a stored job document does not parse");
        DlfError::internal("a stored job document is unreadable")
    })
}

/// The columns stored beside a document.
pub(crate) fn job_fields(doc: &JobDocument) -> Result<JobFields, DlfError> {
    let schedule_end_ms =
        doc.cron().and_then(|c| c.end_time.as_deref()).and_then(|t| ScheduleTime::parse(t).ok()).map(|t| t.epoch_ms);
    Ok(JobFields {
        document: serde_json::to_string(doc).map_err(|e| DlfError::internal(format!("cannot serialise a job: {e}")))?,
        process_type: doc.process_type.clone().unwrap_or_default(),
        directory: doc.directory.clone().unwrap_or_else(|| "/".to_string()),
        owner: doc.owner().map(str::to_string),
        priority: doc.priority(),
        single_node: doc.single_node_job_flag.unwrap_or(false),
        schedule_end_ms,
        tags: doc.tags().to_vec(),
        depends_on: doc.depends_on().to_vec(),
    })
}

impl Engine {
    /// The job called `name` in the tenant's workspace, or `DLF.0100`.
    pub(crate) async fn job_or_not_found(&self, tenant: &Tenant, name: &str) -> Result<JobRecord, DlfError> {
        self.store().find_job(tenant.workspace_id(), name).await.map_err(internal)?.ok_or_else(DlfError::job_not_found)
    }

    /// What validation needs to know about the jobs `doc` depends on.
    pub(crate) async fn upstream_jobs(
        &self,
        tenant: &Tenant,
        doc: &JobDocument,
    ) -> Result<HashMap<String, UpstreamJob>, DlfError> {
        let mut found = HashMap::new();
        for name in doc.depends_on() {
            let Some(record) = self.store().find_job(tenant.workspace_id(), name).await.map_err(internal)? else {
                continue;
            };
            let upstream_doc = stored_document(&record.document)?;
            let period = upstream_doc
                .cron()
                .and_then(|cron| parse_cron_block(cron, false).ok())
                .map(|spec| (spec.interval, spec.period));
            found.insert(name.clone(), UpstreamJob { period });
        }
        Ok(found)
    }

    /// The latest submitted version's document, or the "not submitted" error.
    pub(crate) async fn submitted_document(&self, job: &JobRecord) -> Result<(i64, i64, JobDocument), DlfError> {
        let version = job.summary.submitted_version;
        if version == 0 {
            return Err(DlfError::invalid_param(format!(
                "the job {} has not been submitted (it was saved with targetStatus SAVED); update it without SAVED first",
                job.name()
            )));
        }
        let stored = self.store().job_version(job.id(), version).await.map_err(internal)?.ok_or_else(|| {
            tracing::error!(job = job.name(), version, "a submitted job version is missing");
            DlfError::internal("a submitted job version is missing")
        })?;
        Ok((version, stored.submit_ms, stored_document(&stored.document)?))
    }
}
