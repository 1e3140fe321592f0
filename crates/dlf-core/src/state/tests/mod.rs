//! Tests of the state rules, one file per JOBS.md section, with a fake clock: plan times are
//! built from readable local dates in a named zone ([`at`]), never read from the system clock.

mod dag_rules;
mod dependency_table;
mod gates_and_concurrency;
mod instance_flows;
mod instance_table;
mod node_table;
mod operator_actions;
mod rerun_start;
mod retry_rule;
mod robustness;
mod windows;

use crate::zone::Zone;
use chrono::NaiveDateTime;

/// The fake clock: epoch ms of the local time `"2026-08-02 09:00"` in zone `zone`.
/// Panics (tests only) on a time that does not exist or exists twice there.
pub(super) fn at(local: &str, zone: &str) -> i64 {
    let zone = Zone::parse(zone).expect("zone");
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").expect("local time");
    zone.from_local(&naive).single().expect("unique local time").timestamp_millis()
}

#[test]
fn state_fake_clock_reads_local_times() {
    // 2026-08-02 09:00 at UTC+8 is 01:00Z.
    assert_eq!(at("2026-08-02 09:00", "Asia/Shanghai"), 1_785_632_400_000);
    assert_eq!(at("2026-08-02 01:00", "UTC"), 1_785_632_400_000);
}
