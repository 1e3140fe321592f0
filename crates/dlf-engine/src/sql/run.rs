//! Running a script's statements in order in one session: what SQL nodes and SQL script runs
//! (S6) share.
//!
//! Each statement is sent on its own (the script was split by `dlf_core::sql_split`), so the
//! first error stops the rest with the server's message, and each statement has its own result.
//! The log gets a line per statement as it starts (a short preview) and one as it ends (rows,
//! rows affected, time), every line passed through the connection's redaction.
//!
//! A stop while a statement runs cancels it in the server (`super::cancel`) and closes the
//! session. A session whose run failed or was stopped is closed; one whose run succeeded goes
//! back to the pool after a reset (`super::pool`; PostgreSQL only, see `super`).

use super::Sessions;
use super::cancel::cancel_in_server;
use super::pool::PoolKey;
use super::rows::{RowLimits, RowSink};
use super::session::{Session, StatementError};
use crate::connections::ResolvedConnection;
use crate::runners::{AttemptReport, LogSink};
use dlf_core::model::connection::{ConnectionTarget, SqlAddress, SqlProtocol};
use secrecy::ExposeSecret;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// What one statement gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementResult {
    /// The statement as it ran.
    pub statement: String,
    /// `(name, type)` of the result's columns (empty when it returned no row).
    pub columns: Vec<(String, String)>,
    /// The rows kept (see [`RowLimits`]); values as the server's text, `None` for NULL.
    pub rows: Vec<Vec<Option<String>>>,
    /// Rows it returned, kept or not.
    pub row_count: u64,
    /// Whether it is a query: it returned rows, or it is a `SELECT`, `WITH`, `VALUES`,
    /// `TABLE`, `SHOW`, `EXPLAIN` or `DESCRIBE` that returned none (the driver does not say
    /// whether an empty result had columns). A data-changing `WITH` without `RETURNING` counts
    /// as a query too.
    pub returns_rows: bool,
    /// Rows it inserted, changed or deleted, as the server says.
    pub rows_affected: u64,
    pub duration: Duration,
}

/// Why a run did not finish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunFailure {
    /// A statement failed (or no session could be opened): the message names the statement and
    /// carries the server's words; `results` are those of the statements before it.
    Failed { message: String, results: Vec<StatementResult> },
    /// The cancellation token fired; the running statement was cancelled in the server.
    Cancelled { results: Vec<StatementResult> },
}

/// How the results of a run are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    pub limits: RowLimits,
    /// Only the rows of the last statement that returned rows are kept (a node's output): the
    /// rows of earlier ones are dropped as soon as a later one returns rows.
    pub last_rows_only: bool,
}

/// Statements to run, and where.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    pub connection: &'a ResolvedConnection,
    /// The database to use; `None`: the connection's default.
    pub database: Option<&'a str>,
    pub statements: &'a [String],
    pub options: RunOptions,
}

impl Sessions {
    /// Runs the statements of `batch` in order in one session, stopping at the first error or
    /// when `cancel` fires. `report` gets a progress note per statement.
    pub async fn run_statements(
        &self,
        batch: Batch<'_>,
        cancel: &CancellationToken,
        log: &mut LogSink,
        report: Option<&dyn AttemptReport>,
    ) -> Result<Vec<StatementResult>, RunFailure> {
        let Batch { connection, database, statements, options } = batch;
        let ConnectionTarget::Sql(address) = &connection.target else {
            let message = format!("the connection {} is not a SQL connection", connection.name);
            return Err(RunFailure::Failed { message, results: Vec::new() });
        };
        let password = connection.password.as_ref().map(|p| p.expose_secret().to_string());
        let key = PoolKey {
            connection_id: connection.id.clone(),
            version: connection.version,
            database: database.map(str::to_string),
        };
        let mut session = match self.session_for(address, password.as_deref(), &key, cancel).await {
            Ok((session, line)) => {
                log.write(line.as_bytes()).await;
                session
            }
            Err(None) => return Err(RunFailure::Cancelled { results: Vec::new() }),
            Err(Some(message)) => {
                let message = connection.redact(&message);
                log.write(format!("{message}\n").as_bytes()).await;
                return Err(RunFailure::Failed { message, results: Vec::new() });
            }
        };
        let id_name = match address.protocol {
            SqlProtocol::Postgres => "backend pid",
            SqlProtocol::MySql => "connection id",
        };

        let mut results: Vec<StatementResult> = Vec::new();
        let total = statements.len();
        for (index, statement) in statements.iter().enumerate() {
            let number = index + 1;
            if cancel.is_cancelled() {
                drop(session);
                return Err(RunFailure::Cancelled { results });
            }
            if let Some(report) = report {
                report.progress(&format!("statement {number} of {total}"));
            }
            let line = format!("[{number}/{total}] {}\n", preview(statement));
            log.write(connection.redact(&line).as_bytes()).await;
            let mut sink = RowSink::new(options.limits);
            let started = Instant::now();
            let ran = tokio::select! {
                ran = session.run(statement, &mut sink) => Some(ran),
                _ = cancel.cancelled() => None,
            };
            let duration = started.elapsed();
            let affected = match ran {
                None => {
                    let line = format!(
                        "[{number}/{total}] stopped after {}: cancelling it in the server ({id_name} {})\n",
                        millis(duration),
                        session.server_id
                    );
                    log.write(line.as_bytes()).await;
                    if let Err(e) = cancel_in_server(address, password.as_deref(), database, session.server_id).await {
                        let line = format!("[{number}/{total}] the server did not cancel it: {e}\n");
                        log.write(connection.redact(&line).as_bytes()).await;
                    }
                    drop(session);
                    return Err(RunFailure::Cancelled { results });
                }
                Some(Err(StatementError::Database(message) | StatementError::TooLarge(message))) => {
                    let message = connection.redact(&message);
                    log.write(format!("[{number}/{total}] ERROR: {message}\n").as_bytes()).await;
                    drop(session);
                    let message = format!("statement {number} of {total} failed: {message}");
                    return Err(RunFailure::Failed { message, results });
                }
                Some(Ok(affected)) => affected,
            };
            let returns_rows = sink.total > 0 || is_query(statement);
            let what = if returns_rows {
                plural(sink.total, "row")
            } else if affected > 0 {
                format!("{} affected", plural(affected, "row"))
            } else {
                "done".to_string()
            };
            log.write(format!("[{number}/{total}] {what} in {}\n", millis(duration)).as_bytes()).await;
            if options.last_rows_only && returns_rows {
                for earlier in &mut results {
                    earlier.rows = Vec::new();
                }
            }
            results.push(StatementResult {
                statement: statement.clone(),
                columns: sink.columns,
                rows: sink.rows,
                row_count: sink.total,
                returns_rows,
                rows_affected: affected,
                duration,
            });
        }
        self.release(key, session).await;
        Ok(results)
    }

