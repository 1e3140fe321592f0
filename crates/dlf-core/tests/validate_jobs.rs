//! Job validation (JOBS.md §2, §8; API.md J1): every rule answers with its catalogue code and a
//! message naming the field; normalisation fills the documented defaults.

use dlf_core::cron::{IntervalType, Period};
use dlf_core::model::JobDocument;
use dlf_core::validate::{JobValidationContext, UpstreamJob, dependency_allowed, normalize_job, validate_job};
use serde_json::{Value, json};

fn doc(v: &Value) -> JobDocument {
    let mut d = JobDocument::from_json_bytes(&serde_json::to_vec(v).unwrap()).expect("parses");
    normalize_job(&mut d);
    d
}

fn base() -> Value {
    json!({
        "name": "job_1",
        "processType": "BATCH",
        "schedule": {"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+08", "expression": "0 0 2 * * ?"}},
        "nodes": [{"name": "a", "type": "Dummy", "location": {"x": "0", "y": "0"}, "properties": []}]
    })
}

fn daily() -> Option<UpstreamJob> {
    Some(UpstreamJob { period: Some((IntervalType::Days, Period::Fixed(86_400_000))) })
}

fn check(v: &Value) -> Result<(), (String, String)> {
    let lookup = |name: &str| match name {
        "daily_up" => daily(),
        "hourly_up" => Some(UpstreamJob { period: Some((IntervalType::Hours, Period::Fixed(3_600_000))) }),
        "weekly_up" => Some(UpstreamJob { period: Some((IntervalType::Weeks, Period::Fixed(7 * 86_400_000))) }),
        "once_up" => Some(UpstreamJob { period: None }),
        _ => None,
    };
    let ctx = JobValidationContext { strict_dlf_cron: false, lookup_job: &lookup };
    validate_job(&doc(v), &ctx).map_err(|e| (e.code.code().to_string(), e.message))
}

fn edit(f: impl Fn(&mut Value)) -> Value {
    let mut v = base();
    f(&mut v);
    v
}

#[test]
fn a_valid_job_passes() {
    assert_eq!(check(&base()), Ok(()));
}

