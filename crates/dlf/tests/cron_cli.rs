//! `dlf cron next` end to end: the real binary, golden Quartz rows, a DST row, and failures
//! that must exit 2 with nothing on stdout.

use std::process::{Command, Output};

fn dlf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlf")).args(args).env_remove("TZ").output().expect("run dlf")
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout").lines().map(str::to_string).collect()
}

#[test]
fn golden_row_last_day_of_month() {
    let output =
        dlf(&["cron", "next", "0 0 12 L * ?", "--time-zone", "Asia/Shanghai", "--after", "2026-02-27T10:16:07+08:00"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        stdout_lines(&output),
        [
            "2026-02-28T12:00:00+08:00",
            "2026-03-31T12:00:00+08:00",
            "2026-04-30T12:00:00+08:00",
            "2026-05-31T12:00:00+08:00",
            "2026-06-30T12:00:00+08:00"
        ]
    );
}

#[test]
fn golden_dst_rows_new_york() {
    let spring = dlf(&[
        "cron",
        "next",
        "0 30 2 * * ?",
        "--time-zone",
        "America/New_York",
        "--after",
        "2026-03-07T12:00:00-05:00",
        "--count",
        "3",
    ]);
    assert!(spring.status.success(), "{spring:?}");
    assert_eq!(
        stdout_lines(&spring),
        ["2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00", "2026-03-11T02:30:00-04:00"]
    );
    let fall = dlf(&[
        "cron",
        "next",
        "0 30 1 * * ?",
        "--time-zone",
        "America/New_York",
        "--after",
        "2026-10-31T16:00:00Z",
        "--count",
        "2",
    ]);
    assert!(fall.status.success(), "{fall:?}");
    assert_eq!(stdout_lines(&fall), ["2026-11-01T01:30:00-05:00", "2026-11-02T01:30:00-05:00"]);
}

#[test]
fn fewer_fire_times_than_asked_prints_what_exists() {
    let output = dlf(&[
        "cron",
        "next",
        "0 0 0 1 1 ? 2027-2029",
        "--time-zone",
        "GMT+8",
        "--after",
        "2026-02-27T10:16:07+08:00",
        "--count",
        "10",
    ]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        stdout_lines(&output),
        ["2027-01-01T00:00:00+08:00", "2028-01-01T00:00:00+08:00", "2029-01-01T00:00:00+08:00"]
    );
}

#[test]
fn utc_prints_plus_zero_and_default_count_is_five() {
    let output = dlf(&["cron", "next", "0 0 * * * ?", "--time-zone", "UTC", "--after", "2026-12-31T23:30:00Z"]);
    assert!(output.status.success(), "{output:?}");
    let lines = stdout_lines(&output);
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0], "2027-01-01T00:00:00+00:00");
}

#[test]
fn default_zone_comes_from_tz() {
    let output = Command::new(env!("CARGO_BIN_EXE_dlf"))
        .args(["cron", "next", "0 0 2 * * ?", "--after", "2026-02-27T10:16:07+08:00", "--count", "1"])
        .env("TZ", "Asia/Shanghai")
        .output()
        .expect("run dlf");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout_lines(&output), ["2026-02-28T02:00:00+08:00"]);
}

#[test]
fn invalid_input_exits_2_with_nothing_on_stdout() {
    for (args, words) in [
        (vec!["cron", "next", "0 0 12 * * *"], "day-of-week"),
        (vec!["cron", "next", "0 0 12 C * ?"], "day-of-month"),
        (vec!["cron", "next", "0 0 2 * *"], "missing"),
        (vec!["cron", "next", "0 0 2 * * ?", "--time-zone", "Mars/Olympus"], "time zone"),
        (vec!["cron", "next", "0 0 2 * * ?", "--after", "yesterday"], "--after"),
    ] {
        let output = dlf(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(output.stdout.is_empty(), "{args:?}: stdout {:?}", String::from_utf8_lossy(&output.stdout));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(words), "{args:?}: stderr {stderr}");
    }
}
