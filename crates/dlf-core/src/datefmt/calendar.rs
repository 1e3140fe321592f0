//! Java's `GregorianCalendar` field rules for `Locale.US`, computed from an instant and an offset.
//!
//! Why by hand: chrono is proleptic Gregorian with ISO weeks, while Java switches to the Julian
//! calendar before 1582-10-15, counts era-based years (44 BC, not -43), and numbers weeks from
//! Sunday with week 1 = the week that contains 1 January (minimal days 1). Those rules decide
//! what `w`, `W`, `F`, `D`, `Y` and `G` print, so they are reproduced here on "fixed dates"
//! (day 1 = 0001-01-01 Gregorian), the same representation the JDK's `sun.util.calendar` uses.

/// Milliseconds in one day.
pub(crate) const MS_PER_DAY: i64 = 86_400_000;
/// Fixed date of 1970-01-01 (Java's `EPOCH_OFFSET`).
const EPOCH_FIXED_DATE: i64 = 719_163;
/// Fixed date of 1582-10-15, the first Gregorian day (Java's default cutover).
const GREGORIAN_CUTOVER_FIXED_DATE: i64 = 577_736;
/// The year of the cutover in both calendars.
const CUTOVER_YEAR: i64 = 1582;
/// Fixed date of the day before 0001-01-01 Julian (as in `JulianCalendar`).
const JULIAN_EPOCH: i64 = -1;

/// Day-of-week numbers as Java's `Calendar` has them.
pub(crate) const SUNDAY: i64 = 1;

/// Which calendar a date is expressed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CalendarSystem {
    Julian,
    Gregorian,
}

/// The calendar fields of one local date and time, as Java's `Calendar.get` returns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CalendarFields {
    /// 0 = BC, 1 = AD.
    pub era: i64,
    /// Era-based year (≥ 1).
    pub year: i64,
    /// Signed year (1 BC = 0), used by `Date.toString()`.
    pub normalized_year: i64,
    /// 1–12.
    pub month: i64,
    pub day_of_month: i64,
    pub day_of_year: i64,
    /// 1 = Sunday … 7 = Saturday.
    pub day_of_week: i64,
    pub day_of_week_in_month: i64,
    pub week_of_year: i64,
    pub week_of_month: i64,
    pub week_year: i64,
    pub hour_of_day: i64,
    pub minute: i64,
    pub second: i64,
    pub millisecond: i64,
}

pub(crate) fn floor_div(a: i64, b: i64) -> i64 {
    a.div_euclid(b)
}

pub(crate) fn is_gregorian_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

pub(crate) fn is_julian_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0
}

fn is_leap(system: CalendarSystem, year: i64) -> bool {
    match system {
        CalendarSystem::Gregorian => is_gregorian_leap(year),
        CalendarSystem::Julian => is_julian_leap(year),
    }
}

/// Days in `month` (1–12) of `year`.
pub(crate) fn month_length(system: CalendarSystem, year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(system, year) => 29,
        _ => 28,
    }
}

/// Fixed date of `year`-`month`-`day` (signed year, month 1–12, day within the month).
pub(crate) fn fixed_date(system: CalendarSystem, year: i64, month: i64, day: i64) -> i64 {
    let prev = year - 1;
    let month_days = floor_div(367 * month - 362, 12)
        + if month <= 2 {
            0
        } else if is_leap(system, year) {
            -1
        } else {
            -2
        };
    match system {
        CalendarSystem::Gregorian => {
            365 * prev + floor_div(prev, 4) - floor_div(prev, 100) + floor_div(prev, 400) + month_days + day
        }
        CalendarSystem::Julian => JULIAN_EPOCH - 1 + 365 * prev + floor_div(prev, 4) + month_days + day,
    }
}

