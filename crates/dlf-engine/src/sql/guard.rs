//! The store guard: a tenant's SQL connection never reaches the server's own metadata store.
//!
//! When dlf keeps its store in PostgreSQL, that server may also host the databases tenants run
//! SQL against. A data connection naming the store's host, port and database would put every
//! workspace's jobs, credentials and sealed secrets one `SELECT` away (docs/security.md: a node
//! is a tenant). So [`Sessions`](super::Sessions) refuses, before connecting, any connection
//! that resolves to the store's endpoint ([`StoreEndpoint::covers`]).
//!
//! Hosts are compared by name, case-insensitively, with every loopback spelling (`localhost`,
//! `127.x.x.x`, `::1`, `0.0.0.0`, `::`) taken as one host; a store reached over a Unix socket
//! counts as loopback (the same server answers on `localhost`). Names are not resolved through
//! DNS: a host alias for the store's machine is not caught — the store's own role and
//! `pg_hba.conf` remain the real wall; this check catches the obvious mistake and the obvious
//! attempt. Unix-socket hosts (`/path`) are refused for every SQL connection: over a socket the
//! server may trust the OS user, which is dlf's own.

use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;

/// Where the server's own store lives: host, port and database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreEndpoint {
    pub host: String,
    pub port: u16,
    pub database: String,
}

impl StoreEndpoint {
    /// The endpoint of a PostgreSQL store URL (`postgres://…`); `None` for SQLite or a URL that
    /// does not parse (the store would not have opened).
    pub fn of_database_url(url: &str) -> Option<StoreEndpoint> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return None;
        }
        let options = PgConnectOptions::from_str(url).ok()?;
        let host = match options.get_host() {
            socket if socket.starts_with('/') => "localhost".to_string(),
            host => host.to_string(),
        };
        let database = options.get_database().unwrap_or(options.get_username()).to_string();
        Some(StoreEndpoint { host, port: options.get_port(), database })
    }

    /// Whether a session on `host:port/database` would be a session on the store.
    pub fn covers(&self, host: &str, port: u16, database: &str) -> bool {
        port == self.port && database == self.database && same_host(host, &self.host)
    }
}

/// Whether two host names name the same host (see the module docs).
pub fn same_host(a: &str, b: &str) -> bool {
    let (a, b) = (normalize(a), normalize(b));
    a == b || (is_loopback(&a) && is_loopback(&b))
}

fn normalize(host: &str) -> String {
    host.trim().trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase()
}

fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip.is_unspecified(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_loopback_spelling_is_the_same_host() {
        for (a, b) in [
            ("127.0.0.1", "localhost"),
            ("LOCALHOST", "::1"),
            ("[::1]", "127.0.0.1"),
            ("0.0.0.0", "localhost"),
            ("127.0.1.1", "localhost"),
            ("db.example.com", "DB.example.com."),
        ] {
            assert!(same_host(a, b), "{a} and {b}");
        }
        assert!(!same_host("10.0.0.5", "localhost"));
        assert!(!same_host("db1.example.com", "db2.example.com"));
    }

    #[test]
    fn the_store_url_gives_the_endpoint_to_refuse() {
        let store = StoreEndpoint::of_database_url("postgres://dlf:secret@localhost:5433/dlfmeta").unwrap();
        assert_eq!(store, StoreEndpoint { host: "localhost".into(), port: 5433, database: "dlfmeta".into() });
        assert!(store.covers("127.0.0.1", 5433, "dlfmeta"));
        assert!(!store.covers("127.0.0.1", 5433, "tenant_data"), "another database on the same server");
        assert!(!store.covers("127.0.0.1", 5432, "dlfmeta"), "another server");
        // Without a database the user's name is the database; a socket host is this machine.
        let store = StoreEndpoint::of_database_url("postgresql://dlf@%2Fvar%2Frun%2Fpostgresql/").unwrap();
        assert_eq!((store.host.as_str(), store.port, store.database.as_str()), ("localhost", 5432, "dlf"));
        assert_eq!(StoreEndpoint::of_database_url("sqlite://data/dlf.db"), None);
    }
}
