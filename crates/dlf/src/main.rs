//! The `dlf` binary: one executable for the server (`dlf serve`) and the command-line tools.
//!
//! Subcommands that need no server (`el eval`, `cron next`, `workspace create`, `keys create`)
//! work offline on the same code the server uses, so a preview is exactly what a run will do.

mod admin;
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dlf: {e:#}");
            ExitCode::FAILURE
        }
    }
}
