//! The simple variable set (JOBS.md §6.13), replaced after `${}` parameters and before EL when
//! the workspace enables it.
//!
//! - `${…}` business date = plan date − 1 day, from `yyyy` `yy` `mm` `dd` and separators
//!   (`- / _ . :` and space), with an optional offset `±N` in the finest unit written (days for
//!   `dd`, months for `mm`, years for `yyyy`/`yy`) or `±7*N` weeks: `${yyyymmdd-1}`.
//! - `$[…]` plan time, from `yyyy` `yy` `mm` `dd` `hh24` `hh` (12-hour) `mi` `ss`, with any
//!   number of offsets `±N` days, `±7*N` weeks, `±N/24` hours, `±N/24/60` minutes
//!   (`$[yyyymmdd-1-1/24]`), or `$[add_months(fmt,±N)]`.
//! - `$job_id`, `$instance_id` (left as they are when the id is unknown).
//!
//! Decisions where the docs are silent: the arithmetic is on the local wall-clock date and time
//! in the service zone (no DST adjustment); month and year offsets clamp the day to the month's
//! end; anything that does not match these forms is left verbatim.

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, Timelike};

/// The values the simple variables are built from.
pub struct SimpleVariableValues {
    /// The plan time as local wall-clock time in the service zone.
    pub plan_local: NaiveDateTime,
    pub job_id: Option<i64>,
    pub instance_id: Option<i64>,
}

/// Replaces the simple-variable tokens in `text`.
pub fn substitute_simple_variables(text: &str, values: &SimpleVariableValues) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        if bytes[i] == b'$'
            && let Some((replacement, consumed)) = token_at(&text[i..], values)
        {
            out.push_str(&replacement);
            i += consumed;
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or('$');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The replacement of a token starting at `text[0] == '$'` and its length in bytes.
fn token_at(text: &str, values: &SimpleVariableValues) -> Option<(String, usize)> {
    let rest = &text[1..];
    if let Some(inner) = rest.strip_prefix('{') {
        let end = inner.find('}')?;
        let business_date = values.plan_local.date().pred_opt()?;
        return Some((business_date_token(&inner[..end], business_date)?, end + 3));
    }
    if let Some(inner) = rest.strip_prefix('[') {
        let end = inner.find(']')?;
        return Some((plan_time_token(&inner[..end], values.plan_local)?, end + 3));
    }
    for (name, id) in [("job_id", values.job_id), ("instance_id", values.instance_id)] {
        if let Some(after) = rest.strip_prefix(name) {
            let boundary = after.chars().next().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            if boundary {
                return Some((id?.to_string(), 1 + name.len()));
            }
        }
    }
    None
}

/// A piece of a simple-variable format.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FormatPiece {
    Year4,
    Year2,
    Month,
    Day,
    Hour24,
    Hour12,
    Minute,
    Second,
    Separator(char),
}

const SEPARATORS: [char; 6] = ['-', '/', '_', '.', ':', ' '];

/// Parses a format; `with_time` also accepts `hh24`, `hh`, `mi`, `ss`. At least one field.
fn parse_format(format: &str, with_time: bool) -> Option<Vec<FormatPiece>> {
    let mut pieces = Vec::new();
    let mut rest = format;
    while let Some(c) = rest.chars().next() {
        let table: &[(&str, FormatPiece)] = &[
            ("yyyy", FormatPiece::Year4),
            ("yy", FormatPiece::Year2),
            ("mm", FormatPiece::Month),
            ("dd", FormatPiece::Day),
            ("hh24", FormatPiece::Hour24),
            ("hh", FormatPiece::Hour12),
            ("mi", FormatPiece::Minute),
            ("ss", FormatPiece::Second),
        ];
        let field = table.iter().find(|(token, piece)| {
            rest.starts_with(token)
                && (with_time
                    || matches!(piece, FormatPiece::Year4 | FormatPiece::Year2 | FormatPiece::Month | FormatPiece::Day))
        });
        if let Some((token, piece)) = field {
            pieces.push(*piece);
            rest = &rest[token.len()..];
        } else if SEPARATORS.contains(&c) {
            pieces.push(FormatPiece::Separator(c));
            rest = &rest[1..];
        } else {
            return None;
        }
    }
    pieces.iter().any(|p| !matches!(p, FormatPiece::Separator(_))).then_some(pieces)
}

fn render(pieces: &[FormatPiece], t: NaiveDateTime) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            FormatPiece::Year4 => out.push_str(&format!("{:04}", t.year())),
            FormatPiece::Year2 => out.push_str(&format!("{:02}", t.year().rem_euclid(100))),
            FormatPiece::Month => out.push_str(&format!("{:02}", t.month())),
            FormatPiece::Day => out.push_str(&format!("{:02}", t.day())),
            FormatPiece::Hour24 => out.push_str(&format!("{:02}", t.hour())),
            FormatPiece::Hour12 => out.push_str(&format!("{:02}", t.hour12().1)),
            FormatPiece::Minute => out.push_str(&format!("{:02}", t.minute())),
            FormatPiece::Second => out.push_str(&format!("{:02}", t.second())),
            FormatPiece::Separator(c) => out.push(*c),
        }
    }
    out
}

fn add_months(t: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    let magnitude = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 { t.checked_add_months(magnitude) } else { t.checked_sub_months(magnitude) }
}

