//! The `StringUtil` object (JOBS.md §6.7): Apache Commons Lang 3 `StringUtils`, null-safe as
//! there (a null text gives null, false, 0 or -1 — never an error).
//!
//! Implemented: the methods of the §6.7 table, plus a few close relatives that DLF users reach
//! for (`trimToEmpty`, `trimToNull`, `stripStart`, `stripEnd`, `removeStart`, `removeEnd`,
//! `replaceOnce`, `uncapitalize`, `isAlphanumeric`, `startsWithIgnoreCase`,
//! `endsWithIgnoreCase`). Any other name is an error naming the method.

use super::arguments::Args;
use super::error::ElError;
use super::eval::unknown_method;
use super::java_text::{
    char_len, char_slice, chars_equal_ignore_case, index_of, is_java_digit, is_java_whitespace, last_index_of,
    region_matches_ignore_case,
};
use super::limits::check_text_size;
use super::string_split::{split_on_char_set, split_on_whole_separator};
use super::value::Value;

type Text = Option<String>;

fn text(value: Text) -> Value {
    value.map_or(Value::Null, Value::Str)
}

fn list(tokens: Option<Vec<String>>) -> Value {
    tokens.map_or(Value::Null, |t| Value::List(t.into_iter().map(Value::Str).collect()))
}

fn int(i: i64) -> Value {
    Value::Int(i)
}

