//! `dlf el eval`: render a text with `${}` parameters and `#{}` expressions offline (placeholder).

use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ElCommand {
    /// Render a text and print the result.
    Eval { text: String },
}

pub fn run(cmd: ElCommand) -> ExitCode {
    match cmd {
        ElCommand::Eval { text } => {
            eprintln!("not implemented yet: {text}");
            ExitCode::from(2)
        }
    }
}
