//! The day step of the search: day-of-month rules (`15`, `L`, `L-n`, `15W`, `LW`) and
//! day-of-week rules (`MON-FRI`, `6L`, `6#3`), with Quartz's exact arithmetic.
//!
//! Quartz's arithmetic here has consequences worth knowing:
//!
//! * a day-of-week whose next match lies past the end of the month restarts the search at the
//!   1st of the next month, and `n#k` / `nL` do the same when the month has no such day;
//! * `W` probes the candidate day *as written* in the current month, so `31W` in April probes
//!   "31 April", which a lenient calendar reads as 1 May (a Friday): April gets no fire time,
//!   and the search moves to May (golden row `0 0 12 31W * ?`);
//! * `W` never crosses a month boundary: `1W` on a Saturday fires Monday the 3rd, and a last
//!   day on a Sunday fires Friday;
//! * `L-n` larger than the month (`L-30` in February) skips that month;
//! * the `n#k` arithmetic is Java `int` arithmetic: day-of-week values after `#` are not range
//!   checked by Quartz (`9#2` is accepted), so wrapping is reproduced to the bit.

use super::civil::month_length;
use super::error::CronField;
use super::lenient_calendar::{LenientCalendar, OutOfRange};
use super::next::{Round, Search, Step};

const SUNDAY: i64 = 1;
const SATURDAY: i64 = 7;

impl Search<'_, '_, '_> {
    /// Matches the day of month against whichever of day-of-month / day-of-week is given.
    pub(super) fn match_day(&mut self) -> Step {
        let day = self.calendar.day()?;
        let month = self.calendar.month()?;
        let schedule = self.schedule;
        let verdict = match (schedule.day_of_month_given(), schedule.day_of_week_given()) {
            (true, false) => by_day_of_month(self, day, month)?,
            (false, true) => by_day_of_week(self, day, month)?,
            // The parser rejects both and neither; Quartz throws here.
            _ => Some(Round::NoneLeft),
        };
        if verdict.is_none() {
            self.calendar.set_day(day);
        }
        Ok(verdict)
    }
}

/// Moves the calendar to midnight of `day` in `month` (1-based, may be 13) and asks for a new round.
fn restart_at(calendar: &mut LenientCalendar<'_>, day: i64, month: i64) -> Step {
    calendar.set_midnight();
    calendar.set_day(day);
    calendar.set_month0(month - 1);
    Ok(Some(Round::Again))
}

fn by_day_of_month(search: &mut Search<'_, '_, '_>, current_day: i64, current_month: i64) -> Step {
    let schedule = search.schedule;
    let days = schedule.set(CronField::DayOfMonth);
    let offset = i64::from(schedule.last_day_offset);
    let mut day;
    let mut month = current_month;
    let mut unchanged_day = -1;
    let mut unchanged_month = current_month;
    if schedule.last_day_of_month {
        unchanged_day = current_day;
        let year = search.calendar.year()?;
        day = month_length(month, year) - offset;
        if !schedule.nearest_weekday {
            if unchanged_day > day {
                month += 1;
                if month > 12 {
                    month = 1;
                    unchanged_month = -1;
                    search.calendar.add_one_year()?;
                }
                day = 1;
            }
        } else if nearest_weekday_is_past(search, year, month, &mut day)? {
            day = 1;
            month += 1;
        }
    } else if schedule.nearest_weekday {
        unchanged_day = current_day;
        let Some(first) = days.first() else { return Ok(Some(Round::NoneLeft)) };
        day = i64::from(first);
        let year = search.calendar.year()?;
        if nearest_weekday_is_past(search, year, month, &mut day)? {
            day = i64::from(first);
            month += 1;
        }
    } else if let Some(next) = days.first_at_or_after(current_day) {
        unchanged_day = current_day;
        day = i64::from(next);
        if day > month_length(month, search.calendar.year()?) {
            day = days.first().map_or(day, i64::from);
            month += 1;
        }
    } else {
        let Some(first) = days.first() else { return Ok(Some(Round::NoneLeft)) };
        day = i64::from(first);
        month += 1;
    }
    if day != unchanged_day || month != unchanged_month {
        return restart_at(search.calendar, day, month);
    }
    Ok(None)
}

