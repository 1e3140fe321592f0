//! W1 chain40: one job, 40 Shell nodes `true` in a strict chain, RunOnce; wall time from the
//! request to the instance's success, beside a shell loop running `sh -c true` 40 times.
//!
//! With `--run-as USER`, a second server runs its nodes as that user; its runs are interleaved
//! with the plain ones and the ratio of the two medians is the cost of dropping privileges.

use anyhow::Result;
use std::time::{Duration, Instant};

use super::{Bench, manual_job, ms, node, wait_instance};
use crate::client::Client;
use crate::server::Server;
use crate::stats::{Samples, fmt, report};

const NODES: usize = 40;

/// A server with the chain job, warmed by one unmeasured run (connection, plan cache, pages).
async fn prepared(server: &Server) -> Result<Client> {
    let client = server.client();
    let nodes = (0..NODES)
        .map(|i| {
            let pre = if i == 0 { vec![] } else { vec![format!("n{}", i - 1)] };
            node(&format!("n{i}"), "Shell", i * 10, Some("true"), &pre)
        })
        .collect();
    client.create_job(&manual_job("chain40", nodes)).await?;
    let id = client.run_once("chain40").await?;
    wait_instance(&client, "chain40", id, Duration::from_secs(60)).await?;
    Ok(client)
}

/// One measured run: request to success, in ms.
async fn measure(client: &Client) -> Result<f64> {
    let started = Instant::now();
    let id = client.run_once("chain40").await?;
    let ended = wait_instance(client, "chain40", id, Duration::from_secs(60)).await?;
    Ok(ms(ended - started))
}

pub async fn run(bench: &Bench) -> Result<()> {
    let server = Server::fresh(&bench.dlf).await?;
    let client = prepared(&server).await?;
    let dropped = match &bench.run_as {
        Some(user) => {
            let server = Server::fresh_as(&bench.dlf, user).await?;
            let client = prepared(&server).await?;
            Some((server, client))
        }
        None => None,
    };

    let mut dlf = Samples::default();
    let mut reference = Samples::default();
    let mut ratios = Samples::default();
    let mut as_user = Samples::default();
    for _ in 0..bench.runs {
        let r = tokio::task::spawn_blocking(|| super::shell_reference(NODES, 1)).await??;
        let d = measure(&client).await?;
        dlf.push(d);
        reference.push(ms(r));
        ratios.push(d / ms(r));
        if let Some((_, client)) = &dropped {
            as_user.push(measure(client).await?);
        }
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
    if let (Some((server, _)), Some(user)) = (dropped, &bench.run_as) {
        let cost = as_user.median() / dlf.median();
        report(
            "W1 chain40",
            &format!("--run-as {user}"),
            &as_user.describe("ms"),
            &format!("same server as root {}", dlf.describe("ms")),
            &format!("{}x", fmt(cost)),
            "≤ 1.1x",
            Some(cost <= 1.1),
        );
        server.stop()?;
    }
    server.stop()
}