fn year_of_fixed(system: CalendarSystem, fixed: i64) -> i64 {
    match system {
        CalendarSystem::Gregorian => {
            let d0 = fixed - 1;
            let n400 = floor_div(d0, 146_097);
            let d1 = d0.rem_euclid(146_097);
            let n100 = floor_div(d1, 36_524);
            let d2 = d1.rem_euclid(36_524);
            let n4 = floor_div(d2, 1461);
            let d3 = d2.rem_euclid(1461);
            let n1 = floor_div(d3, 365);
            let year = 400 * n400 + 100 * n100 + 4 * n4 + n1;
            if n100 == 4 || n1 == 4 { year } else { year + 1 }
        }
        CalendarSystem::Julian => floor_div(4 * (fixed - JULIAN_EPOCH) + 1464, 1461),
    }
}

/// The calendar that Java uses for a local fixed date.
pub(crate) fn system_of_fixed(fixed: i64) -> CalendarSystem {
    if fixed >= GREGORIAN_CUTOVER_FIXED_DATE { CalendarSystem::Gregorian } else { CalendarSystem::Julian }
}

/// (signed year, month, day) of a fixed date in the given calendar.
pub(crate) fn date_of_fixed(system: CalendarSystem, fixed: i64) -> (i64, i64, i64) {
    let year = year_of_fixed(system, fixed);
    let prior_days = fixed - fixed_date(system, year, 1, 1);
    let correction = if fixed < fixed_date(system, year, 3, 1) {
        0
    } else if is_leap(system, year) {
        1
    } else {
        2
    };
    let month = floor_div(12 * (prior_days + correction) + 373, 367);
    let day = fixed - fixed_date(system, year, month, 1) + 1;
    (year, month, day)
}

/// Java day of week (1 = Sunday) of a fixed date.
pub(crate) fn day_of_week(fixed: i64) -> i64 {
    fixed.rem_euclid(7) + SUNDAY
}

/// The fixed date of the last Sunday on or before `fixed`.
fn sunday_on_or_before(fixed: i64) -> i64 {
    fixed - fixed.rem_euclid(7)
}

/// Java's `getWeekNumber` with first day Sunday and minimal days 1: the week (from 1) of
/// `fixed` in the period that starts at `period_start`.
fn week_number(period_start: i64, fixed: i64) -> i64 {
    let first_week_start = sunday_on_or_before(period_start);
    floor_div(fixed - first_week_start, 7) + 1
}

/// Fixed date of 1 January of the year that contains `fixed`, as Java sees it (in 1582 this is
/// the Julian 1 January even for the Gregorian part of the year).
fn year_start(system: CalendarSystem, year: i64) -> i64 {
    if year == CUTOVER_YEAR { fixed_date(CalendarSystem::Julian, year, 1, 1) } else { fixed_date(system, year, 1, 1) }
}

/// Fixed date of the next year's 1 January after the year `year` of `system`.
fn next_year_start(system: CalendarSystem, year: i64) -> i64 {
    let next = year + 1;
    let next_system = if next > CUTOVER_YEAR { CalendarSystem::Gregorian } else { system };
    year_start(next_system, next)
}

/// The calendar fields of a local time given as milliseconds since the epoch *in local time*
/// (UTC instant plus the zone offset).
pub(crate) fn fields_of_local_ms(local_ms: i64) -> CalendarFields {
    let days = floor_div(local_ms, MS_PER_DAY);
    let ms_of_day = local_ms.rem_euclid(MS_PER_DAY);
    let fixed = days.saturating_add(EPOCH_FIXED_DATE);
    let system = system_of_fixed(fixed);
    let (normalized_year, month, day_of_month) = date_of_fixed(system, fixed);

    let jan1 = year_start(system, normalized_year);
    let month1 = if normalized_year == CUTOVER_YEAR && month == 10 && system == CalendarSystem::Gregorian {
        fixed_date(CalendarSystem::Julian, normalized_year, 10, 1)
    } else {
        fixed - day_of_month + 1
    };
    let day_of_year = fixed - jan1 + 1;
    let relative_day_of_month = fixed - month1;

    let mut week_of_year = week_number(jan1, fixed);
    // Java checks every date of the short years around the cutover, and late dates of others.
    let near_cutover = (CUTOVER_YEAR - 1..=CUTOVER_YEAR).contains(&normalized_year);
    if week_of_year >= 52 || near_cutover {
        let next_jan1 = next_year_start(system, normalized_year);
        if fixed >= sunday_on_or_before(next_jan1) {
            week_of_year = 1;
        }
    }
    let week_year = if month == 1 && week_of_year >= 52 {
        normalized_year - 1
    } else if month != 1 && week_of_year == 1 {
        normalized_year + 1
    } else {
        normalized_year
    };
    let (era, year) = if normalized_year > 0 { (1, normalized_year) } else { (0, 1 - normalized_year) };
    CalendarFields {
        era,
        year,
        normalized_year,
        month,
        day_of_month,
        day_of_year,
        day_of_week: day_of_week(fixed),
        day_of_week_in_month: relative_day_of_month / 7 + 1,
        week_of_year,
        week_of_month: week_number(month1, fixed),
        week_year,
        hour_of_day: ms_of_day / 3_600_000,
        minute: ms_of_day / 60_000 % 60,
        second: ms_of_day / 1000 % 60,
        millisecond: ms_of_day % 1000,
    }
}

