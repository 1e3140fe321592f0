//! Finding the `#{...}` segments of a text (§6.2 step 3).
//!
//! A segment starts at `#{` and ends at the `}` that closes it: braces nest, and braces inside
//! single- or double-quoted strings (with backslash escapes) do not count. An unclosed `#{` is
//! an error, never silently copied.

use super::error::ElError;

/// A piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Text copied unchanged.
    Text(String),
    /// The source between `#{` and `}`, and the character offset where that source starts.
    Expression { source: String, offset: usize },
}

/// Splits `text` into literal text and `#{...}` expression sources.
pub fn parse_template(text: &str) -> Result<Vec<TemplatePart>, ElError> {
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '#' && chars.get(i + 1) == Some(&'{') {
            let start = i + 2;
            let end = closing_brace(&chars, start)
                .ok_or_else(|| ElError::expected(i, "'#{' is never closed", "'}' closing the expression"))?;
            if !literal.is_empty() {
                parts.push(TemplatePart::Text(std::mem::take(&mut literal)));
            }
            parts.push(TemplatePart::Expression { source: chars[start..end].iter().collect(), offset: start });
            i = end + 1;
            continue;
        }
        literal.push(chars[i]);
        i += 1;
    }
    if !literal.is_empty() {
        parts.push(TemplatePart::Text(literal));
    }
    Ok(parts)
}

/// Index of the `}` that closes a segment whose source starts at `start`.
fn closing_brace(chars: &[char], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' => depth += 1,
                '}' if depth == 0 => return Some(i),
                '}' => depth -= 1,
                _ => {}
            },
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_inside_strings_do_not_close_a_segment() {
        let parts = parse_template(r#"a #{"}" + '}'} b"#).unwrap();
        assert_eq!(
            parts,
            vec![
                TemplatePart::Text("a ".into()),
                TemplatePart::Expression { source: r#""}" + '}'"#.into(), offset: 4 },
                TemplatePart::Text(" b".into()),
            ]
        );
    }

    #[test]
    fn unclosed_segment_is_an_error() {
        let err = parse_template("x #{1 + 2").unwrap_err();
        assert_eq!(err.position, 2);
        assert!(parse_template("#{'}").is_err());
    }

    #[test]
    fn text_without_segments() {
        assert_eq!(
            parse_template("echo ${HOME} # {x}").unwrap(),
            vec![TemplatePart::Text("echo ${HOME} # {x}".into())]
        );
        assert!(parse_template("").unwrap().is_empty());
    }
}
