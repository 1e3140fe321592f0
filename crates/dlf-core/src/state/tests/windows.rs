//! JOBS.md §4.6: the traditional dependency windows, every worked example with concrete times
//! from the fake clock, `PRE_PERIOD`, last-N widening, DST and robustness.

use super::at;
use crate::cron::{IntervalType, Period};
use crate::state::{DependPeriod, Window, dependency_window};
use crate::zone::Zone;
use chrono::{Datelike, LocalResult, NaiveDate};
use proptest::prelude::*;

const SH: &str = "Asia/Shanghai";
const NY: &str = "America/New_York";
const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;

fn minutes(n: i64) -> (IntervalType, Period) {
    (IntervalType::Minutes, Period::Fixed(n * MIN))
}
fn hourly() -> (IntervalType, Period) {
    (IntervalType::Hours, Period::Fixed(HOUR))
}
fn daily() -> (IntervalType, Period) {
    (IntervalType::Days, Period::Fixed(DAY))
}
fn monthly() -> (IntervalType, Period) {
    (IntervalType::Months, Period::Months(1))
}

fn window(
    plan: i64,
    down: (IntervalType, Period),
    up: IntervalType,
    dp: DependPeriod,
    n: Option<u32>,
    zone: &str,
) -> Window {
    dependency_window(plan, down, up, dp, n, &Zone::parse(zone).unwrap()).expect("window")
}

/// `(lo, hi]` as the half-open window it is.
fn left_open(lo: i64, hi: i64) -> Window {
    Window { from_ms: lo + 1, to_ms: hi + 1 }
}

/// `[lo, hi)`.
fn right_open(lo: i64, hi: i64) -> Window {
    Window { from_ms: lo, to_ms: hi }
}

#[test]
fn state_window_example_every_20_minutes_on_every_10_minutes() {
    let w = window(at("2026-08-02 10:20", SH), minutes(20), IntervalType::Minutes, DependPeriod::SamePeriod, None, SH);
    assert_eq!(w, left_open(at("2026-08-02 10:00", SH), at("2026-08-02 10:20", SH)));
    assert!(!w.contains(at("2026-08-02 10:00", SH)));
    assert!(w.contains(at("2026-08-02 10:10", SH)));
    assert!(w.contains(at("2026-08-02 10:20", SH)));
    assert!(!w.contains(at("2026-08-02 10:30", SH)));
}

#[test]
fn state_window_example_daily_0900_on_daily_1000() {
    let w = window(at("2026-08-02 09:00", SH), daily(), IntervalType::Days, DependPeriod::SamePeriod, None, SH);
    assert_eq!(w, left_open(at("2026-08-01 09:00", SH), at("2026-08-02 09:00", SH)));
    assert!(w.contains(at("2026-08-01 10:00", SH)), "B's Aug 1 10:00 run");
    assert!(!w.contains(at("2026-08-02 10:00", SH)));
    assert!(!w.contains(at("2026-07-31 10:00", SH)));
}

#[test]
fn state_window_example_daily_0200_on_hourly() {
    let w = window(at("2026-08-02 02:00", SH), daily(), IntervalType::Hours, DependPeriod::SamePeriod, None, SH);
    assert_eq!(w, right_open(at("2026-08-01 00:00", SH), at("2026-08-02 00:00", SH)));
    assert!(w.contains(at("2026-08-01 00:00", SH)));
    assert!(w.contains(at("2026-08-01 23:00", SH)));
    assert!(!w.contains(at("2026-08-02 00:00", SH)));
    assert!(!w.contains(at("2026-08-02 01:00", SH)), "today's runs before 02:00 are not yesterday's");
}

