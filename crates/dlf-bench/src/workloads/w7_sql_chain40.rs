//! W7 sql-chain40: one job, 40 `DWSSQL` nodes `SELECT 1` in a strict chain against a local
//! PostgreSQL, RunOnce; wall time from the request to the instance's success, beside 40
//! sequential `psql -c 'SELECT 1'` against the same database in the same run.
//!
//! dlf keeps a small pool of sessions per connection (`dlf_engine::sql`), so after the warm-up
//! run its nodes open no connection; psql starts a process and logs in every time.

use anyhow::{Context, Result, bail};
use serde_json::json;
use std::time::{Duration, Instant};

use super::{Bench, manual_job, ms, node, wait_instance};
use crate::client::Client;
use crate::server::Server;
use crate::stats::{Samples, fmt, report};

const NODES: usize = 40;

/// A server with a `DWS` connection `pg` on the bench's PostgreSQL and the chain job, warmed by
/// one unmeasured run.
async fn prepared(server: &Server, url: &reqwest::Url) -> Result<Client> {
    let client = server.client();
    let database = url.path().trim_start_matches('/');
    let mut config = json!({
        "ip": url.host_str().unwrap_or("127.0.0.1"),
        "port": url.port().unwrap_or(5432).to_string(),
        "userName": if url.username().is_empty() { "postgres" } else { url.username() },
        "database": if database.is_empty() { "postgres" } else { database },
    });
    if let Some(password) = url.password() {
        config["password"] = json!(password);
    }
    client.expect("POST", "/connections", Some(&json!({"name": "pg", "type": "DWS", "config": config})), 204).await?;
    let nodes = (0..NODES)
        .map(|i| {
            let pre = if i == 0 { vec![] } else { vec![format!("n{}", i - 1)] };
            let mut n = node(&format!("n{i}"), "DWSSQL", i * 10, Some("SELECT 1"), &pre);
            n["properties"].as_array_mut().expect("properties").push(json!({"name": "connectionName", "value": "pg"}));
            n
        })
        .collect();
    client.create_job(&manual_job("sqlchain40", nodes)).await?;
    let id = client.run_once("sqlchain40").await?;
    wait_instance(&client, "sqlchain40", id, Duration::from_secs(60)).await?;
    Ok(client)
}

/// 40 sequential `psql <url> -c 'SELECT 1'`; the wall time.
fn psql_reference(url: &str) -> Result<Duration> {
    let started = Instant::now();
    for _ in 0..NODES {
        let out = std::process::Command::new("psql")
            .args([url, "-qAtX", "-c", "SELECT 1"])
            .output()
            .context("cannot run psql (the W7 reference needs the PostgreSQL client)")?;
        if !out.status.success() {
            bail!("psql failed: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    Ok(started.elapsed())
}

pub async fn run(bench: &Bench) -> Result<()> {
    let url = reqwest::Url::parse(&bench.postgres_url)
        .with_context(|| format!("bad --postgres-url {}", bench.postgres_url))?;
    let server = Server::fresh(&bench.dlf).await?;
    let client = prepared(&server, &url).await?;
    let mut dlf = Samples::default();
    let mut reference = Samples::default();
    let mut ratios = Samples::default();
    for _ in 0..bench.runs {
        let target = bench.postgres_url.clone();
        let r = tokio::task::spawn_blocking(move || psql_reference(&target)).await??;
        let started = Instant::now();
        let id = client.run_once("sqlchain40").await?;
        let d = ms(wait_instance(&client, "sqlchain40", id, Duration::from_secs(60)).await? - started);
        dlf.push(d);
        reference.push(ms(r));
        ratios.push(d / ms(r));
    }
    let ratio = ratios.median();
    report(
        "W7 sqlchain40",
        "wall time",
        &dlf.describe("ms"),
        &format!("psql loop {}", reference.describe("ms")),
        &format!("{}x", fmt(ratio)),
        "≤ 1x reference",
        Some(ratio <= 1.0),
    );
    server.stop()
}
