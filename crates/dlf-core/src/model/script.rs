//! `ScriptInfo`: a stored script (S1–S5), referenced by Shell/Python/SQL nodes via `scriptName`.

use super::job::Extra;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The script types of the reference (API.md §0.11 ScriptInfo).
pub const SCRIPT_TYPES: [&str; 13] = [
    "FlinkSQL",
    "DLISQL",
    "SparkSQL",
    "HiveSQL",
    "DWSSQL",
    "RDSSQL",
    "Shell",
    "PRESTO",
    "ClickHouseSQL",
    "HetuEngineSQL",
    "PYTHON",
    "ImpalaSQL",
    "SparkPython",
];

/// Script types that need a `connectionName` (Shell/PYTHON default to the built-in `local` host).
pub const SCRIPT_TYPES_NEEDING_CONNECTION: [&str; 10] = [
    "DLISQL",
    "SparkSQL",
    "HiveSQL",
    "DWSSQL",
    "PRESTO",
    "ClickHouseSQL",
    "HetuEngineSQL",
    "RDSSQL",
    "ImpalaSQL",
    "SparkPython",
];

/// A script as sent on create/update and returned by show/list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptInfo {
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub script_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvers: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Keys the server owns in a script response; dropped on input.
pub const SERVER_OWNED_SCRIPT_KEYS: [&str; 3] = ["id", "version", "modifyTime"];

impl ScriptInfo {
    /// Parses a request body; errors name the JSON path of the offending value.
    pub fn from_json_bytes(body: &[u8]) -> Result<ScriptInfo, String> {
        let de = &mut serde_json::Deserializer::from_slice(body);
        let mut info: ScriptInfo = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let path = e.path().to_string();
            if path == "." { e.inner().to_string() } else { format!("{path}: {}", e.inner()) }
        })?;
        de.end().map_err(|e| format!("unexpected text after the JSON document: {e}"))?;
        for key in SERVER_OWNED_SCRIPT_KEYS {
            info.extra.shift_remove(key);
        }
        Ok(info)
    }
}
