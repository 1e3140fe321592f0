//! From an instance's end to a delivered notification.
//!
//! 1. The end is committed (`execution::lifecycle::finish`, `dispatch::end_waiting_instance`);
//!    only then [`Engine::notify_instance_end`] is called. It never waits: with no notifier
//!    configured it returns at once, else it hands the end to a task of its own.
//! 2. That task reads the job's rules and writes one `pending` delivery per rule that fires
//!    (at most one per instance end and notifier: `dedupe_key`), then delivers each.
//! 3. Delivery: attempts with exponential backoff (the notifier's `max_attempts`,
//!    `backoff_ms`); each attempt's result is written to the delivery; it ends `sent` or
//!    `failed`, and a failure is logged. Nothing goes back to the instance.
//! 4. At start-up every delivery still `pending` is tried again, so a server stopped
//!    mid-delivery loses nothing once its row was written. The row is written a moment
//!    after the end's commit, not in it: a server killed in between loses that one
//!    notification (an end is never delayed for a notification).
//!
//! The "not finished by" rules are checked every [`NOT_FINISHED_TICK`]: at each rule's daily
//! `HH:mm` in the job's zone, every instance of the job planned before it and still not
//! ended notifies once.

use super::rules::{NotificationEvent, NotificationRules, parse_hh_mm};
use super::{Notification, Notifiers};
use crate::{Engine, internal};
use dlf_core::DlfError;
use dlf_store::{DeliveryRecord, DeliveryStatus, InstanceRecord};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How often the "not finished by" rules are checked.
const NOT_FINISHED_TICK: Duration = Duration::from_secs(20);

/// An instance whose end was just committed.
#[derive(Clone, Debug)]
pub struct EndedInstance {
    /// The instance row as committed (terminal status, end time, error message).
    pub record: InstanceRecord,
    /// The first node that failed, for a failure.
    pub failed_node: Option<String>,
}

impl Engine {
    pub(crate) fn notifiers(&self) -> &Arc<Notifiers> {
        &self.config().notifiers
    }

    /// Queues the notifications of an instance end that is durable. Returns at once.
    pub(crate) fn notify_instance_end(&self, ended: EndedInstance) {
        if self.notifiers().is_empty() {
            return;
        }
        let Some(event) = NotificationEvent::of_end(ended.record.status) else { return };
        if !event.notifies(ended.record.instance_type) {
            return;
        }
        let engine = self.clone();
        tokio::spawn(async move {
            let instance_id = ended.record.id;
            if let Err(e) = engine.queue_end(ended, event).await {
                tracing::warn!(instance_id, error = %e.message, "cannot queue the notifications of an instance end");
            }
        });
    }

    /// The job's rules, if it has any that parse.
    pub(super) async fn rules_of(&self, job_id: i64) -> Result<Vec<super::NotificationRule>, DlfError> {
        let Some(text) = self.store().job_notifications(job_id).await.map_err(internal)? else {
            return Ok(Vec::new());
        };
        let rules: NotificationRules = serde_json::from_str(&text).map_err(|e| {
            tracing::error!(job_id, error = %e, "stored notification rules do not parse");
            DlfError::internal("stored notification rules are unreadable")
        })?;
        Ok(rules.rules)
    }

    async fn queue_end(&self, ended: EndedInstance, event: NotificationEvent) -> Result<(), DlfError> {
        let rules = self.rules_of(ended.record.job_id).await?;
        let rules: Vec<_> = rules.into_iter().filter(|r| r.event == event).collect();
        if rules.is_empty() {
            return Ok(());
        }
        let r = &ended.record;
        let project_id = self.project_of_workspace(&r.workspace_id).await?;
        let end_ms = r.end_ms.unwrap_or_else(|| self.now_ms());
        let (subject, message) = match event {
            NotificationEvent::Failed => (
                format!("[dlf] job {} failed", r.job_name),
                r.error_message.clone().unwrap_or_else(|| format!("Instance {} of job {} failed.", r.id, r.job_name)),
            ),
            NotificationEvent::Canceled => (
                format!("[dlf] job {} was stopped", r.job_name),
                r.error_message
                    .clone()
                    .unwrap_or_else(|| format!("Instance {} of job {} was stopped.", r.id, r.job_name)),
            ),
            _ => (
                format!("[dlf] job {} succeeded", r.job_name),
                format!("Instance {} of job {} succeeded.", r.id, r.job_name),
            ),
        };
        let notification = Notification {
            event: event.as_str().to_string(),
            subject,
            message,
            message_type: None,
            topic: None,
            project_id,
            workspace_id: r.workspace_id.clone(),
            job_name: r.job_name.clone(),
            instance_id: Some(r.id),
            status: Some(r.status.as_str().to_string()),
            plan_time: Some(r.plan_ms),
            node: ended.failed_node.clone().filter(|_| event == NotificationEvent::Failed),
            event_time: end_ms,
            links: BTreeMap::new(),
        }
        .with_links();
        for rule in rules {
            self.queue(&notification, &rule.notifier, format!("{}:{}:{end_ms}", r.id, event.as_str())).await?;
        }
        Ok(())
    }

