//! Offline administration: `dlf workspace create` and `dlf keys create|list|disable|enable|delete`
//! work on the store directly (no server needed), with the same engine operations the server
//! uses. They are the operator's tools: whoever can read the data directory is trusted.

use crate::settings::{StoreArgs, database_url};
use crate::startup_secrets::StartupSecrets;
use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use dlf_engine::{Engine, EngineConfig, SystemClock};
use std::sync::Arc;

#[derive(Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace; prints its id alone on the last line.
    Create {
        /// The project the workspace belongs to.
        #[arg(long)]
        project: String,
        #[command(flatten)]
        store: StoreArgs,
        /// The workspace name (letters, digits, '_', '-', '.').
        name: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create an access key bound to one project.
    Create {
        /// The project the key may act on.
        #[arg(long)]
        project: String,
        #[command(flatten)]
        store: StoreArgs,
        /// The user name recorded as createUser / lastUpdateUser [default: the access key].
        #[arg(long)]
        user: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: Output,
    },
    /// List access keys (never their secrets): every key, or one project's.
    List {
        /// Only the keys bound to this project.
        #[arg(long)]
        project: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: Output,
    },
    /// Disable a key: it and its tokens stop working within a second, on every server.
    Disable {
        #[command(flatten)]
        store: StoreArgs,
        /// The access key.
        access_key: String,
    },
    /// Enable a disabled key again.
    Enable {
        #[command(flatten)]
        store: StoreArgs,
        /// The access key.
        access_key: String,
    },
    /// Delete a key and its tokens: they stop working within a second, on every server.
    Delete {
        #[command(flatten)]
        store: StoreArgs,
        /// The access key.
        access_key: String,
    },
}

/// The engine over the store the arguments name. The data directory is made absolute and
/// private first, so the database and the master key are looked up in the same directory
/// wherever the command runs from.
async fn open_engine(store_args: &StoreArgs, startup: &StartupSecrets) -> anyhow::Result<Engine> {
    let data_dir = crate::data_dir::prepare(&store_args.data_dir)?;
    let url = database_url(&data_dir, store_args.database.as_deref());
    let store = dlf_store::open(&url).await.context("cannot open the database")?;
    let secrets = dlf_store::SecretBox::load_or_create(&data_dir.join("master.key"), startup.master_key.as_deref())?;
    Ok(Engine::new(store, EngineConfig::new(&data_dir), Arc::new(SystemClock), secrets))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")
}

fn dlf_error(e: dlf_core::DlfError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.message)
}

pub fn workspace(cmd: WorkspaceCommand, startup: &StartupSecrets) -> anyhow::Result<()> {
    let WorkspaceCommand::Create { project, store, name } = cmd;
    runtime()?.block_on(async {
        let engine = open_engine(&store, startup).await?;
        let ws = engine.create_workspace(&project, &name).await.map_err(dlf_error)?;
        eprintln!("created workspace '{}' in project {project}", ws.name);
        println!("{}", ws.id);
        Ok(())
    })
}

pub fn keys(cmd: KeysCommand, startup: &StartupSecrets) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        match cmd {
            KeysCommand::Create { project, store, user, output } => {
                let engine = open_engine(&store, startup).await?;
                let key =
                    engine.create_access_key(Some(&project), user.as_deref().unwrap_or("")).await.map_err(dlf_error)?;
                match output {
                    Output::Json => println!("{}", serde_json::to_string(&key)?),
                    Output::Text => {
                        println!("access_key: {}", key.access_key);
                        println!("secret_key: {}", key.secret_key);
                        println!("project_id: {project}");
                    }
                }
            }
            KeysCommand::List { project, store, output } => {
                let engine = open_engine(&store, startup).await?;
                let keys = engine.list_access_keys(project.as_deref()).await.map_err(dlf_error)?;
                match output {
                    Output::Json => println!("{}", serde_json::to_string(&keys)?),
                    Output::Text => {
                        for k in keys {
                            let scope = k.project_id.as_deref().unwrap_or("(all projects)");
                            let state = if k.disabled { "disabled" } else { "enabled" };
                            println!("{}\t{scope}\t{state}\t{}", k.access_key, k.user);
                        }
                    }
                }
            }
            KeysCommand::Disable { store, access_key } => {
                open_engine(&store, startup)
                    .await?
                    .set_access_key_disabled(&access_key, true)
                    .await
                    .map_err(dlf_error)?;
                eprintln!("disabled access key {access_key}");
            }
            KeysCommand::Enable { store, access_key } => {
                open_engine(&store, startup)
                    .await?
                    .set_access_key_disabled(&access_key, false)
                    .await
                    .map_err(dlf_error)?;
                eprintln!("enabled access key {access_key}");
            }
            KeysCommand::Delete { store, access_key } => {
                open_engine(&store, startup).await?.delete_access_key(&access_key).await.map_err(dlf_error)?;
                eprintln!("deleted access key {access_key} and its tokens");
            }
        }
        Ok(())
    })
}