    /// A session for `key`: an idle one, else a new one on `address` (after the guard's check),
    /// with the log line that says which. `Err(None)` when `cancel` fired while opening.
    async fn session_for(
        &self,
        address: &SqlAddress,
        password: Option<&str>,
        key: &PoolKey,
        cancel: &CancellationToken,
    ) -> Result<(Session, String), Option<String>> {
        self.check_target(address, key.database.as_deref())?;
        let (session, how) = match self.reusable_session(key).await {
            Some(session) => (session, "reusing a"),
            None => {
                let opened = tokio::select! {
                    opened = Session::open(address, password, key.database.as_deref()) => opened,
                    _ = cancel.cancelled() => return Err(None),
                };
                let session = opened.map_err(|e| {
                    format!("cannot connect to {}:{} as {}: {e}", address.host, address.port, address.user)
                })?;
                (session, "opened a")
            }
        };
        let database = key.database.as_deref().or(address.database.as_deref()).unwrap_or("(default)");
        let (server, id_name) = match address.protocol {
            SqlProtocol::Postgres => ("PostgreSQL", "backend pid"),
            SqlProtocol::MySql => ("MySQL", "connection id"),
        };
        let line = format!(
            "{server}: {how} session on {}:{}/{database} as {} ({id_name} {})\n",
            address.host, address.port, address.user, session.server_id
        );
        Ok((session, line))
    }

    /// An idle session of `key` that still answers, if the pool has one.
    async fn reusable_session(&self, key: &PoolKey) -> Option<Session> {
        while let Some(mut session) = self.pool.take(key) {
            if session.alive().await {
                return Some(session);
            }
            session.close().await;
        }
        None
    }

    /// After a successful run: reset and park the session (PostgreSQL), or close it.
    async fn release(&self, key: PoolKey, mut session: Session) {
        if session.protocol() == SqlProtocol::Postgres && session.reset().await {
            self.pool.put(key, session);
        } else {
            session.close().await;
        }
    }
}

/// The statement on one line, at most 100 characters.
fn preview(statement: &str) -> String {
    let flat = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &flat[..at]),
        None => flat,
    }
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

fn millis(duration: Duration) -> String {
    format!("{} ms", duration.as_millis())
}

/// Whether a statement is a query by its first keyword (after comments and parentheses).
fn is_query(statement: &str) -> bool {
    let mut rest = statement;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
        if rest.starts_with("--") || rest.starts_with('#') {
            rest = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_lowercase();
    matches!(word.as_str(), "select" | "with" | "values" | "table" | "show" | "explain" | "describe" | "desc")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_known_by_their_first_keyword() {
        assert!(is_query("SELECT 1"));
        assert!(is_query("-- the ids\n/* all */ (select id from t) union (select 2)"));
        assert!(is_query("with x as (select 1) select * from x"));
        assert!(is_query("SHOW TABLES"));
        assert!(!is_query("INSERT INTO t SELECT 1"));
        assert!(!is_query("selected"));
        assert!(!is_query("-- only a comment"));
    }

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(preview("SELECT 1,\n   2"), "SELECT 1, 2");
        let long = format!("SELECT '{}'", "x".repeat(200));
        assert_eq!(preview(&long).chars().count(), 101);
        assert!(preview(&long).ends_with('…'));
    }
}
