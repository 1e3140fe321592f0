//! What an import request changes in the documents it imports (JOBS.md §7.2): parameter values
//! (`params`, `jobsParam`), the user jobs run as (`executeUser`), environment-specific resource
//! names (`resources`), and C7's per-connection `params`. Pure JSON edits: everything else in a
//! document, unknown fields included, is left as written.

use dlf_core::DlfError;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A value given as a string, a number or a boolean, as text.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A `{name: value}` object as text values; `what` names it in errors.
pub fn string_map(value: &Value, what: &str) -> Result<HashMap<String, String>, DlfError> {
    match value {
        Value::Null => Ok(HashMap::new()),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                text(v)
                    .map(|v| (k.clone(), v))
                    .ok_or_else(|| DlfError::invalid_param(format!("{what}.{k} must be a string")))
            })
            .collect(),
        _ => Err(DlfError::invalid_param(format!("{what} must be an object of name → value"))),
    }
}

/// `jobsParam` in either form: a list `[{name, params}]` (API prose) or a map
/// `{job: {param: value}}` (OpenAPI); job name → parameter overrides.
pub fn jobs_param(value: &Value) -> Result<HashMap<String, HashMap<String, String>>, DlfError> {
    match value {
        Value::Null => Ok(HashMap::new()),
        Value::Array(items) => {
            let mut found = HashMap::new();
            for item in items {
                let name = item.get("name").and_then(Value::as_str).ok_or_else(|| {
                    DlfError::invalid_param("every jobsParam item needs a name (the job it sets parameters of)")
                })?;
                let params = string_map(item.get("params").unwrap_or(&Value::Null), "jobsParam[].params")?;
                found.entry(name.to_string()).or_insert_with(HashMap::new).extend(params);
            }
            Ok(found)
        }
        Value::Object(map) => map
            .iter()
            .map(|(job, params)| Ok((job.clone(), string_map(params, &format!("jobsParam.{job}"))?)))
            .collect(),
        _ => Err(DlfError::invalid_param("jobsParam must be a list of {name, params} or an object of job → params")),
    }
}

/// One `resources` substitution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Substitution {
    pub name: String,
    pub kind: String,
    pub replace: String,
}

/// The `resources` list of J12.
pub fn substitutions(value: &Value) -> Result<Vec<Substitution>, DlfError> {
    let Some(items) = value.as_array() else {
        return if value.is_null() {
            Ok(Vec::new())
        } else {
            Err(DlfError::invalid_param("resources must be a list of {name, type, replace}"))
        };
    };
    items
        .iter()
        .map(|item| {
            let field = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
            match (field("name"), field("type")) {
                (Some(name), Some(kind)) => {
                    Ok(Substitution { name, kind, replace: field("replace").unwrap_or_default() })
                }
                _ => Err(DlfError::invalid_param("every resources item needs a name and a type")),
            }
        })
        .collect()
}

/// What J12 changes in every job it imports.
#[derive(Clone, Debug, Default)]
pub struct JobOverrides {
    pub params: HashMap<String, String>,
    pub jobs_param: HashMap<String, HashMap<String, String>>,
    pub execute_user: Option<String>,
    pub resources: Vec<Substitution>,
}

impl JobOverrides {
    /// Applies the overrides to the job document `doc` (named `name`).
    pub fn apply(&self, name: &str, doc: &mut Map<String, Value>) {
        let mut values = self.params.clone();
        if let Some(own) = self.jobs_param.get(name) {
            values.extend(own.clone());
        }
        if !values.is_empty()
            && let Some(Value::Array(params)) = doc.get_mut("params")
        {
            for param in params.iter_mut().filter_map(Value::as_object_mut) {
                let Some(value) = param.get("name").and_then(Value::as_str).and_then(|n| values.get(n)) else {
                    continue;
                };
                param.insert("value".into(), Value::String(value.clone()));
            }
        }
        if let Some(user) = &self.execute_user {
            let basic = doc.entry("basicConfig").or_insert_with(|| Value::Object(Map::new()));
            if !basic.is_object() {
                *basic = Value::Object(Map::new());
            }
            if let Some(basic) = basic.as_object_mut() {
                basic.insert("executeUser".into(), Value::String(user.clone()));
            }
        }
        if !self.resources.is_empty()
            && let Some(Value::Array(nodes)) = doc.get_mut("nodes")
        {
            for node in nodes.iter_mut() {
                if let Some(Value::Array(properties)) = node.get_mut("properties") {
                    for property in properties.iter_mut().filter_map(Value::as_object_mut) {
                        self.substitute(property);
                    }
                }
            }
        }
    }

