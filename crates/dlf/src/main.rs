//! The `dlf` binary: one executable for the server (`dlf serve`) and the command-line tools.
//!
//! Subcommands that need no server (`el eval`, `cron next`, `workspace create`, `keys create`)
//! work offline on the same code the server uses, so a preview is exactly what a run will do.

mod cron_cmd;
mod el_cmd;

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
    /// Preview the DLF expression language offline.
    #[command(subcommand)]
    El(el_cmd::ElCommand),
    /// Preview Quartz cron schedules offline.
    #[command(subcommand)]
    Cron(cron_cmd::CronCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::El(cmd) => el_cmd::run(cmd),
        Command::Cron(cmd) => cron_cmd::run(cmd),
    }
}
