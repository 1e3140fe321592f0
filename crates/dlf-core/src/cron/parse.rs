//! Text → [`Schedule`], accepting and rejecting exactly what Quartz 2.3.2 does.
//!
//! Quartz splits the upper-cased expression on blanks (spaces and tabs only), trims each field
//! the Java way, checks a few whole-field combinations (`L` with a list, two `#`), and reads each
//! comma-separated item of each field with a cursor parser (`parse_item.rs`), which adds values
//! to the field's set through `field_values.rs`. Fields after the seventh are ignored, a
//! missing year means `*`, and exactly one of day-of-month / day-of-week must be `?`.

use super::error::{CronError, CronField};
use super::java_text::{JavaStr, java_trim, java_upper, lossy, tokens};
use super::parse_item::ItemParser;
use super::schedule::Schedule;

/// A parsed expression: the schedule plus the field texts (upper-cased, as Quartz saw them).
pub(super) struct Parsed {
    pub(super) schedule: Schedule,
    pub(super) field_texts: Vec<String>,
}

const SPACE: u16 = b' ' as u16;
const TAB: u16 = b'\t' as u16;
const COMMA: u16 = b',' as u16;

pub(super) fn parse(expression: &str) -> Result<Parsed, CronError> {
    let upper = java_upper(expression);
    let mut parser = ItemParser::new(Schedule::default());
    let mut field_texts = Vec::with_capacity(7);
    for token in tokens(&upper, &[SPACE, TAB]) {
        let Some(&field) = CronField::ALL.get(field_texts.len()) else { break };
        let token = java_trim(token);
        reject_unsupported_combinations(field, token)?;
        for item in tokens(token, &[COMMA]) {
            parser.item(item, field)?;
        }
        field_texts.push(lossy(token));
    }
    if let Some(&missing) = CronField::ALL.get(field_texts.len()).filter(|f| f.index() <= 5) {
        return Err(CronError::in_field(
            missing,
            format!(
                "missing: a Quartz cron expression has 6 fields (second minute hour day-of-month month \
                 day-of-week) and an optional year, this one has {}",
                field_texts.len()
            ),
        ));
    }
    if field_texts.len() == 6 {
        parser.item(&[u16::from(b'*')], CronField::Year)?;
    }
    let schedule = parser.into_schedule();
    if schedule.day_of_month_given() == schedule.day_of_week_given() {
        return Err(CronError::in_field(
            CronField::DayOfWeek,
            "day-of-month and day-of-week are both given; Quartz does not support that, put '?' in \
             one of them (e.g. '0 0 12 * * ?' or '0 0 12 ? * MON')",
        ));
    }
    Ok(Parsed { schedule, field_texts })
}

/// The whole-field checks Quartz makes before looking at the items.
fn reject_unsupported_combinations(field: CronField, token: &JavaStr) -> Result<(), CronError> {
    let has = |c: u8| token.contains(&u16::from(c));
    let has_l_and_list = has(b'L') && token.len() > 1 && has(b',');
    if field == CronField::DayOfMonth && has_l_and_list {
        return Err(CronError::in_field(field, "'L' and 'LW' cannot be combined with other days of the month"));
    }
    if field == CronField::DayOfWeek && has_l_and_list {
        return Err(CronError::in_field(field, "'L' cannot be combined with other days of the week"));
    }
    if field == CronField::DayOfWeek && token.iter().filter(|&&u| u == u16::from(b'#')).count() > 1 {
        return Err(CronError::in_field(field, "only one 'n#k' (k-th weekday of the month) value is supported"));
    }
    Ok(())
}
