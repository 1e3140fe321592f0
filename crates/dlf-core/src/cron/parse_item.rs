//! One comma-separated item of a field (`5`, `MON-FRI`, `*/15`, `L-2`, `6#3`) as Quartz reads it.
//!
//! Quartz's parser is a cursor over each comma-separated item that stops reading as soon as the
//! item makes sense, and silently drops whatever follows: `5C` is `5`, `MON-FRI/2` is
//! `MON-FRI`, `2-6L` is `2-6`, `15W-1` is `15W`, `*5` is `*`. Numbers come from
//! `Integer.parseInt`, so `*/+5` is `*/5` and `*/-5` is `*`. Values are range-checked only on
//! some paths (`0-59/60` passes, `0/60` does not), and the marker values of `*` (99) and `?`
//! (98) pass the range checks: `99` as a second means every second, `98` as a day of month
//! means `?`. This module reproduces that cursor logic step by step (written from the observed
//! behaviour, checked against real Quartz on thousands of random expressions), so the
//! set of accepted strings and the meaning of each is the same.

use super::error::{CronError, CronField};
use super::field_values::{add_values, check_increment};
use super::java_text::{JavaStr, ascii, is_ascii_digit, lossy, parse_digit, parse_int};
use super::schedule::Schedule;
use super::value_set::{ALL_SPEC, NO_SPEC};

const SPACE: u16 = b' ' as u16;
const TAB: u16 = b'\t' as u16;

/// Reads one comma-separated item into the schedule (Quartz's `storeExpressionVals`).
pub(super) struct ItemParser {
    schedule: Schedule,
}

impl ItemParser {
    pub(super) fn new(schedule: Schedule) -> ItemParser {
        ItemParser { schedule }
    }

    pub(super) fn into_schedule(self) -> Schedule {
        self.schedule
    }

    /// Reads `item` of `field` into the schedule.
    pub(super) fn item(&mut self, item: &JavaStr, field: CronField) -> Result<(), CronError> {
        let Some(&first) = item.first() else { return Ok(()) };
        let text = Item { field, text: item };
        match ascii(first) {
            Some('A'..='Z') if !is_last_day_form(item) => self.named(text),
            Some('?') => self.no_specific_value(text),
            Some('*' | '/') => self.every(text),
            Some('L') => self.last_day(text),
            Some('0'..='9') => self.number(text),
            _ => Err(text.error(format!("unexpected character '{}' in '{}'", lossy(&item[..1]), text))),
        }
    }

    /// `JAN`, `MON-FRI`, `FRI#3`, `FRIL` … (three-letter names; only month and day-of-week).
    fn named(&mut self, item: Item<'_>) -> Result<(), CronError> {
        let field = item.field;
        let name = item.slice(0, 3).ok_or_else(|| item.too_short_for_name())?;
        let lookup = match field {
            CronField::Month => month_number,
            CronField::DayOfWeek => day_of_week_number,
            _ => {
                return Err(
                    item.error(format!("'{}' is not allowed here: only month and day-of-week take names", lossy(name)))
                );
            }
        };
        let unknown = |name: &JavaStr| {
            item.error(format!("'{}' is not a valid {} name ({})", lossy(name), field, names_of(field)))
        };
        let start = lookup(name).ok_or_else(|| unknown(name))?;
        let mut end = -1;
        match item.at(3).and_then(ascii) {
            Some('-') => {
                let name = item
                    .slice(4, 7)
                    .ok_or_else(|| item.error(format!("'{item}': the range needs a three-letter name after '-'")))?;
                end = lookup(name).ok_or_else(|| unknown(name))?;
            }
            Some('#') if field == CronField::DayOfWeek => self.nth(&item, 4)?,
            Some('L') if field == CronField::DayOfWeek => self.schedule.last_day_of_week = true,
            _ => {}
        }
        let increment = if end == -1 { 0 } else { 1 };
        self.add(&item, start, end, increment)
    }

    /// `?`.
    fn no_specific_value(&mut self, item: Item<'_>) -> Result<(), CronError> {
        if item.text.len() > 2 {
            return Err(item.error(format!("unexpected '{}' after '?'", lossy(&item.text[1..2]))));
        }
        if !matches!(item.field, CronField::DayOfMonth | CronField::DayOfWeek) {
            return Err(item.error("'?' is only allowed in day-of-month or day-of-week"));
        }
        if item.field == CronField::DayOfWeek && !self.schedule.last_day_of_month {
            match self.schedule.set(CronField::DayOfMonth).last() {
                None => return Err(item.error("'?' needs a value in day-of-month")),
                Some(NO_SPEC) => {
                    return Err(item.error("'?' can be used in day-of-month or day-of-week, not in both"));
                }
                Some(_) => {}
            }
        }
        self.add(&item, NO_SPEC, -1, 0)
    }

