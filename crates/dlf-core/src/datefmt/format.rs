//! Formatting an instant with a compiled pattern, field by field as `SimpleDateFormat.subFormat`.

use super::calendar::{CalendarFields, fields_of_local_ms};
use super::names::{AM_PM, ERAS, MONTHS_LONG, MONTHS_SHORT, WEEKDAYS_LONG, WEEKDAYS_SHORT};
use super::pattern::PatternItem;
use super::zone_display::zone_name;
use crate::zone::Zone;

/// An instant resolved in a zone: its calendar fields and the offset in force.
pub(crate) struct LocalInstant {
    pub epoch_ms: i64,
    pub offset_seconds: i64,
    pub fields: CalendarFields,
}

impl LocalInstant {
    pub(crate) fn new(epoch_ms: i64, zone: &Zone) -> LocalInstant {
        let offset_seconds = super::java_zone::offset_seconds_at(zone, epoch_ms);
        let fields = fields_of_local_ms(epoch_ms.saturating_add(offset_seconds * 1000));
        LocalInstant { epoch_ms, offset_seconds, fields }
    }
}

/// Formats `epoch_ms` in `zone` with the compiled `items`.
pub(crate) fn format_items(items: &[PatternItem], epoch_ms: i64, zone: &Zone) -> String {
    let local = LocalInstant::new(epoch_ms, zone);
    let mut out = String::new();
    for item in items {
        match item {
            PatternItem::Literal(text) => out.push_str(text),
            PatternItem::Field { letter, count } => format_field(&mut out, *letter, *count, &local, zone),
        }
    }
    out
}

/// `value` with at least `min_digits` digits, as Java's `zeroPaddingNumber`.
pub(crate) fn zero_padded(value: i64, min_digits: usize) -> String {
    let digits = value.unsigned_abs().to_string();
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{digits:0>min_digits$}")
}

fn format_field(out: &mut String, letter: char, count: usize, local: &LocalInstant, zone: &Zone) {
    let f = &local.fields;
    let number = |value: i64| zero_padded(value, count);
    let text = match letter {
        'G' => ERAS[f.era as usize].to_string(),
        'y' | 'Y' => {
            let year = if letter == 'y' { f.year } else { f.week_year };
            if count == 2 { zero_padded(year.rem_euclid(100), 2) } else { number(year) }
        }
        'M' | 'L' => match count {
            1 | 2 => number(f.month),
            3 => MONTHS_SHORT[(f.month - 1) as usize].to_string(),
            _ => MONTHS_LONG[(f.month - 1) as usize].to_string(),
        },
        'd' => number(f.day_of_month),
        'k' => number(if f.hour_of_day == 0 { 24 } else { f.hour_of_day }),
        'H' => number(f.hour_of_day),
        'm' => number(f.minute),
        's' => number(f.second),
        'S' => number(f.millisecond),
        'E' => {
            let names = if count >= 4 { WEEKDAYS_LONG } else { WEEKDAYS_SHORT };
            names[(f.day_of_week - 1) as usize].to_string()
        }
        'D' => number(f.day_of_year),
        'F' => number(f.day_of_week_in_month),
        'w' => number(f.week_of_year),
        'W' => number(f.week_of_month),
        'a' => AM_PM[usize::from(f.hour_of_day >= 12)].to_string(),
        'h' => number(match f.hour_of_day % 12 {
            0 => 12,
            h => h,
        }),
        'K' => number(f.hour_of_day % 12),
        'u' => number(if f.day_of_week == 1 { 7 } else { f.day_of_week - 1 }),
        'z' => zone_name(zone, local.epoch_ms, count >= 4),
        'Z' => rfc822_offset(local.offset_seconds),
        'X' => iso8601_offset(local.offset_seconds, count),
        _ => String::new(),
    };
    out.push_str(&text);
}

/// `+0800` (pattern letter `Z`).
fn rfc822_offset(offset_seconds: i64) -> String {
    let minutes = offset_seconds / 60;
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.abs();
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// `+08`, `+0800` or `+08:00` (pattern letter `X` repeated 1–3 times); `Z` for UTC.
fn iso8601_offset(offset_seconds: i64, count: usize) -> String {
    let minutes = offset_seconds / 60;
    if minutes == 0 {
        return "Z".to_string();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.abs();
    match count {
        1 => format!("{sign}{:02}", minutes / 60),
        2 => format!("{sign}{:02}{:02}", minutes / 60, minutes % 60),
        _ => format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60),
    }
}
