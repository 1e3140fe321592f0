//! The `dlf` binary: one executable for the server (`dlf serve`) and the command-line tools.
//!
//! Subcommands that need no server (`el eval`, `cron next`, `workspace create`, `keys create`)
//! work offline on the same code the server uses, so a preview is exactly what a run will do.

mod admin;
mod client;
mod cron_cmd;
mod data_dir;
mod data_dir_lock;
mod el_cmd;
mod machine_zone;
mod run_as;
mod serve;
mod settings;
mod startup_secrets;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// dlf: a self-hosted DataArts Factory (DLF) job scheduler.
#[derive(Parser)]
#[command(name = "dlf", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the DLF v1 API and run the scheduler.
    Serve(Box<settings::ServeArgs>),
    /// Manage workspaces (offline).
    #[command(subcommand)]
    Workspace(admin::WorkspaceCommand),
    /// Manage access keys (offline).
    #[command(subcommand)]
    Keys(admin::KeysCommand),
    /// Preview the DLF expression language offline.
    #[command(subcommand)]
    El(el_cmd::ElCommand),
    /// Preview Quartz cron schedules offline.
    #[command(subcommand)]
    Cron(cron_cmd::CronCommand),
    /// Export jobs, scripts, resources and connections of a workspace to a zip file.
    Export(client::transfer::ExportArgs),
    /// Import a zip written by `dlf export` or DataArts Studio into a workspace.
    Import(client::transfer::ImportArgs),
    /// `dlf serve --run-as` starts this to start node processes as the node user (internal).
    #[command(name = "__node-launcher", hide = true)]
    NodeLauncher,
}

/// The node launcher (`dlf_engine::runners::process::launcher`): serves the socket the server
/// handed over as standard input until the server goes away.
fn node_launcher() -> anyhow::Result<()> {
    use std::os::fd::AsFd;
    let socket = std::io::stdin().as_fd().try_clone_to_owned()?;
    dlf_engine::runners::process::launcher::serve(socket)?;
    Ok(())
}

/// The runtime of the client commands: one thread is plenty for a few HTTP calls.
fn client_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

fn main() -> ExitCode {
    // First, while this process has one thread: no child of the server may inherit them.
    let secrets = startup_secrets::StartupSecrets::take_from_environment();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(*args, secrets),
        Command::Workspace(cmd) => admin::workspace(cmd, &secrets),
        Command::Keys(cmd) => admin::keys(cmd, &secrets),
        Command::El(cmd) => return el_cmd::run(cmd),
        Command::Cron(cmd) => return cron_cmd::run(cmd),
        Command::NodeLauncher => node_launcher(),
        Command::Export(args) => {
            let env = client::ClientEnv::from_process(secrets.access_key.clone(), secrets.secret_key.clone());
            client_runtime().and_then(|rt| rt.block_on(client::transfer::export(args, &env)))
        }
        Command::Import(args) => {
            let env = client::ClientEnv::from_process(secrets.access_key.clone(), secrets.secret_key.clone());
            match client_runtime().and_then(|rt| rt.block_on(client::transfer::import(args, &env))) {
                Ok(code) => return ExitCode::from(code),
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dlf: {e:#}");
            ExitCode::FAILURE
        }
    }
}
