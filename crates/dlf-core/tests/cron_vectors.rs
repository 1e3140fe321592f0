//! Hand-picked cron vectors: the examples JOBS.md §4.2 quotes from the DLF docs, DST cases,
//! Quartz quirks that dlf reproduces on purpose, and the edge cases where Quartz never answers.
//! Expected values not in the golden file were checked against real Quartz 2.3.2 on JDK 17.

use chrono::DateTime;
use dlf_core::cron::CronExpr;
use dlf_core::zone::{Zone, format_iso8601};
use std::time::{Duration, Instant};

fn ms(iso: &str) -> i64 {
    DateTime::parse_from_rfc3339(iso).unwrap_or_else(|e| panic!("{iso}: {e}")).timestamp_millis()
}

fn zone(id: &str) -> Zone {
    Zone::parse(id).unwrap()
}

/// The next `count` fire times after `after`, printed in `zone`.
fn fires(expr: &str, zone_id: &str, after: &str, count: usize) -> Vec<String> {
    let zone = zone(zone_id);
    let expr = CronExpr::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    expr.fire_times_after(ms(after), zone).take(count).map(|t| format_iso8601(t, &zone).unwrap()).collect()
}

#[test]
fn doc_vector_every_50_minutes_restarts_each_hour() {
    assert_eq!(
        fires("0 0/50 0-23 * * ?", "GMT+8", "2026-02-27T14:20:00+08:00", 4),
        [
            "2026-02-27T14:50:00+08:00",
            "2026-02-27T15:00:00+08:00",
            "2026-02-27T15:50:00+08:00",
            "2026-02-27T16:00:00+08:00"
        ]
    );
}

#[test]
fn doc_vector_30_every_30_is_half_past_only() {
    assert_eq!(
        fires("0 30/30 0-23 * * ?", "GMT+8", "2026-02-27T14:20:00+08:00", 3),
        ["2026-02-27T14:30:00+08:00", "2026-02-27T15:30:00+08:00", "2026-02-27T16:30:00+08:00"]
    );
}

#[test]
fn strictly_after_and_whole_seconds() {
    let zone = Zone::UTC;
    let expr = CronExpr::parse("* * * * * ?").unwrap();
    assert_eq!(expr.next_after(ms("2026-01-01T00:00:00Z"), &zone), Some(ms("2026-01-01T00:00:01Z")));
    assert_eq!(expr.next_after(ms("2026-01-01T00:00:00.999Z"), &zone), Some(ms("2026-01-01T00:00:01Z")));
    let daily = CronExpr::parse("0 0 2 * * ?").unwrap();
    assert_eq!(daily.next_after(ms("2026-01-01T02:00:00Z"), &zone), Some(ms("2026-01-02T02:00:00Z")));
    assert_eq!(daily.next_after(ms("2026-01-01T01:59:59.500Z"), &zone), Some(ms("2026-01-01T02:00:00Z")));
}

#[test]
fn spring_forward_skips_missing_times() {
    assert_eq!(
        fires("0 30 2 * * ?", "America/New_York", "2026-03-07T12:00:00-05:00", 2),
        ["2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00"]
    );
    assert_eq!(
        fires("0 0 * * * ?", "America/New_York", "2026-03-08T00:30:00-05:00", 3),
        ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"]
    );
}

#[test]
fn fall_back_fires_on_the_later_copy_only() {
    assert_eq!(
        fires("0 30 1 * * ?", "America/New_York", "2026-10-31T12:00:00-04:00", 2),
        ["2026-11-01T01:30:00-05:00", "2026-11-02T01:30:00-05:00"]
    );
    assert_eq!(
        fires("0 0/30 0-2 * * ?", "America/New_York", "2026-11-01T00:10:00-04:00", 4),
        [
            "2026-11-01T00:30:00-04:00",
            "2026-11-01T01:00:00-05:00",
            "2026-11-01T01:30:00-05:00",
            "2026-11-01T02:00:00-05:00"
        ]
    );
    // Starting inside the earlier copy continues in the later one.
    assert_eq!(
        fires("0 0/15 * * * ?", "America/New_York", "2026-11-01T01:20:00-04:00", 1),
        ["2026-11-01T01:30:00-05:00"]
    );
}

#[test]
fn dst_rules_continue_after_2099() {
    // Quartz fires until 2126 and Java keeps applying Berlin's summer-time rule.
    assert_eq!(
        fires("0 0 12 1 7 ?", "Europe/Berlin", "2110-01-01T00:00:00+01:00", 2),
        ["2110-07-01T12:00:00+02:00", "2111-07-01T12:00:00+02:00"]
    );
}

