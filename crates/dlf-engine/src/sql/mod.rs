//! SQL sessions on data connections (DWS, RDS, Doris: PostgreSQL and MySQL wire protocols):
//! running a script's statements for SQL nodes and SQL script runs, and the connection test.
//!
//! [`Sessions`] is the one way into a tenant's database. The parts, one job each:
//!
//! - `session`: one connection, its server-side id, a statement run with every value as text;
//! - `rows`: keeping a statement's rows within limits ([`RowLimits`]);
//! - `run`: the statements of a script in order, in one session ([`Sessions::run_statements`]);
//! - `cancel`: stopping a running statement in the server, not just dropping the socket;
//! - `pool`: idle sessions kept for the next node on the same connection and database;
//! - `guard`: refusing connections that point at the server's own store ([`StoreEndpoint`]).
//!
//! **Sessions are reused on PostgreSQL only.** A PostgreSQL session is brought back to the state
//! of a new one by `ROLLBACK` + `DISCARD ALL`, so a node never sees what an earlier one left.
//! MySQL has that reset only as the `COM_RESET_CONNECTION` command, which sqlx does not send, and
//! no SQL statement clears user variables, temporary tables, session settings, `GET_LOCK` locks
//! and `LOCK TABLES` together. A reused MySQL session would leak one node's state into the next,
//! possibly another tenant's, so MySQL sessions are closed after every run.
//!
//! Sessions never cross connections (the pool's key is the connection's id and version), so
//! they never cross workspaces either.
//!
//! **TLS** is the connection's `sslEnable`: required (encrypted, the certificate not checked, as
//! JDBC's `sslmode=require` / `useSSL=true`) or off. sqlx speaks it with rustls on `ring`, the
//! crypto the SSH client (`crate::ssh`) already brings, so TLS adds no second crypto library.
//! Checking the server's certificate (`verify-full`) is not offered yet: a connection has no
//! field for a CA or a pinned certificate.

mod cancel;
mod guard;
mod pool;
mod rows;
mod run;
mod session;

pub use guard::{StoreEndpoint, same_host};
pub use pool::{IDLE_TIMEOUT, MAX_IDLE_PER_KEY};
pub use rows::{Beyond, RowLimits};
pub use run::{Batch, RunFailure, RunOptions, StatementResult};

use crate::connections::ResolvedConnection;
use dlf_core::model::connection::{ConnectionTarget, SqlAddress, SqlProtocol};
use secrecy::ExposeSecret;
use std::time::Duration;

/// How long opening a session may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQL sessions of the server's data connections.
#[derive(Default)]
pub struct Sessions {
    pool: pool::IdlePool,
    /// The server's own store, which no connection may reach ([`StoreEndpoint`]).
    store: Option<StoreEndpoint>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").field("idle", &self.pool.idle_count()).field("store", &self.store).finish()
    }
}

impl Sessions {
    /// Sessions that refuse connections to `store` (the server's own PostgreSQL store, if any).
    pub fn new(store: Option<StoreEndpoint>) -> Sessions {
        Sessions { pool: Default::default(), store }
    }

    /// Idle sessions kept for reuse.
    pub fn idle_sessions(&self) -> usize {
        self.pool.idle_count()
    }

    /// Refuses what no SQL session may reach: a Unix socket, the server's own store.
    fn check_target(&self, address: &SqlAddress, database: Option<&str>) -> Result<(), String> {
        if address.host.starts_with('/') {
            return Err(format!(
                "the connection names the Unix socket {}; SQL connections must name a network host and port",
                address.host
            ));
        }
        let database = database.or(address.database.as_deref()).or(match address.protocol {
            SqlProtocol::Postgres => Some(address.user.as_str()),
            SqlProtocol::MySql => None,
        });
        if let (Some(store), Some(database)) = (&self.store, database)
            && store.covers(&address.host, address.port, database)
        {
            return Err(format!(
                "{}:{}/{database} is this dlf server's own metadata store; nodes and scripts may not use it \
                 (choose another database or server)",
                address.host, address.port
            ));
        }
        Ok(())
    }

    /// Opens a session on `connection` and runs `SELECT 1`; the database's own error text
    /// when that fails.
    pub async fn probe(&self, connection: &ResolvedConnection) -> Result<(), String> {
        let ConnectionTarget::Sql(address) = &connection.target else {
            return Err(format!("the connection {} is not a SQL connection", connection.name));
        };
        self.check_target(address, None)?;
        let password = connection.password.as_ref().map(|p| p.expose_secret().to_string());
        let mut session = session::Session::open(address, password.as_deref(), None).await?;
        let ran = tokio::time::timeout(CONNECT_TIMEOUT, session.run("SELECT 1", &mut rows::RowSink::unlimited())).await;
        session.close().await;
        match ran {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(session::StatementError::Database(m) | session::StatementError::TooLarge(m))) => Err(m),
            Err(_) => Err(format!("SELECT 1 got no answer within {} s", CONNECT_TIMEOUT.as_secs())),
        }
    }
}

/// PostgreSQL options for `address`.
pub fn postgres_options(address: &SqlAddress, password: Option<&str>) -> sqlx::postgres::PgConnectOptions {
    let mut options = sqlx::postgres::PgConnectOptions::new_without_pgpass()
        .host(&address.host)
        .port(address.port)
        .username(&address.user)
        .application_name("dlf")
        .ssl_mode(if address.ssl { sqlx::postgres::PgSslMode::Require } else { sqlx::postgres::PgSslMode::Disable });
    if let Some(password) = password {
        options = options.password(password);
    }
    if let Some(database) = &address.database {
        options = options.database(database);
    }
    options
}

/// MySQL options for `address`.
pub fn mysql_options(address: &SqlAddress, password: Option<&str>) -> sqlx::mysql::MySqlConnectOptions {
    let mut options = sqlx::mysql::MySqlConnectOptions::new()
        .host(&address.host)
        .port(address.port)
        .username(&address.user)
        .ssl_mode(if address.ssl { sqlx::mysql::MySqlSslMode::Required } else { sqlx::mysql::MySqlSslMode::Disabled });
    if let Some(password) = password {
        options = options.password(password);
    }
    if let Some(database) = &address.database {
        options = options.database(database);
    }
    options
}