    /// A `*_CONNECTION` substitution renames a matching `connectionName`; any other type renames
    /// a matching value of any property.
    fn substitute(&self, property: &mut Map<String, Value>) {
        let key = property.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        let Some(value) = property.get("value").and_then(Value::as_str) else { return };
        let hit = self.resources.iter().find(|s| {
            s.name == value && (!s.kind.to_ascii_uppercase().ends_with("_CONNECTION") || key == "connectionName")
        });
        if let Some(s) = hit {
            property.insert("value".into(), Value::String(s.replace.clone()));
        }
    }
}

/// One C7 `params` item: settings for the connection `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionParam {
    pub name: String,
    /// `connectionType` (OpenAPI) or `type` (docs).
    pub kind: Option<String>,
    pub params: HashMap<String, String>,
}

/// C7's `params` list.
pub fn connection_params(value: &Value) -> Result<Vec<ConnectionParam>, DlfError> {
    let Some(items) = value.as_array() else {
        return if value.is_null() {
            Ok(Vec::new())
        } else {
            Err(DlfError::invalid_param("params must be a list of {name, connectionType, params}"))
        };
    };
    items
        .iter()
        .map(|item| {
            let name = item
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| DlfError::invalid_param("every params item needs the name of a connection"))?;
            let kind = item.get("connectionType").or_else(|| item.get("type")).and_then(Value::as_str);
            Ok(ConnectionParam {
                name: name.to_string(),
                kind: kind.map(str::to_string),
                params: string_map(item.get("params").unwrap_or(&Value::Null), "params[].params")?,
            })
        })
        .collect()
}

/// Sets the config keys that `params` gives for this connection (the secrets an export left
/// out). An item whose type differs from the connection's does not apply.
pub fn apply_connection_params(params: &[ConnectionParam], doc: &mut Map<String, Value>) {
    let name = doc.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let kind = doc.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
    for item in params.iter().filter(|p| p.name == name) {
        if item.kind.as_deref().is_some_and(|k| !k.eq_ignore_ascii_case(&kind)) {
            continue;
        }
        let config = doc.entry("config").or_insert_with(|| Value::Object(Map::new()));
        if !config.is_object() {
            *config = Value::Object(Map::new());
        }
        if let Some(config) = config.as_object_mut() {
            for (k, v) in &item.params {
                config.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn both_jobs_param_forms_mean_the_same() {
        let list =
            jobs_param(&json!([{"name": "a", "params": {"x": "1"}}, {"name": "b", "params": {"y": 2}}])).unwrap();
        let map = jobs_param(&json!({"a": {"x": "1"}, "b": {"y": "2"}})).unwrap();
        assert_eq!(list, map);
        assert!(jobs_param(&json!("a")).is_err());
        assert!(jobs_param(&json!([{"params": {}}])).is_err());
    }

    #[test]
    fn overrides_change_only_what_they_name() {
        let overrides = JobOverrides {
            params: [("env".to_string(), "prod".to_string()), ("day".to_string(), "1".to_string())].into(),
            jobs_param: [("j".to_string(), [("day".to_string(), "7".to_string())].into())].into(),
            execute_user: Some("etl".into()),
            resources: vec![
                Substitution { name: "dws_dev".into(), kind: "DWS_CONNECTION".into(), replace: "dws_prod".into() },
                Substitution { name: "cluster_dev".into(), kind: "MRS_CLUSTER".into(), replace: "cluster_prod".into() },
            ],
        };
        let mut doc = obj(json!({
            "name": "j", "unknownField": {"kept": true},
            "params": [{"name": "env", "value": "dev"}, {"name": "day", "value": "0"}, {"name": "other", "value": "o"}],
            "nodes": [{"name": "n", "properties": [
                {"name": "connectionName", "value": "dws_dev"},
                {"name": "scriptName", "value": "dws_dev"},
                {"name": "clusterName", "value": "cluster_dev"}]}]
        }));
        overrides.apply("j", &mut doc);
        assert_eq!(
            Value::Object(doc),
            json!({
                "name": "j", "unknownField": {"kept": true},
                "params": [{"name": "env", "value": "prod"}, {"name": "day", "value": "7"}, {"name": "other", "value": "o"}],
                "basicConfig": {"executeUser": "etl"},
                "nodes": [{"name": "n", "properties": [
                    {"name": "connectionName", "value": "dws_prod"},
                    {"name": "scriptName", "value": "dws_dev"},
                    {"name": "clusterName", "value": "cluster_prod"}]}]
            })
        );
    }

    #[test]
    fn connection_params_fill_the_config_of_their_connection() {
        let params = connection_params(&json!([
            {"name": "pg", "type": "RDS", "params": {"password": "s3cret"}},
            {"name": "pg", "connectionType": "DWS", "params": {"password": "wrong type"}},
            {"name": "other", "params": {"password": "x"}}
        ]))
        .unwrap();
        let mut doc = obj(json!({"name": "pg", "type": "RDS", "config": {"ip": "db"}}));
        apply_connection_params(&params, &mut doc);
        assert_eq!(doc["config"], json!({"ip": "db", "password": "s3cret"}));
    }
}