#[test]
fn each_rule_has_its_code_and_names_its_field() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (edit(|v| v["name"] = json!("")), "DLF.3004", "name"),
        (edit(|v| v["name"] = json!("a b")), "DLF.3018", "name"),
        (edit(|v| v["name"] = json!("x".repeat(129))), "DLF.3018", "128"),
        (edit(|v| v["nodes"] = json!([])), "DLF.1006", "nodes"),
        (edit(|v| v.as_object_mut().unwrap().remove("processType").map(|_| ()).unwrap()), "DLF.2014", "processType"),
        (edit(|v| v["processType"] = json!("STREAM")), "DLF.2014", "STREAM"),
        (edit(|v| v.as_object_mut().unwrap().remove("schedule").map(|_| ()).unwrap()), "DLF.3025", "schedule"),
        (edit(|v| v["schedule"]["type"] = json!("WEEKLY")), "DLF.3025", "schedule.type"),
        (edit(|v| v["schedule"]["cron"]["expression"] = json!("0 0 2 * * *")), "DLF.3025", "expression"),
        (edit(|v| v["schedule"]["cron"]["expression"] = json!("0 0 24 * * ?")), "DLF.3025", "expression"),
        (edit(|v| v["schedule"]["cron"]["startTime"] = json!("yesterday")), "DLF.3025", "startTime"),
        (edit(|v| v["schedule"]["cron"]["endTime"] = json!("2023-12-31T00:00:00+08")), "DLF.3025", "endTime"),
        (edit(|v| v["schedule"]["cron"]["expressionTimeZone"] = json!("GMT+25")), "DLF.3025", "expressionTimeZone"),
        (edit(|v| v["schedule"]["cron"]["intervalType"] = json!("fortnights")), "DLF.3025", "intervalType"),
        (edit(|v| v["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["missing"]})), "DLF.3025", "missing"),
        (edit(|v| v["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["job_1"]})), "DLF.3025", "itself"),
        (edit(|v| v["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["once_up"]})), "DLF.3025", "no cron schedule"),
        (edit(|v| v["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["weekly_up"]})), "DLF.3025", "weekly"),
        (
            edit(|v| v["schedule"]["cron"]["dependJobs"] = json!({"jobs": ["daily_up"], "dependFailPolicy": "PANIC"})),
            "DLF.3025",
            "dependFailPolicy",
        ),
        (
            edit(|v| v["nodes"] = json!([{"name": "a", "type": "Dummy"}, {"name": "a", "type": "Dummy"}])),
            "DLF.3051",
            "twice",
        ),
        (edit(|v| v["nodes"][0]["preNodeName"] = json!(["ghost"])), "DLF.3051", "preNodeName"),
        (edit(|v| v["nodes"][0]["preNodeName"] = json!(["a"])), "DLF.3051", "itself"),
        (edit(|v| v["nodes"][0]["name"] = json!("bad name")), "DLF.3051", "nodes[0].name"),
        (edit(|v| v["nodes"][0]["failPolicy"] = json!("RETRY")), "DLF.3051", "failPolicy"),
        (edit(|v| v["nodes"][0]["retryTimes"] = json!(6)), "DLF.3051", "retryTimes"),
        (edit(|v| v["nodes"][0]["retryInterval"] = json!(4)), "DLF.3051", "retryInterval"),
        (edit(|v| v["nodes"][0]["maxExecutionTime"] = json!(1441)), "DLF.3051", "maxExecutionTime"),
        (edit(|v| v["nodes"][0]["pollingInterval"] = json!(0)), "DLF.3051", "pollingInterval"),
        (edit(|v| v["nodes"][0]["execTimeOutRetry"] = json!("yes")), "DLF.3051", "execTimeOutRetry"),
        (edit(|v| v["nodes"][0]["type"] = json!("Shell")), "DLF.3051", "scriptName"),
        (edit(|v| v["nodes"][0]["type"] = json!("RESTAPI")), "DLF.3051", "url"),
        (
            edit(|v| v["nodes"][0]["properties"] = json!([{"name": "k", "value": "1"}, {"name": "k", "value": "2"}])),
            "DLF.3051",
            "'k'",
        ),
        (
            edit(|v| v["params"] = json!([{"name": "p", "value": "1"}, {"name": "p", "value": "2"}])),
            "DLF.3051",
            "params[1]",
        ),
        (edit(|v| v["params"] = json!([{"name": "bad name", "value": "1"}])), "DLF.3051", "params[0].name"),
        (edit(|v| v["params"] = json!([{"name": "p"}])), "DLF.3051", "params[0].value"),
        (edit(|v| v["params"] = json!([{"name": "p", "value": "1", "type": "secret"}])), "DLF.3051", "params[0].type"),
        (edit(|v| v["basicConfig"] = json!({"priority": 3})), "DLF.3051", "priority"),
        (edit(|v| v["basicConfig"] = json!({"instanceTimeout": 2})), "DLF.3051", "instanceTimeout"),
        (edit(|v| v["description"] = json!("d".repeat(256))), "DLF.3050", "description"),
        (edit(|v| v["emptyRunningJob"] = json!("2")), "DLF.3051", "emptyRunningJob"),
        (edit(|v| v["singleNodeJobFlag"] = json!(true)), "DLF.3051", "exactly one node"),
    ];
    for (v, code, field) in cases {
        let singles_ok = code == "DLF.3051" && field == "exactly one node";
        let v = if singles_ok {
            let mut v = v;
            v["nodes"].as_array_mut().unwrap().push(json!({"name": "b", "type": "Dummy"}));
            v
        } else {
            v
        };
        match check(&v) {
            Ok(()) => panic!("accepted, expected {code} naming {field}: {v}"),
            Err((got, message)) => {
                assert_eq!(got, code, "{message}");
                assert!(message.contains(field), "{code}: {message:?} should name {field:?}");
            }
        }
    }
}

#[test]
fn the_graph_must_be_acyclic_and_the_cycle_is_named() {
    let v = edit(|v| {
        v["nodes"] = json!([
            {"name": "a", "type": "Dummy", "preNodeName": ["c"]},
            {"name": "b", "type": "Dummy", "preNodeName": ["a"]},
            {"name": "c", "type": "Dummy", "preNodeName": ["b"]},
        ])
    });
    let (code, message) = check(&v).unwrap_err();
    assert_eq!(code, "DLF.3051");
    assert!(message.contains("cycle") && message.contains("a") && message.contains("->"), "{message}");
}

#[test]
fn two_hundred_nodes_are_fine_and_two_hundred_and_one_are_not() {
    let nodes = |n: usize| json!((0..n).map(|i| json!({"name": format!("n{i}"), "type": "Dummy"})).collect::<Vec<_>>());
    assert_eq!(check(&edit(|v| v["nodes"] = nodes(200))), Ok(()));
    assert_eq!(check(&edit(|v| v["nodes"] = nodes(201))).unwrap_err().0, "DLF.3051");
}

#[test]
fn conditions_must_name_an_upstream_in_pre_node_name() {
    let ok = edit(|v| {
        v["nodes"] = json!([
            {"name": "a", "type": "Dummy"},
            {"name": "b", "type": "Dummy", "preNodeName": ["a"], "conditions": [{"preNodeName": "a", "expression": "#{true}"}]},
        ])
    });
    assert_eq!(check(&ok), Ok(()));
    let bad = edit(|v| {
        v["nodes"] = json!([
            {"name": "a", "type": "Dummy"},
            {"name": "b", "type": "Dummy", "conditions": [{"preNodeName": "a", "expression": "#{true}"}]},
        ])
    });
    let (code, message) = check(&bad).unwrap_err();
    assert_eq!(code, "DLF.3051");
    assert!(message.contains("conditions[0].preNodeName"), "{message}");
}

#[test]
fn seconds_are_free_unless_strict() {
    let every_two = edit(|v| v["schedule"]["cron"]["expression"] = json!("0/2 * * * * ?"));
    assert_eq!(check(&every_two), Ok(()));
    let lookup = |_: &str| None;
    let strict = JobValidationContext { strict_dlf_cron: true, lookup_job: &lookup };
    let e = validate_job(&doc(&every_two), &strict).unwrap_err();
    assert_eq!(e.code.code(), "DLF.3025");
    assert!(e.message.contains("second"), "{}", e.message);
    assert!(validate_job(&doc(&base()), &strict).is_ok());
}

#[test]
fn huaweis_lenient_forms_are_accepted() {
    // A CRON schedule without a cron block (Huawei's own example), tags as {}, numbers as
    // coordinates, paramType alias, an unknown node type: all accepted.
    let v = edit(|v| {
        v["schedule"] = json!({"type": "CRON"});
        v["basicConfig"] = json!({"tags": {}});
        v["nodes"] = json!([{"name": "a", "type": "DISStream", "location": {"x": -45.5, "y": 12}, "properties": []}]);
        v["params"] = json!([{"name": "p", "value": "1", "paramType": "constants"}]);
    });
    assert_eq!(check(&v), Ok(()));
    let d = doc(&v);
    assert_eq!(d.nodes[0].location.as_ref().unwrap().x, "-45.5");
    assert_eq!(d.tags(), &[] as &[String]);
    assert_eq!(d.params.as_ref().unwrap()[0].param_type.as_deref(), Some("constants"));
}

#[test]
fn normalisation_fills_documented_defaults() {
    let d = doc(&base());
    let n = &d.nodes[0];
    assert_eq!(
        (n.polling_interval, n.max_execution_time, n.retry_times, n.retry_interval),
        (Some(10), Some(60), Some(0), Some(120))
    );
    assert_eq!(n.fail_policy.as_deref(), Some("FAIL"));
    assert_eq!(n.exec_time_out_retry.as_deref(), Some("false"));
    assert_eq!(d.directory.as_deref(), Some("/"));
    assert_eq!(d.empty_running_job.as_deref(), Some("0"));
    let bc = d.basic_config.as_ref().unwrap();
    assert_eq!((bc.priority, bc.task_priority), (Some(0), Some(0)));
    let mirrored = doc(&edit(|v| v["basicConfig"] = json!({"taskPriority": 2})));
    assert_eq!(mirrored.basic_config.unwrap().priority, Some(2), "taskPriority mirrors into priority");
    let times = doc(&edit(|v| v["schedule"]["cron"]["startTime"] = json!("2024-01-01T00:00:00+08:00")));
    assert_eq!(times.cron().unwrap().start_time.as_deref(), Some("2024-01-01T00:00:00+08"), "written back as ±HH");
}

#[test]
fn dependency_period_rules() {
    let minute = (IntervalType::Minutes, Period::Fixed(600_000));
    let minute5 = (IntervalType::Minutes, Period::Fixed(300_000));
    let hour = (IntervalType::Hours, Period::Fixed(3_600_000));
    let day = (IntervalType::Days, Period::Fixed(86_400_000));
    let week = (IntervalType::Weeks, Period::Fixed(604_800_000));
    let month = (IntervalType::Months, Period::Months(1));
    assert!(dependency_allowed(day, hour).is_ok(), "a daily job may depend on an hourly one");
    assert!(dependency_allowed(hour, day).is_err(), "an hourly job may not depend on a daily one");
    assert!(dependency_allowed(minute, minute5).is_ok());
    assert!(dependency_allowed(minute5, minute).is_err(), "the shorter interval may not depend on the longer");
    assert!(
        dependency_allowed(week, day).is_err() && dependency_allowed(day, week).is_err(),
        "weekly jobs take no part"
    );
    assert!(dependency_allowed(month, day).is_ok());
    assert!(dependency_allowed(month, hour).is_err(), "monthly depends only on daily");
}
