//! SQL sessions on data connections (DWS, RDS: PostgreSQL and MySQL): opening them, and the
//! connection test.

use crate::connections::ResolvedConnection;
use dlf_core::model::connection::{ConnectionTarget, SqlAddress, SqlProtocol};
use secrecy::ExposeSecret;
use sqlx::Connection;
use std::time::Duration;

/// How long opening a session may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQL sessions of the server's data connections.
#[derive(Debug, Default)]
pub struct Sessions {}

impl Sessions {
    /// Opens a session on `connection` and runs `SELECT 1`; the database's own error text
    /// when that fails.
    pub async fn probe(&self, connection: &ResolvedConnection) -> Result<(), String> {
        let ConnectionTarget::Sql(address) = &connection.target else {
            return Err(format!("the connection {} is not a SQL connection", connection.name));
        };
        let password = connection.password.as_ref().map(|p| p.expose_secret().to_string());
        let probe = async {
            match address.protocol {
                SqlProtocol::Postgres => {
                    let mut session = sqlx::PgConnection::connect_with(&postgres_options(address, password.as_deref()))
                        .await
                        .map_err(|e| e.to_string())?;
                    sqlx::query("SELECT 1").execute(&mut session).await.map_err(|e| e.to_string())?;
                    session.close().await.map_err(|e| e.to_string())
                }
                SqlProtocol::MySql => {
                    let mut session = sqlx::MySqlConnection::connect_with(&mysql_options(address, password.as_deref()))
                        .await
                        .map_err(|e| e.to_string())?;
                    sqlx::query("SELECT 1").execute(&mut session).await.map_err(|e| e.to_string())?;
                    session.close().await.map_err(|e| e.to_string())
                }
            }
        };
        tokio::time::timeout(CONNECT_TIMEOUT, probe).await.unwrap_or_else(|_| {
            Err(format!("no answer from {}:{} within {CONNECT_TIMEOUT:?}", address.host, address.port))
        })
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
