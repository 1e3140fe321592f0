//! Engine settings (the `dlf serve` options that change behaviour, not plumbing).

use dlf_core::zone::Zone;
use std::path::PathBuf;

/// What to do with cron plan times that fell due while the server was down (JOBS.md §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissedRunPolicy {
    /// Create the missed instances with their original plan times (newest `limit` per job).
    RunAll { limit: u32 },
    /// Create only the newest missed plan time per job.
    RunLatest,
    /// Create none; resume with the next future fire time.
    Skip,
}

impl MissedRunPolicy {
    /// `all`, `all:N`, `latest`, `skip`.
    pub fn parse(s: &str) -> Option<MissedRunPolicy> {
        match s {
            "latest" => Some(MissedRunPolicy::RunLatest),
            "skip" | "none" => Some(MissedRunPolicy::Skip),
            "all" => Some(MissedRunPolicy::RunAll { limit: 100 }),
            other => {
                other.strip_prefix("all:").and_then(|n| n.parse().ok()).map(|limit| MissedRunPolicy::RunAll { limit })
            }
        }
    }
}

/// Settings of one engine.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Where logs (and the master key of the embedded default) live.
    pub data_dir: PathBuf,
    /// DLF's own cron rule: only `0` in the seconds field.
    pub strict_dlf_cron: bool,
    /// The zone EL dates are rendered in and cron schedules without `expressionTimeZone` use.
    pub service_zone: Zone,
    /// Most node attempts running at once (the worker pool).
    pub workers: usize,
    /// Cron plan times missed while the server was down.
    pub missed_runs: MissedRunPolicy,
    /// The cap on `cron.concurrent`: most instances of one job running at once (JOBS.md §4.8;
    /// the cloud's cap, 5, by default).
    pub job_concurrency_cap: u32,
    /// Grace between SIGTERM and SIGKILL when a node is stopped.
    pub kill_grace_ms: u64,
}

impl EngineConfig {
    /// Defaults rooted at `data_dir` (made absolute: node processes run in their own working
    /// directories and must find their files).
    pub fn new(data_dir: impl Into<PathBuf>) -> EngineConfig {
        let data_dir: PathBuf = data_dir.into();
        let data_dir = if data_dir.is_absolute() {
            data_dir
        } else {
            std::env::current_dir().map(|cwd| cwd.join(&data_dir)).unwrap_or(data_dir)
        };
        EngineConfig {
            data_dir,
            strict_dlf_cron: false,
            service_zone: Zone::UTC,
            workers: 64,
            missed_runs: MissedRunPolicy::RunAll { limit: 100 },
            job_concurrency_cap: dlf_core::state::DEFAULT_CONCURRENT_CAP,
            kill_grace_ms: 500,
        }
    }

    pub fn logs_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}
