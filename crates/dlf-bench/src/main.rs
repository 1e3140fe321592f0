//! `dlf-bench`: the benchmark harness of BENCHMARKS.md. For each workload W1–W8 of
//! WORKLOADS.md and BENCHMARKS.md it starts a fresh `dlf serve` (embedded default, temporary data directory),
//! drives it through the public API with signed requests, runs the workload's reference in the
//! same run, and prints one line per figure: median, min–max over the runs, reference, ratio.
//!
//! Not part of the test run. Build and run everything with
//! `cargo build --release -p dlf -p dlf-bench && target/release/dlf-bench`;
//! one workload with `--only W3`.

mod client;
mod server;
mod stats;
mod workloads;

use anyhow::{Context, Result, bail};
use clap::Parser;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(about = "Run dlf's benchmark workloads W1–W8 against fresh `dlf serve` processes")]
struct Args {
    /// Run only these workloads (comma-separated ids, e.g. `W1,W3`).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Runs per workload (the medians need at least 5).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// The `dlf` binary [default: `dlf` beside this program].
    #[arg(long)]
    dlf: Option<PathBuf>,
    /// Seconds each W4 run lets the 1,000 cron jobs fire.
    #[arg(long, default_value_t = 60)]
    w4_secs: u64,
    /// Seconds of load in each W5 run.
    #[arg(long, default_value_t = 20)]
    w5_secs: u64,
    /// Also run W1 and W3 against a server started with `--run-as USER` (needs root), interleaved
    /// with the plain runs, and report the cost of dropping privileges.
    #[arg(long)]
    run_as: Option<String>,
    /// The PostgreSQL W7 runs its SQL nodes and its psql reference against.
    #[arg(long, env = "DLF_BENCH_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432/test")]
    postgres_url: String,
}

const ALL: [&str; 8] = ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"];

#[tokio::main]
async fn main() -> Result<()> {
    install_tls_provider();
    let args = Args::parse();
    let dlf = match args.dlf {
        Some(p) => p,
        None => std::env::current_exe()?.parent().context("no directory")?.join("dlf"),
    };
    if !dlf.is_file() {
        bail!("no dlf binary at {} (build it: cargo build --release -p dlf, or pass --dlf)", dlf.display());
    }
    let only: Vec<String> = args.only.iter().map(|s| s.trim().to_ascii_uppercase()).collect();
    if let Some(bad) = only.iter().find(|w| !ALL.contains(&w.as_str())) {
        bail!("unknown workload {bad}: choose from {}", ALL.join(", "));
    }
    let bench = workloads::Bench {
        dlf,
        runs: args.runs.max(1),
        w4_secs: args.w4_secs,
        w5_secs: args.w5_secs,
        run_as: args.run_as,
        postgres_url: args.postgres_url,
    };
    println!(
        "dlf-bench: {} ({} runs per workload, {} CPUs)",
        bench.dlf.display(),
        bench.runs,
        std::thread::available_parallelism()?
    );
    stats::header();
    let started = Instant::now();
    let mut failed = Vec::new();
    for id in ALL {
        if !only.is_empty() && !only.iter().any(|o| o == id) {
            continue;
        }
        let t = Instant::now();
        let result = match id {
            "W1" => workloads::w1_chain40::run(&bench).await,
            "W2" => workloads::w2_fan1000::run(&bench).await,
            "W3" => workloads::w3_burst1000::run(&bench).await,
            "W4" => workloads::w4_cronstorm::run(&bench).await,
            "W5" => workloads::w5_api::run(&bench).await,
            "W6" => workloads::w6_memory::run(&bench).await,
            "W7" => workloads::w7_sql_chain40::run(&bench).await,
            _ => workloads::w8_foreach1000::run(&bench).await,
        };
        if let Err(e) = result {
            println!("{id:<14} | ERROR: {e:#}");
            failed.push(id);
        }
        eprintln!("({id} took {:.0} s)", t.elapsed().as_secs_f64());
    }
    println!("total {:.0} s", started.elapsed().as_secs_f64());
    if !failed.is_empty() {
        bail!("workloads that could not run: {}", failed.join(", "));
    }
    Ok(())
}

/// In a build together with dlf-engine, cargo gives reqwest TLS without a crypto provider of
/// its own (dlf-engine's `rustls-no-provider`), and building a client would panic without one:
/// `ring`, as in the server. Alone, reqwest has no TLS and this changes nothing.
#[allow(deprecated)] // rustls deprecates ring's provider (no post-quantum key exchange); dlf keeps ring.
fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
