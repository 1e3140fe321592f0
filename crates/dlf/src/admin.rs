//! Offline administration: `dlf workspace create` and `dlf keys create` work on the store
//! directly (no server needed), with the same engine operations the server uses.

use crate::settings::{StoreArgs, database_url};
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
}

async fn open_engine(store_args: &StoreArgs) -> anyhow::Result<Engine> {
    std::fs::create_dir_all(&store_args.data_dir)
        .with_context(|| format!("cannot create the data directory {}", store_args.data_dir.display()))?;
    let url = database_url(&store_args.data_dir, store_args.database.as_deref());
    let store = dlf_store::open(&url).await.context("cannot open the database")?;
    let secrets = dlf_store::SecretBox::load_or_create(&store_args.data_dir.join("master.key"))?;
    Ok(Engine::new(store, EngineConfig::new(&store_args.data_dir), Arc::new(SystemClock), secrets))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")
}

pub fn workspace(cmd: WorkspaceCommand) -> anyhow::Result<()> {
    let WorkspaceCommand::Create { project, store, name } = cmd;
    runtime()?.block_on(async {
        let engine = open_engine(&store).await?;
        let ws = engine.create_workspace(&project, &name).await.map_err(|e| anyhow::anyhow!("{}", e.message))?;
        eprintln!("created workspace '{}' in project {project}", ws.name);
        println!("{}", ws.id);
        Ok(())
    })
}

pub fn keys(cmd: KeysCommand) -> anyhow::Result<()> {
    let KeysCommand::Create { project, store, user, output } = cmd;
    runtime()?.block_on(async {
        let engine = open_engine(&store).await?;
        let key = engine
            .create_access_key(Some(&project), user.as_deref().unwrap_or(""))
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        match output {
            Output::Json => println!("{}", serde_json::to_string(&key)?),
            Output::Text => {
                println!("access_key: {}", key.access_key);
                println!("secret_key: {}", key.secret_key);
                println!("project_id: {project}");
            }
        }
        Ok(())
    })
}
