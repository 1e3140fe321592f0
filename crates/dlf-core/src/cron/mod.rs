//! Quartz cron expressions, exact to Quartz 2.3.2's `CronExpression`.
//!
//! DLF schedules are Quartz cron expressions (`0 0/30 8-18 ? * MON-FRI`) evaluated in the
//! schedule's `expressionTimeZone`, and dlf must fire at exactly the instants DataArts would.
//! No crate does that (research/crates.md §4): `croner` comes closest but lacks `L-n`, accepts
//! day-of-month and day-of-week together, and handles DST differently; `cron` has no `L/W/#`
//! and goes out of order across a fall-back. So this module is written by hand from Quartz's
//! observable behaviour. `tests/quartz_golden.rs` holds it to the rows produced by real
//! Quartz 2.3.2 (`tests/data/quartz-next-fire.tsv`); during development it was also compared
//! with real Quartz on about 100,000 random expressions, reference instants and zones.
//!
//! # How it works
//!
//! * `parse.rs` turns the text into a `Schedule` (`schedule.rs`): one value set per field
//!   (`value_set.rs`) plus the `L`/`W`/`#` flags, reproducing Quartz's cursor parser so that
//!   exactly the same strings are accepted or rejected (`java_text.rs` supplies the Java string
//!   behaviour that parser depends on).
//! * `next.rs` and `day_rules.rs` find the next fire time as Quartz's `getTimeAfter` does:
//!   rounds of field-by-field matching on a model of Java's lenient `GregorianCalendar`
//!   (`lenient_calendar.rs`, `civil.rs`), because Quartz's DST behaviour and several quirks come
//!   from that calendar. A call costs a few microseconds.
//! * `interval.rs` derives `intervalType` and the period used by dependency windows (§4.2).
//!
//! # DST policy (Quartz's, verified against the golden rows)
//!
//! * **Spring forward:** a fire time whose wall-clock time does not exist is *skipped*, not
//!   moved: `0 30 2 * * ?` in New York fires on 7 and 9 March 2026, not on the 8th. Hourly and
//!   finer schedules simply continue after the gap (`0 0 * * * ?`: 01:00 EST, then 03:00 EDT).
//! * **Fall back:** only the *later* (standard-time) copy of the repeated hour ever fires.
//!   `0 30 1 * * ?` fires once, at 01:30 EST; `0 0/15 * * * ?` goes 00:45 EDT → 01:00 EST, and
//!   even a search that starts inside the earlier copy (01:20 EDT) continues in the later copy
//!   (01:30 EST), so the first copy's times are never produced. Results stay strictly increasing.
//! * Zone rules continue after 2099 as in Java (chrono-tz's tables stop there; `zone.rs` looks
//!   later dates up in an equivalent earlier year).
//!
//! # Quartz quirks reproduced on purpose
//!
//! * A search starts 1 s after the reference instant with milliseconds dropped: fire times are
//!   whole seconds, strictly after the reference.
//! * Trailing characters of an item are ignored once it makes sense: `5C` = `5`,
//!   `MON-FRI/2` = `MON-FRI`, `2-6L` = `2-6`, `15W-1` = `15W`, `L-2` in day-of-week = `L` =
//!   Saturday; a bare `C` or `W` is an error. Fields after the year are ignored (`... 2026 extra`).
//! * `a/b` runs from `a` to the end of the field's range: `0/50` in minutes is :00 and :50.
//!   Ranges wrap (`FRI-MON`, `22-2`, `NOV-FEB`). `*/0` is `*`; `*/+5` is `*/5`; `*/-5` is `*`.
//! * `99` (Quartz's internal marker for `*`) typed as a value means `*`; `98` (the `?` marker)
//!   in day-of-month or day-of-week means `?`.
//! * `1W,15W` uses only the first `W` day; `2#1,3` uses only the first weekday with `#1`.
//! * `W` probes the written day in the current month, so `31W` does not fire in 30-day months.
//! * The year field has no range check; `*` means 1970..=2126 and nothing fires after 2126
//!   (`QUARTZ_MAX_YEAR`: Quartz's "current year + 100", pinned to the golden data's 2026).
//!
//! # Where dlf answers although Quartz does not
//!
//! Some accepted expressions make Quartz's search loop for ever (`0 24 20 L-29W * ?` from
//! 2 January bounces between 30 January and 1 February; `0 0 12 0W * ?`; `99-4/0` in minutes,
//! which Quartz grinds through hour by hour until year 3000). dlf detects the repetition, or
//! stops after 100,000 rounds, and answers `None`. Only absurd input reaches the other
//! differences: dates before 1583 use the proleptic Gregorian calendar (Java uses Julian); a
//! time Quartz would place at or before the reference instant (possible with increments near
//! 2³¹) is reported as none; where Quartz's `W` check depends on the wall clock's
//! milliseconds, the reading that never skips a valid day is used.

mod civil;
mod day_rules;
mod error;
mod field_values;
mod interval;
mod java_text;
mod lenient_calendar;
mod next;
mod parse;
mod parse_item;
mod schedule;
mod value_set;

pub use error::{CronError, CronField};
pub use interval::{IntervalType, Period, UnknownIntervalType, derive_interval_type, period_of};

use crate::zone::Zone;
use schedule::Schedule;

/// A parsed Quartz cron expression.
#[derive(Clone, Debug, PartialEq)]
pub struct CronExpr {
    text: String,
    /// The fields as Quartz read them (upper-cased, trimmed), 6 or 7 of them.
    field_texts: Vec<String>,
    schedule: Schedule,
}

impl CronExpr {
    /// Parses `expr` as Quartz 2.3.2 would; the error names the field at fault.
    pub fn parse(expr: &str) -> Result<CronExpr, CronError> {
        let parsed = parse::parse(expr)?;
        Ok(CronExpr { text: expr.trim().to_string(), field_texts: parsed.field_texts, schedule: parsed.schedule })
    }

    /// First fire time strictly after `after_ms` (epoch milliseconds), evaluated in `zone`;
    /// `None` if there is none (e.g. a past year). Exactly Quartz 2.3.2's
    /// `getNextValidTimeAfter` with `setTimeZone(zone)`, DST behaviour included.
    pub fn next_after(&self, after_ms: i64, zone: &Zone) -> Option<i64> {
        next::next_fire_after(&self.schedule, after_ms, zone)
    }

    /// Successive fire times after `after_ms`, each strictly after the one before.
    pub fn fire_times_after(&self, after_ms: i64, zone: Zone) -> impl Iterator<Item = i64> + '_ {
        let mut previous = after_ms;
        std::iter::from_fn(move || {
            let next = self.next_after(previous, &zone)?;
            previous = next;
            Some(next)
        })
    }

    /// The expression text as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the seconds field is exactly the single value 0 — DLF's own rule, which
    /// `--strict-dlf-cron` enforces with `DLF.3025`.
    pub fn seconds_is_zero(&self) -> bool {
        self.schedule.set(CronField::Second).values().eq([0])
    }

    /// A field as Quartz read it (upper-cased, trimmed); `None` for an absent year.
    pub fn field_text(&self, field: CronField) -> Option<&str> {
        self.field_texts.get(field.index()).map(String::as_str)
    }
}

impl std::fmt::Display for CronExpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for CronExpr {
    type Err = CronError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CronExpr::parse(s)
    }
}
