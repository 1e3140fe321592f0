//! W3 burst1000: a 1-node Shell job (`true`), 1,000 RunOnce calls from 16 concurrent clients:
//! instances per second from the first request to the last success, beside a shell running
//! `sh -c true` 1,000 times across 16 parallel workers.
//!
//! With `--run-as USER`, each run also measures a server whose nodes run as that user, right
//! after the plain one; the ratio of the two medians is the cost of dropping privileges.

use anyhow::{Result, bail};
use std::time::{Duration, Instant};

use super::{Bench, manual_job, node, wait_all_ended};
use crate::server::Server;
use crate::stats::{Samples, fmt, report};

/// One burst against a fresh server: instances per second, first request to last success.
async fn burst(server: Server) -> Result<f64> {
    let client = server.client();
    client.create_job(&manual_job("burst", vec![node("only", "Shell", 0, Some("true"), &[])])).await?;
    let started = Instant::now();
    super::parallel(&client, INSTANCES, CLIENTS, |c, _| async move { c.run_once("burst").await }).await?;
    let ended =
        wait_all_ended(&client, "burst", INSTANCES as i64, Duration::from_millis(5), Duration::from_secs(300)).await?;
    let (ok, _) = super::count_ended(&client, Some("burst")).await?;
    if ok != INSTANCES as i64 {
        bail!("{ok} instances succeeded, expected {INSTANCES}");
    }
    server.stop()?;
    Ok(INSTANCES as f64 / (ended - started).as_secs_f64())
}

const INSTANCES: usize = 1000;
const CLIENTS: usize = 16;

pub async fn run(bench: &Bench) -> Result<()> {
    let mut dlf = Samples::default();
    let mut reference = Samples::default();
    let mut ratios = Samples::default();
    // Context, not the target: the interpreter a Shell node runs (JOBS.md §3.2) is bash, which
    // starts slower than `sh`; this bounds what dlf could reach with no overhead at all.
    let mut bash = Samples::default();
    let mut as_user = Samples::default();
    for _ in 0..bench.runs {
        let r = tokio::task::spawn_blocking(|| super::shell_reference(INSTANCES, CLIENTS)).await??;
        let b = tokio::task::spawn_blocking(|| super::interpreter_reference("bash", INSTANCES, CLIENTS)).await??;
        bash.push(INSTANCES as f64 / b.as_secs_f64());
        // A fresh server per run: each run counts its own 1,000 instances from zero.
        let rate = burst(Server::fresh(&bench.dlf).await?).await?;
        let ref_rate = INSTANCES as f64 / r.as_secs_f64();
        dlf.push(rate);
        reference.push(ref_rate);
        ratios.push(rate / ref_rate);
        if let Some(user) = &bench.run_as {
            as_user.push(burst(Server::fresh_as(&bench.dlf, user).await?).await?);
        }
    }
    let ratio = ratios.median();
    report(
        "W3 burst1000",
        "instances/s",
        &dlf.describe("inst/s"),
        &format!("sh x16 {}", reference.describe("runs/s")),
        &format!("{}x", fmt(ratio)),
        "≥ 500/s and ≥ 0.5x",
        Some(dlf.median() >= 500.0 && ratio >= 0.5),
    );
    if let Some(user) = &bench.run_as {
        let cost = dlf.median() / as_user.median();
        report(
            "W3 burst1000",
            &format!("--run-as {user}"),
            &as_user.describe("inst/s"),
            &format!("same server as root {}", dlf.describe("inst/s")),
            &format!("{}x slower", fmt(cost)),
            "≤ 1.1x",
            Some(cost <= 1.1),
        );
    }
    report(
        "W3 burst1000",
        "bash bound (context)",
        &format!("bash -c true x16 {}", bash.describe("runs/s")),
        "—",
        &format!("{}x of sh", fmt(bash.median() / reference.median())),
        "—",
        None,
    );
    Ok(())
}