fn count(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// `StringUtil.<name>(args)`.
pub(crate) fn call(name: &str, args: &Args) -> Result<Value, ElError> {
    let s = |i: usize| args.string(i);
    let n = |i: usize| args.int(i);
    let position = args.position;
    Ok(match (name, args.len()) {
        ("isEmpty", 1) => Value::Bool(s(0)?.is_none_or(|t| t.is_empty())),
        ("isNotEmpty", 1) => Value::Bool(s(0)?.is_some_and(|t| !t.is_empty())),
        ("isBlank", 1) => Value::Bool(s(0)?.is_none_or(|t| t.chars().all(is_java_whitespace))),
        ("isNotBlank", 1) => Value::Bool(s(0)?.is_some_and(|t| !t.chars().all(is_java_whitespace))),
        ("equals", 2) => Value::Bool(s(0)? == s(1)?),
        ("equalsIgnoreCase", 2) => Value::Bool(match (s(0)?, s(1)?) {
            (None, None) => true,
            (Some(a), Some(b)) => equals_ignore_case(&a, &b),
            _ => false,
        }),
        ("contains", 2) => Value::Bool(matches!((s(0)?, s(1)?), (Some(a), Some(b)) if a.contains(&b))),
        ("containsIgnoreCase", 2) => Value::Bool(match (s(0)?, s(1)?) {
            (Some(a), Some(b)) => contains_ignore_case(&a, &b),
            _ => false,
        }),
        ("startsWith", 2) => Value::Bool(affix(s(0)?, s(1)?, false, false)),
        ("startsWithIgnoreCase", 2) => Value::Bool(affix(s(0)?, s(1)?, false, true)),
        ("endsWith", 2) => Value::Bool(affix(s(0)?, s(1)?, true, false)),
        ("endsWithIgnoreCase", 2) => Value::Bool(affix(s(0)?, s(1)?, true, true)),
        ("isNumeric", 1) => Value::Bool(s(0)?.is_some_and(|t| !t.is_empty() && t.chars().all(is_java_digit))),
        ("isAlpha", 1) => Value::Bool(s(0)?.is_some_and(|t| !t.is_empty() && t.chars().all(char::is_alphabetic))),
        ("isAlphanumeric", 1) => Value::Bool(
            s(0)?.is_some_and(|t| !t.is_empty() && t.chars().all(|c| c.is_alphabetic() || is_java_digit(c))),
        ),

        ("substring", 2) => text(s(0)?.map(|t| substring(&t, n(1)?, None)).transpose()?),
        ("substring", 3) => text(s(0)?.map(|t| substring(&t, n(1)?, Some(n(2)?))).transpose()?),
        ("left", 2) => text(s(0)?.map(|t| left(&t, n(1)?)).transpose()?),
        ("right", 2) => text(s(0)?.map(|t| right(&t, n(1)?)).transpose()?),
        ("mid", 3) => text(s(0)?.map(|t| mid(&t, n(1)?, n(2)?)).transpose()?),
        ("substringBefore", 2) => text(substring_before(s(0)?, s(1)?)),
        ("substringAfter", 2) => text(substring_after(s(0)?, s(1)?)),
        ("substringBeforeLast", 2) => text(substring_before_last(s(0)?, s(1)?)),
        ("substringAfterLast", 2) => text(substring_after_last(s(0)?, s(1)?)),
        ("substringBetween", 2) => text(substring_between(s(0)?, s(1)?, s(1)?)),
        ("substringBetween", 3) => text(substring_between(s(0)?, s(1)?, s(2)?)),

        ("split", 1) => list(s(0)?.map(|t| split_on_char_set(&t, None, -1))),
        ("split", 2 | 3) => {
            let set = s(1)?;
            let max = if args.len() == 3 { n(2)? } else { -1 };
            list(s(0)?.map(|t| split_on_char_set(&t, set.as_deref(), max)))
        }
        ("splitByWholeSeparator", 2 | 3) => {
            let separator = s(1)?.unwrap_or_default();
            let max = if args.len() == 3 { n(2)? } else { -1 };
            list(s(0)?.map(|t| split_on_whole_separator(&t, &separator, max)))
        }
        ("join", _) if args.len() >= 1 => join(args)?,

        ("trim", 1) => text(s(0)?.map(|t| java_trim(&t).to_string())),
        ("trimToEmpty", 1) => text(Some(s(0)?.map(|t| java_trim(&t).to_string()).unwrap_or_default())),
        ("trimToNull", 1) => text(s(0)?.map(|t| java_trim(&t).to_string()).filter(|t| !t.is_empty())),
        ("strip", 1) => text(s(0)?.map(|t| t.trim_matches(is_java_whitespace).to_string())),
        ("strip", 2) => {
            let set = s(1)?;
            text(s(0)?.map(|t| strip_end(&strip_start(&t, set.as_deref()), set.as_deref())))
        }
        ("stripStart", 2) => {
            let set = s(1)?;
            text(s(0)?.map(|t| strip_start(&t, set.as_deref())))
        }
        ("stripEnd", 2) => {
            let set = s(1)?;
            text(s(0)?.map(|t| strip_end(&t, set.as_deref())))
        }
        ("replace", 3) => text(replace(s(0)?, s(1)?, s(2)?, -1, position)?),
        ("replace", 4) => text(replace(s(0)?, s(1)?, s(2)?, n(3)?, position)?),
        ("replaceOnce", 3) => text(replace(s(0)?, s(1)?, s(2)?, 1, position)?),
        ("remove", 2) => text(replace(s(0)?, s(1)?, Some(String::new()), -1, position)?),
        ("removeStart", 2) => text(match (s(0)?, s(1)?) {
            (Some(t), Some(p)) if !p.is_empty() => Some(t.strip_prefix(p.as_str()).map_or(t.clone(), str::to_string)),
            (t, _) => t,
        }),
        ("removeEnd", 2) => text(match (s(0)?, s(1)?) {
            (Some(t), Some(p)) if !p.is_empty() => Some(t.strip_suffix(p.as_str()).map_or(t.clone(), str::to_string)),
            (t, _) => t,
        }),
        ("upperCase", 1) => text(s(0)?.map(|t| t.to_uppercase())),
        ("lowerCase", 1) => text(s(0)?.map(|t| t.to_lowercase())),
        ("capitalize", 1) => text(s(0)?.map(|t| change_first(&t, true))),
        ("uncapitalize", 1) => text(s(0)?.map(|t| change_first(&t, false))),
        ("reverse", 1) => text(s(0)?.map(|t| t.chars().rev().collect())),
        ("repeat", 2) => text(s(0)?.map(|t| repeat(&t, "", n(1)?, position)).transpose()?),
        ("repeat", 3) => {
            let separator = s(1)?.unwrap_or_default();
            text(s(0)?.map(|t| repeat(&t, &separator, n(2)?, position)).transpose()?)
        }
        ("leftPad", 2 | 3) => {
            let pad = if args.len() == 3 { s(2)? } else { None };
            text(s(0)?.map(|t| pad_text(&t, n(1)?, pad.as_deref(), true, position)).transpose()?)
        }
        ("rightPad", 2 | 3) => {
            let pad = if args.len() == 3 { s(2)? } else { None };
            text(s(0)?.map(|t| pad_text(&t, n(1)?, pad.as_deref(), false, position)).transpose()?)
        }
        ("chomp", 1) => text(s(0)?.map(|t| chomp(&t))),
        ("deleteWhitespace", 1) => text(s(0)?.map(|t| t.chars().filter(|c| !is_java_whitespace(*c)).collect())),

        ("indexOf", 2) => int(find(s(0)?, s(1)?, 0, false)),
        ("indexOf", 3) => int(find(s(0)?, s(1)?, n(2)?, false)),
        ("lastIndexOf", 2) => int(find(s(0)?, s(1)?, i64::MAX, true)),
        ("lastIndexOf", 3) => int(find(s(0)?, s(1)?, n(2)?, true)),
        ("countMatches", 2) => count(match (s(0)?, s(1)?) {
            (Some(t), Some(sub)) if !t.is_empty() && !sub.is_empty() => t.matches(sub.as_str()).count(),
            _ => 0,
        }),
        ("length", 1) => count(s(0)?.map_or(0, |t| char_len(&t))),

        ("defaultString", 1) => text(Some(s(0)?.unwrap_or_default())),
        ("defaultString", 2) => text(s(0)?.or(s(1)?)),
        ("defaultIfEmpty", 2) => text(s(0)?.filter(|t| !t.is_empty()).or(s(1)?)),
        ("defaultIfBlank", 2) => text(s(0)?.filter(|t| !t.chars().all(is_java_whitespace)).or(s(1)?)),
        ("getDigits", 1) => text(s(0)?.map(|t| t.chars().filter(|c| is_java_digit(*c)).collect())),
        _ => return Err(unknown_method("StringUtil", name, args)),
    })
}

fn equals_ignore_case(a: &str, b: &str) -> bool {
    char_len(a) == char_len(b) && a.chars().zip(b.chars()).all(|(x, y)| chars_equal_ignore_case(x, y))
}

fn contains_ignore_case(text: &str, search: &str) -> bool {
    let haystack: Vec<char> = text.chars().collect();
    let needle: Vec<char> = search.chars().collect();
    needle.len() <= haystack.len()
        && (0..=haystack.len() - needle.len()).any(|i| region_matches_ignore_case(&haystack, i, &needle))
}

/// `startsWith`/`endsWith` (and their ignore-case forms): two nulls match, one null does not.
fn affix(text: Text, affix: Text, at_end: bool, ignore_case: bool) -> bool {
    let (Some(text), Some(affix)) = (text.as_deref(), affix.as_deref()) else {
        return text.is_none() && affix.is_none();
    };
    let haystack: Vec<char> = text.chars().collect();
    let needle: Vec<char> = affix.chars().collect();
    if needle.len() > haystack.len() {
        return false;
    }
    let at = if at_end { haystack.len() - needle.len() } else { 0 };
    if ignore_case {
        region_matches_ignore_case(&haystack, at, &needle)
    } else {
        haystack[at..at + needle.len()] == needle[..]
    }
}

/// `substring(str, start[, end])`: negative positions count from the end, then clamp.
fn substring(text: &str, start: i64, end: Option<i64>) -> Result<String, ElError> {
    let len = char_len(text) as i64;
    let adjust = |i: i64| if i < 0 { (len + i).max(0) } else { i.min(len) };
    let start = adjust(start);
    let end = end.map_or(len, adjust);
    if start > end {
        return Ok(String::new());
    }
    Ok(char_slice(text, start as usize, end as usize))
}

fn left(text: &str, len: i64) -> Result<String, ElError> {
    Ok(if len < 0 { String::new() } else { char_slice(text, 0, usize::try_from(len).unwrap_or(usize::MAX)) })
}

fn right(text: &str, len: i64) -> Result<String, ElError> {
    if len < 0 {
        return Ok(String::new());
    }
    let total = char_len(text);
    let keep = usize::try_from(len).unwrap_or(usize::MAX).min(total);
    Ok(char_slice(text, total - keep, total))
}

fn mid(text: &str, pos: i64, len: i64) -> Result<String, ElError> {
    let total = char_len(text) as i64;
    if len < 0 || pos > total {
        return Ok(String::new());
    }
    let pos = pos.max(0);
    let end = pos.saturating_add(len).min(total);
    Ok(char_slice(text, pos as usize, end as usize))
}

fn substring_before(text: Text, separator: Text) -> Text {
    let t = text?;
    let Some(sep) = separator else { return Some(t) };
    if t.is_empty() {
        return Some(t);
    }
    if sep.is_empty() {
        return Some(String::new());
    }
    Some(t.find(&sep).map_or(t.clone(), |b| t[..b].to_string()))
}

fn substring_after(text: Text, separator: Text) -> Text {
    let t = text?;
    if t.is_empty() {
        return Some(t);
    }
    let Some(sep) = separator else {
        return Some(String::new());
    };
    Some(t.find(&sep).map_or(String::new(), |b| t[b + sep.len()..].to_string()))
}

fn substring_before_last(text: Text, separator: Text) -> Text {
    let t = text?;
    match separator {
        Some(sep) if !t.is_empty() && !sep.is_empty() => Some(t.rfind(&sep).map_or(t.clone(), |b| t[..b].to_string())),
        _ => Some(t),
    }
}

fn substring_after_last(text: Text, separator: Text) -> Text {
    let t = text?;
    if t.is_empty() {
        return Some(t);
    }
    match separator {
        Some(sep) if !sep.is_empty() => Some(match t.rfind(&sep) {
            Some(b) if b + sep.len() < t.len() => t[b + sep.len()..].to_string(),
            _ => String::new(),
        }),
        _ => Some(String::new()),
    }
}

fn substring_between(text: Text, open: Text, close: Text) -> Text {
    let (t, open, close) = (text?, open?, close?);
    let start = t.find(&open)? + open.len();
    let end = start + t[start..].find(&close)?;
    Some(t[start..end].to_string())
}

/// `join(array, separator)`, `join(array)`, or `join(a, b, c…)` (varargs concatenation).
fn join(args: &Args) -> Result<Value, ElError> {
    let zone = &args.zone;
    let (items, separator): (Vec<Value>, String) = match args.value(0) {
        Value::Null if args.len() <= 2 => return Ok(Value::Null),
        Value::List(items) if args.len() <= 2 => (items.clone(), args.string(1)?.unwrap_or_default()),
        _ => (args.values.to_vec(), String::new()),
    };
    let mut parts = Vec::with_capacity(items.len());
    for item in &items {
        match item {
            Value::List(_) | Value::Map(_) | Value::Object(_) => {
                return Err(args.error(format!("{}: cannot join {}", args.method, item.type_name())));
            }
            other => parts.push(other.to_text(zone).unwrap_or_default()),
        }
    }
    let total: usize = parts.iter().map(|p| char_len(p)).sum::<usize>()
        + char_len(&separator).saturating_mul(parts.len().saturating_sub(1));
    check_text_size(total, args.position)?;
    Ok(Value::Str(parts.join(&separator)))
}

/// `String.trim()`: strips characters up to U+0020.
fn java_trim(text: &str) -> &str {
    text.trim_matches(|c: char| c <= ' ')
}

fn strip_start(text: &str, set: Option<&str>) -> String {
    match set {
        None => text.trim_start_matches(is_java_whitespace).to_string(),
        Some(set) => text.trim_start_matches(|c| set.contains(c)).to_string(),
    }
}

fn strip_end(text: &str, set: Option<&str>) -> String {
    match set {
        None => text.trim_end_matches(is_java_whitespace).to_string(),
        Some(set) => text.trim_end_matches(|c| set.contains(c)).to_string(),
    }
}

/// `replace(text, search, replacement, max)`; `max < 0` replaces all.
fn replace(text: Text, search: Text, replacement: Text, max: i64, position: usize) -> Result<Text, ElError> {
    let Some(t) = text else { return Ok(None) };
    let (Some(search), Some(replacement)) = (search, replacement) else {
        return Ok(Some(t));
    };
    if t.is_empty() || search.is_empty() || max == 0 {
        return Ok(Some(t));
    }
    let limit = if max < 0 { usize::MAX } else { usize::try_from(max).unwrap_or(usize::MAX) };
    let occurrences = t.matches(search.as_str()).count().min(limit);
    let grown = char_len(&t) - occurrences * char_len(&search) + occurrences.saturating_mul(char_len(&replacement));
    check_text_size(grown, position)?;
    Ok(Some(t.replacen(search.as_str(), &replacement, occurrences)))
}

fn change_first(text: &str, upper: bool) -> String {
    let mut chars = text.chars();
    match chars.next() {
        None => String::new(),
        Some(first) if upper => first.to_uppercase().chain(chars).collect(),
        Some(first) => first.to_lowercase().chain(chars).collect(),
    }
}

fn repeat(text: &str, separator: &str, times: i64, position: usize) -> Result<String, ElError> {
    if times <= 0 {
        return Ok(String::new());
    }
    let times = usize::try_from(times).unwrap_or(usize::MAX);
    let total = char_len(text).saturating_mul(times).saturating_add(char_len(separator).saturating_mul(times - 1));
    check_text_size(total, position)?;
    if separator.is_empty() {
        return Ok(text.repeat(times));
    }
    let mut out = String::with_capacity(text.len() * times + separator.len() * (times - 1));
    for i in 0..times {
        if i > 0 {
            out.push_str(separator);
        }
        out.push_str(text);
    }
    Ok(out)
}

fn pad_text(text: &str, size: i64, pad: Option<&str>, left: bool, position: usize) -> Result<String, ElError> {
    let pad = match pad {
        Some(p) if !p.is_empty() => p,
        _ => " ",
    };
    let len = char_len(text);
    let size = usize::try_from(size).unwrap_or(0);
    if size <= len {
        return Ok(text.to_string());
    }
    check_text_size(size, position)?;
    let padding: String = pad.chars().cycle().take(size - len).collect();
    Ok(if left { padding + text } else { text.to_string() + &padding })
}

/// Removes one trailing `\n`, `\r` or `\r\n`.
fn chomp(text: &str) -> String {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .or_else(|| text.strip_suffix('\r'))
        .unwrap_or(text)
        .to_string()
}

/// `indexOf`/`lastIndexOf` with a start position; -1 when absent or a text is null.
fn find(text: Text, search: Text, from: i64, last: bool) -> i64 {
    let (Some(t), Some(search)) = (text, search) else {
        return -1;
    };
    let found = if last {
        if from < 0 {
            return -1;
        }
        last_index_of(&t, &search, usize::try_from(from).unwrap_or(usize::MAX))
    } else {
        index_of(&t, &search, usize::try_from(from.max(0)).unwrap_or(usize::MAX))
    };
    found.map_or(-1, |i| i64::try_from(i).unwrap_or(-1))
}
