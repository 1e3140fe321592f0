//! `dlf serve`: open the store, start the engine, serve the API until SIGTERM/SIGINT.

use crate::machine_zone::default_service_zone;
use crate::settings::{ServeArgs, ServeSettings, database_url};
use crate::startup_secrets::StartupSecrets;
use anyhow::{Context, bail};
use dlf_api::{AppState, AuthMode};
use dlf_core::zone::Zone;
use dlf_engine::config::default_work_root;
use dlf_engine::credentials::Bootstrap;
use dlf_engine::runners::process::launcher::Launcher;
use dlf_engine::{Engine, EngineConfig, MissedRunPolicy, NodeSandbox, SystemClock};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub fn run(args: ServeArgs, secrets: StartupSecrets) -> anyhow::Result<()> {
    let settings = args.settings().map_err(anyhow::Error::msg)?;
    init_logging(&settings.log_format)?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(serve(settings, secrets))
}

fn init_logging(format: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DLF_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        "json" => builder.json().init(),
        "text" => builder.init(),
        other => bail!("log format '{other}' is not text or json"),
    }
    Ok(())
}

/// The address to listen on, refusing `--no-auth` on anything but loopback.
fn listen_address(settings: &ServeSettings) -> anyhow::Result<SocketAddr> {
    let addr = settings
        .listen
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve the listen address '{}'", settings.listen))?
        .next()
        .with_context(|| format!("the listen address '{}' resolves to nothing", settings.listen))?;
    if settings.no_auth && !addr.ip().is_loopback() {
        bail!("--no-auth is refused on {addr}: without authentication dlf listens on loopback only (127.0.0.1 or ::1)");
    }
    Ok(addr)
}

async fn serve(settings: ServeSettings, startup: StartupSecrets) -> anyhow::Result<()> {
    let addr = listen_address(&settings)?;
    let service_zone = match &settings.time_zone {
        Some(z) => Zone::parse(z).map_err(|e| anyhow::anyhow!("--time-zone: {e}"))?,
        None => default_service_zone(),
    };
    let missed_runs = MissedRunPolicy::parse(&settings.missed_runs)
        .with_context(|| format!("--missed-runs '{}' is not all, all:N, latest or skip", settings.missed_runs))?;
    // Private from here on, and absolute (docs/security.md).
    let data_dir = crate::data_dir::prepare(&settings.data_dir)?;
    let settings = ServeSettings { data_dir, ..settings };
    let _data_dir_lock = crate::data_dir_lock::lock(&settings.data_dir)?;
    let run_as = crate::run_as::resolve(settings.run_as.as_deref())?;
    let work_root = settings.work_dir.clone().unwrap_or_else(|| default_work_root(&settings.data_dir));
    let work_root = crate::data_dir::prepare_work_root(&work_root, &settings.data_dir, run_as.is_some())?;
    let url = database_url(&settings.data_dir, settings.database.as_deref());
    let store = dlf_store::open(&url).await.context("cannot open the database")?;
    let secrets =
        dlf_store::SecretBox::load_or_create(&settings.data_dir.join("master.key"), startup.master_key.as_deref())?;
    let mut config = EngineConfig::new(&settings.data_dir);
    // Starting node processes as another user goes through a small launcher process, so the
    // server never forks itself per node (runners::process::launcher).
    let launcher = match &run_as {
        Some(user) => {
            // Through the kernel's link to the running binary, not its path: the node user may
            // not be allowed to walk the path (a binary under a root-only directory), and the
            // launcher is then the very version of the server even if the file was replaced.
            let exe = std::path::Path::new("/proc/self/exe");
            Some(Arc::new(Launcher::start(exe, user.uid, user.gid).context("cannot start the node launcher")?))
        }
        None => None,
    };
    let mut sandbox = NodeSandbox { work_root, run_as, launcher, base_env: Vec::new() };
    sandbox.base_env = sandbox.environment(std::env::vars(), &settings.node_env);
    config.nodes = sandbox;
    config.strict_dlf_cron = settings.strict_dlf_cron;
    config.service_zone = service_zone;
    config.workers = settings.workers.max(1);
    config.job_concurrency_cap = settings.max_job_concurrency.max(1);
    config.script_run_timeout_ms = settings.script_run_timeout_mins.max(1).saturating_mul(60_000);
    config.script_run_retention_ms =
        i64::try_from(settings.script_run_retention_hours.saturating_mul(3_600_000)).unwrap_or(i64::MAX);
    config.missed_runs = missed_runs;
    config.object_max_bytes = settings.object_max_mib.max(1).saturating_mul(1024 * 1024);
    config.outbound = dlf_engine::runners::rest::outbound::OutboundPolicy::parse(&settings.rest_allowed_networks)
        .map_err(|e| anyhow::anyhow!("rest_allowed_networks: {e}"))?;
    config.import_dirs = settings.import_dirs.clone();
    config.object_store = object_store_settings(&settings, startup.s3_secret_access_key.as_deref())?;
    config.notifiers = Arc::new(
        dlf_engine::notify::Notifiers::from_config(&settings.notifiers)
            .map_err(|e| anyhow::anyhow!("notifiers: {e}"))?,
    );
    // SQL nodes and scripts may not connect to the store this server keeps its own data in.
    config.store_endpoint = dlf_engine::sql::StoreEndpoint::of_database_url(&url);
    let engine = Engine::new(store, config, Arc::new(SystemClock), secrets);
    engine.check_object_store().await.map_err(|e| anyhow::anyhow!("object store: {e}"))?;

    let env_ak = startup.access_key.clone();
    let env_sk = startup.secret_key.clone();
    let credentials = settings.data_dir.join("credentials");
    match engine.bootstrap_admin_key(env_ak.as_deref(), env_sk.as_deref(), &credentials).await? {
        Bootstrap::NotNeeded => {}
        Bootstrap::FromEnvironment { access_key } => {
            tracing::info!(%access_key, "DLF_ACCESS_KEY is the first administrator key");
        }
        Bootstrap::Generated { access_key, path } => {
            tracing::info!(%access_key, "generated the first administrator key");
            eprintln!("dlf: the first access key (administrator) is in {}", path.display());
        }
    }

    let runtime = engine.start().await.map_err(|e| anyhow::anyhow!("cannot start the engine: {}", e.message))?;
    let shutdown = CancellationToken::new();
    let auth = if settings.no_auth { AuthMode::Disabled } else { AuthMode::Required };
    let mut state = AppState::new(engine.clone(), auth);
    state.signature_policy.allow_unsigned_payload = settings.allow_unsigned_payload;
    let app = dlf_api::router(state);
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!(address = %local, database = %dlf_store::sql::redact(&url), zone = %service_zone, "dlf is serving");
    if !engine.config().notifiers.is_empty() {
        // Names only: a notifier's URL may carry a token, and its secret is never printed.
        let names: Vec<&str> = engine.config().notifiers.names().collect();
        tracing::info!(notifiers = %names.join(", "), "notifiers configured");
    }
    eprintln!("dlf: listening on http://{local}");

    let server = axum::serve(listener, app).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let mut server_task = tokio::spawn(async move { server.await });
    tokio::select! {
        _ = wait_for_signal() => {}
        result = &mut server_task => {
            runtime.shutdown().await;
            result??;
            return Ok(());
        }
    }
    tracing::info!("shutting down");
    shutdown.cancel();
    let grace = Duration::from_secs(settings.shutdown_grace_secs);
    let server_done = tokio::time::timeout(grace, server_task);
    let (server, ()) = tokio::join!(server_done, runtime.shutdown());
    match server {
        Ok(result) => result??,
        Err(_) => tracing::warn!("open connections did not finish within {grace:?}; closing them"),
    }
    Ok(())
}