    /// Writes one pending delivery (unless its key was queued before) and delivers it in the
    /// background.
    async fn queue(&self, notification: &Notification, notifier: &str, key: String) -> Result<(), DlfError> {
        let name = self.notifiers().resolve_topic(notifier).unwrap_or(notifier).to_string();
        let now = self.now_ms();
        let payload = serde_json::to_string(notification).map_err(|e| DlfError::internal(e.to_string()))?;
        let delivery = DeliveryRecord {
            id: uuid::Uuid::now_v7().simple().to_string(),
            workspace_id: notification.workspace_id.clone(),
            job_name: notification.job_name.clone(),
            instance_id: notification.instance_id,
            event: notification.event.clone(),
            dedupe_key: Some(format!("{key}:{name}")),
            notifier: name,
            payload,
            status: DeliveryStatus::Pending,
            attempts: 0,
            last_error: None,
            created_ms: now,
            updated_ms: now,
        };
        if self.store().insert_delivery(&delivery).await.map_err(internal)? {
            let engine = self.clone();
            tokio::spawn(async move { engine.deliver(delivery).await });
        }
        Ok(())
    }

    /// Tries a delivery until it is sent or its attempts are spent, recording each attempt.
    async fn deliver(&self, mut d: DeliveryRecord) {
        let notifiers = self.notifiers().clone();
        let Some(policy) = notifiers.policy(&d.notifier) else {
            let error = format!("no notifier named '{}' is configured", d.notifier);
            tracing::warn!(delivery = %d.id, job = %d.job_name, %error, "notification not delivered");
            self.record_attempt(&d.id, DeliveryStatus::Failed, d.attempts, Some(&error)).await;
            return;
        };
        let shutdown = self.inner.runtime.shutdown.clone();
        loop {
            d.attempts += 1;
            let attempt = u32::try_from(d.attempts).unwrap_or(u32::MAX);
            match notifiers.attempt(&d.notifier, &d.id, &d.payload, self.now_ms()).await {
                Ok(()) => {
                    tracing::info!(delivery = %d.id, job = %d.job_name, event = %d.event, notifier = %d.notifier,
                        attempts = d.attempts, "notification delivered");
                    self.record_attempt(&d.id, DeliveryStatus::Sent, d.attempts, None).await;
                    return;
                }
                Err(error) if attempt >= policy.max_attempts => {
                    tracing::warn!(delivery = %d.id, job = %d.job_name, event = %d.event, notifier = %d.notifier,
                        attempts = d.attempts, %error, "notification not delivered; giving up");
                    self.record_attempt(&d.id, DeliveryStatus::Failed, d.attempts, Some(&error)).await;
                    return;
                }
                Err(error) => {
                    tracing::info!(delivery = %d.id, notifier = %d.notifier, attempts = d.attempts, %error,
                        "notification attempt failed; trying again");
                    self.record_attempt(&d.id, DeliveryStatus::Pending, d.attempts, Some(&error)).await;
                    tokio::select! {
                        _ = tokio::time::sleep(policy.wait_after(attempt)) => {}
                        // Still pending: the next start tries it again.
                        _ = shutdown.cancelled() => return,
                    }
                }
            }
        }
    }

