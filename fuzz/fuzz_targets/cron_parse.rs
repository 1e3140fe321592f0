//! Fuzz target for Quartz cron parsing and fire-time search.
//!
//! Any UTF-8 text goes to `CronExpr::parse`; when it parses, a few successive fire times are
//! computed in zones with DST (including Lord Howe's 30-minute shift) and without, from a few
//! reference instants (one derived from the input). Nothing may panic, and fire times must be
//! strictly increasing: that is the contract the scheduler relies on.

#![no_main]

use dlf_core::cron::{CronExpr, derive_interval_type, period_of};
use dlf_core::zone::Zone;
use libfuzzer_sys::fuzz_target;

const ZONES: [&str; 4] = ["GMT+8", "America/New_York", "Australia/Lord_Howe", "Europe/Berlin"];

/// 2026-02-27T02:16:07Z and 2026-11-01T05:20:00.500Z (inside New York's repeated hour).
const FIXED_AFTER_MS: [i64; 2] = [1_772_158_567_000, 1_793_510_400_500];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(expr) = CronExpr::parse(text) else { return };
    let _ = period_of(&expr, derive_interval_type(&expr));
    let _ = expr.seconds_is_zero();
    // An input-dependent instant between 1970 and about 2105.
    let derived_after_ms =
        data.iter().fold(0i64, |acc, &b| acc.wrapping_mul(31).wrapping_add(i64::from(b))).rem_euclid(4_300_000_000_000);
    for (index, zone_id) in ZONES.iter().enumerate() {
        let zone = Zone::parse(zone_id).expect("known zone");
        let after = if index % 2 == 0 { FIXED_AFTER_MS[index / 2] } else { derived_after_ms };
        let mut previous = after;
        for next in expr.fire_times_after(after, zone).take(3) {
            assert!(next > previous, "{text:?} in {zone_id}: {next} is not after {previous}");
            previous = next;
        }
    }
});
