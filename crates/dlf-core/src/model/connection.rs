//! `ConnectionInfo`: a data connection (C1–C5), and what a connection means to dlf.
//!
//! A connection names a system that nodes and scripts run against. dlf maps the cloud's types
//! to systems it can reach (JOBS.md §2.8): `DWS` is PostgreSQL, `RDS` is MySQL or PostgreSQL
//! by its `driverName`, `HOST` is an SSH host. `DLI`, `CloudTable`, `Hive` and `SparkSQL` are
//! stored and returned, and a node on them fails with a clear message ([`ConnectionTarget`]).
//!
//! **Secrets.** A `config` key is secret when its name, in lower case, contains `password`,
//! `secret`, `privatekey`, `passphrase` or `token` ([`is_secret_key`]; `kmsKey` names a key, it
//! is not one). Secret values are split off before the connection is stored (the engine seals
//! them with the master key) and every answer shows them as [`MASK`]. A request that sends
//! [`MASK`] back for a secret keeps the stored value, so a client can round-trip what it read.
//!
//! **Decisions** (API.md §0.11 lets dlf require only what it needs): `kmsKey`, `agentName`,
//! `driverPath` and `clusterName` are stored, never required (a DWS connection still needs one
//! of `clusterName` or `ip` + `port`, DLF.6418); `RDS` needs `ip`, `port`, `userName` and a
//! known `driverName`; `HOST` needs `ip`, `userName` and a `password` or `privateKey` (the
//! extension key; `passphrase` opens an encrypted key), its `port` defaults to 22, and the
//! extension key `hostKeyFingerprint` (`SHA256:...`, as `ssh-keygen -l` prints it) pins the
//! host's key: when set, a host showing another key is refused. The extension key `database`
//! gives a SQL connection's default database.

use super::job::Extra;
use crate::error::{DlfError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How a secret value is shown in every answer.
pub const MASK: &str = "*********";
/// The built-in host connection of every workspace: the dlf server itself.
pub const LOCAL_CONNECTION: &str = "local";

/// The connection types of the reference, plus `HOST` (API.md §0.11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectionType {
    Dws,
    Dli,
    SparkSql,
    Hive,
    Rds,
    CloudTable,
    Host,
}

impl ConnectionType {
    pub const ALL: [ConnectionType; 7] = [
        ConnectionType::Dws,
        ConnectionType::Dli,
        ConnectionType::SparkSql,
        ConnectionType::Hive,
        ConnectionType::Rds,
        ConnectionType::CloudTable,
        ConnectionType::Host,
    ];

    /// The wire name (`HIVE` is read as `Hive`).
    pub fn parse(name: &str) -> Option<ConnectionType> {
        match name {
            "HIVE" => Some(ConnectionType::Hive),
            _ => ConnectionType::ALL.into_iter().find(|t| t.as_str() == name),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionType::Dws => "DWS",
            ConnectionType::Dli => "DLI",
            ConnectionType::SparkSql => "SparkSQL",
            ConnectionType::Hive => "Hive",
            ConnectionType::Rds => "RDS",
            ConnectionType::CloudTable => "CloudTable",
            ConnectionType::Host => "HOST",
        }
    }
}

/// A connection as sent on create/update and returned by show/list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub connection_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Whether a `config` key holds a secret (see the module docs).
pub fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    ["password", "secret", "privatekey", "passphrase", "token"].iter().any(|s| lower.contains(s))
}

/// JDBC driver names that mean MySQL (MariaDB and Doris speak its protocol).
const MYSQL_DRIVERS: [&str; 3] = ["com.mysql.jdbc.Driver", "com.mysql.cj.jdbc.Driver", "org.mariadb.jdbc.Driver"];
/// JDBC driver names that mean PostgreSQL.
const POSTGRES_DRIVERS: [&str; 1] = ["org.postgresql.Driver"];

