//! One SQL session: a connection to a PostgreSQL or MySQL server, the server's id for it, and
//! running one statement on it with every value as text.
//!
//! Statements go through the simple (text) protocol (`sqlx::raw_sql`): the server sends every
//! value as its own text form, so any column type becomes a string without per-type code, and
//! the statement is not prepared (any statement the server accepts runs, `CREATE FUNCTION`,
//! `SET`, `CALL` included). A value that is not UTF-8 (a MySQL binary column) is shown as
//! `0x` and its hex digits, as PostgreSQL shows `bytea` (`\x…`).
//!
//! The server-side id (`pg_backend_pid()`, `CONNECTION_ID()`) is read when the session opens:
//! it is what a second connection names to cancel the running statement (`super::cancel`).

use super::rows::RowSink;
use super::{CONNECT_TIMEOUT, mysql_options, postgres_options};
use dlf_core::model::connection::{SqlAddress, SqlProtocol};
use futures_util::TryStreamExt;
use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{AssertSqlSafe, Column, Connection, Either, Row, TypeInfo, ValueRef};
use std::time::Duration;

/// An open session.
pub(crate) struct Session {
    conn: Conn,
    /// The server's id of this session (backend pid, connection id).
    pub server_id: u64,
}

enum Conn {
    Postgres(PgConnection),
    MySql(MySqlConnection),
}

/// How a statement failed.
#[derive(Debug)]
pub(crate) enum StatementError {
    /// The server refused it (or the connection broke): its message.
    Database(String),
    /// Its rows passed what may be kept in memory.
    TooLarge(String),
}

impl Session {
    /// Opens a session on `address` (its database replaced by `database` when given) within
    /// [`CONNECT_TIMEOUT`], and reads its server-side id.
    pub async fn open(address: &SqlAddress, password: Option<&str>, database: Option<&str>) -> Result<Session, String> {
        let mut address = address.clone();
        if let Some(database) = database {
            address.database = Some(database.to_string());
        }
        let open = async {
            let conn = match address.protocol {
                SqlProtocol::Postgres => Conn::Postgres(
                    PgConnection::connect_with(&postgres_options(&address, password)).await.map_err(message)?,
                ),
                SqlProtocol::MySql => Conn::MySql(
                    MySqlConnection::connect_with(&mysql_options(&address, password)).await.map_err(message)?,
                ),
            };
            let mut session = Session { conn, server_id: 0 };
            let id_query = match address.protocol {
                SqlProtocol::Postgres => "SELECT pg_backend_pid()",
                SqlProtocol::MySql => "SELECT CONNECTION_ID()",
            };
            let mut sink = RowSink::unlimited();
            session.run(id_query, &mut sink).await.map_err(|e| match e {
                StatementError::Database(m) | StatementError::TooLarge(m) => m,
            })?;
            session.server_id = sink
                .first_value()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("the server did not say its session id ({id_query})"))?;
            Ok(session)
        };
        tokio::time::timeout(CONNECT_TIMEOUT, open).await.unwrap_or_else(|_| {
            Err(format!("no answer from {}:{} within {} s", address.host, address.port, CONNECT_TIMEOUT.as_secs()))
        })
    }

    pub fn protocol(&self) -> SqlProtocol {
        match self.conn {
            Conn::Postgres(_) => SqlProtocol::Postgres,
            Conn::MySql(_) => SqlProtocol::MySql,
        }
    }

    /// Runs one statement (the server may send several results for it, e.g. a `CALL`; their
    /// rows all go to `sink`); returns the rows it affected.
    pub async fn run(&mut self, statement: &str, sink: &mut RowSink) -> Result<u64, StatementError> {
        let sql = AssertSqlSafe(statement.to_string());
        let mut affected = 0;
        match &mut self.conn {
            Conn::Postgres(conn) => {
                let mut stream = sqlx::raw_sql(sql).fetch_many(&mut *conn);
                while let Some(item) = stream.try_next().await.map_err(database_error)? {
                    match item {
                        Either::Left(done) => affected += done.rows_affected(),
                        Either::Right(row) => sink.push(&row)?,
                    }
                }
            }
            Conn::MySql(conn) => {
                let mut stream = sqlx::raw_sql(sql).fetch_many(&mut *conn);
                while let Some(item) = stream.try_next().await.map_err(database_error)? {
                    match item {
                        Either::Left(done) => affected += done.rows_affected(),
                        Either::Right(row) => sink.push(&row)?,
                    }
                }
            }
        }
        Ok(affected)
    }

    /// Brings a PostgreSQL session back to the state of a new one (`ROLLBACK`, harmless outside
    /// a transaction, then `DISCARD ALL`: settings, temporary tables, prepared statements,
    /// advisory locks, `LISTEN`s, the session role). Each is its own query: `DISCARD ALL` may
    /// not run inside the implicit transaction of a multi-statement query. `false` if the
    /// session cannot be reset (it must then be closed), and always for MySQL (`super` says
    /// why).
    pub async fn reset(&mut self) -> bool {
        let Conn::Postgres(_) = self.conn else { return false };
        let reset = async {
            for statement in ["ROLLBACK", "DISCARD ALL"] {
                if self.run(statement, &mut RowSink::unlimited()).await.is_err() {
                    return false;
                }
            }
            true
        };
        tokio::time::timeout(Duration::from_secs(5), reset).await.unwrap_or(false)
    }

    /// Whether the session still answers (before it is reused).
    pub async fn alive(&mut self) -> bool {
        let ping = async {
            match &mut self.conn {
                Conn::Postgres(conn) => conn.ping().await.is_ok(),
                Conn::MySql(conn) => conn.ping().await.is_ok(),
            }
        };
        tokio::time::timeout(Duration::from_secs(5), ping).await.unwrap_or(false)
    }

    /// Ends the session politely (a short wait at most; the socket closes either way).
    pub async fn close(self) {
        let close = async {
            let _ = match self.conn {
                Conn::Postgres(conn) => conn.close().await,
                Conn::MySql(conn) => conn.close().await,
            };
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), close).await;
    }
}

