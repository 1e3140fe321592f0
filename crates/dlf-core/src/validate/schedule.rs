//! The schedule: type, cron block, time window, zone, and cross-job dependencies (JOBS.md §2.4,
//! §4.2, §4.6). Every problem here is `DLF.3025` (the catalogue's "scheduling settings invalid").

use super::job_fields::check_enum;
use super::{JobValidationContext, UpstreamJob};
use crate::cron::{CronExpr, IntervalType, Period, derive_interval_type, period_of};
use crate::error::DlfError;
use crate::model::{Cron, JobDocument, ScheduleKind, ScheduleTime};
use crate::zone::Zone;

/// A cron block parsed into what the scheduler needs.
#[derive(Clone, Debug)]
pub struct CronSpec {
    pub expr: CronExpr,
    /// `expressionTimeZone`, or `None` for the service's default zone.
    pub zone: Option<Zone>,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub interval: IntervalType,
    pub period: Period,
}

/// Parses a cron block; the error names the field. `strict` applies DLF's seconds rule.
pub fn parse_cron_block(cron: &Cron, strict: bool) -> Result<CronSpec, DlfError> {
    let text = cron
        .expression
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| DlfError::schedule("schedule.cron.expression is required"))?;
    let expr =
        CronExpr::parse(text).map_err(|e| DlfError::schedule(format!("schedule.cron.expression '{text}': {e}")))?;
    if strict && !expr.seconds_is_zero() {
        return Err(DlfError::schedule(format!(
            "schedule.cron.expression '{text}': the second field must be 0 (--strict-dlf-cron)"
        )));
    }
    let zone = match cron.expression_time_zone.as_deref().filter(|z| !z.trim().is_empty()) {
        Some(z) => {
            Some(Zone::parse(z).map_err(|e| DlfError::schedule(format!("schedule.cron.expressionTimeZone: {e}")))?)
        }
        None => None,
    };
    let start_ms = match cron.start_time.as_deref() {
        Some(s) => Some(
            ScheduleTime::parse(s).map_err(|e| DlfError::schedule(format!("schedule.cron.startTime: {e}")))?.epoch_ms,
        ),
        None => None,
    };
    let end_ms = match cron.end_time.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(
            ScheduleTime::parse(s).map_err(|e| DlfError::schedule(format!("schedule.cron.endTime: {e}")))?.epoch_ms,
        ),
        None => None,
    };
    if let (Some(start), Some(end)) = (start_ms, end_ms)
        && start >= end
    {
        return Err(DlfError::schedule("schedule.cron.startTime must be earlier than schedule.cron.endTime"));
    }
    let interval = match cron.interval_type.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => IntervalType::parse(s).ok_or_else(|| {
            DlfError::schedule(format!(
                "schedule.cron.intervalType '{s}' is not one of minutes, hours, days, weeks, months, seasons, years"
            ))
        })?,
        None => derive_interval_type(&expr),
    };
    let period = period_of(&expr, interval);
    Ok(CronSpec { expr, zone, start_ms, end_ms, interval, period })
}

