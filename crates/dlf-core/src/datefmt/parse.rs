//! Parsing text with a compiled pattern, as a lenient `SimpleDateFormat.parse(String)` does.
//!
//! The rules kept from Java: spaces and tabs before a field are skipped; a numeric field followed
//! directly by another numeric field reads exactly as many digits as its pattern letters
//! (`yyyyMMdd` reads `20260207`), otherwise as many digits as there are; names match without
//! regard to case, longest first; literal text must match exactly; text after the pattern is
//! ignored (`yyyy-MM-dd HH:mm:ss` reads `2024-01-07 10:00:00:123`); out-of-range values roll over
//! (month 13 is January of the next year); a two-digit `yy` year lands in the 100 years starting
//! 80 years before "now"; fields that were not given default to 1970-01-01 00:00:00.000 in the
//! zone, and a zone name or offset in the text overrides the zone.

use super::DateFormatError;
use super::calendar::{MS_PER_DAY, day_of_week, first_day_of_year, first_week_start, lenient_fixed_date, local_ms_of};
use super::format::LocalInstant;
use super::names::{AM_PM, ERAS, MONTHS_LONG, MONTHS_SHORT, WEEKDAYS_LONG, WEEKDAYS_SHORT};
use super::pattern::PatternItem;
use super::wall_time::wall_to_instant;
use super::zone_names::{ZONE_NAMES, ZoneNames, names_of};
use crate::zone::Zone;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::OffsetComponents;

/// Fields read from the text; `None` = not given.
#[derive(Default)]
struct ParsedFields {
    era: Option<i64>,
    year: Option<i64>,
    week_year: Option<i64>,
    month: Option<i64>,
    day_of_month: Option<i64>,
    day_of_year: Option<i64>,
    /// Java day of week, 1 = Sunday.
    day_of_week: Option<i64>,
    day_of_week_in_month: Option<i64>,
    week_of_year: Option<i64>,
    week_of_month: Option<i64>,
    hour_of_day: Option<i64>,
    /// 0–11 hour from `h`/`K`, combined with `a`.
    hour: Option<i64>,
    am_pm: Option<i64>,
    minute: Option<i64>,
    second: Option<i64>,
    millisecond: Option<i64>,
    /// Total offset east of UTC in seconds, when the text named a zone or offset.
    offset_seconds: Option<i64>,
    /// A two-digit year equal to the century start's: decided by the full date (Java's rule).
    ambiguous_year: bool,
}

/// Parses `text` with `items` in `zone`; `now_ms` anchors two-digit years.
pub(crate) fn parse_items(items: &[PatternItem], text: &str, zone: &Zone, now_ms: i64) -> Result<i64, DateFormatError> {
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0usize;
    let mut fields = ParsedFields::default();
    for (index, item) in items.iter().enumerate() {
        match item {
            PatternItem::Literal(literal) => {
                for expected in literal.chars() {
                    if chars.get(pos) != Some(&expected) {
                        return Err(unparseable(text, pos));
                    }
                    pos += 1;
                }
            }
            PatternItem::Field { letter, count } => {
                let obey_count = matches!(items.get(index + 1), Some(PatternItem::Field { letter: next, count: next_count }) if is_numeric_field(*next, *next_count));
                pos = parse_field(&chars, pos, *letter, *count, obey_count, zone, now_ms, &mut fields)
                    .ok_or_else(|| unparseable(text, pos))?;
            }
        }
    }
    let instant = resolve(&fields, zone);
    let century_start = century_start_ms(now_ms);
    if fields.ambiguous_year && instant < century_start {
        fields.year = fields.year.map(|year| year + 100);
        return Ok(resolve(&fields, zone));
    }
    Ok(instant)
}

/// Java's default century start: 80 years before now.
fn century_start_ms(now_ms: i64) -> i64 {
    let now = LocalInstant::new(now_ms, &Zone::UTC).fields;
    let fixed = lenient_fixed_date(now.normalized_year - 80, now.month, now.day_of_month);
    local_ms_of(fixed, now_ms.rem_euclid(MS_PER_DAY))
}

