//! `dlf el eval` run as a real process.

use std::process::{Command, Output};

fn dlf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlf")).args(args).env("TZ", "UTC").output().expect("run dlf")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn yesterday_of_the_plan_time_in_shanghai() {
    let output = dlf(&[
        "el",
        "eval",
        r#"#{DateUtil.format(DateUtil.addDays(Job.planTime,-1),"yyyyMMdd")}"#,
        "--plan-time",
        "2026-02-07T09:05:03+08:00",
        "--time-zone",
        "Asia/Shanghai",
    ]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), "20260206\n");
}

#[test]
fn parameters_and_env_vars_are_substituted() {
    let output =
        dlf(&["el", "eval", "${bizdate}-${region}-${HOME}", "--param", "bizdate=20260206", "--env", "region=cn"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), "20260206-cn-${HOME}\n");
}

#[test]
fn zone_defaults_to_the_machines_and_dlf_offsets_are_accepted() {
    let output =
        dlf(&["el", "eval", "#{Job.getPlanTime('yyyy-MM-dd HH:mm z')}", "--plan-time", "2018-10-22T23:59:59+08"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), "2018-10-22 15:59 UTC\n");
}

#[test]
fn node_outputs_and_simple_variables_can_be_previewed() {
    let output = dlf(&[
        "el",
        "eval",
        r#"#{JSONUtil.path(Job.getNodeOutput("q"),"[0][0]")} ${yyyymmdd}"#,
        "--node-output",
        r#"q=[["11"]]"#,
        "--plan-time",
        "2026-02-07T00:30:00",
        "--time-zone",
        "GMT+8",
        "--simple-variables",
    ]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), "11 20260206\n");
}

#[test]
fn an_invalid_expression_exits_2_with_the_error_on_stderr() {
    let output = dlf(&["el", "eval", "#{1 + }"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("at position"), "{stderr}");
}

#[test]
fn an_unknown_zone_exits_2() {
    let output = dlf(&["el", "eval", "x", "--time-zone", "Mars/Olympus"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}
