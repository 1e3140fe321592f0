//! Python: runs the node's script or statement with `python3` on this host (JOBS.md §3.2
//! "Python").
//!
//! Process handling, output capture (stdout as printed, trailing newline included, last 4,000
//! characters) and the kill policy are [`super::process`]'s. This file adds:
//!
//! * the interpreter: `python3` found on `PATH` (the node's `PATH` if its environment sets one,
//!   else the server's). Missing → the attempt fails with "python3 is not installed on this
//!   host". On an SSH host (`crate::ssh`) the host's `python3` runs, whether or not this server
//!   has one.
//! * `pythonVersion`: absent, empty or Python 3 (`"Python 3"`, `"python3.11"` …) runs
//!   `python3`. Python 2 — the cloud's default for old jobs — and anything else fail the
//!   attempt with a message saying only Python 3 is available; such failures are not
//!   retryable, a retry would fail the same way.
//! * `PYTHONUNBUFFERED=1` (unless the node's environment sets it), so `print` output reaches
//!   the log while the node runs instead of when Python exits.

use super::process::{Interpreter, fail_before_start, run_script};
use super::{AttemptContext, AttemptOutcome, AttemptSpec, NodeRunner};
use async_trait::async_trait;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// The property choosing the Python version.
pub const PYTHON_VERSION: &str = "pythonVersion";
/// The failure message when `python3` cannot be found.
pub const PYTHON_MISSING: &str = "python3 is not installed on this host";

pub struct PythonRunner;

#[async_trait]
impl NodeRunner for PythonRunner {
    async fn run(&self, spec: &AttemptSpec, ctx: AttemptContext<'_>) -> AttemptOutcome {
        if let Err(unsupported) = check_version(spec.property(PYTHON_VERSION)) {
            return fail_before_start(ctx.log, &unsupported.to_string(), false).await;
        }
        let on_ssh_host = spec.connection.as_ref().is_some_and(|c| !c.is_local());
        // On an SSH host the host's own `python3` runs (`crate::ssh`); this server needs none.
        let python = match find_python3(spec) {
            Some(python) => python,
            None if on_ssh_host => PathBuf::from("python3"),
            None => return fail_before_start(ctx.log, PYTHON_MISSING, false).await,
        };
        let env = vec![("PYTHONUNBUFFERED".to_string(), "1".to_string())];
        let interpreter = Interpreter { program: python, extension: "py", env, inline_flag: None };
        run_script(&interpreter, spec, ctx).await
    }
}

/// A `pythonVersion` this server cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum UnsupportedVersion {
    #[error(
        "pythonVersion is \"{0}\", but this server runs Python nodes with Python 3 only (python3); \
         Python 2 is not available — set pythonVersion to \"Python 3\""
    )]
    Python2(String),
    #[error("pythonVersion \"{0}\" is not supported: this server runs Python nodes with Python 3 only (python3)")]
    Other(String),
}

/// Ok for Python 3 (or no version), else why not.
fn check_version(version: Option<&str>) -> Result<(), UnsupportedVersion> {
    let Some(version) = version.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    match version.chars().find(char::is_ascii_digit) {
        Some('3') => Ok(()),
        Some('2') => Err(UnsupportedVersion::Python2(version.to_string())),
        _ => Err(UnsupportedVersion::Other(version.to_string())),
    }
}

/// `python3` on the node's `PATH` (from its environment) or the server's.
fn find_python3(spec: &AttemptSpec) -> Option<PathBuf> {
    let path = spec
        .env
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| OsString::from(v))
        .or_else(|| std::env::var_os("PATH"))?;
    std::env::split_paths(&path).map(|dir| dir.join("python3")).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &std::path::Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_3_or_nothing_is_accepted() {
        for ok in [None, Some(""), Some("  "), Some("Python 3"), Some("python3"), Some("Python3.11"), Some("3")] {
            assert!(check_version(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn python_2_is_refused_clearly() {
        for two in ["Python 2", "python2", "Python2.7", "2.7"] {
            let message = check_version(Some(two)).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains("Python 3 only") && message.contains("Python 2 is not available"), "{message}");
        }
        let other = check_version(Some("Jython")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(other.contains("Python 3 only"), "{other}");
    }
}
