//! The notification operations of the extension API: a job's rules (read, replace) and the
//! deliveries record.

use super::rules::{DeliveryItem, DeliveryList, NotificationRules};
use crate::{Engine, Tenant, internal};
use dlf_core::DlfError;

/// The deliveries route's page size when none is asked for, and its cap.
const DEFAULT_LIMIT: i64 = 10;
const MAX_LIMIT: i64 = 1000;

impl Engine {
    /// `GET /x/v1/{project_id}/jobs/{job_name}/notifications`.
    pub async fn job_notification_rules(&self, tenant: &Tenant, job_name: &str) -> Result<NotificationRules, DlfError> {
        let job = self.job_or_not_found(tenant, job_name).await?;
        Ok(NotificationRules { rules: self.rules_of(job.id()).await? })
    }

    /// `PUT /x/v1/{project_id}/jobs/{job_name}/notifications`: replaces the job's rules after
    /// checking every one (a bad rule changes nothing).
    pub async fn set_job_notification_rules(
        &self,
        tenant: &Tenant,
        job_name: &str,
        rules: NotificationRules,
    ) -> Result<NotificationRules, DlfError> {
        let job = self.job_or_not_found(tenant, job_name).await?;
        rules.check(self.notifiers()).map_err(DlfError::invalid_param)?;
        let text = if rules.rules.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&rules).map_err(|e| DlfError::internal(e.to_string()))?)
        };
        self.store()
            .set_job_notifications(job.id(), tenant.workspace_id(), text.as_deref(), self.now_ms())
            .await
            .map_err(internal)?;
        Ok(rules)
    }

    /// `GET /x/v1/{project_id}/notifications/deliveries[?jobName=&offset=&limit=]`: newest first.
    pub async fn list_deliveries(
        &self,
        tenant: &Tenant,
        job_name: Option<&str>,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<DeliveryList, DlfError> {
        let offset = offset.unwrap_or(0);
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if offset < 0 || !(1..=MAX_LIMIT).contains(&limit) {
            return Err(DlfError::invalid_param(format!("offset must be 0 or more and limit 1 to {MAX_LIMIT}.")));
        }
        let job_name = job_name.filter(|n| !n.is_empty());
        let (total, found) =
            self.store().list_deliveries(tenant.workspace_id(), job_name, offset, limit).await.map_err(internal)?;
        Ok(DeliveryList { total, deliveries: found.into_iter().map(DeliveryItem::from).collect() })
    }

    /// ListJobs' `alarms` of these jobs: `(job_id, [(alarmType, topicUrn)])`.
    pub(crate) async fn job_alarms(&self, job_ids: &[i64]) -> Result<Vec<(i64, Vec<(String, String)>)>, DlfError> {
        let found = self.store().jobs_notifications(job_ids).await.map_err(internal)?;
        Ok(found
            .into_iter()
            .filter_map(|(id, text)| {
                let rules: NotificationRules = serde_json::from_str(&text).ok()?;
                Some((id, rules.rules.into_iter().map(|r| (r.event.as_str().to_string(), r.notifier)).collect()))
            })
            .collect())
    }
}
