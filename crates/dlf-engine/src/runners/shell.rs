//! Shell: runs the node's script or statement with `/bin/bash` (or `/bin/sh` where bash is
//! missing) on this host (JOBS.md §3.2 "Shell").
//!
//! Process handling, output capture and the kill policy are [`super::process`]'s. This file
//! adds the interpreter choice and the Shell retry condition: the property `retryExitCodes`
//! (e.g. `"1-3,255"`) — when it is set and a failed attempt's exit code is not in its ranges,
//! the failure is not retryable (JOBS.md §5.3). Failures without an exit code (timeout, killed
//! by a signal, output cap, could not start) are left to the general retry rules. A malformed
//! value is ignored with a warning, as if no condition were set.

use super::process::{Interpreter, run_script};
use super::{AttemptContext, AttemptOutcome, AttemptSpec, NodeRunner};
use async_trait::async_trait;
use std::path::{Path, PathBuf};

/// The property holding the Shell retry condition.
pub const RETRY_EXIT_CODES: &str = "retryExitCodes";

pub struct ShellRunner;

#[async_trait]
impl NodeRunner for ShellRunner {
    async fn run(&self, spec: &AttemptSpec, ctx: AttemptContext<'_>) -> AttemptOutcome {
        let condition = retry_condition(spec);
        let interpreter =
            Interpreter { program: shell_path(), extension: "sh", env: Vec::new(), inline_flag: Some("-c") };
        let outcome = run_script(&interpreter, spec, ctx).await;
        apply_retry_condition(outcome, condition.as_ref())
    }
}

/// `/bin/bash` if it exists, else `/bin/sh`.
fn shell_path() -> PathBuf {
    let bash = Path::new("/bin/bash");
    if bash.exists() { bash.to_path_buf() } else { PathBuf::from("/bin/sh") }
}

/// The node's retry condition, if it has a valid one.
fn retry_condition(spec: &AttemptSpec) -> Option<ExitCodeRanges> {
    let value = spec.property(RETRY_EXIT_CODES)?;
    match ExitCodeRanges::parse(value) {
        Ok(ranges) => ranges,
        Err(reason) => {
            tracing::warn!(
                instance_id = spec.instance_id,
                node = %spec.node_name,
                value,
                reason = %reason,
                "ignoring the malformed retryExitCodes property: every failure is retried"
            );
            None
        }
    }
}

/// Marks a failure with an exit code outside the ranges as not retryable.
fn apply_retry_condition(outcome: AttemptOutcome, condition: Option<&ExitCodeRanges>) -> AttemptOutcome {
    match (outcome, condition) {
        (AttemptOutcome::Failed { message, exit_code: Some(code), timed_out, retryable }, Some(ranges)) => {
            AttemptOutcome::Failed {
                message,
                exit_code: Some(code),
                timed_out,
                retryable: retryable && ranges.contains(code),
            }
        }
        (outcome, _) => outcome,
    }
}

/// A set of inclusive exit-code ranges, written `"1-3,255"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitCodeRanges(Vec<(i32, i32)>);

impl ExitCodeRanges {
    /// `Ok(None)` for an empty value (no condition), `Err` for a malformed one. Items are
    /// separated by commas; each is `N` or `A-B` with `0 <= A <= B`; spaces are allowed.
    pub fn parse(value: &str) -> Result<Option<ExitCodeRanges>, BadExitCodes> {
        if value.trim().is_empty() {
            return Ok(None);
        }
        let ranges = value.split(',').map(parse_range).collect::<Result<Vec<_>, _>>()?;
        Ok(Some(ExitCodeRanges(ranges)))
    }

    pub fn contains(&self, code: i32) -> bool {
        self.0.iter().any(|&(low, high)| (low..=high).contains(&code))
    }
}

/// Why a `retryExitCodes` value is malformed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadExitCodes {
    #[error("the range \"{0}\" is empty")]
    EmptyRange(String),
    #[error("\"{0}\" is not an exit code")]
    NotACode(String),
}

/// `"N"` or `"A-B"`.
fn parse_range(item: &str) -> Result<(i32, i32), BadExitCodes> {
    let item = item.trim();
    let (low, high) = match item.split_once('-') {
        Some((low, high)) => (parse_code(low)?, parse_code(high)?),
        None => {
            let code = parse_code(item)?;
            (code, code)
        }
    };
    if low > high {
        return Err(BadExitCodes::EmptyRange(item.to_string()));
    }
    Ok((low, high))
}

fn parse_code(text: &str) -> Result<i32, BadExitCodes> {
    let text = text.trim();
    match text.parse::<i32>() {
        Ok(code) if code >= 0 => Ok(code),
        _ => Err(BadExitCodes::NotACode(text.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(value: &str) -> ExitCodeRanges {
        ExitCodeRanges::parse(value).ok().flatten().unwrap_or_else(|| panic!("{value} should parse"))
    }

    #[test]
    fn parses_ranges_and_single_codes() {
        let r = ranges("1-3,255");
        assert!(r.contains(1) && r.contains(2) && r.contains(3) && r.contains(255));
        assert!(!r.contains(0) && !r.contains(4) && !r.contains(254));
        assert_eq!(ranges(" 7 , 10 - 12 "), ExitCodeRanges(vec![(7, 7), (10, 12)]));
    }

    #[test]
    fn empty_means_no_condition() {
        assert_eq!(ExitCodeRanges::parse(""), Ok(None));
        assert_eq!(ExitCodeRanges::parse("  "), Ok(None));
    }

    #[test]
    fn rejects_malformed_values() {
        for bad in ["a", "1-", "-3", "3-1", "1,,2", "1-2-3", "1;2", "99999999999"] {
            assert!(ExitCodeRanges::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn condition_only_touches_failures_with_exit_codes() {
        let condition = ranges("1-2");
        let failed =
            |exit_code| AttemptOutcome::Failed { message: "x".into(), exit_code, timed_out: false, retryable: true };
        let retryable = |o: AttemptOutcome| matches!(o, AttemptOutcome::Failed { retryable: true, .. });
        assert!(!retryable(apply_retry_condition(failed(Some(3)), Some(&condition))));
        assert!(retryable(apply_retry_condition(failed(Some(2)), Some(&condition))));
        assert!(retryable(apply_retry_condition(failed(None), Some(&condition))));
        assert!(retryable(apply_retry_condition(failed(Some(3)), None)));
        let ok = AttemptOutcome::Succeeded { output: None };
        assert_eq!(apply_retry_condition(ok.clone(), Some(&condition)), ok);
    }
}