fn unparseable(text: &str, pos: usize) -> DateFormatError {
    DateFormatError::new(format!("Unparseable date: \"{text}\" (at offset {pos})"))
}

/// Whether a field is read as digits (Java's `shouldObeyCount` for the *next* field).
fn is_numeric_field(letter: char, count: usize) -> bool {
    match letter {
        'M' | 'L' => count <= 2,
        'G' | 'E' | 'a' | 'z' | 'Z' | 'X' => false,
        _ => true,
    }
}

#[allow(clippy::too_many_arguments)]
fn parse_field(
    chars: &[char],
    mut pos: usize,
    letter: char,
    count: usize,
    obey_count: bool,
    zone: &Zone,
    now_ms: i64,
    fields: &mut ParsedFields,
) -> Option<usize> {
    while matches!(chars.get(pos), Some(' ' | '\t')) {
        pos += 1;
    }
    if pos >= chars.len() {
        return None;
    }
    match letter {
        'G' => {
            let (value, end) = match_name(chars, pos, &[&ERAS])?;
            fields.era = Some(value as i64);
            return Some(end);
        }
        'M' | 'L' if count >= 3 => {
            let (value, end) = match_name(chars, pos, &[&MONTHS_LONG, &MONTHS_SHORT])?;
            fields.month = Some(value as i64 + 1);
            return Some(end);
        }
        'E' => {
            let (value, end) = match_name(chars, pos, &[&WEEKDAYS_LONG, &WEEKDAYS_SHORT])?;
            fields.day_of_week = Some(value as i64 + 1);
            return Some(end);
        }
        'a' => {
            let (value, end) = match_name(chars, pos, &[&AM_PM])?;
            fields.am_pm = Some(value as i64);
            return Some(end);
        }
        'z' | 'Z' | 'X' => {
            let (offset, end) = parse_zone(chars, pos, zone)?;
            fields.offset_seconds = Some(offset);
            return Some(end);
        }
        _ => {}
    }
    let limit = if obey_count { (pos + count).min(chars.len()) } else { chars.len() };
    let mut end = pos;
    while end < limit && chars[end].is_ascii_digit() {
        end += 1;
    }
    // More than nine digits overflow Java's int fields; refuse them rather than wrap.
    if end == pos || end - pos > 9 {
        return None;
    }
    let digits: String = chars[pos..end].iter().collect();
    let value: i64 = digits.parse().ok()?;
    match letter {
        'y' => {
            let two_digit = count <= 2 && end - pos == 2;
            if two_digit {
                let start_year = LocalInstant::new(century_start_ms(now_ms), &Zone::UTC).fields.normalized_year;
                fields.ambiguous_year = value == start_year.rem_euclid(100);
                fields.year = Some(two_digit_year(value, start_year));
            } else {
                fields.year = Some(value);
            }
        }
        'Y' => fields.week_year = Some(value),
        'M' | 'L' => fields.month = Some(value),
        'd' => fields.day_of_month = Some(value),
        'k' => fields.hour_of_day = Some(if value == 24 { 0 } else { value }),
        'H' => fields.hour_of_day = Some(value),
        'h' => fields.hour = Some(if value == 12 { 0 } else { value }),
        'K' => fields.hour = Some(value),
        'm' => fields.minute = Some(value),
        's' => fields.second = Some(value),
        'S' => fields.millisecond = Some(value),
        'D' => fields.day_of_year = Some(value),
        'F' => fields.day_of_week_in_month = Some(value),
        'w' => fields.week_of_year = Some(value),
        'W' => fields.week_of_month = Some(value),
        'u' => fields.day_of_week = Some(if value == 7 { 1 } else { value + 1 }),
        _ => return None,
    }
    Some(end)
}

