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

/// The user node processes run as, when it is not the server's own (`--run-as`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunAs {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    /// The user's home directory (`HOME` of its nodes).
    pub home: PathBuf,
}

/// Where and how node processes run (docs/security.md): a node is a tenant, not the server.
#[derive(Clone, Debug)]
pub struct NodeSandbox {
    /// The root of the instances' working directories (`<work_root>/<instance>/`, mode 0700,
    /// owned by the user nodes run as); outside the data directory.
    pub work_root: PathBuf,
    /// The user nodes run as; `None`: the server's own user.
    pub run_as: Option<RunAs>,
    /// Starts node processes as [`NodeSandbox::run_as`] (`dlf serve` starts one with
    /// `--run-as`; see `runners::process::launcher`).
    pub launcher: Option<std::sync::Arc<crate::runners::process::launcher::Launcher>>,
    /// The environment every node process starts from — nothing else of the server's: `PATH`,
    /// `HOME`, `USER`, `LOGNAME`, `LANG`, `LC_ALL`, `TZ` and what `--node-env` adds. Job
    /// parameters and the `DLF_*` job variables come on top.
    pub base_env: Vec<(String, String)>,
}

/// The server's variables a node inherits by name, when the server has them.
pub const INHERITED_ENV: &[&str] = &["PATH", "LANG", "LC_ALL", "TZ"];
/// `PATH` of a node when the server has none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

impl NodeSandbox {
    /// Nodes run as the server's own user, in `work_root`, with the allowlisted variables of
    /// the server's environment.
    pub fn new(work_root: PathBuf) -> NodeSandbox {
        let mut sandbox = NodeSandbox { work_root, run_as: None, launcher: None, base_env: Vec::new() };
        sandbox.base_env = sandbox.environment(std::env::vars(), &[]);
        sandbox
    }

    /// The base environment from the server's variables `server_env`: the allowlist
    /// ([`INHERITED_ENV`]), `HOME`/`USER`/`LOGNAME` of the user nodes run as, and `extra`
    /// (`--node-env`: `NAME` passes the server's value on, `NAME=VALUE` sets one).
    pub fn environment(
        &self,
        server_env: impl IntoIterator<Item = (String, String)>,
        extra: &[String],
    ) -> Vec<(String, String)> {
        let server: std::collections::HashMap<String, String> = server_env.into_iter().collect();
        let mut env: Vec<(String, String)> = Vec::new();
        let mut set = |k: &str, v: String| {
            env.retain(|(name, _)| name != k);
            env.push((k.to_string(), v));
        };
        set("PATH", server.get("PATH").cloned().unwrap_or_else(|| DEFAULT_PATH.to_string()));
        for name in INHERITED_ENV.iter().filter(|n| **n != "PATH") {
            if let Some(v) = server.get(*name) {
                set(name, v.clone());
            }
        }
        match &self.run_as {
            Some(user) => {
                set("HOME", user.home.display().to_string());
                set("USER", user.name.clone());
                set("LOGNAME", user.name.clone());
            }
            None => {
                for name in ["HOME", "USER", "LOGNAME"] {
                    if let Some(v) = server.get(name) {
                        set(name, v.clone());
                    }
                }
            }
        }
        for item in extra {
            match item.split_once('=') {
                Some((k, v)) => set(k, v.to_string()),
                None => {
                    if let Some(v) = server.get(item) {
                        set(item, v.clone());
                    }
                }
            }
        }
        env
    }

    /// The working directory of an instance's nodes.
    pub fn work_dir(&self, instance_id: i64) -> PathBuf {
        self.work_root.join(instance_id.to_string())
    }

    /// The working directory of a Shell or Python script run (S6): `<work_root>/script-<run>`,
    /// beside the instances' (whose names are numbers).
    pub fn script_run_work_dir(&self, run_id: &str) -> PathBuf {
        self.work_root.join(format!("script-{}", crate::logs::safe_file_name(run_id)))
    }
}

