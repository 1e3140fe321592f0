//! Wall-clock arithmetic for dependency windows (JOBS.md §4.6): natural period starts and
//! stepping back by a job's period, in the downstream job's schedule zone.
//!
//! Rules \[I\]:
//! - A period that is a whole number of days (days, weeks) or months steps in *local calendar*
//!   units, so a daily window keeps its wall-clock edges across a 23- or 25-hour DST day.
//!   Minute and hour periods step in exact milliseconds.
//! - A local time that does not exist (spring-forward gap) moves forward by the gap's length,
//!   as `java.time` does. A local time that exists twice (fall-back overlap) is the later copy
//!   when stepping from a plan time (Quartz fires on the later copy, §4.2, so `t − 1 day` is the
//!   previous daily plan time) and the earlier copy for natural period starts (a day starts at
//!   its first instant).
//! - Hours and minutes are truncated in the offset in force at the instant, so the top of an
//!   hour inside a repeated hour is the top of *that* hour.
//!
//! Everything returns `None` instead of panicking when a time leaves chrono's range.

use crate::cron::{IntervalType, Period};
use crate::zone::Zone;
use chrono::{DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, Timelike};

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
const MINUTE_MS: i64 = 60_000;

/// A length of time a window moves by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Exact milliseconds (minute and hour periods, sub-minute extension).
    Exact(i64),
    /// Local calendar days.
    Days(u64),
    /// Local calendar months (the day of month is clamped to the month's end).
    Months(u32),
}

/// Which instant a repeated local time means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Overlap {
    Earlier,
    Later,
}

impl Step {
    /// The step of a job period; `None` for a non-positive one.
    pub(crate) fn of_period(period: Period) -> Option<Step> {
        match period {
            Period::Fixed(ms) if ms > 0 && ms % DAY_MS == 0 => Some(Step::Days(u64::try_from(ms / DAY_MS).ok()?)),
            Period::Fixed(ms) if ms > 0 => Some(Step::Exact(ms)),
            Period::Months(n) if n > 0 => Some(Step::Months(n)),
            _ => None,
        }
    }

    /// One natural period of a class: minute, hour, day, week (Monday-based), month, quarter, year.
    pub(crate) fn natural(class: IntervalType) -> Step {
        match class {
            IntervalType::Minutes => Step::Exact(MINUTE_MS),
            IntervalType::Hours => Step::Exact(HOUR_MS),
            IntervalType::Days => Step::Days(1),
            IntervalType::Weeks => Step::Days(7),
            IntervalType::Months => Step::Months(1),
            IntervalType::Seasons => Step::Months(3),
            IntervalType::Years => Step::Months(12),
        }
    }

    /// The step taken `k` times (`None` on overflow).
    pub(crate) fn times(self, k: u32) -> Option<Step> {
        Some(match self {
            Step::Exact(ms) => Step::Exact(ms.checked_mul(i64::from(k))?),
            Step::Days(d) => Step::Days(d.checked_mul(u64::from(k))?),
            Step::Months(m) => Step::Months(m.checked_mul(k)?),
        })
    }
}

/// The local wall-clock time of `ms` in `zone`.
pub(crate) fn local_of(ms: i64, zone: &Zone) -> Option<NaiveDateTime> {
    let instant = DateTime::from_timestamp_millis(ms)?;
    Some(zone.to_local(instant).naive_local())
}

/// The instant (epoch ms) of the local time `local` in `zone`, resolving gaps and overlaps as the
/// module docs say.
pub(crate) fn instant_of(local: NaiveDateTime, zone: &Zone, overlap: Overlap) -> Option<i64> {
    match zone.from_local(&local) {
        LocalResult::Single(t) => Some(t.timestamp_millis()),
        LocalResult::Ambiguous(earlier, later) => Some(match overlap {
            Overlap::Earlier => earlier.timestamp_millis(),
            Overlap::Later => later.timestamp_millis(),
        }),
        LocalResult::None => {
            // In a gap: read the wall time with the offset in force before the transition
            // (a day earlier is safely before it), which lands after the gap by its length.
            let as_utc = local.and_utc().timestamp_millis();
            let before = zone.offset_at_ms(as_utc.checked_sub(DAY_MS)?);
            as_utc.checked_sub(i64::from(before.local_minus_utc()) * 1000)
        }
    }
}

/// `ms` moved back by `step` (`overlap` resolves calendar steps that land on a repeated time).
pub(crate) fn step_back(ms: i64, step: Step, zone: &Zone, overlap: Overlap) -> Option<i64> {
    match step {
        Step::Exact(d) => ms.checked_sub(d),
        Step::Days(d) => instant_of(local_of(ms, zone)?.checked_sub_days(Days::new(d))?, zone, overlap),
        Step::Months(m) => instant_of(local_of(ms, zone)?.checked_sub_months(Months::new(m))?, zone, overlap),
    }
}

/// The start of the natural period of `class` that contains `ms`: the minute, the top of the
/// hour, midnight, Monday midnight, the 1st of the month, of the quarter, of the year.
pub(crate) fn natural_start(ms: i64, class: IntervalType, zone: &Zone) -> Option<i64> {
    let local = local_of(ms, zone)?;
    let within_hour = i64::from(local.minute()) * MINUTE_MS + i64::from(local.second()) * 1000;
    let within_minute = i64::from(local.second()) * 1000 + i64::from(local.nanosecond() / 1_000_000);
    let date = local.date();
    let first_day: NaiveDate = match class {
        IntervalType::Minutes => return ms.checked_sub(within_minute),
        IntervalType::Hours => {
            let subsecond = i64::from(local.nanosecond() / 1_000_000);
            return ms.checked_sub(within_hour + subsecond);
        }
        IntervalType::Days => date,
        IntervalType::Weeks => date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))?,
        IntervalType::Months => date.with_day(1)?,
        IntervalType::Seasons => NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1)?,
        IntervalType::Years => NaiveDate::from_ymd_opt(date.year(), 1, 1)?,
    };
    instant_of(first_day.and_hms_opt(0, 0, 0)?, zone, Overlap::Earlier)
}
