//! W5 api: signed `GET /v1/{project_id}/jobs/{job_name}` over 64 keep-alive connections for
//! 20 s: requests per second and p50/p99 latency.

use anyhow::{Result, bail};
use serde_json::json;
use std::time::{Duration, Instant};

use super::{Bench, manual_job, node};
use crate::client::Client;
use crate::server::Server;
use crate::stats::{Samples, percentile, report};

const CONNECTIONS: usize = 64;

pub async fn run(bench: &Bench) -> Result<()> {
    let server = Server::fresh(&bench.dlf).await?;
    let setup = server.client();
    // A realistic small job: three Shell nodes with arguments and parameters.
    let mut job = manual_job(
        "api_job",
        vec![
            node("extract", "Shell", 0, Some("echo extract ${bizdate}"), &[]),
            node("transform", "Shell", 10, Some("echo transform"), &["extract".to_string()]),
            node("load", "Shell", 20, Some("echo load #{Job.planTime}"), &["transform".to_string()]),
        ],
    );
    job["params"] = json!([{"name": "bizdate", "value": "#{DateUtil.format(Job.planTime,\"yyyyMMdd\")}"}]);
    setup.create_job(&job).await?;

    let mut rate = Samples::default();
    let mut p50 = Samples::default();
    let mut p99 = Samples::default();
    // Each connection is its own client, so there are exactly 64 keep-alive connections.
    let clients: Vec<Client> = (0..CONNECTIONS).map(|_| server.client()).collect();
    // Warm-up: open every connection.
    for c in &clients {
        c.expect("GET", "/jobs/api_job", None, 200).await?;
    }
    for _ in 0..bench.runs {
        let deadline = Instant::now() + Duration::from_secs(bench.w5_secs);
        let started = Instant::now();
        let tasks: Vec<_> = clients
            .iter()
            .cloned()
            .map(|c| {
                tokio::spawn(async move {
                    let mut latencies = Vec::with_capacity(8192);
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        let (status, _) = c.call_raw("GET", "/jobs/api_job", None).await?;
                        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                        if status != 200 {
                            bail!("GET job answered {status}");
                        }
                    }
                    anyhow::Ok(latencies)
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for t in tasks {
            latencies.extend(t.await??);
        }
        let elapsed = started.elapsed().as_secs_f64();
        rate.push(latencies.len() as f64 / elapsed);
        p50.push(percentile(&latencies, 50.0));
        p99.push(percentile(&latencies, 99.0));
    }
    let conns = format!("{CONNECTIONS} connections, {} s", bench.w5_secs);
    report(
        "W5 api",
        "requests/s",
        &rate.describe("req/s"),
        &conns,
        "—",
        "≥ 20,000 req/s",
        Some(rate.median() >= 20_000.0),
    );
    report("W5 api", "latency p50", &p50.describe("ms"), &conns, "—", "—", None);
    report("W5 api", "latency p99", &p99.describe("ms"), &conns, "—", "< 5 ms", Some(p99.median() < 5.0));
    server.stop()
}