/// Local milliseconds (since the epoch, in local time) of a fixed date and time of day.
pub(crate) fn local_ms_of(fixed: i64, ms_of_day: i64) -> i64 {
    (fixed - EPOCH_FIXED_DATE).saturating_mul(MS_PER_DAY).saturating_add(ms_of_day)
}

/// Fixed date of a signed year, month and day as Java's lenient calendar resolves them: months
/// outside 1–12 roll into neighbouring years and days outside the month roll into neighbouring
/// months. The calendar is Julian when the result would fall before the cutover.
pub(crate) fn lenient_fixed_date(year: i64, month: i64, day: i64) -> i64 {
    let year = year + floor_div(month - 1, 12);
    let month = (month - 1).rem_euclid(12) + 1;
    let gregorian = fixed_date(CalendarSystem::Gregorian, year, month, 1) + day - 1;
    if gregorian >= GREGORIAN_CUTOVER_FIXED_DATE {
        gregorian
    } else {
        fixed_date(CalendarSystem::Julian, year, month, 1) + day - 1
    }
}

/// Fixed date of the first day of `year` (signed), in the calendar Java uses for it.
pub(crate) fn first_day_of_year(year: i64) -> i64 {
    if year > CUTOVER_YEAR {
        fixed_date(CalendarSystem::Gregorian, year, 1, 1)
    } else {
        fixed_date(CalendarSystem::Julian, year, 1, 1)
    }
}

/// Fixed date of the Sunday that starts week 1 of `week_year`.
pub(crate) fn first_week_start(week_year: i64) -> i64 {
    sunday_on_or_before(first_day_of_year(week_year))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_dates_match_the_jdk() {
        assert_eq!(fixed_date(CalendarSystem::Gregorian, 1970, 1, 1), EPOCH_FIXED_DATE);
        assert_eq!(fixed_date(CalendarSystem::Gregorian, 1582, 10, 15), GREGORIAN_CUTOVER_FIXED_DATE);
        assert_eq!(fixed_date(CalendarSystem::Julian, 1582, 10, 4), GREGORIAN_CUTOVER_FIXED_DATE - 1);
        for fixed in [-800_000, -1, 0, 1, 577_735, 577_736, 719_163, 738_000, 3_652_059] {
            for system in [CalendarSystem::Julian, CalendarSystem::Gregorian] {
                let (y, m, d) = date_of_fixed(system, fixed);
                assert_eq!(fixed_date(system, y, m, d), fixed, "{system:?} {fixed}");
            }
        }
    }

    #[test]
    fn the_day_before_the_cutover_is_julian_october_4() {
        let f = fields_of_local_ms(-12_219_292_800_001);
        assert_eq!((f.year, f.month, f.day_of_month), (1582, 10, 4));
    }

    #[test]
    fn sunday_first_weeks() {
        // 2026-12-31 (Thursday) belongs to week 1 of 2027.
        let f = fields_of_local_ms(1_798_732_799_999 + 8 * 3_600_000);
        assert_eq!((f.week_of_year, f.week_year), (1, 2027));
    }
}
