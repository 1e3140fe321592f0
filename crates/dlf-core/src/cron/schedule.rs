//! What a parsed expression means: one value set per field plus Quartz's special-day flags.

use super::error::CronField;
use super::value_set::{NO_SPEC, ValueSet};

/// Quartz's `CronExpression.MAX_YEAR`: the last year a fire time may fall in.
///
/// Quartz computes it as "the JVM's current year + 100" when the class loads, so real Quartz
/// drifts a year every New Year. dlf-core reads no clock, so it is pinned to the value the golden
/// data was produced with (2026 + 100). `*` in the year field means 1970..=this, and the search
/// answers "none" once it passes this year.
pub(super) const QUARTZ_MAX_YEAR: i32 = 2126;

/// The parsed form the fire-time search works on. Mirrors the state Quartz's
/// `CronExpression` keeps, flags included, because the search reads them the same way.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Schedule {
    /// Value sets indexed by [`CronField::index`].
    pub(super) sets: [ValueSet; 7],
    /// `L` (possibly `L-n` or `LW`) in day-of-month.
    pub(super) last_day_of_month: bool,
    /// The `n` of `L-n` (0 when absent).
    pub(super) last_day_offset: i32,
    /// `W` in day-of-month (`15W`, `LW`).
    pub(super) nearest_weekday: bool,
    /// `nL` in day-of-week: the last such weekday of the month.
    pub(super) last_day_of_week: bool,
    /// The `k` of `n#k` in day-of-week (0 when absent).
    pub(super) nth_day_of_week: i32,
}

impl Schedule {
    pub(super) fn set(&self, field: CronField) -> &ValueSet {
        &self.sets[field.index()]
    }

    pub(super) fn set_mut(&mut self, field: CronField) -> &mut ValueSet {
        &mut self.sets[field.index()]
    }

    /// Day-of-month is not `?` (Quartz's `dayOfMSpec`).
    pub(super) fn day_of_month_given(&self) -> bool {
        !self.set(CronField::DayOfMonth).contains(NO_SPEC)
    }

    /// Day-of-week is not `?` (Quartz's `dayOfWSpec`).
    pub(super) fn day_of_week_given(&self) -> bool {
        !self.set(CronField::DayOfWeek).contains(NO_SPEC)
    }
}
