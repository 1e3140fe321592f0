//! The `DateUtil` object (JOBS.md §6.6): date arithmetic, fields and formatting, all in the
//! service time zone; day and month arithmetic follow Commons Lang `DateUtils` (wall clock kept,
//! month ends clamped), hours and minutes are exact durations.

use super::arguments::Args;
use super::context::ElContext;
use super::date_patterns::{compile, date_in_range, format_with_pattern};
use super::error::ElError;
use super::eval::unknown_method;
use super::value::Value;
use crate::datefmt::{LocalInstant, add_days, add_months};
use crate::zone::Zone;

/// `DateUtil.<name>(args)`.
pub(crate) fn call(ctx: &ElContext, name: &str, args: &Args) -> Result<Value, ElError> {
    let zone = &ctx.service_zone;
    let fields = |index: usize| -> Result<_, ElError> { Ok(LocalInstant::new(args.date(index)?, zone).fields) };
    match (name, args.len()) {
        ("format", 2) => Ok(Value::Str(format_with_pattern(args, 1, args.date(0)?, zone)?)),
        ("formatWithTimeZone", 3) => {
            let date = args.date(0)?;
            let zone_id = args.required_string(2)?;
            let other = Zone::parse(&zone_id).map_err(|e| {
                ElError::expected(args.positions[2], e.to_string(), "a zone such as GMT+8 or Asia/Shanghai")
            })?;
            Ok(Value::Str(format_with_pattern(args, 1, date, &other)?))
        }
        ("addMonths", 2) => Ok(Value::Date(date_in_range(add_months(args.date(0)?, args.int(1)?, zone), args)?)),
        ("addDays", 2) => Ok(Value::Date(date_in_range(add_days(args.date(0)?, args.int(1)?, zone), args)?)),
        ("addHours", 2) => exact_shift(args, 3_600_000),
        ("addMinutes", 2) => exact_shift(args, 60_000),
        ("getDay", 1) => Ok(Value::Int(fields(0)?.day_of_month)),
        ("getMonth", 1) => Ok(Value::Int(fields(0)?.month)),
        ("getQuarter", 1) => Ok(Value::Int((fields(0)?.month - 1) / 3 + 1)),
        ("getYear", 1) => Ok(Value::Int(fields(0)?.year)),
        ("now", 0) => Ok(Value::Date(ctx.now_ms)),
        ("getTime", 1) => Ok(Value::Int(args.date(0)?)),
        ("parseDate", 2) => {
            let text = args.required_string(0)?;
            let pattern = compile(args, 1)?;
            let parsed = pattern.parse(&text, zone, ctx.now_ms).map_err(|e| {
                ElError::expected(args.positions[0], format!("DateUtil.parseDate: {e}"), "text matching the pattern")
            })?;
            Ok(Value::Date(date_in_range(Some(parsed), args)?))
        }
        _ => Err(unknown_method("DateUtil", name, args)),
    }
}

/// `addHours`/`addMinutes`: `n` units of `unit_ms` added to the instant.
fn exact_shift(args: &Args, unit_ms: i64) -> Result<Value, ElError> {
    let date = args.date(0)?;
    let shifted = args.int(1)?.checked_mul(unit_ms).and_then(|delta| date.checked_add(delta));
    Ok(Value::Date(date_in_range(shifted, args)?))
}
