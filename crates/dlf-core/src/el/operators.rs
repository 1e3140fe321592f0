//! Arithmetic and comparison with the coercions of JOBS.md §6.4.
//!
//! - `+` adds when both operands are numbers, otherwise concatenates their renderings
//!   (null renders as empty text);
//! - `- * / %` convert numeric strings; `/` of two integers is an integer only when exact;
//!   integer overflow continues in decimals; an integer division or remainder by zero is an
//!   error, a decimal one gives Java's `Infinity`/`NaN`;
//! - comparisons are numeric when both sides are numbers or numeric strings, by instant for two
//!   dates, otherwise by text; `null == null`, and a relational comparison with null is false.

use super::ast::BinaryOp;
use super::error::ElError;
use super::limits::check_text_size;
use super::value::{Number, Value};
use crate::zone::Zone;
use std::cmp::Ordering;

/// Applies an arithmetic or comparison operator (not `&&`/`||`, which short-circuit).
pub(crate) fn apply_binary(
    op: BinaryOp,
    lhs: &Value,
    rhs: &Value,
    position: usize,
    zone: &Zone,
) -> Result<Value, ElError> {
    match op {
        BinaryOp::Add => add(lhs, rhs, position, zone),
        BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => arithmetic(op, lhs, rhs, position),
        BinaryOp::Eq => Ok(Value::Bool(equals(lhs, rhs, zone))),
        BinaryOp::Ne => Ok(Value::Bool(!equals(lhs, rhs, zone))),
        BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Le | BinaryOp::Ge => {
            let ordering = compare(lhs, rhs, position, zone)?;
            Ok(Value::Bool(match ordering {
                None => false,
                Some(o) => match op {
                    BinaryOp::Lt => o == Ordering::Less,
                    BinaryOp::Gt => o == Ordering::Greater,
                    BinaryOp::Le => o != Ordering::Greater,
                    _ => o != Ordering::Less,
                },
            }))
        }
        BinaryOp::And | BinaryOp::Or => Err(ElError::new(position, "logical operators are evaluated lazily")),
    }
}

fn text_of(value: &Value, position: usize, zone: &Zone) -> Result<String, ElError> {
    value
        .to_text(zone)
        .ok_or_else(|| ElError::expected(position, format!("{} cannot be used as text", value.type_name()), "a value"))
}

fn add(lhs: &Value, rhs: &Value, position: usize, zone: &Zone) -> Result<Value, ElError> {
    if let (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) = (lhs, rhs) {
        return arithmetic(BinaryOp::Add, lhs, rhs, position);
    }
    let left = text_of(lhs, position, zone)?;
    let right = text_of(rhs, position, zone)?;
    check_text_size(left.chars().count() + right.chars().count(), position)?;
    Ok(Value::Str(left + &right))
}

fn number_operand(value: &Value, op: BinaryOp, position: usize) -> Result<Number, ElError> {
    value.as_number().ok_or_else(|| {
        ElError::expected(position, format!("operator '{}' cannot use {}", op.symbol(), describe(value)), "a number")
    })
}

/// `a string 'abc'` / `null`: a value for an error message.
fn describe(value: &Value) -> String {
    match value {
        Value::Str(s) => {
            let shown: String = s.chars().take(40).collect();
            format!("the string '{shown}'")
        }
        other => other.type_name(),
    }
}

fn arithmetic(op: BinaryOp, lhs: &Value, rhs: &Value, position: usize) -> Result<Value, ElError> {
    let a = number_operand(lhs, op, position)?;
    let b = number_operand(rhs, op, position)?;
    if let (Number::Int(x), Number::Int(y)) = (a, b) {
        let exact = match op {
            BinaryOp::Add => x.checked_add(y),
            BinaryOp::Sub => x.checked_sub(y),
            BinaryOp::Mul => x.checked_mul(y),
            BinaryOp::Div => {
                if y == 0 {
                    return Err(ElError::new(position, "division by zero"));
                }
                if x % y != 0 {
                    return Ok(Value::Float(x as f64 / y as f64));
                }
                x.checked_div(y)
            }
            _ => {
                if y == 0 {
                    return Err(ElError::new(position, "remainder by zero"));
                }
                Some(x.checked_rem(y).unwrap_or(0))
            }
        };
        if let Some(result) = exact {
            return Ok(Value::Int(result));
        }
    }
    let (x, y) = (a.as_f64(), b.as_f64());
    Ok(Value::Float(match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Div => x / y,
        _ => x % y,
    }))
}

/// `-value`.
pub(crate) fn negate(value: &Value, position: usize) -> Result<Value, ElError> {
    match number_operand(value, BinaryOp::Sub, position)? {
        Number::Int(i) => Ok(i.checked_neg().map_or(Value::Float(-(i as f64)), Value::Int)),
        Number::Float(x) => Ok(Value::Float(-x)),
    }
}

fn compare_numbers(a: Number, b: Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => Some(x.cmp(&y)),
        _ => a.as_f64().partial_cmp(&b.as_f64()),
    }
}

fn equals(lhs: &Value, rhs: &Value, zone: &Zone) -> bool {
    match (lhs, rhs) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Date(a), Value::Date(b)) => a == b,
        (Value::Object(a), Value::Object(b)) => a == b,
        (Value::Object(_), _) | (_, Value::Object(_)) => false,
        (Value::List(_) | Value::Map(_), _) | (_, Value::List(_) | Value::Map(_)) => lhs.to_json() == rhs.to_json(),
        _ => match (lhs.as_number(), rhs.as_number()) {
            (Some(a), Some(b)) => compare_numbers(a, b) == Some(Ordering::Equal),
            _ => lhs.to_text(zone) == rhs.to_text(zone),
        },
    }
}

/// The order of two values; `None` when a side is null or a decimal is NaN.
fn compare(lhs: &Value, rhs: &Value, position: usize, zone: &Zone) -> Result<Option<Ordering>, ElError> {
    match (lhs, rhs) {
        (Value::Null, _) | (_, Value::Null) => return Ok(None),
        (Value::Date(a), Value::Date(b)) => return Ok(Some(a.cmp(b))),
        _ => {}
    }
    for side in [lhs, rhs] {
        if matches!(side, Value::List(_) | Value::Map(_) | Value::Object(_)) {
            return Err(ElError::expected(
                position,
                format!("cannot order {}", side.type_name()),
                "a number, string or date",
            ));
        }
    }
    if let (Some(a), Some(b)) = (lhs.as_number(), rhs.as_number()) {
        return Ok(compare_numbers(a, b));
    }
    Ok(Some(text_of(lhs, position, zone)?.cmp(&text_of(rhs, position, zone)?)))
}