    /// `*`, `*/n`, `/n`.
    fn every(&mut self, item: Item<'_>) -> Result<(), CronError> {
        let text = item.text;
        let starts_with_star = text[0] == u16::from(b'*');
        if starts_with_star && text.len() == 1 {
            return self.add(&item, ALL_SPEC, -1, 0);
        }
        if !starts_with_star && matches!(item.at(1), None | Some(SPACE | TAB)) {
            return Err(item.error("'/' must be followed by an increment"));
        }
        let slash_at = usize::from(starts_with_star);
        let increment = if item.at(slash_at) == Some(u16::from(b'/')) {
            let digits = &text[slash_at + 1..];
            if digits.is_empty() {
                return Err(item.error(format!("'{item}': '/' must be followed by an increment")));
            }
            let increment = parse_int(digits).ok_or_else(|| item.not_a_number(digits))?;
            check_increment(&item, increment)?;
            increment
        } else {
            1
        };
        self.add(&item, ALL_SPEC, -1, increment)
    }

    /// `L`, `LW`, `L-n`, `L-nW` (an `L` that is not the start of a name).
    fn last_day(&mut self, item: Item<'_>) -> Result<(), CronError> {
        let field = item.field;
        if field == CronField::DayOfWeek {
            return self.add(&item, 7, 7, 0);
        }
        if field != CronField::DayOfMonth {
            return Ok(());
        }
        self.schedule.last_day_of_month = true;
        let mut at = 1;
        if item.at(at) == Some(u16::from(b'-')) {
            let (offset, next) = read_number(&item, 0, at + 1)?;
            if offset > 30 {
                return Err(item.error(format!("'{item}': the offset from the last day must be at most 30")));
            }
            self.schedule.last_day_offset = offset;
            at = next;
        }
        if item.at(at) == Some(u16::from(b'W')) {
            self.schedule.nearest_weekday = true;
        }
        Ok(())
    }

    /// An item starting with a digit: `5`, `15`, `5-10`, `5/15`, `5-50/5`, `15W`, `6L`, `6#3`.
    fn number(&mut self, item: Item<'_>) -> Result<(), CronError> {
        let first = parse_digit(item.text[0]).unwrap_or(0);
        if item.text.len() == 1 {
            return self.add(&item, first, -1, -1);
        }
        let (value, at) =
            if item.at(1).is_some_and(is_ascii_digit) { read_number(&item, first, 1)? } else { (first, 1) };
        self.after_number(&item, value, at)
    }

    /// What follows the first number of an item (Quartz's `checkNext`).
    fn after_number(&mut self, item: &Item<'_>, value: i32, at: usize) -> Result<(), CronError> {
        let field = item.field;
        let Some(next) = item.at(at) else { return self.add(item, value, -1, -1) };
        match ascii(next) {
            Some('L') => {
                if field != CronField::DayOfWeek {
                    return Err(item.error(format!("'{item}': 'L' after a number is only allowed in day-of-week")));
                }
                if !(1..=7).contains(&value) {
                    return Err(item.error(format!("'{item}': values must be between 1 and 7")));
                }
                self.schedule.last_day_of_week = true;
                self.schedule.set_mut(field).insert(value);
                Ok(())
            }
            Some('W') => {
                if field != CronField::DayOfMonth {
                    return Err(item.error(format!("'{item}': 'W' is only allowed in day-of-month")));
                }
                self.schedule.nearest_weekday = true;
                if value > 31 {
                    return Err(item.error(format!("'{item}': 'W' needs a day between 1 and 31")));
                }
                self.schedule.set_mut(field).insert(value);
                Ok(())
            }
            Some('#') => {
                if field != CronField::DayOfWeek {
                    return Err(item.error(format!("'{item}': '#' is only allowed in day-of-week")));
                }
                self.nth(item, at + 1)?;
                self.schedule.set_mut(field).insert(value);
                Ok(())
            }
            Some('-') => self.range(item, value, at + 1),
            Some('/') => {
                if matches!(item.at(at + 1), None | Some(SPACE | TAB)) {
                    return Err(item.error(format!("'{item}': '/' must be followed by an increment")));
                }
                let step = item.digit_at(at + 1)?;
                let increment = match item.at(at + 2) {
                    None => step,
                    Some(unit) if is_ascii_digit(unit) => read_number(item, step, at + 2)?.0,
                    Some(unit) => {
                        return Err(item.error(format!("'{item}': unexpected '{}' after '/'", lossy(&[unit]))));
                    }
                };
                check_increment(item, increment)?;
                self.add(item, value, -1, increment)
            }
            _ => self.add(item, value, -1, 0),
        }
    }