/// One offset: sign, amount, and whether it was written `7*N`.
fn parse_offset(text: &str) -> Option<(i64, bool)> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (weeks, digits) = match digits.strip_prefix("7*") {
        Some(rest) => (true, rest),
        None => (false, digits),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 6 {
        return None;
    }
    Some((sign * digits.parse::<i64>().ok()?, weeks))
}

/// `${format[±N|±7*N]}` for the business date.
fn business_date_token(inner: &str, business_date: NaiveDate) -> Option<String> {
    let base = business_date.and_hms_opt(0, 0, 0)?;
    if let Some(pieces) = parse_format(inner, false) {
        return Some(render(&pieces, base));
    }
    let split = inner.rfind(['+', '-'])?;
    let (format, offset) = inner.split_at(split);
    let pieces = parse_format(format, false)?;
    if matches!(pieces.last(), Some(FormatPiece::Separator(_))) {
        return None;
    }
    let (amount, weeks) = parse_offset(offset)?;
    let shifted = if weeks || pieces.contains(&FormatPiece::Day) {
        base.checked_add_signed(Duration::try_days(if weeks { amount * 7 } else { amount })?)?
    } else if pieces.contains(&FormatPiece::Month) {
        add_months(base, amount)?
    } else {
        add_months(base, amount.checked_mul(12)?)?
    };
    Some(render(&pieces, shifted))
}

/// `$[format offsets…]` or `$[add_months(format,±N)]` for the plan time.
fn plan_time_token(inner: &str, plan: NaiveDateTime) -> Option<String> {
    if let Some(args) = inner.strip_prefix("add_months(").and_then(|s| s.strip_suffix(')')) {
        let (format, months) = args.split_once(',')?;
        let pieces = parse_format(format.trim(), true)?;
        let months = months.trim();
        let months = if months.starts_with(['+', '-']) { months.to_string() } else { format!("+{months}") };
        let (amount, weeks) = parse_offset(&months)?;
        if weeks {
            return None;
        }
        return Some(render(&pieces, add_months(plan, amount)?));
    }
    let offsets_start = inner
        .char_indices()
        .find(|(i, c)| matches!(c, '+' | '-') && inner[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        .map_or(inner.len(), |(i, _)| i);
    let pieces = parse_format(&inner[..offsets_start], true)?;
    let mut time = plan;
    let mut rest = &inner[offsets_start..];
    while !rest.is_empty() {
        let next = rest[1..].find(['+', '-']).map_or(rest.len(), |i| i + 1);
        let term = &rest[..next];
        time = apply_plan_offset(time, term)?;
        rest = &rest[next..];
    }
    Some(render(&pieces, time))
}

/// Applies `±N`, `±7*N`, `±N/24` or `±N/24/60` to the plan time.
fn apply_plan_offset(time: NaiveDateTime, term: &str) -> Option<NaiveDateTime> {
    let (amount_text, unit) = if let Some(amount) = term.strip_suffix("/24/60") {
        (amount, Duration::try_minutes(1)?)
    } else if let Some(amount) = term.strip_suffix("/24") {
        (amount, Duration::try_hours(1)?)
    } else {
        (term, Duration::try_days(1)?)
    };
    let (amount, weeks) = parse_offset(amount_text)?;
    let amount = if weeks { amount.checked_mul(7)? } else { amount };
    time.checked_add_signed(unit.checked_mul(i32::try_from(amount).ok()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> SimpleVariableValues {
        let plan = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap().and_hms_opt(13, 5, 9).unwrap();
        SimpleVariableValues { plan_local: plan, job_id: Some(42), instance_id: None }
    }

    fn sub(text: &str) -> String {
        substitute_simple_variables(text, &values())
    }

    #[test]
    fn business_date_is_the_day_before_the_plan_date() {
        assert_eq!(sub("${yyyymmdd}"), "20240229");
        assert_eq!(sub("${yyyy-mm-dd}"), "2024-02-29");
        assert_eq!(sub("${yyyymm}"), "202402");
        assert_eq!(sub("${yyyy}"), "2024");
        assert_eq!(sub("${yyyymmdd-1}"), "20240228");
        assert_eq!(sub("${yyyy-mm-dd+1}"), "2024-03-01");
        assert_eq!(sub("${yyyymmdd-7*1}"), "20240222");
        assert_eq!(sub("${yyyymm-1}"), "202401");
        assert_eq!(sub("${yyyy-1}"), "2023");
        assert_eq!(sub("${yy+1}"), "25");
    }

    #[test]
    fn plan_time_tokens() {
        assert_eq!(sub("$[yyyymmddhh24miss]"), "20240301130509");
        assert_eq!(sub("$[hh24:mi:ss]"), "13:05:09");
        assert_eq!(sub("$[hh]"), "01");
        assert_eq!(sub("$[yyyymmdd-1]"), "20240229");
        assert_eq!(sub("$[yyyymmdd+7*2]"), "20240315");
        assert_eq!(sub("$[yyyymmddhh24-1/24]"), "2024030112");
        assert_eq!(sub("$[hh24mi-5/24/60]"), "1300");
        assert_eq!(sub("$[yyyymmddhh24-1-1/24]"), "2024022912");
        assert_eq!(sub("$[add_months(yyyymmdd,-1)]"), "20240201");
        assert_eq!(sub("$[add_months(yyyymm,-12)]"), "202303");
    }

    #[test]
    fn ids_and_everything_else() {
        assert_eq!(sub("$job_id/$instance_id/$job_idx"), "42/$instance_id/$job_idx");
        assert_eq!(sub("${HOME} $[x] $ ${yyyymmdd"), "${HOME} $[x] $ ${yyyymmdd");
    }
}
