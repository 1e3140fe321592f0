//! The SQL implementation of [`crate::Store`] for SQLite and PostgreSQL.
//!
//! sqlx's `Any` driver lets both databases share the statements (`$1` placeholders work on
//! SQLite too, and only INTEGER/BIGINT/TEXT columns are used). What differs is confined to
//! [`Dialect`]: the DDL, how a write transaction begins, and substring search.

mod connections;
mod credentials;
mod instances;
mod jobs;
mod notifications;
mod resources;
mod rows;
mod script_runs;
mod scripts;
mod system_tasks;
mod tenancy;

use crate::{StoreError, StoreResult};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, AssertSqlSafe, Executor, Transaction};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The two databases dlf runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// How a write transaction begins. SQLite takes the write lock up front (`BEGIN IMMEDIATE`)
    /// so a read-then-write transaction can never fail half-way with "database is locked".
    fn begin_statement(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// A case-sensitive "column contains $n" condition.
    fn contains(self, column: &str, placeholder: &str) -> String {
        match self {
            Dialect::Sqlite => format!("instr({column}, {placeholder}) > 0"),
            Dialect::Postgres => format!("strpos({column}, {placeholder}) > 0"),
        }
    }
}

/// The placeholders of one statement, handed out in bind order: every placeholder taken is
/// bound exactly once, in the order taken.
///
/// Why not always `$n`: SQLite treats `$7` (and `?7`) as a *named* parameter, found by a linear
/// search of the statement's parameter list when it is parsed and again each time sqlx binds
/// one, so a statement with N of them costs O(N²) — most of the time of a cron storm's
/// multi-row writes (BENCHMARKS.md, W4). An anonymous `?` costs nothing to look up. PostgreSQL
/// needs `$n`.
pub(crate) struct Placeholders {
    anonymous: bool,
    taken: usize,
}

impl Placeholders {
    /// `?` on SQLite, `$n` on PostgreSQL.
    pub(crate) fn for_dialect(dialect: Dialect) -> Placeholders {
        Placeholders { anonymous: dialect == Dialect::Sqlite, taken: 0 }
    }

    /// `$n` on both (fine for statements with a handful of parameters).
    pub(crate) fn numbered() -> Placeholders {
        Placeholders { anonymous: false, taken: 0 }
    }

    /// The next placeholder.
    pub(crate) fn next(&mut self) -> String {
        self.taken += 1;
        if self.anonymous { "?".to_string() } else { format!("${}", self.taken) }
    }

    /// `n` placeholders separated by commas.
    pub(crate) fn list(&mut self, n: usize) -> String {
        (0..n).map(|_| self.next()).collect::<Vec<_>>().join(", ")
    }
}

/// `('a', 'b', …)`: an SQL list of the wire strings of `dlf-core` enum values (statuses), for
/// an `IN` condition. The strings are the enums' own constants, never user text, so they are
/// written into the statement rather than bound; every list of statuses the store needs is
/// built this way from the enums and the state rules, never spelled out.
pub(crate) fn wire_list<T: Copy>(values: impl IntoIterator<Item = T>, wire: fn(T) -> &'static str) -> String {
    let items: Vec<String> = values.into_iter().map(|v| format!("'{}'", wire(v))).collect();
    format!("({})", items.join(", "))
}

/// A store on SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub struct SqlStore {
    /// Every write goes through this pool. On SQLite it has one connection, so writers queue
    /// here (in FIFO order) rather than in SQLite's sleeping busy handler.
    write: AnyPool,
    /// Reads; on SQLite several WAL readers run beside the writer.
    read: AnyPool,
    dialect: Dialect,
    /// [`crate::JobStore::definitions_generation`], shared by clones.
    definitions: Arc<AtomicU64>,
}

/// Bumps the definitions generation when dropped: created before a job write begins and dropped
/// after its commit — or when the write's future is dropped midway — so no reader can keep an
/// answer built before a committed write.
pub(crate) struct DefinitionsChanged(Arc<AtomicU64>);

impl Drop for DefinitionsChanged {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Release);
    }
}

static DRIVERS: Once = Once::new();

impl SqlStore {
    /// One page of a workspace's rows of `table` (its `columns`) ordered by name, and how many
    /// there are; `name_filter` keeps names that contain it. The paging of ListScripts and
    /// ListConnections (and ListResources).
    #[allow(clippy::too_many_arguments)]
    async fn page_by_name<T>(
        &self,
        table: &str,
        columns: &str,
        workspace_id: &str,
        name_filter: Option<&str>,
        offset: i64,
        limit: i64,
        row: fn(&sqlx::any::AnyRow) -> StoreResult<T>,
    ) -> StoreResult<(i64, Vec<T>)> {
        use sqlx::Row;
        let filter = match name_filter {
            Some(_) => format!(" AND {}", self.dialect.contains("name", "$2")),
            None => String::new(),
        };
        let count_sql = AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {table} WHERE workspace_id = $1{filter}"));
        let (limit_p, offset_p) = if name_filter.is_some() { ("$3", "$4") } else { ("$2", "$3") };
        let page_sql = AssertSqlSafe(format!(
            "SELECT {columns} FROM {table} WHERE workspace_id = $1{filter} ORDER BY name LIMIT {limit_p} OFFSET {offset_p}"
        ));
        let mut count = sqlx::query(count_sql).bind(workspace_id);
        let mut page = sqlx::query(page_sql).bind(workspace_id);
        if let Some(name) = name_filter {
            count = count.bind(name);
            page = page.bind(name);
        }
        let total: i64 = count.fetch_one(&self.read).await?.try_get("n")?;
        let found = page.bind(limit).bind(offset).fetch_all(&self.read).await?;
        Ok((total, found.iter().map(row).collect::<StoreResult<_>>()?))
    }

