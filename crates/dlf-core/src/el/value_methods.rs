//! Java methods that EL lets users call on plain values: the common `String` methods
//! (`length`, `substring`, `indexOf`, `contains`, `startsWith`, `endsWith`, `toUpperCase`,
//! `toLowerCase`, `trim`, `replace`, `equals`, `equalsIgnoreCase`, `isEmpty`, `concat`),
//! `size`/`get` on lists and maps, and `getTime` on dates. Java's `String.substring` throws on
//! bad bounds; so does this (as an EL error).

use super::arguments::Args;
use super::error::ElError;
use super::java_text::{char_len, char_slice, chars_equal_ignore_case, index_of};
use super::limits::check_text_size;
use super::value::Value;

/// `value.<name>(args)` for a non-object value.
pub(crate) fn call(receiver: &Value, name: &str, args: &Args) -> Result<Value, ElError> {
    match receiver {
        Value::Str(s) => string_method(s, name, args),
        Value::List(items) => match (name, args.len()) {
            ("size", 0) => Ok(Value::Int(items.len() as i64)),
            ("get", 1) => {
                let index = args.int(0)?;
                usize::try_from(index)
                    .ok()
                    .and_then(|i| items.get(i))
                    .cloned()
                    .ok_or_else(|| args.error(format!("index {index} out of bounds for length {}", items.len())))
            }
            ("isEmpty", 0) => Ok(Value::Bool(items.is_empty())),
            _ => Err(no_method(receiver, name, args)),
        },
        Value::Map(entries) => match (name, args.len()) {
            ("size", 0) => Ok(Value::Int(entries.len() as i64)),
            ("get", 1) => Ok(receiver.map_get(&args.required_string(0)?).cloned().unwrap_or(Value::Null)),
            ("isEmpty", 0) => Ok(Value::Bool(entries.is_empty())),
            _ => Err(no_method(receiver, name, args)),
        },
        Value::Date(ms) if name == "getTime" && args.len() == 0 => Ok(Value::Int(*ms)),
        _ => Err(no_method(receiver, name, args)),
    }
}

fn no_method(receiver: &Value, name: &str, args: &Args) -> ElError {
    ElError::new(
        args.position,
        format!("{} has no method '{name}' taking {} argument(s)", receiver.type_name(), args.len()),
    )
}

fn string_method(s: &str, name: &str, args: &Args) -> Result<Value, ElError> {
    let len = char_len(s) as i64;
    let bound = |i: i64| -> Result<usize, ElError> {
        if (0..=len).contains(&i) {
            Ok(i as usize)
        } else {
            Err(args.error(format!("index {i} out of bounds for length {len}")))
        }
    };
    Ok(match (name, args.len()) {
        ("length", 0) => Value::Int(len),
        ("isEmpty", 0) => Value::Bool(s.is_empty()),
        ("substring", 1 | 2) => {
            let start = bound(args.int(0)?)?;
            let end = if args.len() == 2 { bound(args.int(1)?)? } else { len as usize };
            if start > end {
                return Err(args.error(format!("begin {start}, end {end}, length {len}")));
            }
            Value::Str(char_slice(s, start, end))
        }
        ("indexOf", 1) => Value::Int(index_of(s, &args.required_string(0)?, 0).map_or(-1, |i| i as i64)),
        ("contains", 1) => Value::Bool(s.contains(&args.required_string(0)?)),
        ("startsWith", 1) => Value::Bool(s.starts_with(&args.required_string(0)?)),
        ("endsWith", 1) => Value::Bool(s.ends_with(&args.required_string(0)?)),
        ("toUpperCase", 0) => Value::Str(s.to_uppercase()),
        ("toLowerCase", 0) => Value::Str(s.to_lowercase()),
        ("trim", 0) => Value::Str(s.trim_matches(|c: char| c <= ' ').to_string()),
        ("equals", 1) => Value::Bool(matches!(args.value(0), Value::Str(other) if other == s)),
        ("equalsIgnoreCase", 1) => Value::Bool(match args.string(0)? {
            Some(other) => {
                char_len(&other) == char_len(s)
                    && s.chars().zip(other.chars()).all(|(a, b)| chars_equal_ignore_case(a, b))
            }
            None => false,
        }),
        ("replace", 2) => {
            let (from, to) = (args.required_string(0)?, args.required_string(1)?);
            let occurrences = if from.is_empty() { char_len(s) + 1 } else { s.matches(from.as_str()).count() };
            check_text_size(char_len(s) + occurrences.saturating_mul(char_len(&to)), args.position)?;
            Value::Str(s.replace(from.as_str(), &to))
        }
        ("concat", 1) => {
            let other = args.required_string(0)?;
            check_text_size(char_len(s) + char_len(&other), args.position)?;
            Value::Str(format!("{s}{other}"))
        }
        _ => return Err(no_method(&Value::Str(String::new()), name, args)),
    })
}
