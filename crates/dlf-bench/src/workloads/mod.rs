//! The workloads of WORKLOADS.md (W1–W7) and W8 (For Each), one module each, and what they share: job documents,
//! waiting for instances, the shell references.

use anyhow::{Result, bail};
use dlf_core::model::InstanceStatus;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

use crate::client::Client;

pub mod w1_chain40;
pub mod w2_fan1000;
pub mod w3_burst1000;
pub mod w4_cronstorm;
pub mod w5_api;
pub mod w6_memory;
pub mod w7_sql_chain40;
pub mod w8_foreach1000;

/// What every workload gets: where the `dlf` binary is and how many runs to make.
pub struct Bench {
    pub dlf: std::path::PathBuf,
    pub runs: usize,
    pub w4_secs: u64,
    pub w5_secs: u64,
    /// `--run-as USER`: W1 and W3 also run, interleaved in the same run, against a server whose
    /// nodes run as this user, and report the cost of dropping privileges.
    pub run_as: Option<String>,
    /// The PostgreSQL of W7 (`--postgres-url`).
    pub postgres_url: String,
}

/// A node at `(x, 0)` of `node_type` with optional `statement` and predecessors.
pub fn node(name: &str, node_type: &str, x: usize, statement: Option<&str>, pre: &[String]) -> Value {
    let mut n = json!({"name": name, "type": node_type, "location": {"x": x.to_string(), "y": "0"}});
    if let Some(s) = statement {
        n["properties"] = json!([{"name": "statement", "value": s}]);
    }
    if !pre.is_empty() {
        n["preNodeName"] = json!(pre);
    }
    n
}

/// A BATCH job run only on demand (RunOnce; manual instances are not limited by the
/// schedule's concurrency).
pub fn manual_job(name: &str, nodes: Vec<Value>) -> Value {
    json!({"name": name, "processType": "BATCH", "nodes": nodes, "schedule": {"type": "EXECUTE_ONCE"}})
}

/// An instance status as the API reports it; `None` for a value dlf does not know.
fn instance_status(value: &Value) -> Option<InstanceStatus> {
    value["status"].as_str().and_then(InstanceStatus::parse)
}

/// How often [`wait_instance`] looks. Each look is a signed request the server answers on the
/// same two cores as the workload, so looking much more often slows what is measured.
const POLL: Duration = Duration::from_millis(2);

/// Polls one instance every [`POLL`] until it ends; returns when it ended (by this clock) and
/// fails unless it succeeded.
///
/// It looks through ListJobInstances (the job's newest instances, without their nodes) rather
/// than ShowJobInstance, whose answer carries every node instance (40 of W1, 200 of W2): that
/// keeps the observer's share of the CPU small. An instance that has dropped out of the newest
/// page is looked up by ShowJobInstance.
pub async fn wait_instance(client: &Client, job: &str, id: i64, timeout: Duration) -> Result<Instant> {
    let deadline = Instant::now() + timeout;
    let query = format!("/jobs/instances/detail?jobName={job}&preciseQuery=true&limit=10&{}", plan_window());
    loop {
        let page = client.expect("GET", &query, None, 200).await?;
        let listed =
            page["instances"].as_array().and_then(|list| list.iter().find(|i| i["instanceId"].as_i64() == Some(id)));
        let status = match listed {
            Some(instance) => instance_status(instance),
            None => instance_status(&client.instance(job, id).await?),
        };
        if let Some(status) = status.filter(|s| s.is_terminal()) {
            let ended = Instant::now();
            if status != InstanceStatus::Success {
                bail!("instance {id} of {job} ended {status}: {}", client.instance(job, id).await?);
            }
            return Ok(ended);
        }
        if Instant::now() > deadline {
            bail!("instance {id} of {job} still {status:?} after {timeout:?}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// How many instances of `job` (of every job with `None`) have succeeded and how many ended
/// otherwise.
pub async fn count_ended(client: &Client, job: Option<&str>) -> Result<(i64, i64)> {
    let mut ok = 0;
    let mut bad = 0;
    let job_filter = job.map(|j| format!("jobName={j}&")).unwrap_or_default();
    for status in [InstanceStatus::Success, InstanceStatus::Fail, InstanceStatus::ManualStop] {
        let query = format!("/jobs/instances/detail?{job_filter}status={status}&limit=1&{}", plan_window());
        let list = client.expect("GET", &query, None, 200).await?;
        let total = list["total"].as_i64().unwrap_or(0);
        if status == InstanceStatus::Success { ok += total } else { bad += total }
    }
    Ok((ok, bad))
}

/// Polls until `expected` instances of `job` have ended, every `interval`; fails on any
/// failure. Returns when the last one was seen ended.
pub async fn wait_all_ended(
    client: &Client,
    job: &str,
    expected: i64,
    interval: Duration,
    timeout: Duration,
) -> Result<Instant> {
    let deadline = Instant::now() + timeout;
    loop {
        let (ok, bad) = count_ended(client, Some(job)).await?;
        if bad > 0 {
            bail!("{bad} instances of {job} did not succeed");
        }
        if ok >= expected {
            return Ok(Instant::now());
        }
        if Instant::now() > deadline {
            bail!("{ok} of {expected} instances of {job} succeeded after {timeout:?}");
        }
        tokio::time::sleep(interval).await;
    }
}

/// Runs `op(client, k)` for k in 0..count across `clients` concurrent tasks (task c takes
/// c, c + clients, …); every result, in no particular order.
pub async fn parallel<T, F, Fut>(client: &Client, count: usize, clients: usize, op: F) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(Client, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<T>> + Send,
{
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let client = client.clone();
            let op = op.clone();
            tokio::spawn(async move {
                let mut results = Vec::new();
                for k in (c..count).step_by(clients) {
                    results.push(op(client.clone(), k).await?);
                }
                anyhow::Ok(results)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(count);
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

/// Runs `sh -c true` `count` times across `workers` parallel threads; the wall time.
pub fn shell_reference(count: usize, workers: usize) -> Result<Duration> {
    interpreter_reference("sh", count, workers)
}

/// Runs `<shell> -c true` `count` times across `workers` parallel threads; the wall time.
pub fn interpreter_reference(shell: &'static str, count: usize, workers: usize) -> Result<Duration> {
    let started = Instant::now();
    let per_worker: Vec<usize> = (0..workers).map(|w| count / workers + usize::from(w < count % workers)).collect();
    let handles: Vec<_> = per_worker
        .into_iter()
        .map(|n| {
            std::thread::spawn(move || -> std::io::Result<()> {
                for _ in 0..n {
                    let status = std::process::Command::new(shell).args(["-c", "true"]).status()?;
                    assert!(status.success());
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join().expect("reference worker")?;
    }
    Ok(started.elapsed())
}

/// `minPlanTime`/`maxPlanTime` covering the last day and the next hour, so that a count never
/// depends on the server's default window (today, in its time zone).
pub fn plan_window() -> String {
    let now = chrono::Utc::now().timestamp_millis();
    format!("minPlanTime={}&maxPlanTime={}", now - 86_400_000, now + 3_600_000)
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
