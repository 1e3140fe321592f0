//! W4 cronstorm: 1,000 jobs with cron `* * * * * ?` (one Dummy node each) started together and
//! left running (60 s by default): start lag (node start − plan time) p50/p99, and missed and
//! duplicate plan times, against the wall clock.

use anyhow::{Context, Result};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

use super::{Bench, node};
use crate::client::Client;
use crate::server::Server;
use crate::stats::{Samples, percentile, report};

const JOBS: usize = 1000;
const CLIENTS: usize = 16;
/// Concurrent readers of the instances afterwards (not measured, only the harness's time).
const LAG_READERS: usize = 32;

fn cron_job(name: &str) -> Value {
    json!({
        "name": name, "processType": "BATCH",
        "nodes": [node("tick", "Dummy", 0, None, &[])],
        "schedule": {"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+00", "expression": "* * * * * ?", "expressionTimeZone": "UTC"}},
    })
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Runs `op` for every job name across [`CLIENTS`] concurrent clients; returns, per job, the
/// wall-clock times just before the request and just after its answer.
async fn for_each_job<F, Fut>(client: &Client, op: F) -> Result<HashMap<String, (i64, i64)>>
where
    F: Fn(Client, String) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<()>> + Send,
{
    let timed = super::parallel(client, JOBS, CLIENTS, move |c, j| {
        let op = op.clone();
        async move {
            let name = format!("tick{j:04}");
            let before = now_ms();
            op(c, name.clone()).await?;
            Ok((name, (before, now_ms())))
        }
    })
    .await?;
    Ok(timed.into_iter().collect())
}

struct RunFigures {
    p50: f64,
    p99: f64,
    steady_p99: f64,
    missed: usize,
    duplicate: usize,
    instances: usize,
}

async fn one_run(bench: &Bench) -> Result<RunFigures> {
    let server = Server::fresh(&bench.dlf).await?;
    let client = server.client();
    for_each_job(&client, |c, name| async move { c.create_job(&cron_job(&name)).await }).await?;
    let started = for_each_job(&client, |c, name| async move {
        c.expect("POST", &format!("/jobs/{name}/start"), None, 204).await.map(|_| ())
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(bench.w4_secs)).await;
    let stopped = for_each_job(&client, |c, name| async move {
        c.expect("POST", &format!("/jobs/{name}/stop"), None, 204).await.map(|_| ())
    })
    .await?;
    // Let the last instances start (a Dummy node starts within tens of milliseconds).
    tokio::time::sleep(Duration::from_secs(1)).await;

    let from = started.values().map(|t| t.0).min().context("no jobs")? - 1000;
    let to = stopped.values().map(|t| t.1).max().context("no jobs")? + 1000;
    let instances = list_instances(&client, from, to).await?;

    // Node start − plan time, from each instance's node (one Dummy node per job); for the
    // instance of the second a job was started in, whose plan time precedes its StartJob request
    // (JOBS.md §4.3 truncates "now" to the second), from that request instead.
    let requested: HashMap<String, i64> = started.iter().map(|(name, (sent, _))| (name.clone(), *sent)).collect();
    let planned_lags = node_lags(&client, &instances, &requested).await?;
    let lags: Vec<f64> = planned_lags.iter().map(|(_, lag)| *lag).collect();
    // Context: the lag once every StartJob call has been answered (plan times after the burst).
    let burst_end = started.values().map(|t| t.1).max().context("no jobs")?;
    let steady: Vec<f64> = planned_lags.iter().filter(|(plan, _)| *plan > burst_end).map(|(_, lag)| *lag).collect();

    // Every whole second strictly inside (start answered, stop sent) must have exactly one instance.
    let mut seen: HashMap<(String, i64), usize> = HashMap::new();
    for i in &instances {
        *seen.entry((i.0.clone(), i.2)).or_default() += 1;
    }
    let duplicate = seen.values().filter(|&&n| n > 1).map(|n| n - 1).sum();
    let mut missed = 0;
    for (name, (_, start_answered)) in &started {
        let stop_sent = stopped[name].0;
        let first = (start_answered / 1000 + 1) * 1000;
        let mut plan = first;
        while plan < stop_sent - 1000 {
            if !seen.contains_key(&(name.clone(), plan)) {
                missed += 1;
            }
            plan += 1000;
        }
    }
    server.stop()?;
    Ok(RunFigures {
        p50: percentile(&lags, 50.0),
        p99: percentile(&lags, 99.0),
        steady_p99: percentile(&steady, 99.0),
        missed,
        duplicate,
        instances: instances.len(),
    })
}

/// (job name, instance id, plan time) of every instance planned in `[from, to]`.
async fn list_instances(client: &Client, from: i64, to: i64) -> Result<Vec<(String, i64, i64)>> {
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let page = client
            .expect(
                "GET",
                &format!("/jobs/instances/detail?minPlanTime={from}&maxPlanTime={to}&limit=1000&offset={offset}"),
                None,
                200,
            )
            .await?;
        let items = page["instances"].as_array().context("no instances")?;
        for i in items {
            all.push((
                i["jobName"].as_str().unwrap_or("").to_string(),
                i["instanceId"].as_i64().unwrap_or(0),
                i["planTime"].as_i64().unwrap_or(0),
            ));
        }
        offset += items.len();
        if items.is_empty() || offset as i64 >= page["total"].as_i64().unwrap_or(0) {
            return Ok(all);
        }
    }
}

