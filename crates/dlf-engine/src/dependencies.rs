//! The dependency gates of a scheduled instance: self-dependency (`dependPrePeriod`, JOBS.md
//! §4.7) and cross-job dependencies (`dependJobs`, §4.6). The windows and decisions are
//! `dlf_core::state::dependency`'s pure functions; this module fetches what they need.

use crate::execution::plan::JobPlan;
use crate::jobs::stored_document;
use crate::{internal, Engine};
use dlf_core::model::{InstanceStatus, JobDocument};
use dlf_core::state::{
    combine, decide_dependency, dependency_window, self_dependency, DependFailPolicy, DependPeriod, DependType,
    DependencyDecision, DependencyModel,
};
use dlf_core::validate::parse_cron_block;
use dlf_core::DlfError;
use dlf_store::InstanceRecord;
use serde_json::Value;

/// What the gates say about a waiting instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Gate {
    Open,
    /// Blocked by another job's (or this job's previous) instance.
    WaitForJobs,
    /// The job's concurrency limit is reached.
    WaitForSlot,
    /// A dependency rule cancels the instance (`manual-stop`), with the reason.
    Cancel(String),
    /// The traditional window is empty: the instance is not executed.
    SkipByDepend,
}

/// Per-upstream options from `sameWorkSpaceJobs` entries naming the job.
fn entry_options(doc: &JobDocument, upstream: &str) -> (DependType, Option<u32>) {
    let entries = doc.cron().and_then(|c| c.depend_jobs.as_ref()).and_then(|d| d.same_work_space_jobs.as_ref());
    let Some(entry) = entries.and_then(|e| e.iter().find(|v| v.get("jobName").and_then(Value::as_str) == Some(upstream))) else {
        return (DependType::All, None);
    };
    let dep_type = entry.get("dependType").and_then(Value::as_str).and_then(DependType::parse).unwrap_or(DependType::All);
    let last_n = entry.get("dependOnLastNPeriodValue").and_then(Value::as_u64).map(|n| n.clamp(1, 30) as u32);
    (dep_type, last_n)
}

/// Evaluates the dependency gates of a cron-created instance.
pub(crate) async fn check(engine: &Engine, instance: &InstanceRecord, plan: &JobPlan) -> Result<Gate, DlfError> {
    let Some(cron) = plan.doc.cron() else { return Ok(Gate::Open) };
    let mut decisions = Vec::new();
    if cron.depend_pre_period == Some(true) {
        let previous = engine.store().previous_scheduled_instance(instance.job_id, instance.plan_ms).await.map_err(internal)?;
        decisions.push(self_dependency(previous.and_then(|p| InstanceStatus::parse(&p.status))));
    }
    if let Some(deps) = cron.depend_jobs.as_ref().filter(|d| !d.jobs.is_empty()) {
        let down = parse_cron_block(cron, false)?;
        let zone = down.zone.unwrap_or(engine.config().service_zone);
        let depend_period = deps.depend_period.as_deref().and_then(DependPeriod::parse).unwrap_or(DependPeriod::SamePeriod);
        let policy = deps.depend_fail_policy.as_deref().and_then(DependFailPolicy::parse).unwrap_or(DependFailPolicy::Fail);
        for name in &deps.jobs {
            let Some(up_job) = engine.store().find_job(&instance.workspace_id, name).await.map_err(internal)? else {
                return Ok(Gate::Cancel(format!("the upstream job {name} no longer exists")));
            };
            if up_job.status() == "STOPPED" {
                return Ok(Gate::Cancel(format!("the upstream job {name} is stopped")));
            }
            let up_doc = stored_document(&up_job.document)?;
            let Some(up_spec) = up_doc.cron().and_then(|c| parse_cron_block(c, false).ok()) else {
                return Ok(Gate::Cancel(format!("the upstream job {name} has no cron schedule")));
            };
            let (dep_type, last_n) = entry_options(&plan.doc, name);
            let Some(window) = dependency_window(instance.plan_ms, (down.interval, down.period), up_spec.interval, depend_period, last_n, &zone)
            else {
                return Ok(Gate::Cancel(format!("no dependency window can be computed for the upstream job {name}")));
            };
            // The window is complete once the upstream's next plan time lies beyond it: every
            // upstream instance the window can hold has then been created.
            let up_zone = up_spec.zone.unwrap_or(engine.config().service_zone);
            let cursor = up_job.schedule_cursor_ms.unwrap_or(window.from_ms - 1);
            let next_up = up_spec.expr.next_after(cursor, &up_zone).filter(|n| up_spec.end_ms.is_none_or(|end| *n <= end));
            if next_up.is_some_and(|n| n < window.to_ms) {
                decisions.push(DependencyDecision::Wait);
                continue;
            }
            let found = engine
                .store()
                .scheduled_instances_between(up_job.id(), window.from_ms, window.to_ms)
                .await
                .map_err(internal)?;
            let statuses: Vec<(i64, InstanceStatus)> =
                found.iter().filter_map(|b| InstanceStatus::parse(&b.status).map(|s| (b.plan_ms, s))).collect();
            decisions.push(match decide_dependency(&statuses, policy, dep_type, DependencyModel::Traditional) {
                DependencyDecision::Cancel(_) => {
                    return Ok(Gate::Cancel(format!("{} (upstream job {name} failed)", dlf_core::state::DEPENDENCY_CANCEL_MESSAGE)));
                }
                other => other,
            });
        }
    }
    Ok(match combine(decisions) {
        DependencyDecision::Run => Gate::Open,
        DependencyDecision::Wait => Gate::WaitForJobs,
        DependencyDecision::Cancel(_) => Gate::Cancel(dlf_core::state::DEPENDENCY_CANCEL_MESSAGE.to_string()),
        DependencyDecision::SkipByDepend => Gate::SkipByDepend,
    })
}
