//! `dlf cron next`: print the next fire times of a Quartz cron expression offline (placeholder).

use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum CronCommand {
    /// Print the next fire times.
    Next { expression: String },
}

pub fn run(cmd: CronCommand) -> ExitCode {
    match cmd {
        CronCommand::Next { expression } => {
            eprintln!("not implemented yet: {expression}");
            ExitCode::from(2)
        }
    }
}