#[test]
fn state_window_example_monthly_in_november_on_daily_is_october() {
    for plan in ["2026-11-01 02:00", "2026-11-15 00:00", "2026-11-30 23:59"] {
        let w = window(at(plan, SH), monthly(), IntervalType::Days, DependPeriod::SamePeriod, None, SH);
        assert_eq!(w, right_open(at("2026-10-01 00:00", SH), at("2026-11-01 00:00", SH)), "{plan}");
        assert!(w.contains(at("2026-10-31 02:00", SH)));
        assert!(!w.contains(at("2026-09-30 02:00", SH)));
        assert!(!w.contains(at("2026-11-01 00:00", SH)));
    }
}

#[test]
fn state_window_pre_period_shifts_back_one_period_of_a() {
    let pre = DependPeriod::PrePeriod;
    let w = window(at("2026-08-02 10:20", SH), minutes(20), IntervalType::Minutes, pre, None, SH);
    assert_eq!(w, left_open(at("2026-08-02 09:40", SH), at("2026-08-02 10:00", SH)));
    let w = window(at("2026-08-02 09:00", SH), daily(), IntervalType::Days, pre, None, SH);
    assert_eq!(w, left_open(at("2026-07-31 09:00", SH), at("2026-08-01 09:00", SH)));
    let w = window(at("2026-08-02 02:00", SH), daily(), IntervalType::Hours, pre, None, SH);
    assert_eq!(w, right_open(at("2026-07-31 00:00", SH), at("2026-08-01 00:00", SH)));
    let w = window(at("2026-11-01 02:00", SH), monthly(), IntervalType::Days, pre, None, SH);
    assert_eq!(w, right_open(at("2026-09-01 00:00", SH), at("2026-10-01 00:00", SH)));
}

#[test]
fn state_window_last_n_widens_to_n_periods() {
    let same = DependPeriod::SamePeriod;
    let w = window(at("2026-08-02 09:00", SH), daily(), IntervalType::Days, same, Some(3), SH);
    assert_eq!(w, left_open(at("2026-07-30 09:00", SH), at("2026-08-02 09:00", SH)));
    let w = window(at("2026-08-02 02:00", SH), daily(), IntervalType::Hours, same, Some(2), SH);
    assert_eq!(w, right_open(at("2026-07-31 00:00", SH), at("2026-08-02 00:00", SH)));
    let w = window(at("2026-11-15 02:00", SH), monthly(), IntervalType::Days, same, Some(3), SH);
    assert_eq!(w, right_open(at("2026-08-01 00:00", SH), at("2026-11-01 00:00", SH)));
    let w =
        window(at("2026-08-02 10:20", SH), minutes(20), IntervalType::Minutes, DependPeriod::PrePeriod, Some(2), SH);
    assert_eq!(w, left_open(at("2026-08-02 09:20", SH), at("2026-08-02 10:00", SH)), "shifted and widened");
    let one = window(at("2026-08-02 09:00", SH), daily(), IntervalType::Days, same, Some(1), SH);
    assert_eq!(window(at("2026-08-02 09:00", SH), daily(), IntervalType::Days, same, Some(0), SH), one);
    assert_eq!(window(at("2026-08-02 09:00", SH), daily(), IntervalType::Days, same, None, SH), one);
}

#[test]
fn state_window_hour_class_on_minute_class_uses_natural_hours() {
    let w = window(at("2026-08-02 10:15", SH), hourly(), IntervalType::Minutes, DependPeriod::SamePeriod, None, SH);
    assert_eq!(w, right_open(at("2026-08-02 09:00", SH), at("2026-08-02 10:00", SH)));
    let every_two_hours = (IntervalType::Hours, Period::Fixed(2 * HOUR));
    let w =
        window(at("2026-08-02 10:00", SH), every_two_hours, IntervalType::Hours, DependPeriod::SamePeriod, None, SH);
    assert_eq!(w, left_open(at("2026-08-02 08:00", SH), at("2026-08-02 10:00", SH)));
}

#[test]
fn state_window_sub_minute_periods_are_exact() {
    let every_2s = (IntervalType::Minutes, Period::Fixed(2_000));
    let t = at("2026-08-02 10:00", SH);
    let w = window(t, every_2s, IntervalType::Minutes, DependPeriod::SamePeriod, None, SH);
    assert_eq!(w, left_open(t - 2_000, t));
}

