//! Cancelling a running statement in the server.
//!
//! Dropping the client's socket does not stop a query: PostgreSQL notices a gone client only
//! when it next writes to it, MySQL goes on to the end of the statement — a `pg_sleep(3600)` or
//! a long `UPDATE` would run on, holding its locks, after the node was stopped. So a stop (or
//! the engine's `maxExecutionTime`) opens a second, short-lived connection to the same server
//! and asks it to cancel the session by its server-side id: `SELECT pg_cancel_backend(pid)` on
//! PostgreSQL, `KILL QUERY id` on MySQL (both allowed for the session's own user). The session
//! itself is then closed, never reused.

use super::rows::RowSink;
use super::session::Session;
use dlf_core::model::connection::{SqlAddress, SqlProtocol};

/// Cancels what session `server_id` on `address` runs; the reason when it could not.
pub(crate) async fn cancel_in_server(
    address: &SqlAddress,
    password: Option<&str>,
    database: Option<&str>,
    server_id: u64,
) -> Result<(), String> {
    let mut canceller = Session::open(address, password, database).await?;
    let statement = match address.protocol {
        SqlProtocol::Postgres => format!("SELECT pg_cancel_backend({server_id})"),
        SqlProtocol::MySql => format!("KILL QUERY {server_id}"),
    };
    let result = canceller.run(&statement, &mut RowSink::unlimited()).await;
    canceller.close().await;
    match result {
        Ok(_) => Ok(()),
        Err(super::session::StatementError::Database(m) | super::session::StatementError::TooLarge(m)) => Err(m),
    }
}