/// Java's default century: a two-digit year lands in [now − 80 years, now + 20 years).
fn two_digit_year(value: i64, start_year: i64) -> i64 {
    let year = start_year.div_euclid(100) * 100 + value;
    if value < start_year.rem_euclid(100) { year + 100 } else { year }
}

/// The index of the longest name (case-insensitive) that starts at `pos`, and where it ends.
fn match_name(chars: &[char], pos: usize, tables: &[&[&str]]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for table in tables {
        for (index, name) in table.iter().enumerate() {
            if let Some(end) = match_ignore_case(chars, pos, name)
                && best.is_none_or(|(_, best_end)| end > best_end)
            {
                best = Some((index, end));
            }
        }
    }
    best
}

fn match_ignore_case(chars: &[char], pos: usize, name: &str) -> Option<usize> {
    let mut end = pos;
    for expected in name.chars() {
        let actual = chars.get(end)?;
        if !actual.eq_ignore_ascii_case(&expected) {
            return None;
        }
        end += 1;
    }
    Some(end)
}

/// Reads a zone: `GMT`/`UTC` with an optional offset, an RFC 822 `+0800`, ISO `Z`/`+08`/`+08:00`,
/// or a zone name (the formatter's zone first, then the US abbreviations Java prefers, then any).
fn parse_zone(chars: &[char], pos: usize, zone: &Zone) -> Option<(i64, usize)> {
    for prefix in ["GMT", "UTC", "UT"] {
        if let Some(end) = match_ignore_case(chars, pos, prefix) {
            return Some(parse_signed_offset(chars, end).unwrap_or((0, end)));
        }
    }
    if chars[pos] == 'Z' && chars.get(pos + 1).is_none_or(|c| !c.is_ascii_alphabetic()) {
        return Some((0, pos + 1));
    }
    if let Some(found) = parse_signed_offset(chars, pos) {
        return Some(found);
    }
    parse_zone_name(chars, pos, zone)
}

/// `+8`, `+08`, `+0800`, `+08:00` → seconds east of UTC.
fn parse_signed_offset(chars: &[char], pos: usize) -> Option<(i64, usize)> {
    let sign = match chars.get(pos)? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let mut end = pos + 1;
    let digits_start = end;
    while end < chars.len() && chars[end].is_ascii_digit() && end - digits_start < 4 {
        end += 1;
    }
    let digits: String = chars[digits_start..end].iter().collect();
    let (hours, mut minutes) = match digits.len() {
        1 | 2 => (digits.parse::<i64>().ok()?, 0),
        3 => (digits[..1].parse::<i64>().ok()?, digits[1..].parse::<i64>().ok()?),
        4 => (digits[..2].parse::<i64>().ok()?, digits[2..].parse::<i64>().ok()?),
        _ => return None,
    };
    if digits.len() <= 2 && chars.get(end) == Some(&':') {
        let minute_digits: String = chars.get(end + 1..end + 3)?.iter().collect();
        if minute_digits.chars().all(|c| c.is_ascii_digit()) {
            minutes = minute_digits.parse().ok()?;
            end += 3;
        }
    }
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((sign * (hours * 3600 + minutes * 60), end))
}

/// Zones whose abbreviations Java resolves first when several zones share them.
const PREFERRED_ZONES: [&str; 5] =
    ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London"];

fn parse_zone_name(chars: &[char], pos: usize, zone: &Zone) -> Option<(i64, usize)> {
    let own = zone.iana().and_then(|tz| names_of(tz.name()));
    let preferred = PREFERRED_ZONES.iter().filter_map(|id| names_of(id));
    let candidates = own.into_iter().chain(preferred).chain(ZONE_NAMES.iter());
    for names in candidates {
        let spellings = [
            (names.long_standard, false),
            (names.long_daylight, true),
            (names.short_standard, false),
            (names.short_daylight, true),
        ];
        for (name, daylight) in spellings {
            if name.starts_with("GMT") {
                continue;
            }
            if let Some(end) = match_ignore_case(chars, pos, name) {
                return Some((offset_of_named_zone(names, daylight), end));
            }
        }
    }
    None
}

