//! A fixed evaluation context for the EL tests: plan time 2018-09-26 01:00 Asia/Shanghai unless
//! a test says otherwise, a few parameters, environment variables and nodes.

#![allow(dead_code)]

use dlf_core::el::{ElContext, ElError, LoopContext, StaticEnv, StaticNodes, StaticParams, Value};
use dlf_core::zone::Zone;
use std::collections::HashMap;

/// Epoch ms of an RFC 3339 time.
pub fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).expect("RFC 3339 time").timestamp_millis()
}

/// Owns everything an [`ElContext`] borrows.
pub struct Fixture {
    pub plan_time_ms: i64,
    pub start_time_ms: i64,
    pub now_ms: i64,
    pub zone: Zone,
    pub params: StaticParams,
    pub env: StaticEnv,
    pub nodes: StaticNodes,
    pub dataset: Vec<Vec<String>>,
    pub loop_offset: Option<usize>,
    pub event_data: Option<String>,
    pub simple_variables: bool,
}

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

impl Fixture {
    pub fn new() -> Fixture {
        let plan = ms("2018-09-26T01:00:00+08:00");
        Fixture {
            plan_time_ms: plan,
            start_time_ms: plan + 5_000,
            now_ms: ms("2018-09-27T10:11:12+08:00"),
            zone: Zone::parse("Asia/Shanghai").unwrap(),
            params: StaticParams {
                job: map(&[("result", "4"), ("a", "No.0010"), ("shadowed", "from job"), ("bizdate", "20180925")]),
                own: map(&[("test", "own value"), ("a", "No.0010")]),
                script: map(&[("script_only", "s"), ("shadowed", "from script")]),
            },
            env: StaticEnv(map(&[("env_var", "E"), ("shadowed", "from env"), ("dlf.region", "cn-north-4")])),
            nodes: StaticNodes {
                statuses: map(&[("test", "success"), ("A", "fail")]),
                outputs: [
                    ("n".to_string(), Some(r#"[["000"]]"#.to_string())),
                    ("get_cluster".to_string(), Some(r#"{"tables":[{"table_name":"t1"}]}"#.to_string())),
                    ("quiet".to_string(), None),
                    ("huge".to_string(), Some("x".repeat(40_000))),
                ]
                .into_iter()
                .collect(),
            },
            dataset: Vec::new(),
            loop_offset: None,
            event_data: None,
            simple_variables: false,
        }
    }

    pub fn at(mut self, plan_rfc3339: &str) -> Fixture {
        self.plan_time_ms = ms(plan_rfc3339);
        self.start_time_ms = self.plan_time_ms;
        self
    }

    pub fn in_zone(mut self, zone: &str) -> Fixture {
        self.zone = Zone::parse(zone).unwrap();
        self
    }

    pub fn with_param(mut self, name: &str, value: &str) -> Fixture {
        self.params.job.insert(name.to_string(), value.to_string());
        self
    }

    pub fn in_loop(mut self, dataset: Vec<Vec<String>>, offset: usize) -> Fixture {
        self.dataset = dataset;
        self.loop_offset = Some(offset);
        self
    }

    pub fn ctx(&self) -> ElContext<'_> {
        ElContext {
            plan_time_ms: self.plan_time_ms,
            start_time_ms: self.start_time_ms,
            now_ms: self.now_ms,
            job_name: "daily_job",
            project_id: "project-1",
            service_zone: self.zone,
            params: &self.params,
            env: &self.env,
            nodes: &self.nodes,
            loop_ctx: self.loop_offset.map(|offset| LoopContext { data_array: &self.dataset, offset }),
            event_data: self.event_data.as_deref(),
            simple_variables: self.simple_variables,
            job_id: Some(1001),
            instance_id: Some(2002),
        }
    }

    pub fn render(&self, text: &str) -> Result<String, ElError> {
        dlf_core::el::render(text, &self.ctx())
    }

    /// Renders, panicking with the error's text on failure.
    pub fn ok(&self, text: &str) -> String {
        self.render(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    pub fn eval(&self, expression: &str) -> Result<Value, ElError> {
        let expr = dlf_core::el::parse_expression(expression)?;
        dlf_core::el::evaluate(&expr, &self.ctx())
    }
}
