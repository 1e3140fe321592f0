//! Reading method arguments with the coercions Java EL applies when it calls a Java method:
//! numbers and booleans become text for `String` parameters, numeric strings become numbers for
//! `int` parameters, and a wrong type is an error that points at the argument.

use super::error::ElError;
use super::value::Value;
use crate::zone::Zone;

/// The evaluated arguments of one method call.
pub(crate) struct Args<'v> {
    /// `Object.method`, for messages.
    pub method: String,
    pub values: &'v [Value],
    /// Character offset of each argument.
    pub positions: &'v [usize],
    /// Character offset of the call.
    pub position: usize,
    pub zone: Zone,
}

impl Args<'_> {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    fn position_of(&self, index: usize) -> usize {
        self.positions.get(index).copied().unwrap_or(self.position)
    }

    fn wrong_type(&self, index: usize, wanted: &str) -> ElError {
        ElError::expected(
            self.position_of(index),
            format!("argument {} of {} is {}", index + 1, self.method, self.values[index].type_name()),
            wanted,
        )
    }

    pub fn value(&self, index: usize) -> &Value {
        self.values.get(index).unwrap_or(&Value::Null)
    }

    /// A `String` parameter: `None` for null.
    pub fn string(&self, index: usize) -> Result<Option<String>, ElError> {
        match self.value(index) {
            Value::Null => Ok(None),
            Value::Str(s) => Ok(Some(s.clone())),
            v @ (Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Date(_)) => Ok(v.to_text(&self.zone)),
            _ => Err(self.wrong_type(index, "a string")),
        }
    }

    /// A `String` parameter that must not be null.
    pub fn required_string(&self, index: usize) -> Result<String, ElError> {
        self.string(index)?.ok_or_else(|| self.wrong_type(index, "a string"))
    }

    /// An `int`/`long` parameter: integers, whole decimals and integer strings.
    pub fn int(&self, index: usize) -> Result<i64, ElError> {
        let value = self.value(index);
        match value.as_number() {
            Some(super::value::Number::Int(i)) => Ok(i),
            Some(super::value::Number::Float(x)) if x.fract() == 0.0 && x.abs() < 9.0e18 => Ok(x as i64),
            _ => Err(self.wrong_type(index, "an integer")),
        }
    }

    /// A `Date` parameter (epoch ms).
    pub fn date(&self, index: usize) -> Result<i64, ElError> {
        match self.value(index) {
            Value::Date(ms) => Ok(*ms),
            _ => Err(self.wrong_type(index, "a date")),
        }
    }

    /// An error about this call.
    pub fn error(&self, message: impl Into<String>) -> ElError {
        ElError::new(self.position, message)
    }
}
