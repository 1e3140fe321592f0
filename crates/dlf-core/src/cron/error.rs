//! Why an expression was rejected, and which field is to blame.
//!
//! Quartz's own messages are terse and sometimes leak a Java exception
//! (`StringIndexOutOfBoundsException: begin 0, end 3, length 1` for a bare `C`). dlf rejects
//! exactly the same expressions, but says what is wrong in words and always names the field,
//! so the API can put the message in a `DLF.xxxx` error as it stands.

use std::fmt;

/// One of the seven positions of a Quartz cron expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CronField {
    Second,
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
    Year,
}

impl CronField {
    /// The fields in expression order.
    pub const ALL: [CronField; 7] = [
        CronField::Second,
        CronField::Minute,
        CronField::Hour,
        CronField::DayOfMonth,
        CronField::Month,
        CronField::DayOfWeek,
        CronField::Year,
    ];

    /// The user-facing name, as used in error messages (`day-of-week`).
    pub fn name(self) -> &'static str {
        match self {
            CronField::Second => "second",
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
            CronField::Year => "year",
        }
    }

    /// Position in the expression, 0 = seconds.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A cron expression Quartz 2.3.2 would reject. Displays as `field: message`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render(.field, .message))]
pub struct CronError {
    /// The field at fault, when one is (an expression with too few fields names the missing one).
    pub field: Option<CronField>,
    /// What is wrong, without the field prefix.
    pub message: String,
}

impl CronError {
    pub(crate) fn in_field(field: CronField, message: impl Into<String>) -> CronError {
        CronError { field: Some(field), message: message.into() }
    }
}

fn render(field: &Option<CronField>, message: &str) -> String {
    match field {
        Some(field) => format!("{field}: {message}"),
        None => message.to_string(),
    }
}
