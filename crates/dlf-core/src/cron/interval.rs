//! A schedule's period class (`intervalType`) and period length, JOBS.md §4.2.
//!
//! Dependency windows and PatchData need to know "how often" a job runs. DLF stores that as
//! `intervalType` and, when it is absent, derives it from the expression the way Huawei's
//! importer does. dlf's sub-minute extension overrides both: a seconds field with more than one
//! value makes the job `minutes`-class, with the seconds step as its period.

use super::CronExpr;
use super::error::CronField;
use std::fmt;
use std::str::FromStr;

const SECOND_MS: i64 = 1000;
const MINUTE_MS: i64 = 60 * SECOND_MS;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// The period class of a schedule, as DLF writes it in `intervalType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntervalType {
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    Seasons,
    Years,
}

impl IntervalType {
    pub const ALL: [IntervalType; 7] = [
        IntervalType::Minutes,
        IntervalType::Hours,
        IntervalType::Days,
        IntervalType::Weeks,
        IntervalType::Months,
        IntervalType::Seasons,
        IntervalType::Years,
    ];

    /// The wire string: `minutes`, `hours`, `days`, `weeks`, `months`, `seasons`, `years`.
    pub fn as_str(self) -> &'static str {
        match self {
            IntervalType::Minutes => "minutes",
            IntervalType::Hours => "hours",
            IntervalType::Days => "days",
            IntervalType::Weeks => "weeks",
            IntervalType::Months => "months",
            IntervalType::Seasons => "seasons",
            IntervalType::Years => "years",
        }
    }

    /// Parses a wire string, ignoring case and surrounding blanks.
    pub fn parse(s: &str) -> Option<IntervalType> {
        let s = s.trim();
        IntervalType::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for IntervalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `intervalType` string that is none of the seven.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown intervalType '{0}': expected minutes, hours, days, weeks, months, seasons or years")]
pub struct UnknownIntervalType(pub String);

impl FromStr for IntervalType {
    type Err = UnknownIntervalType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IntervalType::parse(s).ok_or_else(|| UnknownIntervalType(s.to_string()))
    }
}

/// The length of one period: fixed milliseconds, or whole calendar months (which vary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Fixed(i64),
    Months(u32),
}

/// The period class of `expr` when the job document gives none (§4.2): a seconds field with
/// more than one value → minutes; day-of-week given → weeks; day-of-month other than `*` →
/// months; no `/` in minute or hour → days; `/` in hour → hours; otherwise minutes.
pub fn derive_interval_type(expr: &CronExpr) -> IntervalType {
    if is_sub_minute(expr) {
        return IntervalType::Minutes;
    }
    if expr.schedule.day_of_week_given() {
        return IntervalType::Weeks;
    }
    if expr.field_text(CronField::DayOfMonth) != Some("*") {
        return IntervalType::Months;
    }
    let has_step = |field| expr.field_text(field).is_some_and(|text| text.contains('/'));
    match (has_step(CronField::Minute), has_step(CronField::Hour)) {
        (false, false) => IntervalType::Days,
        (_, true) => IntervalType::Hours,
        (true, false) => IntervalType::Minutes,
    }
}

/// The period P of a job with this expression and period class (§4.2): minutes → the minute
/// step; hours → the hour step (1 hour when the hours are listed); days, weeks → 1 day, 7 days;
/// months, seasons, years → 1, 3, 12 months. A seconds field with more than one value wins
/// over all of these: P is the seconds step.
pub fn period_of(expr: &CronExpr, interval: IntervalType) -> Period {
    if is_sub_minute(expr) {
        return Period::Fixed(field_step(expr, CronField::Second, 60) * SECOND_MS);
    }
    match interval {
        IntervalType::Minutes => Period::Fixed(field_step(expr, CronField::Minute, 60) * MINUTE_MS),
        IntervalType::Hours => Period::Fixed(written_increment(expr, CronField::Hour, 24).unwrap_or(1) * HOUR_MS),
        IntervalType::Days => Period::Fixed(DAY_MS),
        IntervalType::Weeks => Period::Fixed(7 * DAY_MS),
        IntervalType::Months => Period::Months(1),
        IntervalType::Seasons => Period::Months(3),
        IntervalType::Years => Period::Months(12),
    }
}

/// dlf's sub-minute rule: the seconds field is not one single value.
fn is_sub_minute(expr: &CronExpr) -> bool {
    expr.schedule.set(CronField::Second).values().count() != 1
}

/// The step of a field in its own unit: the written `/N` if there is one, else the smallest gap
/// between its values, else (a single value) the whole `cycle`. Always within 1..=`cycle`.
fn field_step(expr: &CronExpr, field: CronField, cycle: i64) -> i64 {
    if let Some(step) = written_increment(expr, field, cycle) {
        return step;
    }
    let values: Vec<i64> = expr.schedule.set(field).values().map(i64::from).collect();
    values.windows(2).map(|pair| pair[1] - pair[0]).filter(|&gap| gap > 0).min().unwrap_or(cycle).min(cycle)
}

/// The `N` of the first `/N` written in the field, when it is a number in 1..=`cycle`. (Quartz
/// may have ignored the text: in `0-23x/99` everything after `0-23` is dropped, so a written
/// `N` outside the cycle says nothing about the schedule.)
fn written_increment(expr: &CronExpr, field: CronField, cycle: i64) -> Option<i64> {
    let text = expr.field_text(field)?;
    let (_, after_slash) = text.split_once('/')?;
    let digits: String = after_slash.chars().take_while(char::is_ascii_digit).skip_while(|&c| c == '0').collect();
    if digits.len() > 4 {
        return None;
    }
    digits.parse::<i64>().ok().filter(|n| (1..=cycle).contains(n))
}
