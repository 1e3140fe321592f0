//! Fuzz target for the expression language: arbitrary UTF-8 parsed as an expression and as a
//! template, printed and re-parsed, and rendered against a fixed context. Nothing may panic,
//! overflow the stack or allocate without bound.

#![no_main]

use dlf_core::el::{
    ElContext, LoopContext, StaticEnv, StaticNodes, StaticParams, evaluate, parse_dataset, parse_expression,
    parse_template, render,
};
use dlf_core::zone::Zone;
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(expr) = parse_expression(text) {
        let printed = expr.to_string();
        let reparsed = parse_expression(&printed).expect("printed expression parses again");
        assert_eq!(reparsed, expr, "round trip of {printed}");
    }
    let _ = parse_template(text);
    let _ = parse_dataset(text);

    let params = StaticParams {
        job: map(&[("a", "No.0010"), ("n", "5"), ("json", r#"{"a":[1,{"b":"c"}]}"#)]),
        own: map(&[("a", "No.0010")]),
        script: HashMap::new(),
    };
    let env = StaticEnv(map(&[("e", "E")]));
    let nodes = StaticNodes {
        statuses: map(&[("A", "success")]),
        outputs: [("A".to_string(), Some(r#"[["000"]]"#.to_string()))].into_iter().collect(),
    };
    let dataset = vec![vec!["a".to_string(), "1".to_string()], vec!["b".to_string(), "2".to_string()]];
    let ctx = ElContext {
        plan_time_ms: 1_770_426_303_045,
        start_time_ms: 1_770_426_303_045,
        now_ms: 1_770_426_400_000,
        job_name: "fuzz",
        project_id: "p",
        service_zone: Zone::parse("America/New_York").unwrap(),
        params: &params,
        env: &env,
        nodes: &nodes,
        loop_ctx: Some(LoopContext { data_array: &dataset, offset: 1 }),
        event_data: Some("event"),
        simple_variables: data.first().is_some_and(|b| b % 2 == 0),
        job_id: Some(1),
        instance_id: None,
    };
    let _ = render(text, &ctx);
    if let Ok(expr) = parse_expression(text) {
        let _ = evaluate(&expr, &ctx);
    }
});
