//! The one error type of the expression language: where it happened and what was expected.

use std::fmt;

/// An EL failure: a syntax error, an evaluation error (wrong type, unknown method, a lookup the
/// engine refused), or a limit that was hit.
///
/// `position` is a character offset (not a byte offset) into the text handed to the failing
/// function; for [`super::render`] that is the text after `${}` substitution (step 1 of §6.2),
/// which is the text the expression parser sees.
#[derive(Debug, Clone, PartialEq)]
pub struct ElError {
    /// Character offset into the text.
    pub position: usize,
    /// What the parser or evaluator expected there, e.g. `")"` or `a date`.
    pub expected: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl ElError {
    /// An error at `position` with a message.
    pub fn new(position: usize, message: impl Into<String>) -> ElError {
        ElError { position, expected: None, message: message.into() }
    }

    /// An error at `position` saying what was expected.
    pub fn expected(position: usize, message: impl Into<String>, expected: impl Into<String>) -> ElError {
        ElError { position, expected: Some(expected.into()), message: message.into() }
    }

    /// The same error moved by `offset` characters (for errors found inside a `#{...}` segment).
    pub(crate) fn shifted(mut self, offset: usize) -> ElError {
        self.position += offset;
        self
    }
}

impl fmt::Display for ElError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at position {}: {}", self.position, self.message)?;
        if let Some(expected) = &self.expected {
            write!(f, " (expected {expected})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ElError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_position_and_expectation() {
        assert_eq!(
            ElError::expected(4, "unexpected end", "\")\"").to_string(),
            "at position 4: unexpected end (expected \")\")"
        );
        assert_eq!(ElError::new(0, "boom").to_string(), "at position 0: boom");
    }
}
