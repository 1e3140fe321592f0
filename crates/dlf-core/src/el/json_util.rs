//! The `JSONUtil` object (JOBS.md §6.8): parse JSON text, print values as JSON, and read a value
//! at a path.
//!
//! Decisions where the docs are silent: `path` also accepts an already parsed value; paths are
//! dotted keys with `[i]` indexes (`tables[0].table_name`), optionally after `$` or `$.`, and
//! `['key']`/`["key"]` for keys containing dots; a missing step gives null. `toString` returns a
//! string argument unchanged (the documented Rest Client idiom wraps `path`, whose result is
//! then used as plain text) and prints any other value as compact JSON (`null` for null).

use super::arguments::Args;
use super::error::ElError;
use super::eval::unknown_method;
use super::value::Value;

/// `JSONUtil.<name>(args)`.
pub(crate) fn call(name: &str, args: &Args) -> Result<Value, ElError> {
    match (name, args.len()) {
        ("parse", 1) => match args.string(0)? {
            None => Ok(Value::Null),
            Some(text) => parse_json(&text, args, 0),
        },
        ("toString", 1) => match args.value(0) {
            Value::Str(s) => Ok(Value::Str(s.clone())),
            other => other
                .to_json()
                .map(|json| Value::Str(json.to_string()))
                .ok_or_else(|| args.error(format!("JSONUtil.toString cannot print {}", other.type_name()))),
        },
        ("path", 2) => {
            let document = match args.value(0) {
                Value::Null => return Ok(Value::Null),
                Value::Str(text) => parse_json(text, args, 0)?,
                Value::List(_) | Value::Map(_) => args.value(0).clone(),
                other => {
                    return Err(ElError::expected(
                        args.positions[0],
                        format!("JSONUtil.path cannot read {}", other.type_name()),
                        "JSON text",
                    ));
                }
            };
            let path = args.required_string(1)?;
            let steps = parse_path(&path).map_err(|message| {
                ElError::expected(
                    args.positions[1],
                    format!("invalid JSON path '{path}': {message}"),
                    "a path such as a.b[0].c",
                )
            })?;
            Ok(follow(&document, &steps))
        }
        _ => Err(unknown_method("JSONUtil", name, args)),
    }
}

fn parse_json(text: &str, args: &Args, index: usize) -> Result<Value, ElError> {
    serde_json::from_str::<serde_json::Value>(text).map(|json| Value::from_json(&json)).map_err(|e| {
        ElError::expected(
            args.positions.get(index).copied().unwrap_or(args.position),
            format!("{}: invalid JSON: {e}", args.method),
            "JSON text",
        )
    })
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PathStep {
    Key(String),
    Index(usize),
}

/// Parses `a.b[0].c`, `$.a`, `$['a.b'][1]`.
pub(crate) fn parse_path(path: &str) -> Result<Vec<PathStep>, String> {
    let chars: Vec<char> = path.trim().chars().collect();
    let mut i = 0;
    if chars.first() == Some(&'$') {
        i = 1;
        if chars.get(1) == Some(&'.') {
            i = 2;
        }
    }
    let mut steps = Vec::new();
    let mut key = String::new();
    let flush = |key: &mut String, steps: &mut Vec<PathStep>| {
        if !key.is_empty() {
            steps.push(PathStep::Key(std::mem::take(key)));
        }
    };
    while i < chars.len() {
        match chars[i] {
            '.' => {
                flush(&mut key, &mut steps);
                i += 1;
            }
            '[' => {
                flush(&mut key, &mut steps);
                let close = chars[i..].iter().position(|c| *c == ']').ok_or("unclosed '['")? + i;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                let quoted = inner.len() >= 2
                    && ((inner.starts_with('\'') && inner.ends_with('\''))
                        || (inner.starts_with('"') && inner.ends_with('"')));
                if quoted {
                    steps.push(PathStep::Key(inner[1..inner.len() - 1].to_string()));
                } else {
                    let index = inner.parse::<usize>().map_err(|_| format!("'{inner}' is not an index"))?;
                    steps.push(PathStep::Index(index));
                }
                i = close + 1;
            }
            c => {
                key.push(c);
                i += 1;
            }
        }
    }
    flush(&mut key, &mut steps);
    Ok(steps)
}

/// The value at `steps` inside `document`, or null.
fn follow(document: &Value, steps: &[PathStep]) -> Value {
    let mut current = document;
    for step in steps {
        let next = match (step, current) {
            (PathStep::Key(key), Value::Map(_)) => current.map_get(key),
            (PathStep::Index(i), Value::List(items)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(value) => current = value,
            None => return Value::Null,
        }
    }
    current.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            parse_path("$.cities[0].areaCode").unwrap(),
            vec![PathStep::Key("cities".into()), PathStep::Index(0), PathStep::Key("areaCode".into())]
        );
        assert_eq!(parse_path("a['b.c']").unwrap(), vec![PathStep::Key("a".into()), PathStep::Key("b.c".into())]);
        assert!(parse_path("a[x]").is_err());
        assert!(parse_path("a[0").is_err());
    }
}
