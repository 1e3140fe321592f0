//! Parsing a For Each dataset (JOBS.md §3.2): a JSON-like two-dimensional array whose elements
//! are handed to the children as bare text.
//!
//! Accepted: `[['001'],['002']]`, `[["a","x"],["b","y"]]`, `[[00]]` (bare elements, kept as
//! written: `00`), SQL node output (`[["11"]]`, with `null` elements). Escapes inside quotes as
//! in JSON (`\"`, `\'`, `\\`, `\/`, `\n`, `\t`, `\r`, `\b`, `\f`, `\uXXXX`).
//!
//! Decisions where the docs are silent: `[]` is an empty dataset; a JSON `null` element becomes
//! empty text (as null renders in EL); a row that is a single bare or quoted value instead of an
//! array is a one-element row; a third level of nesting, an empty element and text after the
//! closing `]` are errors; more than [`MAX_DATASET_ROWS`] rows is an error.

use super::error::ElError;

/// The most rows a For Each node accepts.
pub const MAX_DATASET_ROWS: usize = 1000;

/// Parses a dataset into rows of element texts.
pub fn parse_dataset(text: &str) -> Result<Vec<Vec<String>>, ElError> {
    let mut reader = Reader { chars: text.chars().collect(), at: 0 };
    reader.skip_whitespace();
    reader.expect('[', "'[' starting the dataset")?;
    let mut rows = Vec::new();
    reader.skip_whitespace();
    if reader.peek() == Some(']') {
        reader.at += 1;
    } else {
        loop {
            reader.skip_whitespace();
            let row = if reader.peek() == Some('[') { reader.row()? } else { vec![reader.element()?] };
            rows.push(row);
            if rows.len() > MAX_DATASET_ROWS {
                return Err(ElError::new(reader.at, format!("the dataset has more than {MAX_DATASET_ROWS} rows")));
            }
            reader.skip_whitespace();
            match reader.next() {
                Some(',') => continue,
                Some(']') => break,
                _ => {
                    return Err(ElError::expected(reader.at.saturating_sub(1), "malformed dataset", "',' or ']'"));
                }
            }
        }
    }
    reader.skip_whitespace();
    if reader.at < reader.chars.len() {
        return Err(ElError::expected(reader.at, "text after the dataset", "the end of the dataset"));
    }
    Ok(rows)
}

struct Reader {
    chars: Vec<char>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.at += 1;
        c
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn expect(&mut self, wanted: char, what: &str) -> Result<(), ElError> {
        if self.peek() == Some(wanted) {
            self.at += 1;
            return Ok(());
        }
        Err(ElError::expected(self.at, "malformed dataset", what))
    }

    /// `[element, …]`
    fn row(&mut self) -> Result<Vec<String>, ElError> {
        self.expect('[', "'['")?;
        let mut cells = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.at += 1;
            return Ok(cells);
        }
        loop {
            self.skip_whitespace();
            cells.push(self.element()?);
            self.skip_whitespace();
            match self.next() {
                Some(',') => continue,
                Some(']') => return Ok(cells),
                _ => {
                    return Err(ElError::expected(self.at.saturating_sub(1), "malformed dataset row", "',' or ']'"));
                }
            }
        }
    }

    /// A quoted string, or bare text up to `,` or `]`.
    fn element(&mut self) -> Result<String, ElError> {
        match self.peek() {
            Some(quote @ ('"' | '\'')) => self.quoted(quote),
            Some('[') => Err(ElError::expected(self.at, "datasets have two dimensions", "a value")),
            _ => {
                let start = self.at;
                while self.peek().is_some_and(|c| c != ',' && c != ']' && c != '[') {
                    self.at += 1;
                }
                let bare: String = self.chars[start..self.at].iter().collect();
                let bare = bare.trim();
                if bare.is_empty() {
                    return Err(ElError::expected(start, "empty dataset element", "a value"));
                }
                Ok(if bare == "null" { String::new() } else { bare.to_string() })
            }
        }
    }

    fn quoted(&mut self, quote: char) -> Result<String, ElError> {
        let start = self.at;
        self.at += 1;
        let mut text = String::new();
        loop {
            let Some(c) = self.next() else {
                return Err(ElError::expected(start, "unterminated string in the dataset", format!("closing {quote}")));
            };
            if c == quote {
                return Ok(text);
            }
            if c != '\\' {
                text.push(c);
                continue;
            }
            let escape_at = self.at - 1;
            match self.next() {
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some('r') => text.push('\r'),
                Some('b') => text.push('\u{8}'),
                Some('f') => text.push('\u{c}'),
                Some('u') => {
                    let hex: String =
                        self.chars.get(self.at..self.at + 4).map(|h| h.iter().collect()).unwrap_or_default();
                    let decoded = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                    let Some(decoded) = decoded.filter(|_| hex.len() == 4) else {
                        return Err(ElError::expected(escape_at, "invalid \\u escape", "four hex digits"));
                    };
                    text.push(decoded);
                    self.at += 4;
                }
                Some(other) => text.push(other),
                None => {
                    return Err(ElError::expected(
                        start,
                        "unterminated string in the dataset",
                        format!("closing {quote}"),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        parse_dataset(text).unwrap()
    }

    #[test]
    fn quotes_are_stripped_and_bare_text_kept() {
        assert_eq!(rows("[['001'],['002']]"), vec![vec!["001"], vec!["002"]]);
        assert_eq!(rows(r#"[["a","x"],["b","y"]]"#), vec![vec!["a", "x"], vec!["b", "y"]]);
        for same in [r#"[["00"]]"#, "[[00]]", "[['00']]"] {
            assert_eq!(rows(same), vec![vec!["00"]], "{same}");
        }
        assert_eq!(rows(r#"[["\"00\""]]"#), vec![vec!["\"00\""]]);
        assert_eq!(rows(" [ ] "), Vec::<Vec<String>>::new());
        assert_eq!(rows(r#"[["a",null],[ 1.5 , true ]]"#), vec![vec!["a", ""], vec!["1.5", "true"]]);
    }

    #[test]
    fn malformed_datasets_are_errors() {
        for bad in ["", "null", "[[", "[['a']", "[[['a']]]", "[['a'],]", "[['a']] x", "[[,]]", "[['a]]"] {
            assert!(parse_dataset(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn at_most_1000_rows() {
        let ok = format!("[{}]", vec!["['x']"; 1000].join(","));
        assert_eq!(parse_dataset(&ok).unwrap().len(), 1000);
        let too_many = format!("[{}]", vec!["['x']"; 1001].join(","));
        assert!(parse_dataset(&too_many).unwrap_err().message.contains("1000"));
    }
}