/// Node start − the later of plan time and the job's StartJob request, of every instance, in
/// ms; with `DLF_BENCH_VERBOSE` set, also the lag of each plan second on stderr (where in the
/// run the lag comes from).
///
/// Why not plan time alone: StartJob's first plan time is the current second's (JOBS.md §4.3:
/// the first fire time ≥ now truncated to the second), so a job started at hh:mm:ss.800 gets an
/// instance planned at hh:mm:ss.000 — created, at the earliest, 800 ms "late" by the time it was
/// asked for. No scheduler can start it before the request that creates it, so its lag counts
/// from that request.
async fn node_lags(
    client: &Client,
    instances: &[(String, i64, i64)],
    requested: &HashMap<String, i64>,
) -> Result<Vec<(i64, f64)>> {
    let chunks: Vec<Vec<(String, i64, i64)>> =
        instances.chunks(instances.len().div_ceil(LAG_READERS).max(1)).map(|c| c.to_vec()).collect();
    let tasks: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let client = client.clone();
            let requested = requested.clone();
            tokio::spawn(async move {
                let mut lags = Vec::with_capacity(chunk.len());
                for (job, id, plan) in chunk {
                    let detail = client.instance(&job, id).await?;
                    if let Some(start) = detail["nodes"][0]["startTime"].as_i64() {
                        let due = plan.max(requested.get(&job).copied().unwrap_or(plan));
                        lags.push((plan, (start - due) as f64));
                    }
                }
                anyhow::Ok(lags)
            })
        })
        .collect();
    let mut lags = Vec::new();
    for t in tasks {
        lags.extend(t.await??);
    }
    if std::env::var_os("DLF_BENCH_VERBOSE").is_some() {
        let mut by_second: std::collections::BTreeMap<i64, Vec<f64>> = Default::default();
        for (plan, lag) in &lags {
            by_second.entry(*plan).or_default().push(*lag);
        }
        for (plan, l) in by_second {
            eprintln!(
                "W4 plan {plan}: {} instances, lag p50 {} ms, max {} ms",
                l.len(),
                percentile(&l, 50.0),
                percentile(&l, 100.0)
            );
        }
    }
    Ok(lags)
}

pub async fn run(bench: &Bench) -> Result<()> {
    let mut p50 = Samples::default();
    let mut p99 = Samples::default();
    let mut steady_p99 = Samples::default();
    let mut missed = 0;
    let mut duplicate = 0;
    let mut instances = 0;
    for _ in 0..bench.runs {
        let f = one_run(bench).await?;
        p50.push(f.p50);
        p99.push(f.p99);
        steady_p99.push(f.steady_p99);
        missed += f.missed;
        duplicate += f.duplicate;
        instances += f.instances;
    }
    let secs = bench.w4_secs;
    report(
        "W4 cronstorm",
        "start lag p50",
        &p50.describe("ms"),
        &format!("wall clock, {secs} s per run"),
        "—",
        "—",
        None,
    );
    report(
        "W4 cronstorm",
        "start lag p99",
        &p99.describe("ms"),
        &format!("wall clock, {secs} s per run"),
        "—",
        "< 100 ms",
        Some(p99.median() < 100.0),
    );
    let after = "plan times after the last StartJob 204";
    report("W4 cronstorm", "lag p99 after start", &steady_p99.describe("ms"), after, "—", "(context)", None);
    report(
        "W4 cronstorm",
        "missed / duplicate",
        &format!("{missed} missed, {duplicate} duplicate"),
        &format!("of {instances} instances in {} runs", bench.runs),
        "—",
        "0 and 0",
        Some(missed == 0 && duplicate == 0),
    );
    Ok(())
}
