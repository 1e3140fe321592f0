//! W6 memory: the server's resident set idle after start, and with 10,000 jobs defined and
//! 100,000 finished instances — peak RSS while they are created through the API, and after a
//! restart on that data with every job and instance listed through the API.

use anyhow::Result;
use serde_json::Value;
use std::time::Duration;

use super::{Bench, count_ended, manual_job, node, parallel, plan_window};
use crate::client::Client;
use crate::server::Server;
use crate::stats::{Samples, report};

const JOBS: usize = 10_000;
const RUNS_PER_JOB: usize = 10;

/// `DLF_BENCH_W6_JOBS` scales the loaded data down (a quick check of the harness itself).
fn jobs() -> usize {
    std::env::var("DLF_BENCH_W6_JOBS").ok().and_then(|v| v.parse().ok()).unwrap_or(JOBS)
}
const CLIENTS: usize = 32;

pub async fn run(bench: &Bench) -> Result<()> {
    let mut idle = Samples::default();
    for _ in 0..bench.runs {
        let server = Server::fresh(&bench.dlf).await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        idle.push(server.rss_mb()?.0);
        server.stop()?;
    }
    report("W6 memory", "RSS idle", &idle.describe("MB"), "—", "—", "≤ 30 MB", Some(idle.median() <= 30.0));

    // Build the loaded data once, through the API.
    let temp = tempfile::Builder::new().prefix("dlf-bench-w6-").tempdir()?;
    let data_dir = temp.path().join("data");
    let server = Server::start_on(&bench.dlf, &data_dir).await?;
    let client = server.client();
    let jobs = jobs();
    let building = std::time::Instant::now();
    parallel(&client, jobs, CLIENTS, |c, j| async move {
        c.create_job(&manual_job(&format!("job{j:05}"), vec![node("only", "Dummy", 0, None, &[])])).await
    })
    .await?;
    parallel(&client, jobs * RUNS_PER_JOB, CLIENTS, move |c, k| async move {
        c.run_once(&format!("job{:05}", k % jobs)).await
    })
    .await?;
    let (ok, bad) = all_ended(&client, (jobs * RUNS_PER_JOB) as i64).await?;
    let build_secs = building.elapsed().as_secs_f64();
    let building_peak = server.rss_mb()?.1;
    server.stop()?;

    let mut loaded = Samples::default();
    for _ in 0..bench.runs {
        let server = Server::start_on(&bench.dlf, &data_dir).await?;
        let client = server.client();
        let (read_jobs, instances) = read_through(&client).await?;
        anyhow::ensure!(
            read_jobs == jobs && instances == jobs * RUNS_PER_JOB,
            "read back {read_jobs} jobs, {instances} instances"
        );
        loaded.push(server.rss_mb()?.1);
        server.stop()?;
    }
    let what = format!("{jobs} jobs, {ok} instances ({bad} not success)");
    report(
        "W6 memory",
        "RSS peak, building",
        &format!("{building_peak:.1} MB (1 run, {build_secs:.0} s)"),
        &what,
        "—",
        "≤ 300 MB",
        Some(building_peak <= 300.0),
    );
    report(
        "W6 memory",
        "RSS peak, read through",
        &loaded.describe("MB"),
        &what,
        "—",
        "≤ 300 MB",
        Some(loaded.median() <= 300.0),
    );
    Ok(())
}

/// Waits until `expected` instances across all jobs have ended; (succeeded, ended otherwise).
async fn all_ended(client: &Client, expected: i64) -> Result<(i64, i64)> {
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    loop {
        let ended = count_ended(client, None).await?;
        if ended.0 + ended.1 >= expected || std::time::Instant::now() > deadline {
            return Ok(ended);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Lists every job and every instance page by page; the counts read.
async fn read_through(client: &Client) -> Result<(usize, usize)> {
    let mut jobs = 0;
    loop {
        let page = client.expect("GET", &format!("/jobs?limit=1000&offset={jobs}"), None, 200).await?;
        let n = page["jobs"].as_array().map_or(0, Vec::len);
        jobs += n;
        if n == 0 {
            break;
        }
    }
    let mut instances = 0;
    loop {
        let page: Value = client
            .expect(
                "GET",
                &format!("/jobs/instances/detail?limit=1000&offset={instances}&{}", plan_window()),
                None,
                200,
            )
            .await?;
        let n = page["instances"].as_array().map_or(0, Vec::len);
        instances += n;
        if n == 0 {
            break;
        }
    }
    Ok((jobs, instances))
}
