//! SQL nodes — `DWSSQL`, `RDSSQL`, `DorisSQL` (`DORISSQL`) — on PostgreSQL and MySQL-protocol
//! servers (JOBS.md §3.2).
//!
//! The engine hands over the rendered script (`${}`, `scriptArgs` and EL already applied), the
//! resolved connection and the database. The runner splits the script with the dialect of the
//! connection's protocol (`dlf_core::sql_split`) and runs the statements in order in one session
//! (`crate::sql::Sessions::run_statements`); the first error fails the node with the server's
//! message.
//!
//! **Output** (what `Job.getNodeOutput` returns): the rows of the last statement that returned
//! rows, as a JSON array of arrays of strings (`[["Dean","08"],["Smith","53"]]`), SQL NULL as
//! `null`; a query with no rows gives `[]`; no query at all gives the string `null`. At most
//! [`OUTPUT_ROWS`] rows and [`OUTPUT_BYTES`] are kept of a result set while it streams in: a
//! larger one fails the node (its output would otherwise be cut without anyone knowing).
//!
//! **Result-match rule** (DWS, JOBS.md §3.2): when the properties `matchRule` and
//! `failMatchValue` are set, `matchRule` is a regular expression searched in the output text;
//! the first match — its first group when the expression has groups — compared with
//! `failMatchValue`: equal fails the node. The syntax is
//! Rust's `regex` (DLF documents Java's; the common forms are the same, look-around is not
//! supported and is reported as an invalid rule).

use super::{AttemptContext, AttemptOutcome, AttemptSpec, NodeRunner};
use crate::sql::{Batch, Beyond, RowLimits, RunFailure, RunOptions, Sessions, StatementResult};
use async_trait::async_trait;
use dlf_core::model::connection::{ConnectionTarget, SqlProtocol};
use dlf_core::sql_split::{Dialect, split_statements};
use std::sync::Arc;

/// Most rows of a result set kept for a node's output.
pub const OUTPUT_ROWS: usize = 10_000;
/// Most bytes of a result set kept for a node's output (as Shell's output cap).
pub const OUTPUT_BYTES: usize = 30 * 1024 * 1024;

/// Runs SQL nodes through the server's [`Sessions`].
pub struct SqlRunner {
    sessions: Arc<Sessions>,
}

impl SqlRunner {
    pub fn new(sessions: Arc<Sessions>) -> SqlRunner {
        SqlRunner { sessions }
    }
}

#[async_trait]
impl NodeRunner for SqlRunner {
    async fn run(&self, spec: &AttemptSpec, ctx: AttemptContext<'_>) -> AttemptOutcome {
        let Some(connection) = spec.connection.as_ref() else {
            return fail(ctx, "a SQL node needs a data connection (connectionName)", false).await;
        };
        let ConnectionTarget::Sql(address) = &connection.target else {
            let message = format!("the connection {} is not a SQL connection", connection.name);
            return fail(ctx, &message, false).await;
        };
        let dialect = match address.protocol {
            SqlProtocol::Postgres => Dialect::Postgres,
            SqlProtocol::MySql => Dialect::MySql,
        };
        let statements = split_statements(spec.program.as_deref().unwrap_or(""), dialect);
        if statements.is_empty() {
            return fail(ctx, "the SQL script has no statements to run (it is empty or only comments)", false).await;
        }
        let options = RunOptions {
            limits: RowLimits { keep_rows: OUTPUT_ROWS, keep_bytes: OUTPUT_BYTES, beyond: Beyond::Fail },
            last_rows_only: true,
        };
        let batch = Batch { connection, database: spec.database.as_deref(), statements: &statements, options };
        let ran = self.sessions.run_statements(batch, &ctx.cancel, ctx.log, Some(ctx.report)).await;
        let results = match ran {
            Ok(results) => results,
            Err(RunFailure::Cancelled { .. }) => return AttemptOutcome::Stopped,
            // Deadlocks, lock timeouts and unreachable servers pass: the node's retry settings
            // decide.
            Err(RunFailure::Failed { message, .. }) => return AttemptOutcome::failed(message, true),
        };
        let output = output_of(&results);
        let rule = spec.property("matchRule").filter(|r| !r.is_empty());
        let fail_value = spec.property("failMatchValue").filter(|v| !v.is_empty());
        if let (Some(rule), Some(fail_value)) = (rule, fail_value) {
            match match_rule(rule, &output) {
                Err(message) => return fail(ctx, &message, false).await,
                Ok(Some(found)) if found == fail_value => {
                    let message = format!(
                        "the result matched the failure value: matchRule {rule:?} found {found:?}, which is \
                         failMatchValue"
                    );
                    return fail(ctx, &message, false).await;
                }
                Ok(_) => {}
            }
        }
        AttemptOutcome::Succeeded { output: Some(output) }
    }
}

/// Writes `message` to the log and fails the attempt.
async fn fail(ctx: AttemptContext<'_>, message: &str, retryable: bool) -> AttemptOutcome {
    ctx.log.write(format!("{message}\n").as_bytes()).await;
    AttemptOutcome::failed(message, retryable)
}

/// The node's output (see the module docs).
pub fn output_of(results: &[StatementResult]) -> String {
    match results.iter().rev().find(|r| r.returns_rows) {
        Some(result) => serde_json::to_string(&result.rows).unwrap_or_else(|_| "null".to_string()),
        None => "null".to_string(),
    }
}

/// What the result-match rule `rule` finds in `output`: the first match, or its first group.
fn match_rule(rule: &str, output: &str) -> Result<Option<String>, String> {
    let regex = regex_automata::meta::Regex::new(rule)
        .map_err(|e| format!("matchRule {rule:?} is not a valid regular expression: {e}"))?;
    let mut captures = regex.create_captures();
    regex.captures(output, &mut captures);
    if !captures.is_match() {
        return Ok(None);
    }
    let span = if captures.group_len() > 1 { captures.get_group(1) } else { captures.get_match().map(|m| m.span()) };
    Ok(Some(span.map(|s| output[s.start..s.end].to_string()).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn result(returns_rows: bool, rows: Vec<Vec<Option<&str>>>) -> StatementResult {
        StatementResult {
            statement: String::new(),
            columns: Vec::new(),
            row_count: rows.len() as u64,
            rows: rows.into_iter().map(|r| r.into_iter().map(|v| v.map(str::to_string)).collect()).collect(),
            returns_rows,
            rows_affected: 0,
            duration: Duration::ZERO,
        }
    }

    #[test]
    fn the_output_is_the_last_row_set_as_strings() {
        let results = [
            result(true, vec![vec![Some("first")]]),
            result(true, vec![vec![Some("Dean"), Some("08")], vec![Some("Smith"), None]]),
            result(false, vec![]),
        ];
        assert_eq!(output_of(&results), r#"[["Dean","08"],["Smith",null]]"#);
        assert_eq!(output_of(&[result(true, vec![])]), "[]");
        assert_eq!(output_of(&[result(false, vec![])]), "null");
        assert_eq!(output_of(&[]), "null");
    }

    #[test]
    fn the_match_rule_takes_the_first_group_or_the_whole_match() {
        assert_eq!(match_rule(r#"\[\["(\d+)"\]\]"#, r#"[["0"]]"#).unwrap().as_deref(), Some("0"));
        assert_eq!(match_rule(r"\d+", r#"[["12"],["7"]]"#).unwrap().as_deref(), Some("12"));
        assert_eq!(match_rule("x", "[]").unwrap(), None);
        assert!(match_rule("(", "").unwrap_err().contains("not a valid regular expression"));
    }
}