impl ConnectionInfo {
    /// Parses a request body; errors name the JSON path of the offending value.
    pub fn from_json_bytes(body: &[u8]) -> Result<ConnectionInfo, String> {
        let de = &mut serde_json::Deserializer::from_slice(body);
        let info: ConnectionInfo = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let path = e.path().to_string();
            if path == "." { e.inner().to_string() } else { format!("{path}: {}", e.inner()) }
        })?;
        de.end().map_err(|e| format!("unexpected text after the JSON document: {e}"))?;
        Ok(info)
    }

    /// The parsed type (after [`ConnectionInfo::check`], always `Some`).
    pub fn kind(&self) -> Option<ConnectionType> {
        self.connection_type.as_deref().and_then(ConnectionType::parse)
    }

    /// A `config` value as text (strings as they are, booleans and numbers printed); `None`
    /// when absent or empty.
    pub fn config_text(&self, key: &str) -> Option<String> {
        config_text(self.config.as_ref()?, key)
    }

    /// Checks a connection as sent by a client and brings it to its stored form: the type's
    /// wire name (`HIVE` → `Hive`), numbers in `config` as strings. Every rule of the module
    /// docs; the error is the one the catalogue gives, or DLF.3051 naming the field.
    pub fn check(&mut self) -> Result<ConnectionType, DlfError> {
        let len = self.name.chars().count();
        if len == 0 {
            return Err(DlfError::invalid_param("name is required"));
        }
        if len > 100 || !self.name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')) {
            return Err(DlfError::invalid_param(format!(
                "name '{}' must be 1-100 letters, digits, '_' or '-'",
                self.name
            )));
        }
        let Some(type_name) = self.connection_type.as_deref().filter(|t| !t.is_empty()) else {
            return Err(DlfError::invalid_param("type is required"));
        };
        let Some(kind) = ConnectionType::parse(type_name) else {
            let known: Vec<&str> = ConnectionType::ALL.iter().map(|t| t.as_str()).collect();
            return Err(DlfError::invalid_param(format!("type '{type_name}' is not one of {}", known.join(", "))));
        };
        self.connection_type = Some(kind.as_str().to_string());
        if self.description.as_deref().is_some_and(|d| d.chars().count() > 255) {
            return Err(DlfError::invalid_param("description is longer than 255 characters"));
        }
        let config = self.config.get_or_insert_with(Map::new);
        for (key, value) in config.iter_mut() {
            match value {
                Value::String(_) | Value::Bool(_) | Value::Null => {}
                Value::Number(n) => *value = Value::String(n.to_string()),
                _ => {
                    return Err(DlfError::invalid_param(format!("config.{key} must be a string or a boolean")));
                }
            }
        }
        config.retain(|_, v| !v.is_null());
        if let Some(port) = config_text(config, "port")
            && !port.parse::<u16>().is_ok_and(|p| p > 0)
        {
            return Err(DlfError::invalid_param(format!("config.port '{port}' is not a port number (1-65535)")));
        }
        if let Some(ssl) = config.get("sslEnable")
            && !matches!(ssl, Value::Bool(_))
            && !matches!(ssl.as_str(), Some("true" | "false"))
        {
            return Err(DlfError::invalid_param("config.sslEnable must be true or false"));
        }
        let has = |key: &str| config_text(config, key).is_some();
        let require = |keys: &[&str]| -> Result<(), DlfError> {
            match keys.iter().find(|k| !has(k)) {
                Some(missing) => Err(DlfError::invalid_param(format!(
                    "config.{missing} is required for a {} connection",
                    kind.as_str()
                ))),
                None => Ok(()),
            }
        };
        match kind {
            ConnectionType::Dws => {
                let addressed = has("ip") && has("port");
                if !has("clusterName") && !addressed {
                    return Err(DlfError::new(ErrorCode::DwsAddressMissing));
                }
                if has("ip") {
                    require(&["port", "userName"])?;
                }
            }
            ConnectionType::Rds => {
                require(&["ip", "port", "userName", "driverName"])?;
                let driver = config_text(config, "driverName").unwrap_or_default();
                if !MYSQL_DRIVERS.contains(&driver.as_str()) && !POSTGRES_DRIVERS.contains(&driver.as_str()) {
                    return Err(DlfError::invalid_param(format!(
                        "config.driverName '{driver}' is not one of {}",
                        [&MYSQL_DRIVERS[..], &POSTGRES_DRIVERS[..]].concat().join(", ")
                    )));
                }
            }
            ConnectionType::Host => {
                require(&["ip", "userName"])?;
                if !has("password") && !has("privateKey") {
                    return Err(DlfError::invalid_param(
                        "config.password or config.privateKey is required for a HOST connection",
                    ));
                }
                if let Some(fingerprint) = config_text(config, HOST_KEY_FINGERPRINT)
                    && !is_sha256_fingerprint(&fingerprint)
                {
                    return Err(DlfError::invalid_param(format!(
                        "config.{HOST_KEY_FINGERPRINT} '{fingerprint}' is not a SHA256 host key fingerprint \
                         as `ssh-keygen -l` prints it (SHA256: and 43 base64 characters)"
                    )));
                }
            }
            ConnectionType::CloudTable | ConnectionType::SparkSql | ConnectionType::Hive => {
                require(&["clusterName"])?;
            }
            ConnectionType::Dli => {}
        }
        Ok(kind)
    }

    /// Splits `config` into what may be shown and the secrets (module docs).
    pub fn split_secrets(&self) -> (Map<String, Value>, Map<String, Value>) {
        let mut public = Map::new();
        let mut secret = Map::new();
        for (k, v) in self.config.iter().flatten() {
            if is_secret_key(k) {
                secret.insert(k.clone(), v.clone())
            } else {
                public.insert(k.clone(), v.clone())
            };
        }
        (public, secret)
    }
}

