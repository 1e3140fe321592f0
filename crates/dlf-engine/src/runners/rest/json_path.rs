//! The dotted JSON paths of Rest Client nodes (`propertyPath`, `responseParams`): `a.b[0].c`,
//! optionally starting with `$.`, and what a value reads as (a string bare, anything else as
//! JSON text).
//!
//! [`response_variables`] is the one reading of `responseParams`, used by the runner (which
//! fails the node when a path is missing) and by the engine (which derives the job variables
//! from the node's stored output, so a restart keeps them: see `execution::response_vars`).

use serde_json::Value;

/// One step of a path.
#[derive(Debug, PartialEq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn parse(path: &str) -> Result<Vec<Step<'_>>, String> {
    let path = path.trim();
    let path = path.strip_prefix("$.").or_else(|| path.strip_prefix('$')).unwrap_or(path);
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key));
        } else if rest.is_empty() {
            return Err(format!("the path '{path}' has an empty part"));
        }
        while !rest.is_empty() {
            let close = rest.find(']').filter(|_| rest.starts_with('['));
            let Some(close) = close else {
                return Err(format!("the path '{path}' has a bad index in '{part}'"));
            };
            let index =
                rest[1..close].trim().parse().map_err(|_| format!("the path '{path}' has a bad index in '{part}'"))?;
            steps.push(Step::Index(index));
            rest = &rest[close + 1..];
        }
    }
    Ok(steps)
}

/// The value at `path` in `doc`, `Ok(None)` when the path leads nowhere.
pub fn lookup<'v>(doc: &'v Value, path: &str) -> Result<Option<&'v Value>, String> {
    let mut at = doc;
    for step in parse(path)? {
        let next = match step {
            Step::Key(k) => at.get(k),
            Step::Index(i) => at.get(i),
        };
        match next {
            Some(v) => at = v,
            None => return Ok(None),
        }
    }
    Ok(Some(at))
}

/// What a value reads as: a string without its quotes, anything else as JSON text.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The job variables `responseParams` (`var=json.path` lines) takes from a response body.
pub fn response_variables(spec: &str, body: &str) -> Result<Vec<(String, String)>, String> {
    let lines = crate::execution::params::key_value_lines(spec);
    if lines.is_empty() {
        return Ok(Vec::new());
    }
    let doc: Value =
        serde_json::from_str(body).map_err(|e| format!("responseParams: the response is not JSON ({e})"))?;
    lines
        .into_iter()
        .map(|(name, path)| match lookup(&doc, &path)? {
            Some(v) => Ok((name, text(v))),
            None => Err(format!("responseParams: the response has nothing at '{path}' (for '{name}')")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_walk_objects_and_arrays() {
        let doc = json!({"a": {"b": [{"c": "x"}, {"c": 2}]}, "ok": true, "list": [[1, 2]]});
        assert_eq!(lookup(&doc, "a.b[0].c").unwrap(), Some(&json!("x")));
        assert_eq!(lookup(&doc, "$.a.b[1].c").unwrap(), Some(&json!(2)));
        assert_eq!(lookup(&doc, "list[0][1]").unwrap(), Some(&json!(2)));
        assert_eq!(lookup(&doc, "ok").unwrap(), Some(&json!(true)));
        assert_eq!(lookup(&doc, "a.b[5].c").unwrap(), None);
        assert_eq!(lookup(&doc, "a.zz").unwrap(), None);
        assert!(lookup(&doc, "a..b").is_err());
        assert!(lookup(&doc, "a.b[x]").is_err());
        assert_eq!(text(&json!("x")), "x");
        assert_eq!(text(&json!({"k": 1})), "{\"k\":1}");
    }

    #[test]
    fn response_parameters_read_the_body() {
        let body = r#"{"id": 42, "cluster": {"name": "c1"}}"#;
        assert_eq!(
            response_variables("cid = id\nname=cluster.name\n", body).unwrap(),
            vec![("cid".to_string(), "42".to_string()), ("name".to_string(), "c1".to_string())]
        );
        assert!(response_variables("x=missing", body).unwrap_err().contains("'missing'"));
        assert!(response_variables("x=a", "not json").is_err());
        assert_eq!(response_variables("", "not json").unwrap(), Vec::new());
    }
}
