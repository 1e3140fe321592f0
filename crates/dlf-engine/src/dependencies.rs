//! The dependency gates of a scheduled instance: self-dependency (`dependPrePeriod`, JOBS.md
//! §4.7) and cross-job dependencies (`dependJobs`, §4.6). The windows and decisions are
//! `dlf_core::state::dependency`'s pure functions; this module only fetches what they need and
//! keeps a readable reason for a cancel. Upstream instances an operator removed from an
//! instance's dependencies ("remove one dependency", §5.8) are left out of its windows.

use crate::execution::plan::JobPlan;
use crate::jobs::stored_document;
use crate::{Engine, internal};
use dlf_core::DlfError;
use dlf_core::model::JobDocument;
use dlf_core::model::JobStatus;
use dlf_core::state::{
    DEPENDENCY_CANCEL_MESSAGE, DependFailPolicy, DependPeriod, DependType, DependencyCancel, DependencyDecision,
    DependencyModel, combine, decide_dependency, dependency_window, self_dependency,
};
use dlf_core::validate::parse_cron_block;
use dlf_store::InstanceRecord;
use serde_json::Value;

/// What the dependencies say about a waiting instance, and why when they cancel it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dependencies {
    pub decision: DependencyDecision,
    /// The message a canceled instance shows.
    pub reason: Option<String>,
}

impl Dependencies {
    /// No dependency applies (run-now, reruns, other instance types, jobs without any).
    pub fn none() -> Dependencies {
        Dependencies { decision: DependencyDecision::Run, reason: None }
    }

    fn cancel(cancel: DependencyCancel, reason: String) -> Dependencies {
        Dependencies { decision: DependencyDecision::Cancel(cancel), reason: Some(reason) }
    }
}

/// Per-upstream options from `sameWorkSpaceJobs` entries naming the job.
fn entry_options(doc: &JobDocument, upstream: &str) -> (DependType, Option<u32>) {
    let entries = doc.cron().and_then(|c| c.depend_jobs.as_ref()).and_then(|d| d.same_work_space_jobs.as_ref());
    let Some(entry) =
        entries.and_then(|e| e.iter().find(|v| v.get("jobName").and_then(Value::as_str) == Some(upstream)))
    else {
        return (DependType::All, None);
    };
    let dep_type =
        entry.get("dependType").and_then(Value::as_str).and_then(DependType::parse).unwrap_or(DependType::All);
    let last_n = entry.get("dependOnLastNPeriodValue").and_then(Value::as_u64).map(|n| n.clamp(1, 30) as u32);
    (dep_type, last_n)
}

/// Evaluates the dependencies of a cron-created instance.
pub(crate) async fn check(
    engine: &Engine,
    instance: &InstanceRecord,
    plan: &JobPlan,
) -> Result<Dependencies, DlfError> {
    let Some(cron) = plan.doc.cron() else { return Ok(Dependencies::none()) };
    let mut decisions = Vec::new();
    // Upstream instances an operator removed from this instance's dependencies (§5.8).
    let removed = engine.store().removed_dependencies(instance.id).await.map_err(internal)?;
    if cron.depend_pre_period == Some(true) {
        let previous =
            engine.store().previous_scheduled_instance(instance.job_id, instance.plan_ms).await.map_err(internal)?;
        match previous {
            Some(p) if removed.contains(&p.id) => decisions.push(DependencyDecision::Run),
            previous => decisions.push(self_dependency(previous.map(|p| p.status))),
        }
    }
    if let Some(deps) = cron.depend_jobs.as_ref().filter(|d| !d.jobs.is_empty()) {
        let down = parse_cron_block(cron, false)?;
        let zone = down.zone.unwrap_or(engine.config().service_zone);
        let depend_period =
            deps.depend_period.as_deref().and_then(DependPeriod::parse).unwrap_or(DependPeriod::SamePeriod);
        let policy =
            deps.depend_fail_policy.as_deref().and_then(DependFailPolicy::parse).unwrap_or(DependFailPolicy::Fail);
        let unavailable = |why: String| Dependencies::cancel(DependencyCancel::UpstreamJobStopped, why);
        for name in &deps.jobs {
            let Some(up_job) = engine.store().find_job(&instance.workspace_id, name).await.map_err(internal)? else {
                return Ok(unavailable(format!("the upstream job {name} no longer exists")));
            };
            if up_job.status() == JobStatus::Stopped {
                return Ok(unavailable(format!("the upstream job {name} is stopped")));
            }
            let up_doc = stored_document(&up_job.document)?;
            let Some(up_spec) = up_doc.cron().and_then(|c| parse_cron_block(c, false).ok()) else {
                return Ok(unavailable(format!("the upstream job {name} has no cron schedule")));
            };
            let (dep_type, last_n) = entry_options(&plan.doc, name);
            let Some(window) = dependency_window(
                instance.plan_ms,
                (down.interval, down.period),
                up_spec.interval,
                depend_period,
                last_n,
                &zone,
            ) else {
                return Ok(unavailable(format!("no dependency window can be computed for the upstream job {name}")));
            };
            // The window is complete once the upstream's next plan time lies beyond it: every
            // upstream instance the window can hold has then been created.
            let up_zone = up_spec.zone.unwrap_or(engine.config().service_zone);
            let cursor = up_job.schedule_cursor_ms.unwrap_or(window.from_ms.saturating_sub(1));
            let next_up =
                up_spec.expr.next_after(cursor, &up_zone).filter(|n| up_spec.end_ms.is_none_or(|end| *n <= end));
            if next_up.is_some_and(|n| n < window.to_ms) {
                decisions.push(DependencyDecision::Wait);
                continue;
            }
            let found = engine
                .store()
                .scheduled_instances_between(up_job.id(), window.from_ms, window.to_ms)
                .await
                .map_err(internal)?;
            let statuses: Vec<(i64, _)> =
                found.iter().filter(|b| !removed.contains(&b.id)).map(|b| (b.plan_ms, b.status)).collect();
            if statuses.is_empty() && !found.is_empty() {
                // Every upstream instance of the window was removed: nothing is left to wait on
                // (an empty window would skip the instance instead).
                decisions.push(DependencyDecision::Run);
                continue;
            }
            match decide_dependency(&statuses, policy, dep_type, DependencyModel::Traditional) {
                DependencyDecision::Cancel(cancel) => {
                    return Ok(Dependencies::cancel(
                        cancel,
                        format!("{DEPENDENCY_CANCEL_MESSAGE} (upstream job {name} failed)"),
                    ));
                }
                other => decisions.push(other),
            }
        }
    }
    Ok(match combine(decisions) {
        DependencyDecision::Cancel(cancel) => Dependencies::cancel(cancel, DEPENDENCY_CANCEL_MESSAGE.to_string()),
        decision => Dependencies { decision, reason: None },
    })
}
