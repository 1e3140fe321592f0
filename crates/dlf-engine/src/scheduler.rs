//! The cron scheduler: one instance per fire time of every `SCHEDULING` BATCH cron job
//! (JOBS.md §4.3, §4.4).
//!
//! It keeps each scheduled job's next fire time in a queue ordered by time and sleeps until the
//! earliest one or until told that a job changed — no polling. At a fire time it asks the store
//! to create the instances of every due job in ONE transaction; the store's unique key makes the
//! creation idempotent (one instance per job and plan time, whatever else races) and refuses it
//! for a job that is no longer scheduling. The job's schedule cursor (the last plan time handled)
//! lives in the store, so after a restart the scheduler knows which plan times it missed.
//!
//! Missed plan times (the server was down) follow [`MissedRunPolicy`]: by default the newest 100
//! per job are created with their original plan times and run late, oldest first (JOBS.md §4.4
//! decision); `latest` creates only the newest; `skip` none. A stop/start of the job itself
//! never catches up (StartJob places the cursor at "now").

use crate::{Engine, MissedRunPolicy, internal};
use dlf_core::DlfError;
use dlf_core::model::{InstanceStatus, InstanceType, JobStatus, ScheduleKind};
use dlf_core::state::{InstanceEvent, next_instance_status};
use dlf_core::validate::{CronSpec, parse_cron_block};
use dlf_core::zone::Zone;
use dlf_store::{FireOutcome, JobRecord, JobStatusChange, NewInstance, ScheduledFire};
use futures_util::StreamExt;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use tokio::sync::mpsc;

/// Most fires written in one transaction.
const FIRE_BATCH: usize = 2000;
/// Most refreshes taken from the queue at once (the loop fires what is due between batches).
const REFRESH_BATCH: usize = 256;
/// Jobs read from the store at once by a refresh (the SQLite store has four readers).
const REFRESH_READS: usize = 8;

pub(crate) enum ScheduleEvent {
    /// Re-read a job (started, stopped, updated, deleted).
    Refresh(i64),
}

/// A scheduling job as the scheduler needs it.
struct ScheduledJob {
    job_id: i64,
    workspace_id: String,
    name: String,
    version: i64,
    submit_ms: i64,
    spec: CronSpec,
    zone: Zone,
    params: Option<String>,
    nodes: Vec<(String, String)>,
    /// What its new instances start as (`waiting`, or `waiting-confirm`, §4.9).
    initial_status: InstanceStatus,
    next_ms: Option<i64>,
    /// The last plan time handled, as stored when the job was read.
    cursor_ms: i64,
    /// The job's last start or change.
    changed_ms: i64,
}

struct Scheduler {
    engine: Engine,
    jobs: HashMap<i64, ScheduledJob>,
    queue: BTreeSet<(i64, i64)>,
}