/// The offset that a zone name stands for: the zone's standard offset now, plus an hour for a
/// daylight name.
fn offset_of_named_zone(names: &ZoneNames, daylight: bool) -> i64 {
    let standard = match Zone::parse(names.id) {
        Ok(Zone::Iana(tz)) => {
            let now = DateTime::<Utc>::from_timestamp_millis(0).map(|t| t.naive_utc()).unwrap_or_default();
            tz.offset_from_utc_datetime(&now).base_utc_offset().num_seconds()
        }
        Ok(other) => i64::from(other.offset_at_ms(0).local_minus_utc()),
        Err(_) => 0,
    };
    if daylight { standard + 3600 } else { standard }
}

/// Java's lenient field resolution: the date from the most specific group given, then the time
/// of day, then the zone.
fn resolve(f: &ParsedFields, zone: &Zone) -> i64 {
    let mut year = f.year.unwrap_or(1970);
    if f.era == Some(0) {
        year = 1 - year;
    }
    let wanted_day_of_week = f.day_of_week.unwrap_or(1);
    let fixed = if f.day_of_month.is_none() && f.day_of_year.is_some() {
        first_day_of_year(year) + f.day_of_year.unwrap_or(1) - 1
    } else if f.day_of_month.is_none() && f.week_of_year.is_some() {
        let week_year = f.week_year.unwrap_or(year);
        first_week_start(week_year) + (f.week_of_year.unwrap_or(1) - 1) * 7 + wanted_day_of_week - 1
    } else if f.day_of_month.is_none() && f.week_of_month.is_some() {
        let month1 = lenient_fixed_date(year, f.month.unwrap_or(1), 1);
        month1 - (month1.rem_euclid(7)) + (f.week_of_month.unwrap_or(1) - 1) * 7 + wanted_day_of_week - 1
    } else if f.day_of_month.is_none() && f.day_of_week_in_month.is_some() {
        let month1 = lenient_fixed_date(year, f.month.unwrap_or(1), 1);
        let first = month1 + (wanted_day_of_week - day_of_week(month1)).rem_euclid(7);
        first + (f.day_of_week_in_month.unwrap_or(1) - 1) * 7
    } else if f.day_of_month.is_none() && f.month.is_none() && f.week_year.is_some() {
        first_week_start(f.week_year.unwrap_or(year)) + wanted_day_of_week - 1
    } else {
        lenient_fixed_date(year, f.month.unwrap_or(1), f.day_of_month.unwrap_or(1))
    };
    let hour_of_day = f.hour_of_day.unwrap_or_else(|| f.hour.unwrap_or(0) + 12 * f.am_pm.unwrap_or(0));
    let ms_of_day = ((hour_of_day.saturating_mul(60).saturating_add(f.minute.unwrap_or(0)))
        .saturating_mul(60)
        .saturating_add(f.second.unwrap_or(0)))
    .saturating_mul(1000)
    .saturating_add(f.millisecond.unwrap_or(0));
    let local_ms = local_ms_of(fixed, 0).saturating_add(ms_of_day);
    match f.offset_seconds {
        Some(offset) => local_ms.saturating_sub(offset * 1000),
        None => wall_to_instant(zone, local_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::super::DatePattern;
    use super::*;

    const NOW: i64 = 1_770_426_303_045; // 2026-02-07

    fn parse(pattern: &str, text: &str, zone: &str) -> Result<i64, DateFormatError> {
        DatePattern::compile(pattern).unwrap().parse(text, &Zone::parse(zone).unwrap(), NOW)
    }

    // Expected values printed by JDK 17 (`SimpleDateFormat.parse(...).getTime()`).
    #[test]
    fn matches_jdk_17() {
        let ny = "America/New_York";
        assert_eq!(parse("yyyy-MM-dd HH:mm", "2026-03-08 02:30", ny), Ok(1_772_955_000_000));
        assert_eq!(parse("yyyy-MM-dd HH:mm", "2026-11-01 01:30", ny), Ok(1_793_514_600_000));
        assert_eq!(parse("yyyy-MM-dd HH:mm", "2026-13-45 25:61", ny), Ok(1_802_674_860_000));
        assert_eq!(parse("yyyy-MM-dd HH:mm", "26-1-7 1:2", ny), Ok(-61_346_311_080_000));
        assert_eq!(parse("yyyy-MM-dd HH:mm", "2024-01-07 10:00:00:123", ny), Ok(1_704_639_600_000));
        assert_eq!(parse("yy-M-d", "26-1-7", "UTC"), Ok(1_767_744_000_000));
        assert_eq!(parse("yy-M-d", "46-1-1", "UTC"), Ok(2_398_377_600_000));
        assert_eq!(parse("yy-M-d", "47-1-1", "UTC"), Ok(-725_846_400_000));
        assert_eq!(parse("yy-M-d", "2026-1-7", "UTC"), Ok(1_767_744_000_000));
        assert_eq!(parse("yy-M-d", "1-1-1", "UTC"), Ok(-62_135_769_600_000));
        assert_eq!(parse("yyyyMMddHHmmss", "20260207090503", "UTC"), Ok(1_770_455_103_000));
        assert_eq!(
            parse("EEE, d MMM yyyy HH:mm:ss Z", "sun, 29 march 2026 03:00:00 +0200", "UTC"),
            Ok(1_774_746_000_000)
        );
        let z = "yyyy-MM-dd HH:mm z";
        assert_eq!(parse(z, "2026-02-07 09:05 CST", "UTC"), Ok(1_770_476_700_000));
        assert_eq!(parse(z, "2026-02-07 09:05 GMT+08:00", "UTC"), Ok(1_770_426_300_000));
        assert_eq!(parse(z, "2026-02-07 09:05 EDT", "UTC"), Ok(1_770_469_500_000));
        assert_eq!(parse(z, "2026-02-07 09:05 China Standard Time", "UTC"), Ok(1_770_426_300_000));
        assert_eq!(parse(z, "2026-02-07 09:05 +0800", "UTC"), Ok(1_770_426_300_000));
        assert_eq!(parse(z, "2026-02-07 09:05 UTC", "UTC"), Ok(1_770_455_100_000));
        assert_eq!(parse(z, "2026-02-07 09:05 PST", "UTC"), Ok(1_770_483_900_000));
        assert_eq!(parse("YYYY-ww-u", "2027-01-4", "UTC"), Ok(1_798_675_200_000));
        assert_eq!(parse("yyyy-DDD", "2026-038", "UTC"), Ok(1_770_422_400_000));
        assert_eq!(parse("hh:mm a", "12:30 AM", "UTC"), Ok(1_800_000));
        assert_eq!(parse("hh:mm a", "12:30 pm", "UTC"), Ok(45_000_000));
        assert_eq!(parse("hh:mm a", "  1:30 PM", "UTC"), Ok(48_600_000));
    }

    #[test]
    fn huge_numbers_are_errors_not_overflows() {
        assert!(parse("yyyy-MM-dd", "99999999999999999-01-01", "UTC").is_err());
        assert!(parse("yyyy-MM-dd HH", "999999999-999999999-999999999 999999999", "America/New_York").is_ok());
    }

    #[test]
    fn mismatches_are_errors() {
        assert!(parse("yyyy-MM-dd", "2026/02/07", "UTC").is_err());
        assert!(parse("yyyy-MM-dd", "", "UTC").is_err());
        assert!(parse("yyyy-MM-dd", "abc", "UTC").is_err());
    }

    #[test]
    fn cutover_dates_parse_in_the_julian_calendar() {
        assert_eq!(parse("yyyy-MM-dd", "1582-10-04", "UTC"), Ok(-12_219_292_800_000 - MS_PER_DAY));
        assert_eq!(parse("yyyy-MM-dd", "1582-10-15", "UTC"), Ok(-12_219_292_800_000));
    }
}