    async fn record_attempt(&self, id: &str, status: DeliveryStatus, attempts: i64, error: Option<&str>) {
        if let Err(e) = self.store().update_delivery(id, status, attempts, error, self.now_ms()).await {
            tracing::warn!(delivery = %id, error = %e, "cannot record a notification attempt");
        }
    }

    /// At start-up: deliveries a previous server left pending are tried again, and the
    /// "not finished by" check starts.
    pub(crate) async fn start_notifications(&self) -> Option<tokio::task::JoinHandle<()>> {
        match self.store().pending_deliveries().await {
            Ok(pending) => {
                if !pending.is_empty() {
                    tracing::info!(count = pending.len(), "resuming undelivered notifications");
                }
                for d in pending {
                    let engine = self.clone();
                    tokio::spawn(async move { engine.deliver(d).await });
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read undelivered notifications"),
        }
        if self.notifiers().is_empty() {
            return None;
        }
        let engine = self.clone();
        Some(tokio::spawn(async move {
            let mut tick = tokio::time::interval(NOT_FINISHED_TICK);
            loop {
                tick.tick().await;
                if let Err(e) = engine.check_not_finished().await {
                    tracing::warn!(error = %e.message, "the not-finished check failed");
                }
            }
        }))
    }

    /// Queues a `NOT_FINISHED` notification for every instance past a rule's time today.
    pub async fn check_not_finished(&self) -> Result<(), DlfError> {
        let mut wanted = Vec::new();
        for (job_id, text) in self.store().all_job_notifications().await.map_err(internal)? {
            let Ok(rules) = serde_json::from_str::<NotificationRules>(&text) else { continue };
            let rules: Vec<_> = rules.rules.into_iter().filter(|r| r.event == NotificationEvent::NotFinished).collect();
            if !rules.is_empty() {
                wanted.push((job_id, rules));
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let open = self.store().open_instances().await.map_err(internal)?;
        let now = self.now_ms();
        for (job_id, rules) in wanted {
            let mine: Vec<&InstanceRecord> = open
                .iter()
                .filter(|i| i.job_id == job_id && NotificationEvent::NotFinished.notifies(i.instance_type))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let zone = self.job_zone(job_id).await?;
            let midnight = crate::instances::start_of_day(now, &zone);
            for rule in rules {
                let Some(minutes) = rule.not_finished_by.as_deref().and_then(parse_hh_mm) else { continue };
                let deadline = midnight + i64::from(minutes) * 60_000;
                if now < deadline {
                    continue;
                }
                for i in mine.iter().filter(|i| i.plan_ms < deadline) {
                    let project_id = self.project_of_workspace(&i.workspace_id).await?;
                    let by = rule.not_finished_by.clone().unwrap_or_default();
                    let notification = Notification {
                        event: NotificationEvent::NotFinished.as_str().to_string(),
                        subject: format!("[dlf] job {} has not finished by {by}", i.job_name),
                        message: format!(
                            "Instance {} of job {} is still {} at {by}.",
                            i.id,
                            i.job_name,
                            i.status.as_str()
                        ),
                        message_type: None,
                        topic: None,
                        project_id,
                        workspace_id: i.workspace_id.clone(),
                        job_name: i.job_name.clone(),
                        instance_id: Some(i.id),
                        status: Some(i.status.as_str().to_string()),
                        plan_time: Some(i.plan_ms),
                        node: None,
                        event_time: now,
                        links: BTreeMap::new(),
                    }
                    .with_links();
                    let key = format!("{}:NOT_FINISHED:{deadline}", i.id);
                    self.queue(&notification, &rule.notifier, key).await?;
                }
            }
        }
        Ok(())
    }

    /// The zone of a job's schedule (`expressionTimeZone`), else the service zone.
    async fn job_zone(&self, job_id: i64) -> Result<dlf_core::zone::Zone, DlfError> {
        let service = self.config().service_zone;
        let Some(job) = self.store().find_job_by_id(job_id).await.map_err(internal)? else { return Ok(service) };
        let doc = crate::jobs::stored_document(&job.document)?;
        let zone = doc
            .schedule
            .as_ref()
            .and_then(|s| s.cron.as_ref())
            .and_then(|c| c.expression_time_zone.as_deref())
            .and_then(|z| dlf_core::zone::Zone::parse(z).ok());
        Ok(zone.unwrap_or(service))
    }
}
