//! Splitting expression source into tokens, with character positions for error messages.
//!
//! Hand-written because no expression crate accepts this grammar (research/crates.md §8):
//! single- and double-quoted strings, word operators (`eq`, `div`, `empty`), and `?.` rejected.

use super::error::ElError;

/// One token and the character offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub position: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    Int(i64),
    Float(f64),
    Str(String),
    /// A name; keywords are recognised by the parser (`Word`), so `x.empty` stays possible.
    Word(String),
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    EqEq,
    BangEq,
    Less,
    Greater,
    LessEq,
    GreaterEq,
    AndAnd,
    OrOr,
    Bang,
    Question,
    Colon,
    Dot,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    End,
}

impl TokenKind {
    /// How the token reads in an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            TokenKind::Int(i) => format!("number {i}"),
            TokenKind::Float(x) => format!("number {x}"),
            TokenKind::Str(_) => "a string".to_string(),
            TokenKind::Word(w) => format!("'{w}'"),
            TokenKind::End => "end of expression".to_string(),
            other => format!("'{}'", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            TokenKind::Plus => "+",
            TokenKind::Minus => "-",
            TokenKind::Star => "*",
            TokenKind::Slash => "/",
            TokenKind::Percent => "%",
            TokenKind::EqEq => "==",
            TokenKind::BangEq => "!=",
            TokenKind::Less => "<",
            TokenKind::Greater => ">",
            TokenKind::LessEq => "<=",
            TokenKind::GreaterEq => ">=",
            TokenKind::AndAnd => "&&",
            TokenKind::OrOr => "||",
            TokenKind::Bang => "!",
            TokenKind::Question => "?",
            TokenKind::Colon => ":",
            TokenKind::Dot => ".",
            TokenKind::Comma => ",",
            TokenKind::LParen => "(",
            TokenKind::RParen => ")",
            TokenKind::LBracket => "[",
            TokenKind::RBracket => "]",
            _ => "",
        }
    }
}

/// Whether `c` may start a name.
pub(crate) fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

/// Whether `c` may continue a name.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Tokenizes `source`; the last token is always [`TokenKind::End`].
pub(crate) fn tokenize(source: &str) -> Result<Vec<Token>, ElError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let next = chars.get(i + 1).copied();
        let (kind, len) = match c {
            '"' | '\'' => {
                let (text, end) = lex_string(&chars, i)?;
                tokens.push(Token { kind: TokenKind::Str(text), position: start });
                i = end;
                continue;
            }
            '0'..='9' => {
                let (kind, end) = lex_number(&chars, i)?;
                tokens.push(Token { kind, position: start });
                i = end;
                continue;
            }
            c if is_name_start(c) => {
                let mut end = i + 1;
                while end < chars.len() && is_name_char(chars[end]) {
                    end += 1;
                }
                let word: String = chars[i..end].iter().collect();
                tokens.push(Token { kind: TokenKind::Word(word), position: start });
                i = end;
                continue;
            }
            '+' => (TokenKind::Plus, 1),
            '-' => (TokenKind::Minus, 1),
            '*' => (TokenKind::Star, 1),
            '/' => (TokenKind::Slash, 1),
            '%' => (TokenKind::Percent, 1),
            '=' if next == Some('=') => (TokenKind::EqEq, 2),
            '=' => return Err(ElError::expected(start, "'=' is not an operator", "'=='")),
            '!' if next == Some('=') => (TokenKind::BangEq, 2),
            '!' => (TokenKind::Bang, 1),
            '<' if next == Some('=') => (TokenKind::LessEq, 2),
            '<' => (TokenKind::Less, 1),
            '>' if next == Some('=') => (TokenKind::GreaterEq, 2),
            '>' => (TokenKind::Greater, 1),
            '&' if next == Some('&') => (TokenKind::AndAnd, 2),
            '&' => return Err(ElError::expected(start, "'&' is not an operator", "'&&'")),
            '|' if next == Some('|') => (TokenKind::OrOr, 2),
            '|' => return Err(ElError::expected(start, "'|' is not an operator", "'||'")),
            '?' if next == Some('.') => {
                return Err(ElError::expected(start, "'?.' is not an operator", "'?' of a conditional"));
            }
            '?' => (TokenKind::Question, 1),
            ':' => (TokenKind::Colon, 1),
            '.' => (TokenKind::Dot, 1),
            ',' => (TokenKind::Comma, 1),
            '(' => (TokenKind::LParen, 1),
            ')' => (TokenKind::RParen, 1),
            '[' => (TokenKind::LBracket, 1),
            ']' => (TokenKind::RBracket, 1),
            other => {
                return Err(ElError::new(start, format!("unexpected character '{other}'")));
            }
        };
        tokens.push(Token { kind, position: start });
        i += len;
    }
    tokens.push(Token { kind: TokenKind::End, position: chars.len() });
    Ok(tokens)
}

