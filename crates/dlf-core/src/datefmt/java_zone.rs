//! The JDK's view of a zone's history (`sun.util.calendar.ZoneInfo`), which the old date API
//! (`SimpleDateFormat`, `Calendar`, `Date.toString`) uses and which differs from the tz database
//! that chrono-tz carries in two ways:
//!
//! - the JDK drops transitions before 1900-01-01T00:00Z and answers instants before that with the
//!   zone's current standard offset and no daylight saving (no local mean time: New York in 1800
//!   is `-0500`, Shanghai `+0800`);
//! - the JDK's data uses the "rearguard" form: Irish and Moroccan time have a standard offset of
//!   0 and a positive daylight saving (`IST`, `WEST`), where the tz database writes +1 with a
//!   negative saving in winter (Ireland) or during Ramadan (Morocco);
//! - the JDK applies a zone's last annual rule forever, while chrono-tz's table ends in 2099:
//!   a later instant is answered from the year in 2072–2099 that has the same calendar.

use super::calendar::{CalendarSystem, MS_PER_DAY, day_of_week, fields_of_local_ms, fixed_date, is_gregorian_leap};
use crate::zone::Zone;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::{OffsetComponents, Tz};

/// 1900-01-01T00:00:00Z: the first instant for which the JDK keeps zone history.
const JDK_HISTORY_START_MS: i64 = -2_208_988_800_000;

/// 2100-01-01T00:00Z: chrono-tz's transition table ends before this.
const TABLE_END_MS: i64 = 4_102_444_800_000;
/// Mid-January and mid-July 2099: a zone whose offsets differ then still follows an annual rule.
const LAST_WINTER_MS: i64 = 4_071_513_600_000;
const LAST_SUMMER_MS: i64 = 4_087_152_000_000;

/// Zones whose tz-database form has a negative daylight saving (Java: standard offset 0).
const NEGATIVE_SAVING_ZONES: [&str; 4] = ["Europe/Dublin", "Eire", "Africa/Casablanca", "Africa/El_Aaiun"];

fn table_offset_at(tz: Tz, epoch_ms: i64) -> Option<<Tz as TimeZone>::Offset> {
    let instant = DateTime::<Utc>::from_timestamp_millis(epoch_ms)?;
    Some(tz.offset_from_utc_datetime(&instant.naive_utc()))
}

fn has_annual_rule(tz: Tz) -> bool {
    let total = |ms| table_offset_at(tz, ms).map(|o| o.base_utc_offset() + o.dst_offset());
    total(LAST_WINTER_MS) != total(LAST_SUMMER_MS)
}

/// The instant with the same position in a year of 2072–2099 that has the same calendar (same
/// leap-ness, same weekday on 1 January), so that annual rules give the same answer.
fn same_calendar_instant_before_2100(epoch_ms: i64) -> i64 {
    let year = fields_of_local_ms(epoch_ms).normalized_year;
    let jan1 = fixed_date(CalendarSystem::Gregorian, year, 1, 1);
    for candidate in 2072..=2099 {
        let candidate_jan1 = fixed_date(CalendarSystem::Gregorian, candidate, 1, 1);
        if is_gregorian_leap(candidate) == is_gregorian_leap(year) && day_of_week(candidate_jan1) == day_of_week(jan1) {
            return epoch_ms.saturating_sub((jan1 - candidate_jan1).saturating_mul(MS_PER_DAY));
        }
    }
    epoch_ms
}

/// The tz-database offset at `epoch_ms`, with annual rules continued past the table's end.
fn tz_offset_at(tz: Tz, epoch_ms: i64) -> Option<<Tz as TimeZone>::Offset> {
    if epoch_ms >= TABLE_END_MS && has_annual_rule(tz) {
        return table_offset_at(tz, same_calendar_instant_before_2100(epoch_ms));
    }
    table_offset_at(tz, epoch_ms)
}

/// The zone's current standard offset in seconds (Java's `getRawOffset()`).
fn raw_offset_seconds(tz: Tz) -> i64 {
    let base = table_offset_at(tz, TABLE_END_MS).map_or(0, |offset| offset.base_utc_offset().num_seconds());
    if NEGATIVE_SAVING_ZONES.contains(&tz.name()) { base - 3600 } else { base }
}

/// The total UTC offset in seconds that Java applies at `epoch_ms`.
pub(crate) fn offset_seconds_at(zone: &Zone, epoch_ms: i64) -> i64 {
    match zone {
        Zone::Iana(tz) if epoch_ms < JDK_HISTORY_START_MS => raw_offset_seconds(*tz),
        Zone::Iana(tz) => tz_offset_at(*tz, epoch_ms)
            .map_or(0, |offset| (offset.base_utc_offset() + offset.dst_offset()).num_seconds()),
        Zone::Fixed { offset, .. } => i64::from(offset.local_minus_utc()),
    }
}

/// Whether Java considers daylight saving time in force in `zone` at `epoch_ms`
/// (`DST_OFFSET != 0`).
pub(crate) fn is_daylight(zone: &Zone, epoch_ms: i64) -> bool {
    let Some(tz) = zone.iana() else { return false };
    if epoch_ms < JDK_HISTORY_START_MS {
        return false;
    }
    let Some(offset) = tz_offset_at(tz, epoch_ms) else {
        return false;
    };
    if NEGATIVE_SAVING_ZONES.contains(&tz.name()) {
        let total = (offset.base_utc_offset() + offset.dst_offset()).num_seconds();
        return total > raw_offset_seconds(tz);
    }
    offset.dst_offset().num_seconds() != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_1900_the_jdk_uses_the_current_standard_offset() {
        let ny = Zone::parse("America/New_York").unwrap();
        assert_eq!(offset_seconds_at(&ny, -5_000_000_000_000), -5 * 3600);
        let shanghai = Zone::parse("Asia/Shanghai").unwrap();
        assert_eq!(offset_seconds_at(&shanghai, -5_000_000_000_000), 8 * 3600);
        let dublin = Zone::parse("Europe/Dublin").unwrap();
        assert!(is_daylight(&dublin, 1_784_097_000_000));
        assert!(!is_daylight(&dublin, 1_769_000_000_000));
    }
}
