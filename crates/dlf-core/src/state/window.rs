//! The dependency window of the traditional period model (JOBS.md §4.6).
//!
//! For a downstream instance A with plan time t and period P_A, the upstream B's instances that
//! count have their plan time in:
//! - *same-period* dependency (same period class, e.g. minute→minute, day→day): `(t − P_A, t]`;
//! - *cross-period* dependency (different classes, e.g. day→hour, month→day):
//!   `[start of A's previous natural period, start of A's current natural period)`, natural
//!   periods being hours, days (midnight), months (the 1st) … of A's class, in A's zone.
//!
//! `PRE_PERIOD` shifts the window back by one period of A; `dependOnLastNPeriodValue = N`
//! widens it back to the last N periods of A (both edges move by P_A, so for a cross-period
//! day or month job by whole natural days or months). Calendar rules (DST, month lengths) are
//! those of the (private) `calendar` module. The natural-period model is not implemented here.

use super::calendar::{Overlap, Step, natural_start, step_back};
use crate::cron::{IntervalType, Period};
use crate::zone::Zone;

/// `dependPeriod` of a `DependJob` (§2.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DependPeriod {
    /// `SAME_PERIOD` (default): the upstream instances of the same period.
    #[default]
    SamePeriod,
    /// `PRE_PERIOD`: those of the previous period.
    PrePeriod,
}

impl DependPeriod {
    /// Parses `SAME_PERIOD` / `PRE_PERIOD`.
    pub fn parse(s: &str) -> Option<DependPeriod> {
        match s {
            "SAME_PERIOD" => Some(DependPeriod::SamePeriod),
            "PRE_PERIOD" => Some(DependPeriod::PrePeriod),
            _ => None,
        }
    }

    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            DependPeriod::SamePeriod => "SAME_PERIOD",
            DependPeriod::PrePeriod => "PRE_PERIOD",
        }
    }
}

/// A half-open range of plan times `[from_ms, to_ms)`, epoch milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// First plan time inside the window.
    pub from_ms: i64,
    /// First plan time after the window.
    pub to_ms: i64,
}

impl Window {
    /// Whether a plan time lies in the window.
    pub fn contains(&self, plan_ms: i64) -> bool {
        self.from_ms <= plan_ms && plan_ms < self.to_ms
    }
}

/// The window of upstream plan times that downstream instance `down_plan_ms` depends on.
///
/// `down` is the downstream job's period class and period, `up_class` the upstream job's class
/// (its period does not move the window), `last_n` the `dependOnLastNPeriodValue` (`None` or 0
/// = 1), `zone` the downstream job's schedule zone. `None` when the period is not positive or a
/// time leaves the representable range.
pub fn dependency_window(
    down_plan_ms: i64,
    down: (IntervalType, Period),
    up_class: IntervalType,
    depend_period: DependPeriod,
    last_n: Option<u32>,
    zone: &Zone,
) -> Option<Window> {
    let (down_class, down_period) = down;
    let period = Step::of_period(down_period)?;
    let widen = last_n.unwrap_or(1).max(1) - 1;
    let shift = match depend_period {
        DependPeriod::SamePeriod => 0,
        DependPeriod::PrePeriod => 1,
    };
    let back = |ms: i64, k: u32, overlap: Overlap| -> Option<i64> {
        if k == 0 { Some(ms) } else { step_back(ms, period.times(k)?, zone, overlap) }
    };
    if down_class == up_class {
        // (t − (N + shift)·P, t − shift·P], as a half-open range of integer milliseconds.
        let upper = back(down_plan_ms, shift, Overlap::Later)?;
        let lower = back(down_plan_ms, widen.checked_add(1)?.checked_add(shift)?, Overlap::Later)?;
        Some(Window { from_ms: lower.checked_add(1)?, to_ms: upper.checked_add(1)? })
    } else {
        // [current − (N − 1 + shift)·P − one natural period, current − shift·P). Both edges step
        // from `current`, so the window can never invert (calendar months clamp day numbers).
        let current = natural_start(down_plan_ms, down_class, zone)?;
        let widened = back(current, widen.checked_add(shift)?, Overlap::Earlier)?;
        Some(Window {
            from_ms: step_back(widened, Step::natural(down_class), zone, Overlap::Earlier)?,
            to_ms: back(current, shift, Overlap::Earlier)?,
        })
    }
}