/// Moves `day` (in `month` of `year`) to the nearest weekday as Quartz does, and says whether
/// that weekday, at the time of day being tried, is already before the search start.
fn nearest_weekday_is_past(
    search: &mut Search<'_, '_, '_>,
    year: i64,
    month: i64,
    day: &mut i64,
) -> Result<bool, OutOfRange> {
    let zone = search.calendar.zone();
    // Quartz probes with a second calendar: midnight of `day` in `month`, read leniently.
    let mut probe = LenientCalendar::at_fields(zone, year, month - 1, *day);
    let weekday = probe.day_of_week()?;
    let last_day = month_length(month, year);
    *day = match weekday {
        SATURDAY if *day == 1 => *day + 2,
        SATURDAY => *day - 1,
        SUNDAY if *day == last_day => *day - 2,
        SUNDAY => *day + 1,
        _ => *day,
    };
    probe.set_second(search.second_chosen);
    probe.set_minute(search.calendar.minute()?);
    probe.set_hour(search.calendar.hour()?);
    probe.set_day(*day);
    probe.set_month0(month - 1);
    let candidate_ms = probe.instant_ms()?;
    // Quartz's probe keeps the wall clock's current milliseconds, so "before the start" is
    // decided to the second only when the start has no milliseconds; dlf takes the reading that
    // never skips a valid day (probe at .999).
    Ok(candidate_ms + 999 < search.start_ms)
}

fn by_day_of_week(search: &mut Search<'_, '_, '_>, current_day: i64, month: i64) -> Step {
    let schedule = search.schedule;
    let weekdays = schedule.set(CronField::DayOfWeek);
    let Some(first) = weekdays.first() else { return Ok(Some(Round::NoneLeft)) };
    let today = java_int(search.calendar.day_of_week()?);
    let day = java_int(current_day);
    let last_day = java_int(month_length(month, search.calendar.year()?));
    if schedule.last_day_of_week {
        let mut days_to_add = days_until(today, first);
        if day.wrapping_add(days_to_add) > last_day {
            return restart_at(search.calendar, 1, month + 1);
        }
        // Jump whole weeks to the last such weekday of the month.
        let room = last_day.wrapping_sub(day.wrapping_add(days_to_add));
        if room >= 7 {
            days_to_add = days_to_add.wrapping_add(room / 7 * 7);
        }
        if days_to_add > 0 {
            return restart_at(search.calendar, i64::from(day.wrapping_add(days_to_add)), month);
        }
    } else if schedule.nth_day_of_week != 0 {
        let days_to_add = days_until(today, first);
        let shifted = days_to_add > 0;
        let day = day.wrapping_add(days_to_add);
        let mut week_of_month = day / 7;
        if day % 7 > 0 {
            week_of_month += 1;
        }
        let days_to_add = schedule.nth_day_of_week.wrapping_sub(week_of_month).wrapping_mul(7);
        let day = day.wrapping_add(days_to_add);
        if days_to_add < 0 || day > last_day {
            return restart_at(search.calendar, 1, month + 1);
        }
        if days_to_add > 0 || shifted {
            return restart_at(search.calendar, i64::from(day), month);
        }
    } else {
        let wanted = weekdays.first_at_or_after(i64::from(today)).unwrap_or(first);
        let days_to_add = days_until(today, wanted);
        if day.wrapping_add(days_to_add) > last_day {
            return restart_at(search.calendar, 1, month + 1);
        }
        if days_to_add > 0 {
            return restart_at(search.calendar, i64::from(day.wrapping_add(days_to_add)), month);
        }
    }
    Ok(None)
}

/// Days from weekday `today` to weekday `wanted` (Quartz's formula, in Java `int` arithmetic).
fn days_until(today: i32, wanted: i32) -> i32 {
    if today < wanted {
        wanted.wrapping_sub(today)
    } else if today > wanted {
        wanted.wrapping_add(7 - today)
    } else {
        0
    }
}

/// A calendar field (always small) as the Java `int` Quartz computes with.
fn java_int(value: i64) -> i32 {
    i32::try_from(value).unwrap_or(if value < 0 { i32::MIN } else { i32::MAX })
}
