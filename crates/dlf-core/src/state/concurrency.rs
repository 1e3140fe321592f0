//! Concurrency limits (JOBS.md §4.8) and the "run the latest" rule of `isSkipSelfDepJob` (§4.7).
//!
//! Per job, at most `cron.concurrent` instances run at once (default 1, capped at 5 by default);
//! a self-dependent job runs one at a time. Instances ready to start take the free slots in
//! plan-time order. Node-level caps (workspace, task groups) are counters the engine keeps;
//! the rules here say who may start.

/// `cron.concurrent` when absent (§4.8).
pub const DEFAULT_CONCURRENT: u32 = 1;

/// The default cap on `cron.concurrent` (the cloud's; configurable).
pub const DEFAULT_CONCURRENT_CAP: u32 = 5;

/// How many instances of a job may run at once: `concurrent` (default 1) clamped to
/// `1..=cap`; 1 for a self-dependent job (`dependPrePeriod`).
pub fn instance_limit(concurrent: Option<i64>, cap: u32, self_dependent: bool) -> u32 {
    if self_dependent {
        return 1;
    }
    let cap = cap.max(1);
    let wanted = concurrent.unwrap_or(i64::from(DEFAULT_CONCURRENT));
    u32::try_from(wanted.clamp(1, i64::from(cap))).unwrap_or(1)
}

/// Which of the instances whose other gates are open (`(plan_ms, id)`) start now, given
/// `running` instances of the job and the `limit`: the earliest plan times first (ties keep the
/// given order), as many as there are free slots.
pub fn instances_to_start<Id: Copy>(ready: &[(i64, Id)], running: usize, limit: u32) -> Vec<Id> {
    let free = usize::try_from(limit).unwrap_or(usize::MAX).saturating_sub(running);
    let mut ordered: Vec<(i64, Id)> = ready.to_vec();
    ordered.sort_by_key(|(plan, _)| *plan);
    ordered.into_iter().take(free).map(|(_, id)| id).collect()
}

/// `isSkipSelfDepJob = "true"` (§4.7): of the instances queued behind a long run (`(plan_ms,
/// id)`), every one but the newest is canceled ([`CancelReason::SupersededByLatest`](super::CancelReason)).
/// Of equal newest plan times the last listed stays.
pub fn superseded_by_latest<Id: Copy>(queued: &[(i64, Id)]) -> Vec<Id> {
    let newest = queued.iter().enumerate().max_by_key(|(_, (plan, _))| *plan).map(|(i, _)| i);
    queued.iter().enumerate().filter(|(i, _)| Some(*i) != newest).map(|(_, (_, id))| *id).collect()
}

/// Whether another node may start under a node cap (workspace or task group): `None` = no cap.
pub fn node_slot_free(running_nodes: usize, cap: Option<u32>) -> bool {
    match cap {
        None => true,
        Some(cap) => running_nodes < usize::try_from(cap).unwrap_or(usize::MAX),
    }
}

/// The task group a node counts against: its own `taskWorkGroupId`, else the job's (§4.8).
pub fn task_group<'a>(node_group: Option<&'a str>, job_group: Option<&'a str>) -> Option<&'a str> {
    node_group.filter(|g| !g.is_empty()).or(job_group.filter(|g| !g.is_empty()))
}
