//! Compiling a `SimpleDateFormat` pattern into fields and literal text, with Java's errors.
//!
//! Java's constructor walks the pattern once: ASCII letters outside quotes are fields (runs of
//! the same letter form one field whose length is the repetition count), `'…'` is literal text,
//! `''` is one quote inside or outside quotes, and every other character is copied. It throws
//! `IllegalArgumentException` for a letter that is not a pattern letter, for `XXXX` or longer,
//! and for an unclosed quote; so does [`compile`].

use super::DateFormatError;

/// The pattern letters `SimpleDateFormat` accepts (`GyMdkHmsSEDFwWahKzZYuXL`).
const PATTERN_LETTERS: &str = "GyMdkHmsSEDFwWahKzZYuXL";

/// One piece of a compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PatternItem {
    /// A field: the pattern letter and how many times it was repeated.
    Field { letter: char, count: usize },
    /// Text copied as is.
    Literal(String),
}

/// Compiles `pattern` as `new SimpleDateFormat(pattern, Locale.US)` does.
pub(crate) fn compile(pattern: &str) -> Result<Vec<PatternItem>, DateFormatError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut items = Vec::new();
    let mut literal = String::new();
    let mut in_quote = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                literal.push('\'');
                i += 2;
                continue;
            }
            in_quote = !in_quote;
            i += 1;
            continue;
        }
        if in_quote || !c.is_ascii_alphabetic() {
            literal.push(c);
            i += 1;
            continue;
        }
        if !PATTERN_LETTERS.contains(c) {
            return Err(DateFormatError::new(format!("Illegal pattern character '{c}'")));
        }
        let mut count = 1;
        while chars.get(i + count) == Some(&c) {
            count += 1;
        }
        if c == 'X' && count > 3 {
            return Err(DateFormatError::new(format!("invalid ISO 8601 format: length={count}")));
        }
        if !literal.is_empty() {
            items.push(PatternItem::Literal(std::mem::take(&mut literal)));
        }
        items.push(PatternItem::Field { letter: c, count });
        i += count;
    }
    if in_quote {
        return Err(DateFormatError::new("Unterminated quote".to_string()));
    }
    if !literal.is_empty() {
        items.push(PatternItem::Literal(literal));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_doubled_quotes() {
        assert_eq!(
            compile("'It''s' EEEE").unwrap(),
            vec![PatternItem::Literal("It's ".into()), PatternItem::Field { letter: 'E', count: 4 }]
        );
        assert_eq!(compile("''").unwrap(), vec![PatternItem::Literal("'".into())]);
    }

    #[test]
    fn java_rejections() {
        for bad in ["yyyy-MM-ddTHH", "'open", "XXXX", "qqqq", "yyyy'"] {
            assert!(compile(bad).is_err(), "{bad}");
        }
    }
}
