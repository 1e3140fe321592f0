//! Runtime values of the expression language, their coercions (§6.4) and how they render.

use super::java_double::java_double_to_string;
use crate::datefmt::java_date_to_string;
use crate::zone::Zone;

/// A built-in object that a bare name refers to (JOBS.md §6.5–§6.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinObject {
    Job,
    /// `Job.trigger`
    JobTrigger,
    DateUtil,
    StringUtil,
    JsonUtil,
    Loop,
    Env,
    ObsUtil,
}

impl BuiltinObject {
    /// The name users write.
    pub fn name(self) -> &'static str {
        match self {
            BuiltinObject::Job => "Job",
            BuiltinObject::JobTrigger => "Job.trigger",
            BuiltinObject::DateUtil => "DateUtil",
            BuiltinObject::StringUtil => "StringUtil",
            BuiltinObject::JsonUtil => "JSONUtil",
            BuiltinObject::Loop => "Loop",
            BuiltinObject::Env => "Env",
            BuiltinObject::ObsUtil => "OBSUtil",
        }
    }
}

/// A value: null, boolean, integer, decimal, string, date (an instant), list, map, or a built-in
/// object.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// An instant, epoch milliseconds.
    Date(i64),
    List(Vec<Value>),
    /// Entries in insertion order, keys unique.
    Map(Vec<(String, Value)>),
    Object(BuiltinObject),
}

/// A number after coercion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(x) => x,
        }
    }

    pub fn into_value(self) -> Value {
        match self {
            Number::Int(i) => Value::Int(i),
            Number::Float(x) => Value::Float(x),
        }
    }
}

/// Reads a numeric string (surrounding whitespace ignored): an integer when it has no fraction
/// or exponent and fits `i64`, else a finite decimal.
pub fn parse_numeric_string(text: &str) -> Option<Number> {
    let t = text.trim();
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned.is_empty() {
        return None;
    }
    if unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Some(match t.parse::<i64>() {
            Ok(i) => Number::Int(i),
            Err(_) => Number::Float(t.parse::<f64>().ok()?),
        });
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac_part.is_empty() || !digits_ok(int_part) || !digits_ok(frac_part) {
        return None;
    }
    if let Some(exponent) = exponent {
        let exp_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if exp_digits.is_empty() || !digits_ok(exp_digits) {
            return None;
        }
    }
    let x: f64 = t.parse().ok()?;
    x.is_finite().then_some(Number::Float(x))
}

impl Value {
    /// A short name of the value's type for error messages.
    pub fn type_name(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(_) => "a boolean".into(),
            Value::Int(_) => "an integer".into(),
            Value::Float(_) => "a decimal".into(),
            Value::Str(_) => "a string".into(),
            Value::Date(_) => "a date".into(),
            Value::List(_) => "a list".into(),
            Value::Map(_) => "a map".into(),
            Value::Object(o) => format!("the object {}", o.name()),
        }
    }

    /// The value as a number: integers and decimals as they are, numeric strings converted.
    pub fn as_number(&self) -> Option<Number> {
        match self {
            Value::Int(i) => Some(Number::Int(*i)),
            Value::Float(x) => Some(Number::Float(*x)),
            Value::Str(s) => parse_numeric_string(s),
            _ => None,
        }
    }

    /// Truthiness for `?:`, `&&`, `||`, `!`: booleans, and the strings `true`/`false` in any case
    /// (surrounding whitespace ignored); anything else has none (an error for the caller).
    pub fn truthiness(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Str(s) => {
                let t = s.trim();
                if t.eq_ignore_ascii_case("true") {
                    Some(true)
                } else if t.eq_ignore_ascii_case("false") {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// `empty`: null, `""`, an empty list or map.
    pub fn is_empty_value(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Str(s) => s.is_empty(),
            Value::List(items) => items.is_empty(),
            Value::Map(entries) => entries.is_empty(),
            _ => false,
        }
    }

    /// The text this value renders to (§6.4): null → empty, decimals as Java's
    /// `Double.toString`, dates as `Date.toString()` in `zone`, lists and maps as compact JSON.
    /// Built-in objects have no text (`None`).
    pub fn to_text(&self, zone: &Zone) -> Option<String> {
        Some(match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(x) => java_double_to_string(*x),
            Value::Str(s) => s.clone(),
            Value::Date(ms) => java_date_to_string(*ms, zone),
            Value::List(_) | Value::Map(_) => serde_json::to_string(&self.to_json()?).ok()?,
            Value::Object(_) => return None,
        })
    }

    /// The value as JSON (dates as epoch milliseconds, as fastjson writes `Date`); built-in
    /// objects have none.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(x) => {
                serde_json::Number::from_f64(*x).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Date(ms) => serde_json::Value::from(*ms),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect::<Option<Vec<_>>>()?)
            }
            Value::Map(entries) => {
                let mut map = serde_json::Map::new();
                for (key, value) in entries {
                    map.insert(key.clone(), value.to_json()?);
                }
                serde_json::Value::Object(map)
            }
            Value::Object(_) => return None,
        })
    }

    /// A value from parsed JSON: whole numbers that fit `i64` become integers.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(map) => {
                Value::Map(map.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }

    /// The entry `key` of a map.
    pub fn map_get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_strings() {
        assert_eq!(parse_numeric_string(" 42\n"), Some(Number::Int(42)));
        assert_eq!(parse_numeric_string("-1.5e2"), Some(Number::Float(-150.0)));
        assert_eq!(parse_numeric_string("007"), Some(Number::Int(7)));
        for bad in ["", "-", "1e", "abc", "NaN", "Infinity", "0x10", "1.2.3", ".", "e5"] {
            assert_eq!(parse_numeric_string(bad), None, "{bad}");
        }
    }

    #[test]
    fn rendering() {
        let utc = Zone::UTC;
        assert_eq!(Value::Null.to_text(&utc).unwrap(), "");
        assert_eq!(Value::Float(2.0).to_text(&utc).unwrap(), "2.0");
        let list = Value::List(vec![Value::Str("a".into()), Value::Int(1), Value::Null]);
        assert_eq!(list.to_text(&utc).unwrap(), r#"["a",1,null]"#);
        assert_eq!(Value::Object(BuiltinObject::Job).to_text(&utc), None);
    }
}
