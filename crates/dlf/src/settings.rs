//! `dlf serve` settings: built-in defaults, then a TOML config file, then `DLF_*` environment
//! variables, then command-line flags — each layer overriding the one before (figment).

use clap::Args;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The default listen address: loopback, on a port no common service uses.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8460";

/// Everything `dlf serve` can be told.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServeSettings {
    /// Address to listen on.
    pub listen: String,
    /// Directory for the embedded database, logs, the master key and the first credentials.
    pub data_dir: PathBuf,
    /// Database URL; default a SQLite file `dlf.db` in the data directory.
    pub database: Option<String>,
    /// Serve without authentication (refused unless the listener is loopback).
    pub no_auth: bool,
    /// DLF's own cron rule: only `0` in the seconds field.
    pub strict_dlf_cron: bool,
    /// The service time zone (EL dates, cron schedules without a zone); default the machine's.
    pub time_zone: Option<String>,
    /// Most node attempts running at once.
    pub workers: usize,
    /// The cap on a job's `cron.concurrent` (instances of one job running at once).
    pub max_job_concurrency: u32,
    /// Cron plan times missed while the server was down: `all` (newest 100), `all:N`, `latest`, `skip`.
    pub missed_runs: String,
    /// Server log format: `text` or `json`.
    pub log_format: String,
    /// Seconds to wait for in-flight work on shutdown.
    pub shutdown_grace_secs: u64,
    /// The user node processes run as (the server must be root to switch).
    pub run_as: Option<String>,
    /// The root of the nodes' working directories; default `<data_dir>-work`.
    pub work_dir: Option<PathBuf>,
    /// Variables of the server's environment passed on to nodes (`NAME`), or set for them
    /// (`NAME=VALUE`), besides the built-in allowlist.
    pub node_env: Vec<String>,
    /// Accept `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (a request body its signature does not cover).
    pub allow_unsigned_payload: bool,
    /// Minutes a script run (ExecuteScript) may take before it is stopped and fails.
    pub script_run_timeout_mins: u64,
    /// Hours a script run's results and log are kept after it ends.
    pub script_run_retention_hours: u64,
    /// The largest object of the object store, in MiB.
    pub object_max_mib: u64,
    /// Networks (CIDR) Rest Client nodes may reach; empty: any. Link-local and cloud metadata
    /// addresses stay refused unless an entry names them explicitly (docs/configuration.md).
    pub rest_allowed_networks: Vec<String>,
    /// Server folders an import (J12, C7, J13) may read a package from by absolute path; empty:
    /// only `obs://` objects.
    pub import_dirs: Vec<PathBuf>,
    /// Notifiers job rules and SMN nodes can name (`[[notifiers]]` tables; docs/configuration.md).
    pub notifiers: Vec<dlf_engine::notify::NotifierConfig>,
    /// Where the objects behind `obs://` live: `local` (files in the data directory) or `s3`.
    pub object_store: String,
    /// The S3 service's URL (`object_store = "s3"`); unset: AWS S3 of `s3_region`.
    pub s3_endpoint: Option<String>,
    /// The S3 region (signatures name it).
    pub s3_region: String,
    /// The one existing S3 bucket that holds every project's objects.
    pub s3_bucket: Option<String>,
    pub s3_access_key_id: Option<String>,
    /// The config file's key; the environment's `DLF_S3_SECRET_ACCESS_KEY` overrides it (no flag:
    /// a command line is visible to every user of the machine).
    pub s3_secret_access_key: Option<dlf_engine::notify::Secret>,
    /// Path-style requests (`<endpoint>/<bucket>/<key>`) instead of virtual-hosted style.
    pub s3_path_style: bool,
    /// Folders of the S3 bucket above the projects' objects.
    pub s3_prefix: String,
}

impl Default for ServeSettings {
    fn default() -> Self {
        ServeSettings {
            listen: DEFAULT_LISTEN.to_string(),
            data_dir: PathBuf::from("dlf-data"),
            database: None,
            no_auth: false,
            strict_dlf_cron: false,
            time_zone: None,
            workers: 64,
            max_job_concurrency: dlf_core::state::DEFAULT_CONCURRENT_CAP,
            missed_runs: "all".to_string(),
            log_format: "text".to_string(),
            shutdown_grace_secs: 10,
            run_as: None,
            work_dir: None,
            node_env: Vec::new(),
            allow_unsigned_payload: false,
            script_run_timeout_mins: 60,
            script_run_retention_hours: 7 * 24,
            object_max_mib: 100,
            rest_allowed_networks: Vec::new(),
            import_dirs: Vec::new(),
            notifiers: Vec::new(),
            object_store: "local".to_string(),
            s3_endpoint: None,
            s3_region: "us-east-1".to_string(),
            s3_bucket: None,
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_path_style: false,
            s3_prefix: String::new(),
        }
    }
}