/// A driver error as the user should read it: the server's own message and code.
pub(crate) fn message(error: sqlx::Error) -> String {
    match &error {
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => format!("{} (SQLSTATE {code})", db.message()),
            None => db.message().to_string(),
        },
        _ => error.to_string(),
    }
}

fn database_error(error: sqlx::Error) -> StatementError {
    StatementError::Database(message(error))
}

/// A row whose values can be read as text (see the module docs).
pub(crate) trait TextRow {
    /// `(name, type)` of each column, the type as the server names it, in lower case.
    fn columns(&self) -> Vec<(String, String)>;
    /// Each value as text, `None` for SQL NULL.
    fn values(&self) -> Vec<Option<String>>;
}

fn columns_of<R: Row>(row: &R) -> Vec<(String, String)> {
    row.columns().iter().map(|c| (c.name().to_string(), c.type_info().name().to_ascii_lowercase())).collect()
}

/// Text of raw bytes: as they are when UTF-8, else `0x` and hex.
fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => format!("0x{}", hex::encode(bytes)),
    }
}

impl TextRow for PgRow {
    fn columns(&self) -> Vec<(String, String)> {
        columns_of(self)
    }

    fn values(&self) -> Vec<Option<String>> {
        (0..self.len())
            .map(|i| {
                let value = self.try_get_raw(i).ok()?;
                if value.is_null() {
                    return None;
                }
                Some(value.as_bytes().map(text_of).unwrap_or_default())
            })
            .collect()
    }
}

impl TextRow for MySqlRow {
    fn columns(&self) -> Vec<(String, String)> {
        columns_of(self)
    }

    fn values(&self) -> Vec<Option<String>> {
        (0..self.len())
            .map(|i| {
                if self.try_get_raw(i).ok()?.is_null() {
                    return None;
                }
                Some(self.try_get_unchecked::<&[u8], _>(i).map(text_of).unwrap_or_default())
            })
            .collect()
    }
}
