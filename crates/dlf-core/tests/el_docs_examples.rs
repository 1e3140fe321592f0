//! Every worked example of JOBS.md §6 (and the EL examples of §5.6 and §3.2 For Each), one test
//! per example or group, named after what it shows.

mod el_support;

use dlf_core::el::{eval_condition, parse_dataset};
use el_support::Fixture;

// §6.2 evaluation order

#[test]
fn params_are_substituted_before_el_so_result_4_is_not_greater_than_5() {
    assert_eq!(Fixture::new().ok(r#"#{${result} > 5 ? "true" : "false"}"#), "false");
    assert_eq!(Fixture::new().with_param("result", "6").ok(r#"#{${result} > 5 ? "true" : "false"}"#), "true");
}

#[test]
fn unresolved_dollar_brace_survives_for_shell_scripts() {
    assert_eq!(Fixture::new().ok("cd ${HOME} && echo ${result}"), "cd ${HOME} && echo 4");
}

#[test]
fn text_outside_segments_is_copied_and_segments_render_left_to_right() {
    let f = Fixture::new();
    assert_eq!(f.ok("a#{1+1}b#{'x'}c"), "a2bxc");
    assert_eq!(f.ok(r#"#{"}"}"#), "}");
}

// §6.3 where ${name} comes from

#[test]
fn job_parameter_beats_env_var_beats_script_parameter() {
    let f = Fixture::new();
    assert_eq!(f.ok("${shadowed}"), "from job");
    assert_eq!(f.ok("${env_var}/${script_only}/${dlf.region}"), "E/s/cn-north-4");
    assert_eq!(f.ok("#{shadowed}"), "from job");
    assert_eq!(f.ok("#{Env.get('shadowed')}"), "from env");
}

#[test]
fn get_param_sees_only_the_jobs_own_definition() {
    let f = Fixture::new();
    assert_eq!(f.ok(r#"#{Job.getParam("test")}"#), "own value");
    assert_eq!(f.ok(r#"#{Job.getParam("result") == null}"#), "true");
    assert_eq!(f.ok(r#"#{Job.getParam("env_var") == null}"#), "true");
}

// §6.4 grammar and values

#[test]
fn empty_operator_defaults_a_missing_parameter() {
    let f = Fixture::new();
    assert_eq!(f.ok(r#"#{empty a ? "default" : a}"#), "No.0010");
    assert_eq!(f.ok(r#"#{empty missing ? "default" : missing}"#), "default");
}

#[test]
fn bare_identifier_is_a_parameter_as_string() {
    assert_eq!(Fixture::new().ok(r#"#{StringUtil.substringAfter(a,".")}"#), "0010");
}

#[test]
fn plus_concatenates_unless_both_sides_are_numbers() {
    let f = Fixture::new();
    assert_eq!(f.ok(r#"#{"obs://test/"+DateUtil.format(Job.planTime,"yyyyMMdd")}"#), "obs://test/20180926");
    assert_eq!(f.ok("#{1 + 2}"), "3");
    assert_eq!(f.ok("#{result + 1}"), "41");
    assert_eq!(f.ok("#{result - 1}"), "3");
}

#[test]
fn rendering_of_values() {
    let f = Fixture::new();
    assert_eq!(f.ok("#{4 / 2.0}"), "2.0");
    assert_eq!(f.ok("#{0.1 * 3}"), "0.30000000000000004");
    assert_eq!(f.ok("#{3 / 10}"), "0.3");
    assert_eq!(f.ok("#{6 / 3}"), "2");
    assert_eq!(f.ok("[#{null}]"), "[]");
    assert_eq!(f.ok("#{true}"), "true");
    assert_eq!(f.ok("#{Job.planTime}"), "Wed Sep 26 01:00:00 CST 2018");
    assert_eq!(f.ok("#{[1, 'a', null]}"), r#"[1,"a",null]"#);
    assert_eq!(f.ok("#{1e10 * 1.0}"), "1.0E10");
    assert_eq!(f.ok("#{0.00001 * 1}"), "1.0E-5");
}

#[test]
fn word_operators() {
    let f = Fixture::new();
    assert_eq!(
        f.ok("#{10 div 4} #{10 mod 4} #{1 eq 1} #{1 ne 1} #{1 lt 2} #{1 gt 2} #{1 le 1} #{1 ge 2}"),
        "2.5 2 true false true false true false"
    );
    assert_eq!(f.ok("#{true and not false or false}"), "true");
}

#[test]
fn question_dot_typo_is_a_syntax_error() {
    let err = Fixture::new().render(r#"#{Job.getNodeStatus("A") == "success" ?. "true" : "false"}"#).unwrap_err();
    assert!(err.to_string().contains("'?.'"), "{err}");
}

// §6.5 Job

#[test]
fn job_properties() {
    let mut f = Fixture::new();
    f.event_data = Some("msg".into());
    assert_eq!(
        f.ok("#{Job.name} #{Job.projectId} #{Job.eventData} #{Job.trigger.obsNewFiles == null}"),
        "daily_job project-1 msg true"
    );
    assert_eq!(f.ok("#{DateUtil.format(Job.startTime, 'HH:mm:ss')}"), "01:00:05");
    assert_eq!(Fixture::new().ok("[#{Job.eventData}]"), "[]");
}

#[test]
fn get_node_status_compares_with_success() {
    assert_eq!(Fixture::new().ok(r#"#{Job.getNodeStatus("test") == "success"}"#), "true");
}

#[test]
fn get_node_output_reads_upstream_output() {
    let f = Fixture::new();
    assert_eq!(f.ok(r#"#{Job.getNodeOutput("get_cluster")}"#), r#"{"tables":[{"table_name":"t1"}]}"#);
    assert_eq!(f.ok(r#"#{Job.getNodeOutput("quiet")}"#), "null");
    assert_eq!(f.ok(r#"#{Job.getNodeOutput("huge")}"#), "DLF.ERROR:upstream output is larger than limit");
    let err = f.render(r#"#{Job.getNodeOutput("not_upstream")}"#).unwrap_err();
    assert!(err.message.contains("not an upstream node"), "{err}");
}

#[test]
fn get_plan_time_formats_the_plan_time() {
    assert_eq!(Fixture::new().ok(r#"#{Job.getPlanTime("yyyy-MM-dd HH:mm:ss:SSS")}"#), "2018-09-26 01:00:00:000");
}

#[test]
fn get_yesterday_of_2018_09_26_0100_is_2018_09_25() {
    assert_eq!(Fixture::new().ok(r#"#{Job.getYesterday("yyyy-MM-dd")}"#), "2018-09-25");
}

#[test]
fn get_last_hour() {
    assert_eq!(Fixture::new().ok(r#"#{Job.getLastHour("yyyy-MM-dd HH")}"#), "2018-09-26 00");
}

#[test]
fn cloud_only_methods_return_null() {
    let f = Fixture::new();
    assert_eq!(f.ok(r#"[#{JSONUtil.path(Job.getRunningData("DLI_INSERT_DATA"),"jobIds[2]")}]"#), "[]");
    assert_eq!(f.ok(r#"[#{Job.getInsertJobId("test")}]"#), "[]");
}

#[test]
fn workday_methods_without_calendars() {
    let f = Fixture::new();
    assert_eq!(f.ok(r#"[#{Job.getPreviousWorkday(5,"yyyyMMdd")}]"#), "[]");
    assert!(f.render(r#"#{Job.getPreviousWorkday(0,"yyyyMMdd")}"#).is_err());
    assert!(
        f.render(r#"#{Job.getCalendarNextWorkday("cn",1,"yyyyMMdd")}"#)
            .unwrap_err()
            .message
            .contains("unknown calendar")
    );
    assert!(f.render(r#"#{Job.getCalendarNextWorkday(1,"yyyyMMdd")}"#).is_err());
}

// §6.6 DateUtil

#[test]
fn yesterday_with_add_days() {
    assert_eq!(
        Fixture::new().ok(r#"#{DateUtil.format(DateUtil.addDays(Job.planTime,-1),"yyyy-MM-dd")}"#),
        "2018-09-25"
    );
}

#[test]
fn date_util_arithmetic_examples() {
    let f = Fixture::new();
    assert_eq!(f.ok(r#"#{DateUtil.format(Job.planTime,"yyyy-MM-dd HH:mm:ss:SSS")}"#), "2018-09-26 01:00:00:000");
    assert_eq!(f.ok(r#"#{DateUtil.format(DateUtil.addMonths(Job.planTime,-1),"yyyy-MM")}"#), "2018-08");
    assert_eq!(f.ok(r#"#{DateUtil.format(DateUtil.addHours(Job.planTime,-1),"yyyy-MM-dd HH")}"#), "2018-09-26 00");
    assert_eq!(
        f.ok(r#"#{DateUtil.format(DateUtil.addMinutes(Job.planTime,-1),"yyyy-MM-dd HH:mm")}"#),
        "2018-09-26 00:59"
    );
    assert_eq!(f.ok(r#"#{DateUtil.format(DateUtil.now(),"yyyy-MM-dd HH:mm:ss")}"#), "2018-09-27 10:11:12");
    assert_eq!(f.ok(r#"#{DateUtil.getTime(Job.planTime)}"#), "1537894800000");
}

#[test]
fn add_months_clamps_to_the_end_of_the_month() {
    let f = Fixture::new().at("2024-01-31T10:00:00+08:00");
    assert_eq!(f.ok(r#"#{DateUtil.format(DateUtil.addMonths(Job.planTime,1),"yyyy-MM-dd")}"#), "2024-02-29");
    let f = Fixture::new().at("2023-01-31T10:00:00+08:00");
    assert_eq!(f.ok(r#"#{DateUtil.format(DateUtil.addMonths(Job.planTime,1),"yyyy-MM-dd")}"#), "2023-02-28");
}

#[test]
fn date_fields_of_2018_09_14() {
    let f = Fixture::new().at("2018-09-14T10:00:00+08:00");
    assert_eq!(f.ok("#{DateUtil.getDay(Job.planTime)} #{DateUtil.getMonth(Job.planTime)} #{DateUtil.getQuarter(Job.planTime)} #{DateUtil.getYear(Job.planTime)}"), "14 9 3 2018");
}

#[test]
fn parse_date_reads_the_plan_time_back() {
    let f = Fixture::new();
    let text = r#"#{DateUtil.format(DateUtil.parseDate(Job.getPlanTime("yyyy-MM-dd HH:mm:ss:SSS"),"yyyy-MM-dd HH:mm:ss"),"yyyyMMddHHmmss")}"#;
    assert_eq!(f.ok(text), "20180926010000");
    assert!(f.render(r#"#{DateUtil.parseDate("not a date","yyyy-MM-dd")}"#).is_err());
}

#[test]
fn format_with_time_zone_gmt0_shifts_15_24_to_07_24() {
    let f = Fixture::new().at("2025-09-17T15:24:00+08:00");
    assert_eq!(f.ok(r#"#{DateUtil.formatWithTimeZone(Job.planTime,"yyyy-MM-dd HH:mm","GMT+0")}"#), "2025-09-17 07:24");
    assert_eq!(f.ok(r#"#{DateUtil.formatWithTimeZone(Job.planTime,"HH:mm z","America/New_York")}"#), "03:24 EDT");
}

#[test]
fn week_vectors_of_plan_time_2024_01_07() {
    let f = Fixture::new().at("2024-01-07T00:00:00+08:00");
    assert_eq!(f.ok(r#"#{DateUtil.format(DateUtil.addDays(Job.planTime,-1),"yyyyw")}"#), "20241");
    assert_eq!(f.ok(r#"#{DateUtil.format(DateUtil.addDays(Job.planTime,-1),"yyyyww")}"#), "202401");
    assert_eq!(f.ok(r#"#{DateUtil.format(DateUtil.addDays(Job.planTime,-7),"YYYYww")}"#), "202401");
}

#[test]
fn dates_use_the_service_zone() {
    let f = Fixture::new().in_zone("UTC");
    assert_eq!(f.ok(r#"#{DateUtil.format(Job.planTime,"yyyy-MM-dd HH:mm")}"#), "2018-09-25 17:00");
}

// §6.7 StringUtil

#[test]
fn split_on_a_set_of_chars_extracts_000_from_sql_output() {
    let text =
        r#"#{StringUtil.split(StringUtil.split(StringUtil.split(Job.getNodeOutput("n"),"]")[0],"[")[0],"\"")[0]}"#;
    assert_eq!(Fixture::new().ok(text), "000");
}

#[test]
fn string_util_doc_vectors() {
    let f = Fixture::new();
    assert_eq!(f.ok(r#"#{StringUtil.substringAfter("No.0010",".")}"#), "0010");
    assert_eq!(f.ok(r#"#{StringUtil.split("No,0020",',')[1]}"#), "0020");
    assert_eq!(f.ok(r#"#{StringUtil.getDigits("[[\"11\"]]")}"#), "11");
    assert_eq!(f.ok(r#"#{StringUtil.getDigits("1123~45")}"#), "112345");
    assert_eq!(f.ok(r#"[#{StringUtil.getDigits("abc")}]"#), "[]");
}

#[test]
fn string_util_is_null_safe() {
    let f = Fixture::new();
    assert_eq!(
        f.ok("#{StringUtil.isEmpty(missing)} #{StringUtil.length(missing)} [#{StringUtil.upperCase(missing)}]"),
        "true 0 []"
    );
}

// §6.8 JSONUtil

#[test]
fn json_path_reads_the_area_code_of_the_first_city() {
    let f = Fixture::new()
        .with_param("str", r#"{"cities":[{"name":"city1","areaCode":"1000"},{"name":"city2","areaCode":"2000"}]}"#);
    assert_eq!(f.ok(r#"#{JSONUtil.path(str,"cities[0].areaCode")}"#), "1000");
    assert_eq!(f.ok(r#"#{JSONUtil.path(str,"$.cities[1].name")}"#), "city2");
    assert_eq!(f.ok(r#"[#{JSONUtil.path(str,"cities[5].name")}]"#), "[]");
    assert_eq!(f.ok(r#"#{JSONUtil.path(JSONUtil.parse(str),"cities[0]")}"#), r#"{"name":"city1","areaCode":"1000"}"#);
}

#[test]
fn json_path_of_node_output_in_a_rest_url() {
    let f = Fixture::new();
    let url = r#"https://host/api?tableName=#{JSONUtil.path(Job.getNodeOutput("get_cluster"),"tables[0].table_name")}"#;
    assert_eq!(f.ok(url), "https://host/api?tableName=t1");
    let idiom = r#"#{JSONUtil.toString(JSONUtil.path(Job.getNodeOutput("get_cluster"),"tables[0]"))}"#;
    assert_eq!(f.ok(idiom), r#"{"table_name":"t1"}"#);
}

// §6.9 Loop and §3.2 For Each

#[test]
fn loop_exposes_data_array_current_and_offset() {
    let dataset = parse_dataset(r#"[["a","x"],["b","y"]]"#).unwrap();
    let f = Fixture::new().in_loop(dataset, 1);
    assert_eq!(f.ok("#{Loop.dataArray[1][0]} #{Loop.current[0]} #{Loop.offset}"), "b b 1");
    assert_eq!(f.ok("#{Loop.dataArray[Loop.offset] == Loop.current}"), "true");
    assert_eq!(f.ok("Source=#{Loop.current[1]}"), "Source=y");
}

#[test]
fn loop_is_null_outside_for_each() {
    assert_eq!(Fixture::new().ok("[#{Loop}][#{Loop.current[0]}]"), "[][]");
}

#[test]
fn for_each_dataset_elements_are_bare_text() {
    assert_eq!(parse_dataset("[['001'],['002']]").unwrap(), vec![vec!["001"], vec!["002"]]);
    for same in [r#"[["00"]]"#, "[[00]]", "[['00']]"] {
        assert_eq!(parse_dataset(same).unwrap(), vec![vec!["00"]]);
    }
    assert_eq!(parse_dataset(r#"[["\"00\""]]"#).unwrap(), vec![vec!["\"00\""]]);
}

#[test]
fn for_each_dataset_from_upstream_output() {
    let f = Fixture::new();
    let rendered = f.ok("#{Job.getNodeOutput('n')}");
    assert_eq!(parse_dataset(&rendered).unwrap(), vec![vec!["000"]]);
    let dataset = parse_dataset(&rendered).unwrap();
    let child = Fixture::new().in_loop(dataset, 0).with_param("x", "000");
    assert_eq!(child.ok("#{${x} == 0}"), "true");
}

// §6.10 Env, §6.11 OBSUtil, NumberUtil

#[test]
fn env_get_reads_workspace_variables() {
    let f = Fixture::new();
    assert_eq!(f.ok("#{Env.get('env_var')} [#{Env.get('nope')}]"), "E []");
}

#[test]
fn obs_util_without_object_store_is_an_error() {
    let err = Fixture::new().render("#{OBSUtil.isExistOBSPath('obs://b/dir/')}").unwrap_err();
    assert!(err.message.contains("no object store"), "{err}");
}

#[test]
fn number_util_does_not_exist() {
    let err = Fixture::new().render("#{NumberUtil.add(1,2)}").unwrap_err();
    assert!(err.message.contains("NumberUtil"), "{err}");
}

// §6.13 simple variable set

#[test]
fn simple_variables_are_off_by_default() {
    assert_eq!(Fixture::new().ok("${yyyymmdd} $[yyyymmdd] $job_id"), "${yyyymmdd} $[yyyymmdd] $job_id");
}

#[test]
fn simple_variables_when_enabled() {
    let mut f = Fixture::new();
    f.simple_variables = true;
    assert_eq!(
        f.ok("${yyyymmdd} ${yyyy-mm-dd-1} $[yyyymmddhh24miss] $[yyyymmdd-1-1/24] $job_id $instance_id"),
        "20180925 2018-09-24 20180926010000 20180925 1001 2002"
    );
    assert_eq!(f.ok("#{'${yyyymm}' == '201809'}"), "true");
    assert_eq!(f.ok("${bizdate}"), "20180925");
}

#[test]
fn explicit_parameters_win_over_simple_variables() {
    let mut f = Fixture::new().with_param("yyyymmdd", "param");
    f.simple_variables = true;
    assert_eq!(f.ok("${yyyymmdd}"), "param");
}

// §5.6 IF patterns

#[test]
fn if_else_on_node_success_or_failure() {
    let f = Fixture::new();
    let ctx = f.ctx();
    assert!(!eval_condition(r#"#{Job.getNodeStatus("A") == "success" ? "true" : "false"}"#, &ctx).unwrap());
    assert!(eval_condition(r#"#{Job.getNodeStatus("A") == "fail" ? "true" : "false"}"#, &ctx).unwrap());
}

#[test]
fn numeric_if_on_a_parameter() {
    let f = Fixture::new();
    assert!(!eval_condition(r#"#{${result} > 5 ? "true" : "false"}"#, &f.ctx()).unwrap());
}

#[test]
fn last_day_of_the_month_from_a_daily_job() {
    let condition = r#"#{DateUtil.getDay(DateUtil.addDays(Job.planTime,1)) == 1 ? "true" : "false"}"#;
    let last = Fixture::new().at("2024-02-29T02:00:00+08:00");
    assert!(eval_condition(condition, &last.ctx()).unwrap());
    let not_last = Fixture::new().at("2024-02-28T02:00:00+08:00");
    assert!(!eval_condition(condition, &not_last.ctx()).unwrap());
}

#[test]
fn once_a_year_from_a_monthly_job() {
    let condition = r#"#{DateUtil.getMonth(Job.planTime) == 6 ? "true" : "false"}"#;
    assert!(eval_condition(condition, &Fixture::new().at("2024-06-01T00:00:00+08:00").ctx()).unwrap());
    assert!(!eval_condition(condition, &Fixture::new().at("2024-07-01T00:00:00+08:00").ctx()).unwrap());
}

#[test]
fn condition_truth_is_trimmed_and_case_insensitive() {
    let f = Fixture::new();
    let ctx = f.ctx();
    assert!(eval_condition(" TRUE\n", &ctx).unwrap());
    assert!(eval_condition("#{'True'}", &ctx).unwrap());
    assert!(!eval_condition("yes", &ctx).unwrap());
    assert!(eval_condition("#{1 +}", &ctx).is_err());
}