/// Flags of `dlf serve`; each overrides the config file and the environment when given.
#[derive(Args, Debug, Default, Serialize)]
pub struct ServeArgs {
    /// TOML config file (keys as in `ServeSettings`, e.g. `listen = "0.0.0.0:8460"`).
    #[arg(long, env = "DLF_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8460].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// Data directory [default: ./dlf-data].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: `sqlite://PATH` or `postgres://…` [default: SQLite in the data directory].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Serve without authentication (loopback listeners only).
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_auth: bool,
    /// Enforce DLF's rule that the cron seconds field is 0.
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub strict_dlf_cron: bool,
    /// Service time zone, e.g. Asia/Shanghai or GMT+8 [default: the machine's].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Most node attempts running at once [default: 64].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workers: Option<usize>,
    /// The cap on a job's cron.concurrent: instances of one job running at once [default: 5].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_job_concurrency: Option<u32>,
    /// Plan times missed while the server was down: all | all:N | latest | skip [default: all].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missed_runs: Option<String>,
    /// Log format: text | json [default: text].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<String>,
    /// Run every node process as this user (dlf serve must run as root) [default: the server's user].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as: Option<String>,
    /// Root of the nodes' working directories, outside the data directory [default: <data-dir>-work].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_dir: Option<PathBuf>,
    /// Pass a variable of the server's environment on to nodes (NAME), or set one (NAME=VALUE); repeatable.
    #[arg(long = "node-env", value_name = "NAME[=VALUE]")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub node_env: Vec<String>,
    /// Accept request bodies their signature does not cover (X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD).
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_unsigned_payload: bool,
    /// A network (CIDR) Rest Client nodes may reach; repeatable [default: any, but link-local/metadata].
    #[arg(long = "rest-allowed-network", value_name = "CIDR")]
    #[serde(rename = "rest_allowed_networks", skip_serializing_if = "Vec::is_empty")]
    pub rest_allowed_network: Vec<String>,
    /// A server folder imports may read packages from by absolute path; repeatable [default: none].
    #[arg(long = "import-dir", value_name = "DIR")]
    #[serde(rename = "import_dirs", skip_serializing_if = "Vec::is_empty")]
    pub import_dir: Vec<PathBuf>,
    /// Where the objects behind obs:// live: local | s3 [default: local].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object_store: Option<String>,
    /// The S3 service's URL, e.g. https://obs.cn-north-4.myhuaweicloud.com [default: AWS S3].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_endpoint: Option<String>,
    /// The S3 region [default: us-east-1].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_region: Option<String>,
    /// The existing S3 bucket that holds the objects.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket: Option<String>,
    /// The S3 access key id (the secret key: s3_secret_access_key in the file, or DLF_S3_SECRET_ACCESS_KEY).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_access_key_id: Option<String>,
    /// Path-style S3 requests (endpoint/bucket/key) instead of virtual-hosted style.
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub s3_path_style: bool,
    /// Folders of the S3 bucket above the projects' objects [default: none].
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_prefix: Option<String>,
}