    /// Opens (creating a SQLite file if needed) and migrates the database named by `url`:
    /// `postgres://…`/`postgresql://…`, `sqlite://path`, `sqlite::memory:` or a plain path.
    pub async fn open(url: &str) -> StoreResult<SqlStore> {
        DRIVERS.call_once(install_default_drivers);
        let (dialect, url) = normalize_url(url)?;
        let store = match dialect {
            Dialect::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(&url)
                    .await
                    .map_err(|e| StoreError::Open(format!("{}: {e}", redact(&url))))?;
                SqlStore { write: pool.clone(), read: pool, dialect, definitions: Arc::default() }
            }
            Dialect::Sqlite => {
                let memory = url.contains(":memory:");
                let write = sqlite_pool(&url, 1).await?;
                // An in-memory database exists per connection: reads must share the writer.
                let read = if memory { write.clone() } else { sqlite_pool(&url, 4).await? };
                SqlStore { write, read, dialect, definitions: Arc::default() }
            }
        };
        let migrator = match dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&store.write).await.map_err(|e| StoreError::Open(format!("migration failed: {e}")))?;
        Ok(store)
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Marks the start of a write to job definitions (see [`DefinitionsChanged`]).
    pub(crate) fn definitions_changing(&self) -> DefinitionsChanged {
        DefinitionsChanged(self.definitions.clone())
    }

    /// Begins a write transaction (see [`Dialect::begin_statement`]).
    async fn begin_write(&self) -> StoreResult<Transaction<'static, sqlx::Any>> {
        Ok(self.write.begin_with(self.dialect.begin_statement()).await?)
    }
}

async fn sqlite_pool(url: &str, connections: u32) -> StoreResult<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(60))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // WAL: readers never block the writer. synchronous=NORMAL in WAL mode loses no
                // committed transaction when the process dies (kill -9); only an OS crash or
                // power loss can drop the last commits (ARCHITECTURE.md, "Durability").
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = NORMAL").await?;
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(|e| StoreError::Open(format!("{url}: {e}")))
}

/// Splits the dialect off a database URL; a bare path means a SQLite file.
fn normalize_url(url: &str) -> StoreResult<(Dialect, String)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Dialect::Postgres, url.to_string()));
    }
    if url.starts_with("sqlite::memory:") {
        return Ok((Dialect::Sqlite, url.to_string()));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if path.is_empty() {
        return Err(StoreError::Open("empty database path".into()));
    }
    if url.contains("://") && !url.starts_with("sqlite://") {
        return Err(StoreError::Open(format!(
            "unsupported database URL '{}': use sqlite://PATH or postgres://…",
            redact(url)
        )));
    }
    let (file, query) = path.split_once('?').unwrap_or((path, ""));
    let mode = if query.contains("mode=") { String::new() } else { "mode=rwc".to_string() };
    let sep = if query.is_empty() && mode.is_empty() { "" } else { "?" };
    let joined = [query, &mode].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join("&");
    Ok((Dialect::Sqlite, format!("sqlite://{file}{sep}{joined}")))
}

/// A URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::from_str(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Maps a unique-key violation to [`StoreError::Conflict`].
fn conflict_or(e: sqlx::Error, what: impl Into<String>) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::Conflict(what.into());
    }
    StoreError::Database(e)
}

/// Creates an empty schema `dlf_test_<random>` in the PostgreSQL database at `base_url` and
/// returns a URL whose connections use it (`search_path`), for isolated test runs.
pub async fn fresh_postgres_schema(base_url: &str) -> StoreResult<String> {
    use sqlx::Connection;
    DRIVERS.call_once(install_default_drivers);
    let schema = format!("dlf_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(base_url)
        .await
        .map_err(|e| StoreError::Open(format!("{}: {e}", redact(base_url))))?;
    conn.execute(AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).await?;
    conn.close().await?;
    let sep = if base_url.contains('?') { '&' } else { '?' };
    Ok(format!("{base_url}{sep}options=-c%20search_path%3D{schema}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            normalize_url("/tmp/x/dlf.db").unwrap(),
            (Dialect::Sqlite, "sqlite:///tmp/x/dlf.db?mode=rwc".into())
        );
        assert_eq!(normalize_url("sqlite://rel.db").unwrap(), (Dialect::Sqlite, "sqlite://rel.db?mode=rwc".into()));
        assert_eq!(normalize_url("postgres://u:p@h/db").unwrap().0, Dialect::Postgres);
        assert!(normalize_url("mysql://root@h/db").is_err());
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
    }
}
