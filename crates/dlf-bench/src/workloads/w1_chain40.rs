//! W1 chain40: one job, 40 Shell nodes `true` in a strict chain, RunOnce; wall time from the
//! request to the instance's success, beside a shell loop running `sh -c true` 40 times.

use anyhow::Result;
use std::time::{Duration, Instant};

use super::{Bench, manual_job, ms, node, wait_instance};
use crate::server::Server;
use crate::stats::{Samples, fmt, report};

const NODES: usize = 40;

pub async fn run(bench: &Bench) -> Result<()> {
    let server = Server::fresh(&bench.dlf).await?;
    let client = server.client();
    let nodes = (0..NODES)
        .map(|i| {
            let pre = if i == 0 { vec![] } else { vec![format!("n{}", i - 1)] };
            node(&format!("n{i}"), "Shell", i * 10, Some("true"), &pre)
        })
        .collect();
    client.create_job(&manual_job("chain40", nodes)).await?;

    // One unmeasured run warms the connection, the plan cache and the page cache.
    let id = client.run_once("chain40").await?;
    wait_instance(&client, "chain40", id, Duration::from_secs(60)).await?;

    let mut dlf = Samples::default();
    let mut reference = Samples::default();
    let mut ratios = Samples::default();
    for _ in 0..bench.runs {
        let r = tokio::task::spawn_blocking(|| super::shell_reference(NODES, 1)).await??;
        let started = Instant::now();
        let id = client.run_once("chain40").await?;
        let ended = wait_instance(&client, "chain40", id, Duration::from_secs(60)).await?;
        let d = ms(ended - started);
        dlf.push(d);
        reference.push(ms(r));
        ratios.push(d / ms(r));
    }
    let ratio = ratios.median();
    report(
        "W1 chain40",
        "wall time",
        &dlf.describe("ms"),
        &format!("sh loop {}", reference.describe("ms")),
        &format!("{}x", fmt(ratio)),
        "≤ 3x reference",
        Some(ratio <= 3.0),
    );
    server.stop()
}