impl ServeArgs {
    /// Merges defaults, the config file, `DLF_*` variables and these flags.
    pub fn settings(&self) -> Result<ServeSettings, String> {
        let mut figment = Figment::from(Serialized::defaults(ServeSettings::default()));
        if let Some(path) = &self.config {
            if !path.exists() {
                return Err(format!("config file {} does not exist", path.display()));
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment
            .merge(Env::prefixed("DLF_").only(&[
                "listen",
                "data_dir",
                "database",
                "no_auth",
                "strict_dlf_cron",
                "time_zone",
                "workers",
                "max_job_concurrency",
                "missed_runs",
                "log_format",
                "shutdown_grace_secs",
                "run_as",
                "work_dir",
                "node_env",
                "allow_unsigned_payload",
                "script_run_timeout_mins",
                "script_run_retention_hours",
                "object_max_mib",
                "rest_allowed_networks",
                "import_dirs",
                "notifiers",
                "object_store",
                "s3_endpoint",
                "s3_region",
                "s3_bucket",
                "s3_access_key_id",
                "s3_path_style",
                "s3_prefix",
            ]))
            .merge(Serialized::defaults(self));
        figment.extract().map_err(|e| format!("invalid settings: {e}"))
    }
}

/// Where an offline command finds the store: `--database`, else SQLite in `--data-dir`.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// Data directory of the server [default: ./dlf-data].
    #[arg(long, env = "DLF_DATA_DIR", default_value = "dlf-data")]
    pub data_dir: PathBuf,
    /// Database URL (overrides the data directory's SQLite file).
    #[arg(long, env = "DLF_DATABASE")]
    pub database: Option<String>,
}

/// The database URL for a data directory and an optional explicit URL.
pub fn database_url(data_dir: &std::path::Path, database: Option<&str>) -> String {
    match database {
        Some(url) if !url.is_empty() => url.to_string(),
        _ => format!("sqlite://{}", data_dir.join("dlf.db").display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_and_defaults_fill_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dlf.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9999\"\nworkers = 3\n").unwrap();
        let args = ServeArgs { config: Some(file), workers: Some(7), ..Default::default() };
        let s = args.settings().unwrap();
        assert_eq!(s.listen, "127.0.0.1:9999");
        assert_eq!(s.workers, 7);
        assert_eq!(s.data_dir, PathBuf::from("dlf-data"));
        assert_eq!(database_url(std::path::Path::new("d"), None), "sqlite://d/dlf.db");
    }

    #[test]
    fn notifiers_come_from_the_file_and_their_secrets_are_not_printed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dlf.toml");
        std::fs::write(
            &file,
            r#"
[[notifiers]]
name = "ops"
type = "webhook"
url = "https://hooks.example.com/dlf"
secret = "w3bh00k-s3cret"
headers = { "X-Team" = "data" }

[[notifiers]]
name = "mail"
type = "smtp"
host = "smtp.example.com"
user = "dlf"
password = "sm7p-pa55"
from = "dlf@example.com"
to = ["oncall@example.com"]
"#,
        )
        .unwrap();
        let s = ServeArgs { config: Some(file.clone()), ..Default::default() }.settings().unwrap();
        assert_eq!(s.notifiers.len(), 2);
        assert_eq!(s.notifiers[0].secret.as_ref().map(|x| x.0.as_str()), Some("w3bh00k-s3cret"));
        assert_eq!(s.notifiers[0].headers.get("X-Team").map(String::as_str), Some("data"));
        assert_eq!(s.notifiers[1].to, vec!["oncall@example.com".to_string()]);
        let shown = format!("{s:?}");
        assert!(!shown.contains("w3bh00k-s3cret") && !shown.contains("sm7p-pa55"), "{shown}");
        std::fs::write(&file, "[[notifiers]]\nname = \"x\"\ntype = \"webhook\"\nurll = \"http://x\"\n").unwrap();
        let err = ServeArgs { config: Some(file), ..Default::default() }.settings().unwrap_err();
        assert!(err.contains("urll"), "{err}");
    }

    #[test]
    fn import_dirs_come_from_the_repeatable_flag_and_default_to_none() {
        assert!(ServeArgs::default().settings().unwrap().import_dirs.is_empty(), "default: obs:// only");
        let dirs = vec![PathBuf::from("/srv/a"), PathBuf::from("/srv/b")];
        let args = ServeArgs { import_dir: dirs.clone(), ..Default::default() };
        assert_eq!(args.settings().unwrap().import_dirs, dirs);
    }

    #[test]
    fn rest_allowed_networks_come_from_the_file_or_the_repeatable_flag() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dlf.toml");
        std::fs::write(&file, "rest_allowed_networks = [\"10.0.0.0/8\"]\n").unwrap();
        let args = ServeArgs { config: Some(file.clone()), ..Default::default() };
        assert_eq!(args.settings().unwrap().rest_allowed_networks, vec!["10.0.0.0/8".to_string()]);
        let flags = vec!["192.168.0.0/16".to_string(), "169.254.169.254/32".to_string()];
        let args = ServeArgs { config: Some(file), rest_allowed_network: flags.clone(), ..Default::default() };
        assert_eq!(args.settings().unwrap().rest_allowed_networks, flags);
        assert!(ServeArgs::default().settings().unwrap().rest_allowed_networks.is_empty(), "default: any");
    }

    #[test]
    fn the_object_store_is_local_by_default_and_s3_settings_come_from_the_file_and_flags() {
        let s = ServeArgs::default().settings().unwrap();
        assert_eq!((s.object_store.as_str(), s.s3_region.as_str(), s.s3_path_style), ("local", "us-east-1", false));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dlf.toml");
        std::fs::write(
            &file,
            "object_store = \"s3\"\ns3_endpoint = \"https://obs.cn-north-4.myhuaweicloud.com\"\n\
             s3_bucket = \"dlf-objects\"\ns3_access_key_id = \"AK\"\ns3_secret_access_key = \"0bs-s3cret\"\n",
        )
        .unwrap();
        let args =
            ServeArgs { config: Some(file), s3_path_style: true, s3_prefix: Some("dlf".into()), ..Default::default() };
        let s = args.settings().unwrap();
        assert_eq!(s.object_store, "s3");
        assert_eq!(s.s3_endpoint.as_deref(), Some("https://obs.cn-north-4.myhuaweicloud.com"));
        assert_eq!((s.s3_bucket.as_deref(), s.s3_access_key_id.as_deref()), (Some("dlf-objects"), Some("AK")));
        assert_eq!(s.s3_secret_access_key.as_ref().map(|x| x.0.as_str()), Some("0bs-s3cret"));
        assert!(s.s3_path_style && s.s3_prefix == "dlf");
        assert!(!format!("{s:?}").contains("0bs-s3cret"));
    }
}