pub fn check_schedule(doc: &JobDocument, ctx: &JobValidationContext<'_>) -> Result<(), DlfError> {
    let schedule = doc.schedule.as_ref().ok_or_else(|| DlfError::schedule("schedule is required"))?;
    let Some(type_text) = schedule.schedule_type.as_deref() else {
        return Err(DlfError::schedule("schedule.type is required (EXECUTE_ONCE, CRON or EVENT)"));
    };
    let Some(kind) = ScheduleKind::parse(type_text) else {
        return Err(DlfError::schedule(format!("schedule.type '{type_text}' is not one of EXECUTE_ONCE, CRON, EVENT")));
    };
    if let Some(event) = &schedule.event {
        if kind == ScheduleKind::Event {
            match event.event_type.as_deref() {
                None => return Err(DlfError::schedule("schedule.event.eventType is required (KAFKA, DIS or OBS)")),
                Some(t) if !["KAFKA", "DIS", "OBS"].contains(&t) => {
                    return Err(DlfError::schedule(format!(
                        "schedule.event.eventType '{t}' is not one of KAFKA, DIS, OBS"
                    )));
                }
                _ => {}
            }
            if event.channel.as_deref().is_none_or(|c| c.trim().is_empty()) {
                return Err(DlfError::schedule("schedule.event.channel is required"));
            }
            check_enum("schedule.event.failPolicy", event.fail_policy.as_deref(), &["SUSPEND", "IGNORE"])
                .map_err(as_schedule_error)?;
            check_enum("schedule.event.readPolicy", event.read_policy.as_deref(), &["LAST", "NEW"])
                .map_err(as_schedule_error)?;
            if let Some(c) = event.concurrent
                && !(1..=128).contains(&c)
            {
                return Err(DlfError::schedule(format!("schedule.event.concurrent must be in [1,128], got {c}")));
            }
        }
    } else if kind == ScheduleKind::Event {
        return Err(DlfError::schedule("schedule.event is required when schedule.type is EVENT"));
    }
    // A CRON schedule without a cron block is accepted on save (Huawei's own examples do it) and
    // refused when the job is started (API.md Schedule).
    let Some(cron) = &schedule.cron else { return Ok(()) };
    if kind != ScheduleKind::Cron {
        return Ok(());
    }
    let spec = parse_cron_block(cron, ctx.strict_dlf_cron)?;
    if cron.start_time.is_none() {
        return Err(DlfError::schedule("schedule.cron.startTime is required"));
    }
    if let Some(c) = cron.concurrent
        && !(1..=128).contains(&c)
    {
        return Err(DlfError::schedule(format!("schedule.cron.concurrent must be in [1,128], got {c}")));
    }
    if let Some(deps) = &cron.depend_jobs {
        check_enum(
            "schedule.cron.dependJobs.dependPeriod",
            deps.depend_period.as_deref(),
            &["SAME_PERIOD", "PRE_PERIOD"],
        )
        .map_err(as_schedule_error)?;
        check_enum(
            "schedule.cron.dependJobs.dependFailPolicy",
            deps.depend_fail_policy.as_deref(),
            &["FAIL", "IGNORE", "SUSPEND"],
        )
        .map_err(as_schedule_error)?;
        for name in &deps.jobs {
            if name == &doc.name {
                return Err(DlfError::schedule(format!(
                    "schedule.cron.dependJobs.jobs: the job cannot depend on itself (use dependPrePeriod for '{name}')"
                )));
            }
            let Some(UpstreamJob { period }) = (ctx.lookup_job)(name) else {
                return Err(DlfError::schedule(format!("schedule.cron.dependJobs.jobs: job '{name}' does not exist")));
            };
            let Some(up) = period else {
                return Err(DlfError::schedule(format!(
                    "schedule.cron.dependJobs.jobs: job '{name}' has no cron schedule, so it has no periods to depend on"
                )));
            };
            dependency_allowed((spec.interval, spec.period), up)
                .map_err(|why| DlfError::schedule(format!("schedule.cron.dependJobs.jobs: '{name}': {why}")))?;
        }
    }
    Ok(())
}

fn as_schedule_error(e: DlfError) -> DlfError {
    DlfError::schedule(e.message.trim_start_matches("The request parameter is invalid: "))
}

fn class_rank(interval: IntervalType) -> u8 {
    match interval {
        IntervalType::Minutes => 0,
        IntervalType::Hours => 1,
        IntervalType::Days => 2,
        IntervalType::Weeks => 3,
        IntervalType::Months => 4,
        IntervalType::Seasons => 5,
        IntervalType::Years => 6,
    }
}

/// The traditional-period rules of JOBS.md §4.6: may a job with period `down` depend on one
/// with period `up`? Err carries the reason.
pub fn dependency_allowed(down: (IntervalType, Period), up: (IntervalType, Period)) -> Result<(), String> {
    let (down_class, down_period) = down;
    let (up_class, up_period) = up;
    if down_class == IntervalType::Weeks || up_class == IntervalType::Weeks {
        return Err("weekly jobs cannot take part in dependencies".into());
    }
    if down_class == IntervalType::Months && up_class != IntervalType::Days {
        return Err("a monthly job may depend only on daily jobs".into());
    }
    if class_rank(down_class) < class_rank(up_class) {
        return Err(format!(
            "a {} job cannot depend on a {} job (the downstream period must not be shorter)",
            down_class.as_str(),
            up_class.as_str()
        ));
    }
    if down_class == up_class
        && let (Period::Fixed(d), Period::Fixed(u)) = (down_period, up_period)
        && d < u
    {
        return Err(format!(
            "a job with a {} s period cannot depend on one with a longer {} s period",
            d / 1000,
            u / 1000
        ));
    }
    Ok(())
}

pub fn normalize_schedule(doc: &mut JobDocument) {
    let Some(cron) = doc.schedule.as_mut().and_then(|s| s.cron.as_mut()) else { return };
    for time in [&mut cron.start_time, &mut cron.end_time].into_iter().flatten() {
        if let Ok(parsed) = ScheduleTime::parse(time) {
            *time = parsed.to_wire();
        }
    }
    if let Some(expr) = &mut cron.expression {
        let trimmed = expr.trim();
        if trimmed.len() != expr.len() {
            *expr = trimmed.to_string();
        }
    }
}
