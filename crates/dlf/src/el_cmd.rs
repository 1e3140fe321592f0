//! `dlf el eval`: render a text with `${}` parameters and `#{}` expressions offline, through the
//! same `dlf_core::el::render` the engine uses, so a preview is exactly what a run does.
//!
//! Exit status: 0 with the rendered text (and a newline) on stdout; 2 with the error on stderr
//! and nothing on stdout when the text does not render or an option is invalid.

use crate::machine_zone::default_service_zone;
use chrono::{DateTime, LocalResult, NaiveDateTime, Utc};
use clap::{Args, Subcommand};
use dlf_core::el::{ElContext, StaticEnv, StaticNodes, StaticParams, render};
use dlf_core::zone::Zone;
use std::collections::HashMap;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ElCommand {
    /// Render a text as a node property would be rendered, and print it.
    Eval(EvalArgs),
}

#[derive(Args)]
pub struct EvalArgs {
    /// The text, e.g. '#{DateUtil.format(DateUtil.addDays(Job.planTime,-1),"yyyyMMdd")}'.
    text: String,
    /// Plan time (Job.planTime): ISO-8601 such as 2026-02-07T09:05:03+08:00, local time in the
    /// zone without an offset, or epoch milliseconds. Default: now.
    #[arg(long, value_name = "TIME")]
    plan_time: Option<String>,
    /// Service time zone for dates (GMT+8, Asia/Shanghai, UTC). Default: the machine's zone.
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    /// A job parameter (repeatable); the value is used as given.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// A workspace environment variable (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// The output of an upstream node for Job.getNodeOutput (repeatable).
    #[arg(long = "node-output", value_name = "NODE=TEXT")]
    node_outputs: Vec<String>,
    /// The status of a node for Job.getNodeStatus (repeatable).
    #[arg(long = "node-status", value_name = "NODE=STATUS")]
    node_statuses: Vec<String>,
    /// Job.name.
    #[arg(long, default_value = "preview")]
    job_name: String,
    /// Enable the simple variable set (${yyyymmdd}, $[hh24miss], …).
    #[arg(long)]
    simple_variables: bool,
}

pub fn run(cmd: ElCommand) -> ExitCode {
    let ElCommand::Eval(args) = cmd;
    match eval(&args) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn eval(args: &EvalArgs) -> Result<String, String> {
    let zone = match &args.time_zone {
        Some(id) => Zone::parse(id).map_err(|e| e.to_string())?,
        None => default_service_zone(),
    };
    let now_ms = Utc::now().timestamp_millis();
    let plan_time_ms = match &args.plan_time {
        Some(text) => parse_plan_time(text, &zone)?,
        None => now_ms,
    };
    let params = pairs(&args.params, "--param")?;
    let nodes = StaticNodes {
        statuses: pairs(&args.node_statuses, "--node-status")?,
        outputs: pairs(&args.node_outputs, "--node-output")?.into_iter().map(|(k, v)| (k, Some(v))).collect(),
    };
    let params = StaticParams { job: params.clone(), own: params, script: HashMap::new() };
    let env = StaticEnv(pairs(&args.env, "--env")?);
    let ctx = ElContext {
        plan_time_ms,
        start_time_ms: plan_time_ms,
        now_ms,
        job_name: &args.job_name,
        project_id: "",
        service_zone: zone,
        params: &params,
        env: &env,
        nodes: &nodes,
        loop_ctx: None,
        event_data: None,
        simple_variables: args.simple_variables,
        job_id: None,
        instance_id: None,
    };
    render(&args.text, &ctx).map_err(|e| e.to_string())
}

/// `NAME=VALUE` options into a map.
fn pairs(items: &[String], option: &str) -> Result<HashMap<String, String>, String> {
    items
        .iter()
        .map(|item| {
            let (name, value) =
                item.split_once('=').ok_or_else(|| format!("{option} '{item}': expected NAME=VALUE"))?;
            Ok((name.to_string(), value.to_string()))
        })
        .collect()
}

/// Epoch ms, RFC 3339 (also DLF's two-digit offset `+08`), or local time in `zone`.
fn parse_plan_time(text: &str, zone: &Zone) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<i64>() {
        return Ok(ms);
    }
    let with_minutes = match text.len().checked_sub(3).map(|i| text.split_at(i)) {
        Some((head, tail)) if tail.starts_with(['+', '-']) && tail[1..].bytes().all(|b| b.is_ascii_digit()) => {
            format!("{head}{tail}:00")
        }
        _ => text.to_string(),
    };
    if let Ok(time) = DateTime::parse_from_rfc3339(&with_minutes.replacen(' ', "T", 1)) {
        return Ok(time.timestamp_millis());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return match zone.from_local(&local) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.timestamp_millis()),
                LocalResult::None => Err(format!("--plan-time '{text}' does not exist in {zone} (DST gap)")),
            };
        }
    }
    Err(format!("--plan-time '{text}': expected ISO-8601 such as 2026-02-07T09:05:03+08:00, or epoch milliseconds"))
}
