//! `Calendar.add` for days and months, as Commons Lang's `DateUtils.addDays`/`addMonths` call
//! it: calendar arithmetic on the local date that keeps the wall-clock time.
//!
//! Days: Java moves the local date and keeps the time of day; if the zone offset differs at the
//! result, it shifts by the difference unless that would change the date (so 09:00 stays 09:00
//! across a DST change). Months: the day of month is clamped to the target month's length
//! (31 January + 1 month = 28/29 February) and the wall time resolved as Java resolves it.

use super::calendar::{CalendarSystem, MS_PER_DAY, fixed_date, local_ms_of, month_length, system_of_fixed};
use super::format::LocalInstant;
use super::java_zone::offset_seconds_at;
use super::wall_time::wall_to_instant;
use crate::zone::Zone;

/// The largest distance from the epoch a date may have (about ±262,000 years, chrono's range).
pub const MAX_DATE_MS: i64 = 8_200_000_000_000_000;

fn in_range(ms: i64) -> Option<i64> {
    (-MAX_DATE_MS..=MAX_DATE_MS).contains(&ms).then_some(ms)
}

/// `epoch_ms` plus `days` calendar days in `zone`; `None` outside [`MAX_DATE_MS`].
pub fn add_days(epoch_ms: i64, days: i64, zone: &Zone) -> Option<i64> {
    in_range(epoch_ms)?;
    let offset_ms = |ms: i64| offset_seconds_at(zone, ms) * 1000;
    let old_offset = offset_ms(epoch_ms);
    let local = epoch_ms.checked_add(old_offset)?;
    let target_local = local.checked_add(days.checked_mul(MS_PER_DAY)?)?;
    let target_day = target_local.div_euclid(MS_PER_DAY);
    let mut result = in_range(target_local.checked_sub(old_offset)?)?;
    let difference = old_offset - offset_ms(result);
    if difference != 0 {
        let shifted = result + difference;
        if (shifted + offset_ms(shifted)).div_euclid(MS_PER_DAY) == target_day {
            result = shifted;
        }
    }
    in_range(result)
}

/// `epoch_ms` plus `months` calendar months in `zone`, day clamped to the month's end; `None`
/// outside [`MAX_DATE_MS`].
pub fn add_months(epoch_ms: i64, months: i64, zone: &Zone) -> Option<i64> {
    in_range(epoch_ms)?;
    if months.unsigned_abs() > 12 * 600_000 {
        return None;
    }
    let local = LocalInstant::new(epoch_ms, zone);
    let f = &local.fields;
    let total = f.normalized_year * 12 + (f.month - 1) + months;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let system = system_of_fixed(fixed_date(CalendarSystem::Gregorian, year, month, 1));
    let day = f.day_of_month.min(month_length(system, year, month));
    let ms_of_day = epoch_ms.saturating_add(local.offset_seconds * 1000).rem_euclid(MS_PER_DAY);
    let local_ms = local_ms_of(fixed_date(system, year, month, day), ms_of_day);
    in_range(wall_to_instant(zone, local_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
    }

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        let shanghai = Zone::parse("Asia/Shanghai").unwrap();
        assert_eq!(add_months(utc("2024-01-31T10:00:00+08:00"), 1, &shanghai), Some(utc("2024-02-29T10:00:00+08:00")));
        assert_eq!(add_months(utc("2023-01-31T10:00:00+08:00"), 1, &shanghai), Some(utc("2023-02-28T10:00:00+08:00")));
        assert_eq!(
            add_months(utc("2024-03-31T10:00:00+08:00"), -13, &shanghai),
            Some(utc("2023-02-28T10:00:00+08:00"))
        );
    }

    #[test]
    fn days_keep_the_wall_clock_across_dst() {
        let ny = Zone::parse("America/New_York").unwrap();
        assert_eq!(add_days(utc("2026-03-07T09:00:00-05:00"), 1, &ny), Some(utc("2026-03-08T09:00:00-04:00")));
        assert_eq!(add_days(utc("2026-11-01T09:00:00-05:00"), -1, &ny), Some(utc("2026-10-31T09:00:00-04:00")));
        assert_eq!(add_days(0, i64::MAX, &ny), None);
        assert_eq!(add_months(0, i64::MIN, &ny), None);
    }
}