/// A `config` value as text; `None` when absent or empty.
pub fn config_text(config: &Map<String, Value>, key: &str) -> Option<String> {
    let text = match config.get(key)? {
        Value::String(s) => s.trim().to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The answer form of a stored connection: its public `config` with every secret key shown as
/// [`MASK`].
pub fn masked_config(public: &Map<String, Value>, secret_keys: impl IntoIterator<Item = String>) -> Map<String, Value> {
    let mut shown = public.clone();
    for key in secret_keys {
        shown.insert(key, Value::String(MASK.to_string()));
    }
    shown
}

/// The secrets of an update: a secret sent as [`MASK`] keeps its stored value, one left out
/// is dropped, a new value replaces the old.
pub fn merge_secrets(sent: Map<String, Value>, stored: &Map<String, Value>) -> Map<String, Value> {
    sent.into_iter()
        .filter_map(|(k, v)| match v.as_str() {
            Some(MASK) => stored.get(&k).cloned().map(|old| (k, old)),
            _ => Some((k, v)),
        })
        .collect()
}

/// The SQL protocol a connection speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqlProtocol {
    Postgres,
    MySql,
}

/// Where a SQL connection points (its password travels apart, sealed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlAddress {
    pub protocol: SqlProtocol,
    pub host: String,
    pub port: u16,
    pub user: String,
    /// The connection's default database (`config.database`), if any.
    pub database: Option<String>,
    /// `sslEnable`: require TLS.
    pub ssl: bool,
}

/// The `HOST` config key that pins the host's key (module docs).
pub const HOST_KEY_FINGERPRINT: &str = "hostKeyFingerprint";

/// `SHA256:` and the 43 unpadded base64 characters of a SHA-256 digest.
fn is_sha256_fingerprint(text: &str) -> bool {
    text.strip_prefix("SHA256:")
        .is_some_and(|b64| b64.len() == 43 && b64.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/')))
}

/// Where an SSH host connection points (its password or key travels apart, sealed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshAddress {
    pub host: String,
    pub port: u16,
    pub user: String,
    /// `hostKeyFingerprint`: the host key's SHA256 fingerprint the host must show, if pinned.
    pub host_key_fingerprint: Option<String>,
}

/// What running something on a connection means on this server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionTarget {
    /// A SQL server dlf can talk to.
    Sql(SqlAddress),
    /// An SSH host.
    Ssh(SshAddress),
    /// Stored, but nothing on this server can run on it; the text says why.
    NotRunnable(String),
}

