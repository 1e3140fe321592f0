//! How an item's values enter a field's set: Quartz's `addToSet` and its range checks.
//!
//! The checks are Quartz's, including their gaps: the markers of `*` (99) and `?` (98, in
//! day-of-month and day-of-week) pass the range check, so `99` means `*`; `a-b/n` is not
//! increment-checked while `a/n` and `*/n` are; a range whose end is below its start wraps
//! around the field (`22-2`, `FRI-MON`) except in the year, where it is an error. Expansion
//! uses Java `int` arithmetic, so absurd increments wrap exactly as in Quartz.

use super::error::{CronError, CronField};
use super::parse_item::Item;
use super::schedule::{QUARTZ_MAX_YEAR, Schedule};
use super::value_set::{ALL_SPEC, NO_SPEC};

/// Years after [`QUARTZ_MAX_YEAR`] can never fire, so they are all stored as this one value.
const YEAR_BEYOND_REACH: i32 = QUARTZ_MAX_YEAR + 1;

/// Bound on the values one range item may produce (Quartz's own loop only ends by overflow for
/// absurd increments; real items produce at most a few hundred values).
const MAX_RANGE_STEPS: usize = 10_000;

/// Adds `start`, or `start..=end` every `increment`, to the item's field (Quartz's `addToSet`).
/// `increment` 0 or -1 means a single value; `end` -1 means "to the field's maximum".
pub(super) fn add_values(
    schedule: &mut Schedule,
    item: &Item<'_>,
    start: i32,
    end: i32,
    increment: i32,
) -> Result<(), CronError> {
    let field = item.field;
    check_range(item, start, end)?;
    let set = &mut schedule.sets[field.index()];
    if (increment == 0 || increment == -1) && start != ALL_SPEC {
        set.insert(if field == CronField::Year { start.min(YEAR_BEYOND_REACH) } else { start });
        return Ok(());
    }
    let mut increment = increment;
    if start == ALL_SPEC && increment <= 0 {
        increment = 1;
        set.insert(ALL_SPEC);
    }
    let (min, max) = field_bounds(field);
    let from = if start == ALL_SPEC { min } else { start };
    let mut to = if end == -1 { max } else { end };
    let mut wrap_at = None;
    if to < from {
        let modulus = match field {
            CronField::Second | CronField::Minute => 60,
            CronField::Hour => 24,
            CronField::DayOfMonth => 31,
            CronField::Month => 12,
            CronField::DayOfWeek => 7,
            CronField::Year => {
                return Err(item.error(format!("'{item}': the start year must be less than the end year")));
            }
        };
        to += modulus;
        wrap_at = Some(modulus);
    }
    let one_based = matches!(field, CronField::DayOfMonth | CronField::Month | CronField::DayOfWeek);
    let mut value = from;
    for _ in 0..MAX_RANGE_STEPS {
        if value > to {
            break;
        }
        if field == CronField::Year && value > QUARTZ_MAX_YEAR {
            set.insert(YEAR_BEYOND_REACH);
            break;
        }
        let member = match wrap_at {
            None => value,
            Some(modulus) => match value.wrapping_rem(modulus) {
                0 if one_based => modulus,
                rest => rest,
            },
        };
        set.insert(member);
        value = value.wrapping_add(increment);
    }
    Ok(())
}

/// Quartz's range check in `addToSet`; the `*` and `?` markers pass it.
fn check_range(item: &Item<'_>, start: i32, end: i32) -> Result<(), CronError> {
    let (low, high, lets_no_spec_through) = match item.field {
        CronField::Second | CronField::Minute => (0, 59, false),
        CronField::Hour => (0, 23, false),
        CronField::DayOfMonth => (1, 31, true),
        CronField::Month => (1, 12, false),
        // Quartz tests `== 0` rather than `< 1` here; no negative value can reach it.
        CronField::DayOfWeek => (1, 7, true),
        CronField::Year => return Ok(()),
    };
    let out_of_range = start < low || start > high || end > high;
    let is_marker = start == ALL_SPEC || (lets_no_spec_through && start == NO_SPEC);
    if out_of_range && !is_marker {
        return Err(item.error(format!("'{item}': values must be between {low} and {high}")));
    }
    Ok(())
}

/// Quartz's `checkIncrementRange` (applied to `*/n` and `a/n`, but not to `a-b/n`).
pub(super) fn check_increment(item: &Item<'_>, increment: i32) -> Result<(), CronError> {
    let largest = match item.field {
        CronField::Second | CronField::Minute => 59,
        CronField::Hour => 23,
        CronField::DayOfMonth => 31,
        CronField::Month => 12,
        CronField::DayOfWeek => 7,
        CronField::Year => return Ok(()),
    };
    if increment > largest {
        return Err(item.error(format!("'{item}': the increment {increment} is too large (at most {largest})")));
    }
    Ok(())
}

/// The values `*` stands for in each field.
fn field_bounds(field: CronField) -> (i32, i32) {
    match field {
        CronField::Second | CronField::Minute => (0, 59),
        CronField::Hour => (0, 23),
        CronField::DayOfMonth => (1, 31),
        CronField::Month => (1, 12),
        CronField::DayOfWeek => (1, 7),
        CronField::Year => (1970, QUARTZ_MAX_YEAR),
    }
}
