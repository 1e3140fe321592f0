//! W8 foreach1000: a For Each node over a literal dataset of 1,000 rows, `concurrent` 50, whose
//! child job is one Dummy node; RunOnce of the parent until it succeeds: child instances per
//! second. W2's node instances per second are measured on the same server in the same run,
//! interleaved, so the two figures compare under the same conditions.

use anyhow::{Result, bail};
use serde_json::json;
use std::time::{Duration, Instant};

use super::{Bench, manual_job, node, w2_fan1000, wait_instance};
use crate::server::Server;
use crate::stats::{Samples, report};

const ROWS: usize = 1000;
const CONCURRENT: usize = 50;

pub async fn run(bench: &Bench) -> Result<()> {
    let server = Server::fresh(&bench.dlf).await?;
    let client = server.client();
    client.create_job(&manual_job("w8child", vec![node("d", "Dummy", 0, None, &[])])).await?;
    let rows: Vec<String> = (0..ROWS).map(|i| format!("[{i}]")).collect();
    let mut each = node("each", "ForEach", 0, None, &[]);
    each["properties"] = json!([
        {"name": "subJobName", "value": "w8child"},
        {"name": "dataset", "value": format!("[{}]", rows.join(","))},
        {"name": "jobParams", "value": "row=#{Loop.current[0]}"},
        {"name": "concurrent", "value": CONCURRENT.to_string()},
    ]);
    client.create_job(&manual_job("foreach1000", vec![each])).await?;
    w2_fan1000::create(&client).await?;

    let mut children = Samples::default();
    let mut nodes = Samples::default();
    for run in 0..bench.runs + 1 {
        let started = Instant::now();
        let id = client.run_once("foreach1000").await?;
        let ended = wait_instance(&client, "foreach1000", id, Duration::from_secs(300)).await?;
        let listed = client.expect("GET", &format!("/x/instances/{id}/children"), None, 200).await?;
        if listed["total"].as_i64() != Some(ROWS as i64) {
            bail!("the For Each parent {id} has {} children, not {ROWS}", listed["total"]);
        }
        let w2 = w2_fan1000::measure(&client).await?;
        // The first run warms the server up (plans, caches); it is not counted.
        if run > 0 {
            children.push(ROWS as f64 / (ended - started).as_secs_f64());
            nodes.push(w2);
        }
    }
    report(
        "W8 foreach1000",
        "child instances/s",
        &children.describe("children/s"),
        "W2 beside it (below)",
        "—",
        "≥ 1,000 children/s",
        Some(children.median() >= 1000.0),
    );
    report("W8 (W2 beside)", "node instances/s", &nodes.describe("nodes/s"), "—", "—", "—", None);
    server.stop()
}