impl ConnectionTarget {
    /// The target of a checked connection of type `kind` with this (public) `config`.
    pub fn of(name: &str, kind: ConnectionType, config: &Map<String, Value>) -> ConnectionTarget {
        let text = |key: &str| config_text(config, key);
        let port = |default: u16| text("port").and_then(|p| p.parse().ok()).unwrap_or(default);
        let ssl = text("sslEnable").is_some_and(|s| s == "true");
        let database = text("database");
        match kind {
            ConnectionType::Dws => match text("ip") {
                Some(host) => ConnectionTarget::Sql(SqlAddress {
                    protocol: SqlProtocol::Postgres,
                    host,
                    port: port(5432),
                    user: text("userName").unwrap_or_default(),
                    database,
                    ssl,
                }),
                None => ConnectionTarget::NotRunnable(format!(
                    "the DWS connection {name} names a cluster but no ip and port: dlf reaches DWS by address"
                )),
            },
            ConnectionType::Rds => {
                let driver = text("driverName").unwrap_or_default();
                let (protocol, default_port) = if POSTGRES_DRIVERS.contains(&driver.as_str()) {
                    (SqlProtocol::Postgres, 5432)
                } else {
                    (SqlProtocol::MySql, 3306)
                };
                ConnectionTarget::Sql(SqlAddress {
                    protocol,
                    host: text("ip").unwrap_or_default(),
                    port: port(default_port),
                    user: text("userName").unwrap_or_default(),
                    database,
                    ssl,
                })
            }
            ConnectionType::Host => ConnectionTarget::Ssh(SshAddress {
                host: text("ip").unwrap_or_default(),
                port: port(22),
                user: text("userName").unwrap_or_default(),
                host_key_fingerprint: text(HOST_KEY_FINGERPRINT),
            }),
            other => ConnectionTarget::NotRunnable(format!(
                "the connection {name} is of type {}, which this server cannot run on",
                other.as_str()
            )),
        }
    }
}

/// Node (and script) types that run SQL, and the protocol each needs (`None`: either).
pub fn sql_node_protocol(node_type: &str) -> Option<Option<SqlProtocol>> {
    match node_type {
        "DWSSQL" => Some(Some(SqlProtocol::Postgres)),
        "RDSSQL" => Some(None),
        "DorisSQL" | "DORISSQL" => Some(Some(SqlProtocol::MySql)),
        _ => None,
    }
}

/// Whether a node of `node_type` can run on `target` (the connection `name`); the reason when
/// not. Shell and Python run on the built-in `local` host (`target` `None`) or an SSH host;
/// SQL nodes on a SQL connection of their protocol.
pub fn check_node_target(node_type: &str, name: &str, target: Option<&ConnectionTarget>) -> Result<(), String> {
    if let Some(ConnectionTarget::NotRunnable(why)) = target {
        return Err(why.clone());
    }
    match (sql_node_protocol(node_type), target) {
        (Some(_), None) => Err(format!("a {node_type} node needs a SQL connection in connectionName")),
        (Some(needed), Some(ConnectionTarget::Sql(address))) => match needed {
            Some(protocol) if protocol != address.protocol => Err(format!(
                "a {node_type} node runs on a {} connection; {name} speaks {}",
                protocol_name(protocol),
                protocol_name(address.protocol)
            )),
            _ => Ok(()),
        },
        (Some(_), Some(_)) => Err(format!("a {node_type} node runs on a SQL connection; {name} is an SSH host")),
        (None, Some(ConnectionTarget::Sql(_))) => {
            Err(format!("a {node_type} node runs on a host (local or HOST); {name} is a SQL connection"))
        }
        (None, _) => Ok(()),
    }
}