/// The default largest object: 100 MiB.
pub const DEFAULT_OBJECT_MAX_BYTES: u64 = 100 * 1024 * 1024;

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
    /// Where and as whom node processes run.
    pub nodes: NodeSandbox,
    /// How long a script run (S6) may take before it is stopped and fails.
    pub script_run_timeout_ms: u64,
    /// How long a script run's results and log are kept after it ends.
    pub script_run_retention_ms: i64,
    /// The server's own PostgreSQL store, which no SQL node or script may connect to
    /// (`crate::sql::StoreEndpoint`; `None` with the embedded SQLite store).
    pub store_endpoint: Option<crate::sql::StoreEndpoint>,
    /// The largest object of the object store (`crate::objects`), in bytes.
    pub object_max_bytes: u64,
    /// Which backend keeps the object store's objects (local files by default, or S3).
    pub object_store: crate::objects::ObjectStoreSettings,
    /// Server folders an import `path` may name besides `obs://` objects (`--import-dir`; none
    /// by default, `crate::packages::locations`).
    pub import_dirs: Vec<PathBuf>,
    /// Which addresses Rest Client nodes may reach (`--rest-allowed-network`; docs/configuration.md).
    pub outbound: crate::runners::rest::outbound::OutboundPolicy,
    /// The configured notifiers (webhooks, SMTP relays) that job rules and SMN nodes name.
    pub notifiers: std::sync::Arc<crate::notify::Notifiers>,
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
            nodes: NodeSandbox::new(default_work_root(&data_dir)),
            data_dir,
            strict_dlf_cron: false,
            service_zone: Zone::UTC,
            workers: 64,
            missed_runs: MissedRunPolicy::RunAll { limit: 100 },
            job_concurrency_cap: dlf_core::state::DEFAULT_CONCURRENT_CAP,
            kill_grace_ms: 500,
            script_run_timeout_ms: 60 * 60 * 1000,
            script_run_retention_ms: 7 * 24 * 3600 * 1000,
            store_endpoint: None,
            object_max_bytes: DEFAULT_OBJECT_MAX_BYTES,
            object_store: Default::default(),
            import_dirs: Vec::new(),
            outbound: Default::default(),
            notifiers: Default::default(),
        }
    }

    pub fn logs_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}

/// `<data-dir>-work`: beside the data directory, never inside it, and one per data directory
/// (two servers with data directories side by side do not share it).
pub fn default_work_root(data_dir: &std::path::Path) -> PathBuf {
    let mut name = data_dir.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "dlf".into());
    name.push("-work");
    data_dir.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_node_environment_is_an_allowlist() {
        let server = vars(&[
            ("PATH", "/opt/bin:/usr/bin"),
            ("HOME", "/root"),
            ("LANG", "C.UTF-8"),
            ("DLF_MASTER_KEY", "00ff"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
            ("HTTP_PROXY", "http://proxy:3128"),
        ]);
        let sandbox = NodeSandbox { work_root: "/w".into(), run_as: None, launcher: None, base_env: Vec::new() };
        let env = sandbox.environment(server.clone(), &["HTTP_PROXY".into(), "MODE=batch".into()]);
        assert_eq!(
            env,
            vars(&[
                ("PATH", "/opt/bin:/usr/bin"),
                ("LANG", "C.UTF-8"),
                ("HOME", "/root"),
                ("HTTP_PROXY", "http://proxy:3128"),
                ("MODE", "batch")
            ])
        );
        let as_user = NodeSandbox {
            run_as: Some(RunAs { name: "dlf-node".into(), uid: 999, gid: 999, home: "/home/dlf-node".into() }),
            ..sandbox
        };
        let env = as_user.environment(vars(&[("HOME", "/root")]), &[]);
        assert_eq!(
            env,
            vars(&[("PATH", DEFAULT_PATH), ("HOME", "/home/dlf-node"), ("USER", "dlf-node"), ("LOGNAME", "dlf-node")])
        );
    }

    #[test]
    fn the_work_root_is_beside_the_data_directory() {
        assert_eq!(default_work_root(std::path::Path::new("/srv/dlf-data")), PathBuf::from("/srv/dlf-data-work"));
        assert_eq!(default_work_root(std::path::Path::new("/srv/a/data")), PathBuf::from("/srv/a/data-work"));
    }
}
