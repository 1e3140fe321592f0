//! The `Job` object (JOBS.md §6.5): the instance's name, plan and start times, and the statuses
//! and outputs of its nodes.
//!
//! Decisions where the docs are silent: `getRunningData` and `getInsertJobId` are CLOUD-only and
//! return null; dlf has no scheduling calendars yet, so `getPreviousWorkday` and
//! `getPreviousNonWorkday` (the job's own calendar) return null — "no such day" — after
//! checking their arguments, and the `getCalendar…` methods fail with "unknown calendar";
//! `getNodeOutput` of a node that produced nothing is the text `null`, and an output longer
//! than 32,768 characters is replaced by `DLF.ERROR:upstream output is larger than limit`.

use super::arguments::Args;
use super::context::ElContext;
use super::date_patterns::{date_in_range, format_with_pattern};
use super::error::ElError;
use super::eval::unknown_method;
use super::value::{BuiltinObject, Value};
use crate::datefmt::add_days;

/// The longest node output `getNodeOutput` hands over.
pub const MAX_NODE_OUTPUT_CHARS: usize = 32_768;
/// What `getNodeOutput` returns instead of a longer output.
pub const OUTPUT_TOO_LARGE: &str = "DLF.ERROR:upstream output is larger than limit";

/// `Job.<name>`.
pub(crate) fn property(ctx: &ElContext, name: &str, position: usize) -> Result<Value, ElError> {
    Ok(match name {
        "name" => Value::Str(ctx.job_name.to_string()),
        "planTime" => Value::Date(ctx.plan_time_ms),
        "startTime" => Value::Date(ctx.start_time_ms),
        "eventData" => ctx.event_data.map_or(Value::Null, |d| Value::Str(d.to_string())),
        "projectId" => Value::Str(ctx.project_id.to_string()),
        "trigger" => Value::Object(BuiltinObject::JobTrigger),
        other => {
            return Err(ElError::new(position, format!("Job has no property '{other}'")));
        }
    })
}

/// `Job.trigger.<name>`: only `obsNewFiles`, which is CLOUD-only (null).
pub(crate) fn trigger_property(name: &str, position: usize) -> Result<Value, ElError> {
    match name {
        "obsNewFiles" => Ok(Value::Null),
        other => Err(ElError::new(position, format!("Job.trigger has no property '{other}'"))),
    }
}

/// `Job.<name>(args)`.
pub(crate) fn call(ctx: &ElContext, name: &str, args: &Args) -> Result<Value, ElError> {
    let zone = &ctx.service_zone;
    let text = |s: String| Ok(Value::Str(s));
    match (name, args.len()) {
        ("getNodeStatus", 1) => {
            let node = args.required_string(0)?;
            let status = ctx.nodes.node_status(&node).map_err(|e| args.error(e.to_string()))?;
            Ok(status.map_or(Value::Null, Value::Str))
        }
        ("getNodeOutput", 1) => {
            let node = args.required_string(0)?;
            let output = ctx.nodes.node_output(&node).map_err(|e| args.error(e.to_string()))?;
            let output = output.unwrap_or_else(|| "null".to_string());
            if output.chars().count() > MAX_NODE_OUTPUT_CHARS {
                return text(OUTPUT_TOO_LARGE.to_string());
            }
            text(output)
        }
        ("getParam", 1) => Ok(ctx.params.own_param(&args.required_string(0)?).map_or(Value::Null, Value::Str)),
        ("getPlanTime", 1) => text(format_with_pattern(args, 0, ctx.plan_time_ms, zone)?),
        ("getYesterday", 1) => {
            let yesterday = date_in_range(add_days(ctx.plan_time_ms, -1, zone), args)?;
            text(format_with_pattern(args, 0, yesterday, zone)?)
        }
        ("getLastHour", 1) => {
            let last_hour = date_in_range(ctx.plan_time_ms.checked_sub(3_600_000), args)?;
            text(format_with_pattern(args, 0, last_hour, zone)?)
        }
        ("getRunningData", 1) | ("getInsertJobId", 0 | 1) => {
            if args.len() == 1 {
                args.string(0)?;
            }
            Ok(Value::Null)
        }
        ("getPreviousWorkday" | "getPreviousNonWorkday", 2) => {
            workday_arguments(args, 0)?;
            Ok(Value::Null)
        }
        (
            "getCalendarPreviousWorkday"
            | "getCalendarPreviousNonWorkday"
            | "getCalendarNextWorkday"
            | "getCalendarNextNonWorkday",
            3,
        ) => {
            let calendar = args.required_string(0)?;
            workday_arguments(args, 1)?;
            Err(args.error(format!("{}: unknown calendar '{calendar}' (dlf has no calendars)", args.method)))
        }
        _ => Err(unknown_method("Job", name, args)),
    }
}

/// Checks `n` (a positive integer) and the pattern of a workday method.
fn workday_arguments(args: &Args, n_index: usize) -> Result<(), ElError> {
    let n = args.int(n_index)?;
    if n < 1 {
        return Err(ElError::expected(
            args.positions.get(n_index).copied().unwrap_or(args.position),
            format!("{}: n must be a positive integer, got {n}", args.method),
            "a positive integer",
        ));
    }
    super::date_patterns::compile(args, n_index + 1)?;
    Ok(())
}