/// Reads a string literal starting at the quote `chars[start]`; returns its value and the index
/// after the closing quote. Escapes: `\'` `\"` `\\` `\n` `\t` `\r`; any other backslash is kept.
fn lex_string(chars: &[char], start: usize) -> Result<(String, usize), ElError> {
    let quote = chars[start];
    let mut text = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        if c == quote {
            return Ok((text, i + 1));
        }
        if c == '\\' {
            match chars.get(i + 1) {
                Some('\'') => text.push('\''),
                Some('"') => text.push('"'),
                Some('\\') => text.push('\\'),
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some('r') => text.push('\r'),
                Some(other) => {
                    text.push('\\');
                    text.push(*other);
                }
                None => break,
            }
            i += 2;
            continue;
        }
        text.push(c);
        i += 1;
    }
    Err(ElError::expected(start, "unterminated string", format!("closing {quote}")))
}

/// Reads a number: digits, an optional fraction (a dot followed by a digit) and an optional
/// exponent. Integers that overflow `i64` and decimals that overflow `f64` are errors.
fn lex_number(chars: &[char], start: usize) -> Result<(TokenKind, usize), ElError> {
    let digits_end = |mut i: usize| {
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut end = digits_end(start);
    let mut decimal = false;
    if chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
        end = digits_end(end + 1);
        decimal = true;
    }
    if matches!(chars.get(end), Some('e' | 'E')) {
        let mut exp = end + 1;
        if matches!(chars.get(exp), Some('+' | '-')) {
            exp += 1;
        }
        if chars.get(exp).is_some_and(char::is_ascii_digit) {
            end = digits_end(exp);
            decimal = true;
        }
    }
    let text: String = chars[start..end].iter().collect();
    if decimal {
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok((TokenKind::Float(x), end)),
            _ => Err(ElError::new(start, format!("number {text} is out of range"))),
        }
    } else {
        match text.parse::<i64>() {
            Ok(i) => Ok((TokenKind::Int(i), end)),
            Err(_) => Err(ElError::new(start, format!("integer {text} is out of range"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<TokenKind> {
        tokenize(source).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn strings_in_both_quotes_with_escapes() {
        assert_eq!(
            kinds(r#"'a\'b' "c\"d\n""#),
            vec![TokenKind::Str("a'b".into()), TokenKind::Str("c\"d\n".into()), TokenKind::End]
        );
    }

    #[test]
    fn numbers_and_member_access_on_integers() {
        assert_eq!(
            kinds("1.5 2 1e3 3.x"),
            vec![
                TokenKind::Float(1.5),
                TokenKind::Int(2),
                TokenKind::Float(1000.0),
                TokenKind::Int(3),
                TokenKind::Dot,
                TokenKind::Word("x".into()),
                TokenKind::End
            ]
        );
    }

    #[test]
    fn question_dot_is_rejected() {
        let err = tokenize("a ?. b : c").unwrap_err();
        assert_eq!(err.position, 2);
    }
}