#[test]
fn state_window_dst_natural_days_in_new_york() {
    // Spring forward (2026-03-08): the natural day is 23 hours long.
    let w = window(at("2026-03-09 02:00", NY), daily(), IntervalType::Hours, DependPeriod::SamePeriod, None, NY);
    assert_eq!(w, right_open(at("2026-03-08 00:00", NY), at("2026-03-09 00:00", NY)));
    assert_eq!(w.to_ms - w.from_ms, 23 * HOUR);
    // Fall back (2026-11-01): 25 hours.
    let w = window(at("2026-11-02 02:00", NY), daily(), IntervalType::Hours, DependPeriod::SamePeriod, None, NY);
    assert_eq!(w, right_open(at("2026-11-01 00:00", NY), at("2026-11-02 00:00", NY)));
    assert_eq!(w.to_ms - w.from_ms, 25 * HOUR);
}

#[test]
fn state_window_dst_same_period_days_keep_wall_clock_edges() {
    // A daily 09:00 on B daily 09:30 across spring forward: B's Mar 7 run is in A's Mar 8 window.
    let w = window(at("2026-03-08 09:00", NY), daily(), IntervalType::Days, DependPeriod::SamePeriod, None, NY);
    assert_eq!(w, left_open(at("2026-03-07 09:00", NY), at("2026-03-08 09:00", NY)));
    assert!(w.contains(at("2026-03-07 09:30", NY)));
    assert_eq!(w.to_ms - w.from_ms, 23 * HOUR);
}

#[test]
fn state_window_dst_overlap_and_gap_edges() {
    let ny = Zone::parse(NY).unwrap();
    // Quartz fires a daily 01:30 job on the later (EST) copy of Nov 1; A on Nov 2 starts after it.
    let nov1_0130_est = at("2026-11-01 06:30", "UTC");
    let w = window(at("2026-11-02 01:30", NY), daily(), IntervalType::Days, DependPeriod::SamePeriod, None, NY);
    assert_eq!(w, left_open(nov1_0130_est, at("2026-11-02 01:30", NY)));
    // A daily 02:30: Mar 8 02:30 does not exist and moves forward by the gap, to 03:30 EDT.
    let gap = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap().and_hms_opt(2, 30, 0).unwrap();
    assert!(matches!(ny.from_local(&gap), LocalResult::None));
    let w = window(at("2026-03-09 02:30", NY), daily(), IntervalType::Days, DependPeriod::SamePeriod, None, NY);
    assert_eq!(w, left_open(at("2026-03-08 03:30", NY), at("2026-03-09 02:30", NY)));
}

#[test]
fn state_window_midnight_gap_and_overlap_in_havana() {
    // Cuba changes clocks at midnight: Mar 8 2026 starts at 01:00, Nov 1 2026 has two midnights.
    const HAVANA: &str = "America/Havana";
    let zone = Zone::parse(HAVANA).unwrap();
    let midnight = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap();
    assert!(matches!(zone.from_local(&midnight(3, 8)), LocalResult::None));
    let w =
        window(at("2026-03-09 02:00", HAVANA), daily(), IntervalType::Hours, DependPeriod::SamePeriod, None, HAVANA);
    assert_eq!(w.from_ms, at("2026-03-08 01:00", HAVANA), "the day starts at its first instant");
    let LocalResult::Ambiguous(first, _) = zone.from_local(&midnight(11, 1)) else { panic!("two midnights") };
    let w =
        window(at("2026-11-02 02:00", HAVANA), daily(), IntervalType::Hours, DependPeriod::SamePeriod, None, HAVANA);
    assert_eq!(w.from_ms, first.timestamp_millis(), "the earlier midnight");
    assert_eq!(w.to_ms - w.from_ms, 25 * HOUR);
}

