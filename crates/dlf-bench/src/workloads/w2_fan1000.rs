//! W2 fan1000: a 200-node job (Dummy start → 198 parallel Dummy nodes → Dummy end), five
//! RunOnce calls at once: node instances per second from the first request to the last success.

use anyhow::Result;
use std::time::{Duration, Instant};

use super::{Bench, manual_job, node, wait_instance};
use crate::client::Client;
use crate::server::Server;
use crate::stats::{Samples, report};

const MIDDLE: usize = 198;
const RUNS_AT_ONCE: usize = 5;

pub async fn run(bench: &Bench) -> Result<()> {
    let server = Server::fresh(&bench.dlf).await?;
    let client = server.client();
    create(&client).await?;
    let mut rate = Samples::default();
    for _ in 0..bench.runs {
        rate.push(measure(&client).await?);
    }
    report(
        "W2 fan1000",
        "node instances/s",
        &rate.describe("nodes/s"),
        "—",
        "—",
        "≥ 5,000 nodes/s",
        Some(rate.median() >= 5000.0),
    );
    server.stop()
}

/// Creates the `fan1000` job and runs it once (warm-up).
pub async fn create(client: &Client) -> Result<()> {
    let mut nodes = vec![node("start", "Dummy", 0, None, &[])];
    let middle: Vec<String> = (0..MIDDLE).map(|i| format!("m{i}")).collect();
    for (i, name) in middle.iter().enumerate() {
        nodes.push(node(name, "Dummy", 10 + i, None, &["start".to_string()]));
    }
    nodes.push(node("end", "Dummy", 10 + MIDDLE, None, &middle));
    client.create_job(&manual_job("fan1000", nodes)).await?;
    let id = client.run_once("fan1000").await?;
    wait_instance(client, "fan1000", id, Duration::from_secs(60)).await?;
    Ok(())
}

/// One measurement: five RunOnce at once, node instances per second.
pub async fn measure(client: &Client) -> Result<f64> {
    let started = Instant::now();
    let waits: Vec<_> = (0..RUNS_AT_ONCE)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let id = client.run_once("fan1000").await?;
                wait_instance(&client, "fan1000", id, Duration::from_secs(120)).await
            })
        })
        .collect();
    let mut last = started;
    for w in waits {
        last = last.max(w.await??);
    }
    let nodes = (RUNS_AT_ONCE * (MIDDLE + 2)) as f64;
    Ok(nodes / (last - started).as_secs_f64())
}
