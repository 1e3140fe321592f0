//! Java `SimpleDateFormat` patterns (`Locale.US`, JDK 17), formatting and parsing.
//!
//! DLF users write Java date patterns in `DateUtil.format`, `Job.getPlanTime` and friends, and
//! expect the text Java prints. chrono's formatter speaks strftime and ISO weeks, and the only
//! Rust crate for Java patterns is too small to trust (research/crates.md §8), so this module
//! reproduces `SimpleDateFormat` by hand:
//!
//! - `pattern`: compiling a pattern, with Java's `IllegalArgumentException` cases as errors;
//! - `calendar`: `GregorianCalendar` fields (Julian before 1582-10-15, era years, Sunday-first
//!   weeks with minimal days 1, week-year);
//! - `format` and `parse`: the two directions;
//! - `calendar_add`: `Calendar.add` of days and months (Commons Lang `DateUtils`);
//! - `zone_display` and `zone_names`: the CLDR zone names JDK 17 prints for `z`/`zzzz`;
//! - `java_zone`: the JDK's view of zone history (no offsets before 1900, Irish summer time);
//! - `wall_time`: Java's choice of instant for a local time in a DST gap or overlap.
//!
//! The golden file `testdata/simpledateformat.tsv` (JDK 17 output) is the reference; every row
//! is a test, and `tests/el_date_patterns_jdk17.rs` adds JDK 17 output for instants around the
//! 1582 cutover, before 1900 and after 2100. Known difference: Morocco (`Africa/Casablanca`,
//! `Africa/El_Aaiun`), whose JDK data (Ramadan rules in the rearguard form) chrono-tz does not
//! reproduce, may differ in offset and `z` name for some dates.

mod calendar;
mod calendar_add;
mod format;
mod java_zone;
mod names;
mod parse;
mod pattern;
mod wall_time;
mod zone_display;
mod zone_names;

use crate::zone::Zone;
use pattern::PatternItem;

pub use calendar_add::{MAX_DATE_MS, add_days, add_months};
pub(crate) use format::LocalInstant;

/// A pattern Java would reject, or text that does not match a pattern.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DateFormatError {
    /// Java's message, e.g. `Illegal pattern character 'T'` or `Unparseable date: "x"`.
    pub message: String,
}

impl DateFormatError {
    pub(crate) fn new(message: String) -> DateFormatError {
        DateFormatError { message }
    }
}

/// A compiled `SimpleDateFormat` pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatePattern {
    items: Vec<PatternItem>,
}

impl DatePattern {
    /// Compiles `pattern` as `new SimpleDateFormat(pattern, Locale.US)` would, failing where
    /// Java's constructor throws.
    pub fn compile(pattern: &str) -> Result<DatePattern, DateFormatError> {
        Ok(DatePattern { items: pattern::compile(pattern)? })
    }

    /// The text Java prints for the instant `epoch_ms` with the formatter's zone set to `zone`.
    pub fn format(&self, epoch_ms: i64, zone: &Zone) -> String {
        format::format_items(&self.items, epoch_ms, zone)
    }

    /// Parses `text` as a lenient `SimpleDateFormat.parse(String)` in `zone` and returns epoch
    /// milliseconds. `now_ms` is "now" for the two-digit-year window of `yy` (Java takes the
    /// clock when the format is built; this crate never reads the clock).
    pub fn parse(&self, text: &str, zone: &Zone, now_ms: i64) -> Result<i64, DateFormatError> {
        parse::parse_items(&self.items, text, zone, now_ms)
    }
}

/// The text of Java's `Date.toString()` in `zone`: `EEE MMM dd HH:mm:ss zzz yyyy`
/// (e.g. `Sat Feb 07 09:05:03 CST 2026`; the year is era-based, without `BC`), which is how a
/// date renders into text.
pub fn java_date_to_string(epoch_ms: i64, zone: &Zone) -> String {
    let local = LocalInstant::new(epoch_ms, zone);
    let f = &local.fields;
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} {} {}",
        names::WEEKDAYS_SHORT[(f.day_of_week - 1) as usize],
        names::MONTHS_SHORT[(f.month - 1) as usize],
        f.day_of_month,
        f.hour_of_day,
        f.minute,
        f.second,
        zone_display::zone_name(zone, epoch_ms, false),
        f.year
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_instants_format_without_panicking() {
        let all_letters = DatePattern::compile("G y Y M L d D E u F w W a H k K h m s S z zzzz Z X XX XXX").unwrap();
        for zone in ["America/New_York", "Europe/Dublin", "UTC", "GMT-05:30"] {
            let zone = Zone::parse(zone).unwrap();
            for ms in [i64::MIN, i64::MIN + 1, -62_135_769_600_000, -1, 0, 4_102_444_800_000, i64::MAX] {
                assert!(!all_letters.format(ms, &zone).is_empty());
                assert!(!java_date_to_string(ms, &zone).is_empty());
            }
        }
    }

    #[test]
    fn date_to_string_matches_java() {
        let shanghai = Zone::parse("Asia/Shanghai").unwrap();
        assert_eq!(java_date_to_string(1_770_426_303_045, &shanghai), "Sat Feb 07 09:05:03 CST 2026");
        assert_eq!(java_date_to_string(0, &Zone::UTC), "Thu Jan 01 00:00:00 UTC 1970");
    }
}