    /// `start-end` and `start-end/step`, cursor just after the `-`.
    fn range(&mut self, item: &Item<'_>, start: i32, at: usize) -> Result<(), CronError> {
        let first_digit = item.digit_at(at)?;
        let (end, at) = match item.at(at + 1) {
            None => return self.add(item, start, first_digit, 1),
            Some(unit) if is_ascii_digit(unit) => read_number(item, first_digit, at + 1)?,
            Some(_) => (first_digit, at + 1),
        };
        if item.at(at) != Some(u16::from(b'/')) {
            return self.add(item, start, end, 1);
        }
        let step = item.digit_at(at + 1)?;
        let increment = match item.at(at + 2) {
            Some(unit) if is_ascii_digit(unit) => read_number(item, step, at + 2)?.0,
            _ => step,
        };
        self.add(item, start, end, increment)
    }

    /// The `k` of `#k`, read from `at` to the end of the item.
    fn nth(&mut self, item: &Item<'_>, at: usize) -> Result<(), CronError> {
        let k = item.text.get(at..).and_then(parse_int).filter(|k| (1..=5).contains(k));
        let k = k.ok_or_else(|| item.error(format!("'{item}': '#' must be followed by a number between 1 and 5")))?;
        self.schedule.nth_day_of_week = k;
        Ok(())
    }

    /// Adds values through Quartz's `addToSet` rules (see `field_values.rs`).
    fn add(&mut self, item: &Item<'_>, start: i32, end: i32, increment: i32) -> Result<(), CronError> {
        add_values(&mut self.schedule, item, start, end, increment)
    }
}

/// One item being parsed, for cursor access and error messages.
pub(super) struct Item<'a> {
    pub(super) field: CronField,
    pub(super) text: &'a JavaStr,
}

impl std::fmt::Display for Item<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&lossy(self.text))
    }
}

impl Item<'_> {
    fn at(&self, index: usize) -> Option<u16> {
        self.text.get(index).copied()
    }

    fn slice(&self, from: usize, to: usize) -> Option<&JavaStr> {
        self.text.get(from..to)
    }

    pub(super) fn error(&self, message: impl Into<String>) -> CronError {
        CronError::in_field(self.field, message)
    }

    /// The single digit at `index` (Quartz reads range ends and steps one character first).
    fn digit_at(&self, index: usize) -> Result<i32, CronError> {
        match self.at(index) {
            None => Err(self.error(format!("'{self}' ends too early: a number is missing at the end"))),
            Some(unit) => parse_digit(unit).ok_or_else(|| self.not_a_number(&[unit])),
        }
    }

    fn not_a_number(&self, text: &JavaStr) -> CronError {
        self.error(format!("'{self}': '{}' is not a valid number", lossy(text)))
    }

    fn too_short_for_name(&self) -> CronError {
        self.error(format!(
            "'{self}' is not a valid value: names have three letters (JAN-DEC, SUN-SAT) and 'C', 'W' or 'L' \
             must follow a number where allowed"
        ))
    }
}

/// Reads ASCII digits from `at` onwards, appended to `leading` (Quartz's `getValue`): returns the
/// number and the cursor after it (one past the end when the digits run to the end, as Quartz).
fn read_number(item: &Item<'_>, leading: i32, at: usize) -> Result<(i32, usize), CronError> {
    if item.at(at).is_none() {
        return Err(item.error(format!("'{item}' ends too early: a number is missing at the end")));
    }
    let mut value = i64::from(leading);
    let mut cursor = at;
    while let Some(unit) = item.at(cursor).filter(|&u| is_ascii_digit(u)) {
        value = value * 10 + i64::from(unit - u16::from(b'0'));
        if value > i64::from(i32::MAX) {
            return Err(item.error(format!("'{item}': the number is too large")));
        }
        cursor += 1;
    }
    let next = if cursor < item.text.len() { cursor } else { cursor + 1 };
    Ok((value as i32, next))
}

/// `L`, `LW` and anything matching `L-[0-9]*W?`: these are not names.
fn is_last_day_form(item: &JavaStr) -> bool {
    let is = |unit: u16, c: u8| unit == u16::from(c);
    match item {
        [l] => is(*l, b'L'),
        [l, w] => is(*l, b'L') && is(*w, b'W'),
        [l, dash, rest @ ..] if is(*l, b'L') && is(*dash, b'-') => {
            let rest = rest.strip_suffix(&[u16::from(b'W')]).unwrap_or(rest);
            rest.iter().all(|&u| is_ascii_digit(u))
        }
        _ => false,
    }
}

const MONTH_NAMES: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn number_of(names: &[&str], name: &JavaStr) -> Option<i32> {
    let position = names.iter().position(|n| n.encode_utf16().eq(name.iter().copied()))?;
    i32::try_from(position + 1).ok()
}

fn month_number(name: &JavaStr) -> Option<i32> {
    number_of(&MONTH_NAMES, name)
}

fn day_of_week_number(name: &JavaStr) -> Option<i32> {
    number_of(&DAY_NAMES, name)
}

fn names_of(field: CronField) -> &'static str {
    match field {
        CronField::Month => "JAN-DEC",
        _ => "SUN-SAT",
    }
}
