//! Proleptic-Gregorian day arithmetic on plain integers.
//!
//! The fire-time search moves a calendar whose fields may be far out of range (day 32, month
//! 13, second 99: Quartz leans on Java's lenient calendar), so it needs date arithmetic that
//! never panics and never allocates. chrono's `NaiveDate` refuses out-of-range fields, hence
//! these few functions (Howard Hinnant's `days_from_civil` algorithms).

/// Days from 1970-01-01 to `year-month-day`, where `month` is 1..=12 and `day` may be any
/// value (day 0 is the last day of the previous month, day 32 spills into the next month).
pub(super) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468 + (day - 1)
}

/// The civil date (year, month 1..=12, day 1..=31) of a day count from 1970-01-01.
pub(super) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Java's `Calendar.DAY_OF_WEEK` of a day count: 1 = Sunday … 7 = Saturday.
pub(super) fn day_of_week(days: i64) -> i64 {
    // 1970-01-01 was a Thursday (5).
    (days + 4).rem_euclid(7) + 1
}

/// Quartz's leap-year rule (Gregorian, whatever the year).
pub(super) fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Quartz's `getLastDayOfMonth`: the length of `month` (1..=12) in `year`.
pub(super) fn month_length(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_weekdays() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        // 2026-02-27 is a Friday (6).
        let d = days_from_civil(2026, 2, 27);
        assert_eq!(day_of_week(d), 6);
        assert_eq!(civil_from_days(d), (2026, 2, 27));
        // Lenient days spill over.
        assert_eq!(civil_from_days(days_from_civil(2026, 2, 29)), (2026, 3, 1));
        assert_eq!(civil_from_days(days_from_civil(2026, 3, 0)), (2026, 2, 28));
        for days in [-800_000, -1, 0, 59, 365 * 400, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn month_lengths() {
        assert_eq!(month_length(2, 2028), 29);
        assert_eq!(month_length(2, 2100), 28);
        assert_eq!(month_length(2, 2000), 29);
        assert_eq!(month_length(4, 2026), 30);
        assert_eq!(month_length(12, 2026), 31);
    }
}