fn protocol_name(protocol: SqlProtocol) -> &'static str {
    match protocol {
        SqlProtocol::Postgres => "PostgreSQL",
        SqlProtocol::MySql => "MySQL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn info(v: Value) -> ConnectionInfo {
        ConnectionInfo::from_json_bytes(v.to_string().as_bytes()).unwrap()
    }

    fn code(v: Value) -> String {
        info(v).check().unwrap_err().code.code().to_string()
    }

    const FINGERPRINT: &str = "SHA256:yei4tyAQqXGp5g6ZZEjvdNW8G5abp2jammyWV3gFzHk";

    #[test]
    fn a_pinned_host_key_must_be_a_sha256_fingerprint() {
        let host = |fingerprint: &str| {
            json!({"name": "c", "type": "HOST", "config": {
                "ip": "h", "userName": "u", "password": "p", "hostKeyFingerprint": fingerprint}})
        };
        assert!(info(host(FINGERPRINT)).check().is_ok());
        assert!(info(host("")).check().is_ok(), "empty means not pinned");
        for bad in [
            "MD5:ab:cd",
            "SHA256:short",
            "yei4tyAQqXGp5g6ZZEjvdNW8G5abp2jammyWV3gFzHk",
            "SHA256:yei4tyAQqXGp5g6ZZEjvdNW8G5abp2jammyWV3gFz==",
        ] {
            let err = info(host(bad)).check().unwrap_err();
            assert!(err.to_string().contains("hostKeyFingerprint"), "{bad}: {err}");
        }
    }

    #[test]
    fn names_types_and_required_keys_are_checked() {
        assert_eq!(code(json!({"name": "", "type": "DWS"})), "DLF.3051");
        assert_eq!(code(json!({"name": "a b", "type": "DWS"})), "DLF.3051");
        assert_eq!(code(json!({"name": "x".repeat(101), "type": "DLI"})), "DLF.3051");
        assert_eq!(code(json!({"name": "c", "type": "Oracle"})), "DLF.3051");
        assert_eq!(code(json!({"name": "c"})), "DLF.3051");
        assert_eq!(code(json!({"name": "c", "type": "DWS", "config": {"ip": "h"}})), "DLF.6418");
        assert_eq!(code(json!({"name": "c", "type": "DWS", "config": {"ip": "h", "port": "5432"}})), "DLF.3051");
        assert_eq!(
            code(json!({"name": "c", "type": "DWS", "config": {"ip": "h", "port": "99999", "userName": "u"}})),
            "DLF.3051"
        );
        assert_eq!(
            code(json!({"name": "c", "type": "DWS", "config": {"clusterName": "k", "sslEnable": "maybe"}})),
            "DLF.3051"
        );
        assert_eq!(
            code(
                json!({"name": "c", "type": "RDS", "config": {"ip": "h", "port": "1", "userName": "u", "driverName": "x"}})
            ),
            "DLF.3051"
        );
        assert_eq!(code(json!({"name": "c", "type": "HOST", "config": {"ip": "h", "userName": "u"}})), "DLF.3051");
        assert_eq!(code(json!({"name": "c", "type": "Hive", "config": {"nested": {"a": 1}}})), "DLF.3051");
        assert_eq!(code(json!({"name": "c", "type": "DLI", "description": "d".repeat(256)})), "DLF.3051");
    }

    #[test]
    fn a_checked_connection_is_in_its_stored_form() {
        let mut c = info(json!({"name": "h-1", "type": "HIVE", "config": {"clusterName": "k", "port": 10000}}));
        assert_eq!(c.check().unwrap(), ConnectionType::Hive);
        assert_eq!(c.connection_type.as_deref(), Some("Hive"));
        assert_eq!(c.config.unwrap()["port"], json!("10000"));
        let mut dws = info(json!({"name": "d", "type": "DWS", "config": {"clusterName": "k", "sslEnable": false}}));
        assert_eq!(dws.check().unwrap(), ConnectionType::Dws);
    }

    #[test]
    fn secrets_are_split_masked_and_kept_when_sent_back_masked() {
        let c = info(json!({"name": "c", "type": "HOST", "config": {
            "ip": "h", "userName": "u", "password": "p", "privateKey": "k", "kmsKey": "name-of-a-key"}}));
        let (public, secret) = c.split_secrets();
        assert_eq!(public.keys().collect::<Vec<_>>(), ["ip", "userName", "kmsKey"]);
        assert_eq!(secret, json!({"password": "p", "privateKey": "k"}).as_object().unwrap().clone());
        let shown = masked_config(&public, secret.keys().cloned());
        assert_eq!(shown["password"], json!(MASK));
        assert_eq!(shown["privateKey"], json!(MASK));
        let sent = json!({"password": MASK, "privateKey": "new", "dbPassword": MASK}).as_object().unwrap().clone();
        let merged = merge_secrets(sent, &secret);
        assert_eq!(merged, json!({"password": "p", "privateKey": "new"}).as_object().unwrap().clone());
    }

    #[test]
    fn nodes_run_only_on_targets_of_their_kind() {
        let pg = ConnectionTarget::Sql(SqlAddress {
            protocol: SqlProtocol::Postgres,
            host: "h".into(),
            port: 5432,
            user: "u".into(),
            database: None,
            ssl: false,
        });
        let ssh = ConnectionTarget::Ssh(SshAddress {
            host: "h".into(),
            port: 22,
            user: "u".into(),
            host_key_fingerprint: None,
        });
        assert_eq!(check_node_target("DWSSQL", "c", Some(&pg)), Ok(()));
        assert_eq!(check_node_target("RDSSQL", "c", Some(&pg)), Ok(()));
        assert!(check_node_target("DorisSQL", "c", Some(&pg)).unwrap_err().contains("MySQL"));
        assert!(check_node_target("DWSSQL", "c", None).unwrap_err().contains("needs a SQL connection"));
        assert!(check_node_target("DWSSQL", "c", Some(&ssh)).unwrap_err().contains("SSH host"));
        assert_eq!(check_node_target("Shell", "c", Some(&ssh)), Ok(()));
        assert_eq!(check_node_target("Python", "local", None), Ok(()));
        assert!(check_node_target("Shell", "c", Some(&pg)).unwrap_err().contains("is a SQL connection"));
        let dli = ConnectionTarget::NotRunnable("no DLI here".into());
        assert_eq!(check_node_target("Shell", "c", Some(&dli)), Err("no DLI here".into()));
    }

    #[test]
    fn targets_follow_the_type_and_driver() {
        let config = |v: Value| v.as_object().unwrap().clone();
        let pg = ConnectionTarget::of(
            "r",
            ConnectionType::Rds,
            &config(
                json!({"ip": "db", "port": "6543", "userName": "u", "driverName": "org.postgresql.Driver", "database": "d"}),
            ),
        );
        assert_eq!(
            pg,
            ConnectionTarget::Sql(SqlAddress {
                protocol: SqlProtocol::Postgres,
                host: "db".into(),
                port: 6543,
                user: "u".into(),
                database: Some("d".into()),
                ssl: false
            })
        );
        let my = ConnectionTarget::of(
            "r",
            ConnectionType::Rds,
            &config(json!({"ip": "db", "userName": "u", "driverName": "com.mysql.jdbc.Driver", "sslEnable": true})),
        );
        assert!(matches!(
            my,
            ConnectionTarget::Sql(SqlAddress { protocol: SqlProtocol::MySql, port: 3306, ssl: true, .. })
        ));
        let host =
            ConnectionTarget::of("h", ConnectionType::Host, &config(json!({"ip": "10.0.0.1", "userName": "ops"})));
        assert_eq!(
            host,
            ConnectionTarget::Ssh(SshAddress {
                host: "10.0.0.1".into(),
                port: 22,
                user: "ops".into(),
                host_key_fingerprint: None
            })
        );
        let pinned = ConnectionTarget::of(
            "h",
            ConnectionType::Host,
            &config(json!({"ip": "h", "port": "2222", "userName": "ops", "hostKeyFingerprint": FINGERPRINT})),
        );
        assert!(matches!(
            pinned,
            ConnectionTarget::Ssh(SshAddress { port: 2222, host_key_fingerprint: Some(f), .. }) if f == FINGERPRINT
        ));
        let cluster = ConnectionTarget::of("d", ConnectionType::Dws, &config(json!({"clusterName": "k"})));
        assert!(matches!(cluster, ConnectionTarget::NotRunnable(m) if m.contains("no ip and port")));
        let dli = ConnectionTarget::of("x", ConnectionType::Dli, &Map::new());
        assert!(matches!(dli, ConnectionTarget::NotRunnable(m) if m.contains("type DLI")));
    }
}
