//! Concurrency limits (JOBS.md §4.8) and the "run the latest" rule of `isSkipSelfDepJob` (§4.7).
//!
//! Per job, at most `cron.concurrent` instances run at once (default 1, capped at 5 by default);
//! a self-dependent job runs one at a time. Instances ready to start take the free slots in
//! plan-time order.
//!
//! Not enforced yet \[I\]: the per-workspace cap on running nodes and task groups
//! (`taskWorkGroupId`, §4.8). Self-hosted dlf has no pricing tiers and no API to define task
//! groups, so both are stored with the job and have no effect (docs/compatibility.md).

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