#[test]
fn quartz_quirks() {
    let after = "2026-02-27T10:16:07+08:00";
    // A trailing C (or anything Quartz does not read) is ignored.
    assert_eq!(fires("0 0 12 5C * ?", "GMT+8", after, 1), fires("0 0 12 5 * ?", "GMT+8", after, 1));
    // 99 is Quartz's marker for '*': as a second it means every second.
    assert_eq!(fires("99 * * * * ?", "GMT+8", after, 2), ["2026-02-27T10:16:08+08:00", "2026-02-27T10:16:09+08:00"]);
    // 98 is the marker for '?'.
    assert_eq!(fires("0 0 12 98 * MON", "GMT+8", after, 1), ["2026-03-02T12:00:00+08:00"]);
    // '/' after a range is not range-checked; after a single value it is.
    assert!(CronExpr::parse("0 0-59/60 * * * ?").is_ok());
    assert!(CronExpr::parse("0 0/60 * * * ?").is_err());
    // Integer.parseInt takes signs and any Unicode digit.
    assert_eq!(fires("0 */+20 * * * ?", "GMT+8", after, 1), ["2026-02-27T10:20:00+08:00"]);
    assert_eq!(fires("0 0 12 ? * 6#٣", "GMT+8", after, 1), ["2026-03-20T12:00:00+08:00"]);
    // 31W probes "31 April" = 1 May: April gets no fire time.
    assert_eq!(
        fires("0 0 12 31W * ?", "GMT+8", "2026-03-31T12:00:00+08:00", 2),
        ["2026-05-29T12:00:00+08:00", "2026-07-31T12:00:00+08:00"]
    );
    // Only the first nearest-weekday day counts.
    assert_eq!(
        fires("0 0 12 1W,15W * ?", "GMT+8", after, 2),
        ["2026-03-02T12:00:00+08:00", "2026-04-01T12:00:00+08:00"]
    );
    // Leading/trailing blanks and extra fields after the year are ignored.
    assert_eq!(CronExpr::parse("  0 0 2 * * ? 2026 extra ").unwrap().as_str(), "0 0 2 * * ? 2026 extra");
}

#[test]
fn no_fire_time_answers_fast() {
    let shanghai_now = "2026-02-27T10:16:07+08:00";
    for (expr, zone_id, after) in [
        ("0 0 12 30 2 ?", "Asia/Shanghai", shanghai_now),       // never exists
        ("0 0 0 31 4,6,9,11 ?", "Asia/Shanghai", shanghai_now), // never exists
        ("0 0 0 1 1 ? 2025", "Asia/Shanghai", shanghai_now),    // past year
        ("0 0 0 1 1 ? 2200", "Asia/Shanghai", shanghai_now),    // beyond Quartz's last year (2126)
        // Real Quartz never returns for these three (checked: it loops for ever).
        ("0 24 20 L-29W * ?", "UTC", "2018-01-02T20:24:00Z"),
        ("0 0 12 0W * ?", "UTC", "2026-02-27T02:16:07Z"),
        ("0 99-4/0 14-٣ ? * 2L", "Australia/Lord_Howe", "2118-06-27T06:42:56+11:00"),
    ] {
        let started = Instant::now();
        let cron = CronExpr::parse(expr).unwrap();
        assert_eq!(cron.next_after(ms(after), &zone(zone_id)), None, "{expr}");
        assert!(started.elapsed() < Duration::from_millis(500), "{expr} took {:?}", started.elapsed());
    }
    // The last year Quartz fires in is 2126.
    let yearly = CronExpr::parse("0 0 0 1 1 ?").unwrap();
    let last: Vec<i64> = yearly.fire_times_after(ms("2124-06-01T00:00:00Z"), Zone::UTC).collect();
    assert_eq!(last, [ms("2125-01-01T00:00:00Z"), ms("2126-01-01T00:00:00Z")]);
}

#[test]
fn seconds_is_zero() {
    for (expr, zero) in [
        ("0 0 2 * * ?", true),
        ("00 0 2 * * ?", true),
        ("0C 0 2 * * ?", true),
        ("0/0 0 2 * * ?", true),
        ("5 0 2 * * ?", false),
        ("0,30 0 2 * * ?", false),
        ("* 0 2 * * ?", false),
        ("0/60 0 2 * * ?", false),
    ] {
        match CronExpr::parse(expr) {
            Ok(cron) => assert_eq!(cron.seconds_is_zero(), zero, "{expr}"),
            Err(e) => assert!(!zero, "{expr}: {e}"),
        }
    }
}

#[test]
fn parse_keeps_text_and_fields() {
    let cron: CronExpr = " 0 0 12 ? * mon-fri ".parse().unwrap();
    assert_eq!(cron.as_str(), "0 0 12 ? * mon-fri");
    assert_eq!(cron.to_string(), "0 0 12 ? * mon-fri");
    assert_eq!(cron.field_text(dlf_core::cron::CronField::DayOfWeek), Some("MON-FRI"));
    assert_eq!(cron.field_text(dlf_core::cron::CronField::Year), None);
    assert_eq!(cron, cron.clone());
}