/// The object store's backend from `object_store` and the `s3_*` settings; the environment's
/// `DLF_S3_SECRET_ACCESS_KEY` (`secret_from_env`) wins over the file's key.
fn object_store_settings(
    settings: &ServeSettings,
    secret_from_env: Option<&str>,
) -> anyhow::Result<dlf_engine::objects::ObjectStoreSettings> {
    use dlf_engine::objects::{ObjectStoreSettings, S3Settings};
    match settings.object_store.trim() {
        "local" | "" => Ok(ObjectStoreSettings::Local),
        "s3" => {
            let Some(bucket) = settings.s3_bucket.clone().filter(|b| !b.trim().is_empty()) else {
                bail!("object_store = \"s3\" needs s3_bucket: the existing bucket that holds the objects");
            };
            let Some(access_key_id) = settings.s3_access_key_id.clone().filter(|k| !k.is_empty()) else {
                bail!("object_store = \"s3\" needs s3_access_key_id");
            };
            let secret = secret_from_env
                .map(str::to_string)
                .or_else(|| settings.s3_secret_access_key.as_ref().map(|s| s.0.clone()))
                .filter(|s| !s.is_empty());
            let Some(secret) = secret else {
                bail!("object_store = \"s3\" needs a secret key: DLF_S3_SECRET_ACCESS_KEY or s3_secret_access_key");
            };
            Ok(ObjectStoreSettings::S3(S3Settings {
                endpoint: settings.s3_endpoint.clone(),
                region: settings.s3_region.clone(),
                bucket,
                access_key_id,
                secret_access_key: secret.into(),
                path_style: settings.s3_path_style,
                prefix: settings.s3_prefix.clone(),
            }))
        }
        other => bail!("object_store '{other}' is not local or s3"),
    }
}

/// Resolves on SIGTERM or SIGINT.
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("install a SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