pub(crate) async fn run(engine: Engine, mut events: mpsc::UnboundedReceiver<ScheduleEvent>) {
    let mut s = Scheduler { engine: engine.clone(), jobs: HashMap::new(), queue: BTreeSet::new() };
    s.load_all().await;
    let shutdown = engine.inner.runtime.shutdown.clone();
    loop {
        s.fire_due().await;
        let now = engine.now_ms();
        let wait = s.queue.first().map(|(next, _)| Duration::from_millis((next - now).max(0) as u64));
        let sleep = async {
            match wait {
                Some(w) => tokio::time::sleep(w).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            event = events.recv() => {
                let Some(ScheduleEvent::Refresh(job_id)) = event else { return };
                // Take what is already queued (a burst of StartJob calls) as one batch, read
                // concurrently; the loop fires what is due between batches, so refreshing a
                // thousand jobs never holds up the ones already firing for long.
                let mut batch = vec![job_id];
                while batch.len() < REFRESH_BATCH
                    && !s.fire_is_due(engine.now_ms())
                    && let Ok(ScheduleEvent::Refresh(job_id)) = events.try_recv()
                {
                    batch.push(job_id);
                }
                s.refresh_many(batch).await;
            }
            _ = sleep => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

impl Scheduler {
    /// Start-up: every scheduling job, with the plan times missed while the server was down.
    async fn load_all(&mut self) {
        let jobs = match self.engine.store().jobs_with_status(&[JobStatus::Scheduling]).await {
            Ok(jobs) => jobs,
            Err(e) => {
                let _ = internal(e);
                return;
            }
        };
        for job in jobs {
            let id = job.id();
            if let Err(e) = self.load(job).await {
                tracing::error!(job_id = id, error = %e.message, "cannot schedule a job");
            }
        }
    }

    /// Re-reads started, stopped, changed or deleted jobs — [`REFRESH_READS`] at a time, so a
    /// burst of StartJob calls costs a few round trips to the store rather than two per job —
    /// and queues the next fire of each one still scheduling.
    async fn refresh_many(&mut self, mut job_ids: Vec<i64>) {
        job_ids.sort_unstable();
        job_ids.dedup();
        for &job_id in &job_ids {
            self.remove(job_id);
        }
        let engine = self.engine.clone();
        let loaded: Vec<(i64, Result<Option<ScheduledJob>, DlfError>)> = futures_util::stream::iter(job_ids)
            .map(|job_id| {
                let engine = engine.clone();
                async move { (job_id, scheduled_job_by_id(&engine, job_id).await) }
            })
            .buffer_unordered(REFRESH_READS)
            .collect()
            .await;
        for (job_id, result) in loaded {
            match result {
                Ok(Some(mut job)) => {
                    // A start or a change while scheduling: no catch-up of what came before it
                    // (JOBS.md §4.3) — but counted from the moment of the change, not from when
                    // this refresh runs, so a scheduler busy with a burst of StartJob calls loses
                    // no plan time that came after their 204.
                    let from = continue_from(job.cursor_ms, job.changed_ms);
                    job.next_ms = next_fire(&job, from);
                    self.install(job);
                }
                Ok(None) => {}
                Err(e) => tracing::error!(job_id, error = %e.message, "cannot schedule a job"),
            }
        }
    }

    /// Adds a scheduled job whose `next_ms` is set.
    fn install(&mut self, job: ScheduledJob) {
        if let Some(next) = job.next_ms {
            self.queue.insert((next, job.job_id));
        }
        self.jobs.insert(job.job_id, job);
    }

    fn remove(&mut self, job_id: i64) {
        if let Some(old) = self.jobs.remove(&job_id)
            && let Some(next) = old.next_ms
        {
            self.queue.remove(&(next, job_id));
        }
    }

    /// Start-up: schedules a job, first creating the plan times it missed while the server was
    /// down (per the missed-run policy).
    async fn load(&mut self, job: JobRecord) -> Result<(), DlfError> {
        let Some(mut scheduled) = scheduled_job(&self.engine, job).await? else { return Ok(()) };
        let now = self.engine.now_ms();
        let from = self.create_missed(&scheduled, scheduled.cursor_ms, now).await?;
        scheduled.next_ms = next_fire(&scheduled, from);
        self.install(scheduled);
        Ok(())
    }

    /// Creates the instances of plan times in (cursor, now] per the missed-run policy and
    /// returns the instant to continue after.
    async fn create_missed(&self, job: &ScheduledJob, cursor: i64, now: i64) -> Result<i64, DlfError> {
        let mut missed = Vec::new();
        let mut t = cursor;
        while let Some(next) = next_fire(job, t) {
            if next > now {
                break;
            }
            missed.push(next);
            t = next;
            if missed.len() > 1_000_000 {
                break;
            }
        }
        if missed.is_empty() {
            return Ok(cursor);
        }
        let keep = match self.engine.config().missed_runs {
            MissedRunPolicy::RunAll { limit } => limit as usize,
            MissedRunPolicy::RunLatest => 1,
            MissedRunPolicy::Skip => 0,
        };
        let skipped = missed.len().saturating_sub(keep);
        if skipped > 0 {
            tracing::warn!(job = %job.name, skipped, "plan times missed while the server was down are skipped (--missed-runs)");
        }
        let last = *missed.last().expect("not empty");
        let to_create = &missed[skipped..];
        if to_create.is_empty() {
            let change = JobStatusChange {
                status: JobStatus::Scheduling,
                started_ms: None,
                start_params: None,
                schedule_cursor_ms: Some(Some(last)),
                cancel_waiting_at_ms: None,
            };
            self.engine
                .store()
                .transition_job(job.job_id, &[JobStatus::Scheduling], &change)
                .await
                .map_err(internal)?;
        } else {
            tracing::info!(job = %job.name, count = to_create.len(), "creating instances for plan times missed while the server was down");
            for chunk in to_create.chunks(FIRE_BATCH) {
                let fires: Vec<ScheduledFire> =
                    chunk.iter().map(|&plan| ScheduledFire { instance: self.new_instance(job, plan) }).collect();
                self.write_fires(&fires).await?;
            }
        }
        Ok(last)
    }

    fn new_instance(&self, job: &ScheduledJob, plan_ms: i64) -> NewInstance {
        NewInstance {
            workspace_id: job.workspace_id.clone(),
            job_id: job.job_id,
            job_name: job.name.clone(),
            instance_type: InstanceType::Normal,
            plan_ms,
            status: job.initial_status,
            version: job.version,
            submit_ms: job.submit_ms,
            created_ms: self.engine.now_ms(),
            params: job.params.clone(),
            ignore_depend: false,
            nodes: job.nodes.clone(),
        }
    }

    async fn write_fires(&self, fires: &[ScheduledFire]) -> Result<Vec<FireOutcome>, DlfError> {
        let outcomes = self.engine.store().fire_schedules(fires).await.map_err(internal)?;
        for outcome in &outcomes {
            if let FireOutcome::Created(record) = outcome {
                self.engine.enqueue((**record).clone());
            }
        }
        Ok(outcomes)
    }

    fn fire_is_due(&self, now: i64) -> bool {
        self.queue.first().is_some_and(|(next, _)| *next <= now)
    }

    /// Fires every job whose next plan time has come.
    async fn fire_due(&mut self) {
        let now = self.engine.now_ms();
        let due: Vec<(i64, i64)> = self.queue.range(..=(now, i64::MAX)).take(FIRE_BATCH).copied().collect();
        if due.is_empty() {
            return;
        }
        let fires: Vec<ScheduledFire> = due
            .iter()
            .filter_map(|(plan, job_id)| {
                self.jobs.get(job_id).map(|job| ScheduledFire { instance: self.new_instance(job, *plan) })
            })
            .collect();
        let outcomes = match self.write_fires(&fires).await {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(error = %e.message, "cannot create scheduled instances; retrying shortly");
                tokio::time::sleep(Duration::from_millis(200)).await;
                return;
            }
        };
        for ((plan, job_id), outcome) in due.into_iter().zip(outcomes) {
            self.queue.remove(&(plan, job_id));
            if outcome == FireOutcome::NotScheduling {
                self.jobs.remove(&job_id);
                continue;
            }
            if let Some(job) = self.jobs.get_mut(&job_id) {
                job.next_ms = next_fire(job, plan);
                if let Some(next) = job.next_ms {
                    self.queue.insert((next, job_id));
                }
            }
        }
    }
}

/// A job as the scheduler needs it, read from the store; `None` unless it is a scheduling cron
/// job.
async fn scheduled_job_by_id(engine: &Engine, job_id: i64) -> Result<Option<ScheduledJob>, DlfError> {
    match engine.store().find_job_by_id(job_id).await.map_err(internal)? {
        Some(job) if job.status() == JobStatus::Scheduling => scheduled_job(engine, job).await,
        _ => Ok(None),
    }
}

/// The scheduled job of a job record, from its latest submitted version (`next_ms` not set
/// yet); `None` for jobs not driven by the clock.
async fn scheduled_job(engine: &Engine, job: JobRecord) -> Result<Option<ScheduledJob>, DlfError> {
    let version = job.summary.submitted_version;
    if version == 0 {
        return Ok(None); // never submitted: nothing to schedule
    }
    // The plan cache: the dispatcher and the instances need the same plan at the first fire.
    let plan = engine.job_plan(job.id(), version).await?;
    let doc = &plan.doc;
    let Some(schedule) = doc.schedule.as_ref().filter(|s| s.kind() == Some(ScheduleKind::Cron)) else {
        return Ok(None); // EXECUTE_ONCE / EVENT jobs are not driven by the clock
    };
    let Some(cron) = schedule.cron.as_ref() else { return Ok(None) };
    let spec = parse_cron_block(cron, engine.config().strict_dlf_cron)?;
    let zone = spec.zone.unwrap_or(engine.config().service_zone);
    // No plan time is frozen in advance yet (freezing is an operator action of a later release).
    let created = InstanceEvent::Created { manual_confirm: schedule.requires_manual_confirm(), pre_frozen: false };
    let initial_status = next_instance_status(None, &created)?;
    Ok(Some(ScheduledJob {
        job_id: job.id(),
        workspace_id: job.summary.workspace_id.clone(),
        name: job.name().to_string(),
        version,
        submit_ms: plan.submit_ms,
        zone,
        params: job.start_params.clone(),
        nodes: doc.nodes.iter().map(|n| (n.name.clone(), n.node_type.clone())).collect(),
        initial_status,
        next_ms: None,
        cursor_ms: job.schedule_cursor_ms.unwrap_or(engine.now_ms() - 1),
        changed_ms: job.summary.update_ms.max(job.summary.started_ms.unwrap_or(0)),
        spec,
    }))
}

/// Where a (re)loaded job's schedule continues: after its cursor, but never before the second
/// of its last start or change (`changed_ms`), whenever the refresh itself runs.
fn continue_from(cursor_ms: i64, changed_ms: i64) -> i64 {
    cursor_ms.max(changed_ms - changed_ms.rem_euclid(1000) - 1)
}

/// The job's first fire time after `after_ms` inside its [startTime, endTime] window.
fn next_fire(job: &ScheduledJob, after_ms: i64) -> Option<i64> {
    let from = match job.spec.start_ms {
        Some(start) if start > after_ms => start - 1,
        _ => after_ms,
    };
    let next = job.spec.expr.next_after(from, &job.zone)?;
    match job.spec.end_ms {
        Some(end) if next > end => None,
        _ => Some(next),
    }
}

#[cfg(test)]
mod tests {
    use super::continue_from;

    #[test]
    fn a_late_refresh_keeps_plan_times_after_the_start() {
        // StartJob at 10.250 s sets the cursor to 9.999 s; whenever the refresh runs, the
        // schedule continues from there: the plan time 10.000 s is not lost.
        assert_eq!(continue_from(9_999, 10_250), 9_999);
    }

    #[test]
    fn a_change_while_scheduling_does_not_catch_up() {
        // Cursor at the last fire (yesterday); an update now continues from now's second.
        assert_eq!(continue_from(1_000, 86_400_500), 86_399_999);
    }

    #[test]
    fn a_cursor_ahead_of_the_change_wins() {
        // A future startTime puts the cursor after the moment of the start.
        assert_eq!(continue_from(50_000, 10_250), 50_000);
    }
}