#[test]
fn state_window_consecutive_windows_tile_through_a_dst_year() {
    let zone = Zone::parse(NY).unwrap();
    let plan =
        |day: NaiveDate, h| zone.from_local(&day.and_hms_opt(h, 0, 0).unwrap()).latest().unwrap().timestamp_millis();
    let mut day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut previous: Option<(Window, Window)> = None;
    while day.year() == 2026 {
        let same = dependency_window(plan(day, 9), daily(), IntervalType::Days, DependPeriod::SamePeriod, None, &zone)
            .unwrap();
        let cross =
            dependency_window(plan(day, 9), daily(), IntervalType::Hours, DependPeriod::SamePeriod, None, &zone)
                .unwrap();
        if let Some((prev_same, prev_cross)) = previous {
            assert_eq!(prev_same.to_ms, same.from_ms, "{day}");
            assert_eq!(prev_cross.to_ms, cross.from_ms, "{day}");
        }
        previous = Some((same, cross));
        day = day.succ_opt().unwrap();
    }
}

#[test]
fn state_window_refuses_nonsense_without_panicking() {
    let zone = Zone::UTC;
    let same = DependPeriod::SamePeriod;
    assert_eq!(
        dependency_window(0, (IntervalType::Days, Period::Fixed(0)), IntervalType::Days, same, None, &zone),
        None
    );
    assert_eq!(
        dependency_window(0, (IntervalType::Minutes, Period::Fixed(-5)), IntervalType::Minutes, same, None, &zone),
        None
    );
    assert_eq!(
        dependency_window(0, (IntervalType::Months, Period::Months(0)), IntervalType::Days, same, None, &zone),
        None
    );
    for plan in [i64::MIN, i64::MAX] {
        for up in [IntervalType::Days, IntervalType::Hours] {
            let _ = dependency_window(plan, daily(), up, DependPeriod::PrePeriod, Some(u32::MAX), &zone);
        }
    }
}

#[test]
fn state_window_month_steps_from_one_edge_never_invert() {
    // Found by the property below: a minute-class job with a 29-month period (nonsense, but it
    // must not produce an inverted window) — month steps clamp day numbers, so both edges are
    // stepped from the same start.
    let w = dependency_window(
        2_321_755_200_000,
        (IntervalType::Minutes, Period::Months(29)),
        IntervalType::Hours,
        DependPeriod::PrePeriod,
        None,
        &Zone::parse(NY).unwrap(),
    )
    .unwrap();
    assert!(w.from_ms < w.to_ms, "{w:?}");
}

fn any_class() -> impl Strategy<Value = IntervalType> {
    prop_oneof![
        Just(IntervalType::Minutes),
        Just(IntervalType::Hours),
        Just(IntervalType::Days),
        Just(IntervalType::Weeks),
        Just(IntervalType::Months),
        Just(IntervalType::Seasons),
        Just(IntervalType::Years),
    ]
}

fn any_period() -> impl Strategy<Value = Period> {
    prop_oneof![(-10i64..10 * DAY).prop_map(Period::Fixed), (0u32..30).prop_map(Period::Months)]
}

proptest! {
    #[test]
    fn state_window_never_panics_and_is_never_inverted(
        plan in -5_000_000_000_000i64..5_000_000_000_000,
        down in any_class(),
        period in any_period(),
        up in any_class(),
        pre in any::<bool>(),
        n in proptest::option::of(0u32..40),
        zone in prop_oneof![Just(NY), Just(SH), Just("Europe/Berlin"), Just("America/Havana"), Just("UTC")],
    ) {
        let dp = if pre { DependPeriod::PrePeriod } else { DependPeriod::SamePeriod };
        if let Some(w) = dependency_window(plan, (down, period), up, dp, n, &Zone::parse(zone).unwrap()) {
            prop_assert!(w.from_ms < w.to_ms, "{w:?}");
            if !pre && down == up {
                prop_assert!(w.contains(plan), "a same-period window ends at t");
            }
        }
    }
}
