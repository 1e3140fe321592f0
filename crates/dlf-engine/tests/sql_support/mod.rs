//! The real databases SQL nodes and SQL script runs are tested against: PostgreSQL at
//! `DLF_TEST_POSTGRES_URL`, MySQL/MariaDB at `DLF_TEST_MYSQL_URL`. A test whose variable is not
//! set says so and passes without running (`cargo test` must pass on a machine without them;
//! `.ci/run` sets both). Tests run in parallel: each uses temporary tables or names made unique
//! with [`unique`].

#![allow(dead_code)]

use serde_json::json;
use sqlx::Connection;
use std::time::{Duration, Instant};

/// Which server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    Postgres,
    MySql,
}

/// A test database: its server and URL.
pub struct TestDb {
    pub server: Server,
    pub url: String,
}

impl TestDb {
    /// The database of `server`, or `None` (with a note) when its variable is not set.
    pub fn of(server: Server, suite: &str) -> Option<TestDb> {
        let var = match server {
            Server::Postgres => "DLF_TEST_POSTGRES_URL",
            Server::MySql => "DLF_TEST_MYSQL_URL",
        };
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => Some(TestDb { server, url }),
            _ => {
                let name = match server {
                    Server::Postgres => "PostgreSQL",
                    Server::MySql => "MySQL",
                };
                eprintln!("{var} is not set: the {name} {suite} suite does not run");
                None
            }
        }
    }

    /// The node type that runs on this server.
    pub fn node_type(&self) -> &'static str {
        match self.server {
            Server::Postgres => "DWSSQL",
            Server::MySql => "RDSSQL",
        }
    }

    /// `host`, `port`, `user`, `password`, `database` of the URL.
    pub fn parts(&self) -> (String, u16, String, Option<String>, String) {
        let rest = self.url.split_once("://").map_or(self.url.as_str(), |(_, r)| r);
        let (auth, rest) = rest.rsplit_once('@').unwrap_or(("", rest));
        let (user, password) = match auth.split_once(':') {
            Some((u, p)) => (u.to_string(), Some(p.to_string())),
            None => (auth.to_string(), None),
        };
        let (address, database) = rest.split_once('/').unwrap_or((rest, ""));
        let database = database.split('?').next().unwrap_or("").to_string();
        let (host, port) = match address.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().expect("port")),
            None => (
                address.to_string(),
                match self.server {
                    Server::Postgres => 5432,
                    Server::MySql => 3306,
                },
            ),
        };
        (host, port, user, password, database)
    }

    /// The body of a CreateConnection for this database.
    pub fn connection_body(&self, name: &str) -> serde_json::Value {
        let (host, port, user, password, database) = self.parts();
        let mut config = json!({"ip": host, "port": port.to_string(), "userName": user, "database": database});
        if let Some(password) = password {
            config["password"] = json!(password);
        }
        match self.server {
            Server::Postgres => json!({"name": name, "type": "DWS", "config": config}),
            Server::MySql => {
                config["driverName"] = json!("com.mysql.jdbc.Driver");
                json!({"name": name, "type": "RDS", "config": config})
            }
        }
    }

    /// Statements still running in the server whose text contains `marker` (other than this
    /// check's own).
    pub async fn running_with(&self, marker: &str) -> i64 {
        let pattern = format!("%{marker}%");
        match self.server {
            Server::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url).await.expect("connect to PostgreSQL");
                let n: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_stat_activity \
                     WHERE query LIKE $1 AND state = 'active' AND pid <> pg_backend_pid()",
                )
                .bind(pattern)
                .fetch_one(&mut conn)
                .await
                .expect("read pg_stat_activity");
                let _ = conn.close().await;
                n
            }
            Server::MySql => {
                let mut conn = sqlx::MySqlConnection::connect(&self.url).await.expect("connect to MySQL");
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.PROCESSLIST \
                     WHERE INFO LIKE ? AND ID <> CONNECTION_ID()",
                )
                .bind(pattern)
                .fetch_one(&mut conn)
                .await
                .expect("read the process list");
                let _ = conn.close().await;
                n
            }
        }
    }

    /// Waits until a statement containing `marker` runs in the server.
    pub async fn wait_running(&self, marker: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.running_with(marker).await == 0 {
            assert!(Instant::now() < deadline, "the statement marked {marker} never ran");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (a few seconds at most) until no statement containing `marker` runs in the server.
    pub async fn assert_gone(&self, marker: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.running_with(marker).await > 0 {
            assert!(Instant::now() < deadline, "the statement marked {marker} still runs in the server");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs one statement on a connection of the test's own (setup and checks), returning the
    /// first column of its rows as text.
    pub async fn query(&self, sql: &str) -> Vec<Option<String>> {
        use sqlx::Row;
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self.server {
            Server::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url).await.expect("connect");
                let rows = sqlx::raw_sql(sql).fetch_all(&mut conn).await.expect("query");
                rows.iter().map(|r| r.try_get_unchecked::<Option<String>, _>(0).unwrap()).collect()
            }
            Server::MySql => {
                let mut conn = sqlx::MySqlConnection::connect(&self.url).await.expect("connect");
                let rows = sqlx::raw_sql(sql).fetch_all(&mut conn).await.expect("query");
                rows.iter().map(|r| r.try_get_unchecked::<Option<String>, _>(0).unwrap()).collect()
            }
        }
    }
}

/// A name no other test uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}_{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}
