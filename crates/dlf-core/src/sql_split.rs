//! Splitting a SQL script into the statements a SQL node runs one by one (JOBS.md §3.2).
//!
//! A node sends its statements to the server one at a time, in one session, so that the first
//! error stops the rest and each statement's result is its own. A `;` ends a statement only
//! where the server would see it as the end: never inside a quoted string or identifier, a
//! comment, or a PostgreSQL dollar-quoted body (`$$ … $$`, `$fn$ … $fn$`, the usual form of a
//! function body). What counts as a quote or a comment depends on the server's dialect:
//!
//! | | PostgreSQL | MySQL / MariaDB / Doris |
//! |---|---|---|
//! | `'…'` | string, `''` doubles; backslash escapes only in `E'…'` | string, `''` doubles, backslash escapes |
//! | `"…"` | identifier, `""` doubles | string, as `'…'` |
//! | `` `…` `` | — | identifier, ``` `` ``` doubles |
//! | `--` | comment to the end of the line | comment when followed by a space, a control character or the end |
//! | `#` | — | comment to the end of the line |
//! | `/* … */` | comment, nests | comment, does not nest; `/*! … */` is code (MySQL runs it) |
//! | `$tag$ … $tag$` | dollar quoting (`$1` is a parameter, and `a$b` part of a name) | — |
//! | `DELIMITER //` | — | the client command that changes the delimiter (as the `mysql` client reads it) |
//!
//! Each statement is returned trimmed, without its delimiter, with the comments inside or
//! before it kept (the server ignores them). Statements that are empty or only comments are
//! dropped. An unterminated quote or comment runs to the end of the script: the server then
//! reports the error.
//!
//! Not understood: PostgreSQL's SQL-standard function bodies (`BEGIN ATOMIC … END` with `;`
//! inside) — write the body in dollar quotes instead.

/// The SQL dialect a script is split for: the wire protocol of the server it runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL and GaussDB(DWS).
    Postgres,
    /// MySQL, MariaDB and Apache Doris.
    MySql,
}

/// The statements of `script`, in order (see the module docs).
pub fn split_statements(script: &str, dialect: Dialect) -> Vec<String> {
    let mut splitter = Splitter {
        text: script,
        bytes: script.as_bytes(),
        dialect,
        statements: Vec::new(),
        start: 0,
        has_code: false,
        delimiter: ";".to_string(),
    };
    splitter.run();
    splitter.statements
}

struct Splitter<'a> {
    text: &'a str,
    bytes: &'a [u8],
    dialect: Dialect,
    statements: Vec<String>,
    /// Where the current statement began.
    start: usize,
    /// Whether the current statement has anything besides white space and comments.
    has_code: bool,
    /// What ends a statement: `;`, or what MySQL's `DELIMITER` set.
    delimiter: String,
}

/// A byte that may continue an unquoted name (non-ASCII bytes are parts of letters).
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl Splitter<'_> {
    fn run(&mut self) {
        let mut i = 0;
        while i < self.bytes.len() {
            if !self.has_code
                && self.dialect == Dialect::MySql
                && let Some(next) = self.delimiter_command(i)
            {
                i = next;
                self.start = i;
                continue;
            }
            if self.bytes[i..].starts_with(self.delimiter.as_bytes()) {
                self.finish(i);
                i += self.delimiter.len();
                self.start = i;
                continue;
            }
            i = self.step(i);
        }
        self.finish(self.bytes.len());
    }

    /// Moves past what begins at `i` in plain code: a quoted part, a comment or one byte.
    fn step(&mut self, i: usize) -> usize {
        let b = self.bytes;
        let next = b.get(i + 1).copied();
        let mysql = self.dialect == Dialect::MySql;
        match b[i] {
            b'\'' => {
                self.has_code = true;
                let escapes = mysql || self.is_escape_string(i);
                self.skip_quoted(i, b'\'', escapes)
            }
            b'"' => {
                self.has_code = true;
                self.skip_quoted(i, b'"', mysql)
            }
            b'`' if mysql => {
                self.has_code = true;
                self.skip_quoted(i, b'`', false)
            }
            b'-' if next == Some(b'-') && (!mysql || self.mysql_dash_comment(i)) => self.skip_line(i),
            b'#' if mysql => self.skip_line(i),
            b'/' if next == Some(b'*') => {
                if mysql && b.get(i + 2) == Some(&b'!') {
                    self.has_code = true;
                }
                self.skip_block_comment(i)
            }
            b'$' if !mysql && !self.follows_name(i) => {
                self.has_code = true;
                match self.dollar_tag(i) {
                    Some(tag) => self.skip_dollar_quoted(i, tag),
                    None => i + 1,
                }
            }
            c if c.is_ascii_whitespace() => i + 1,
            _ => {
                self.has_code = true;
                i + 1
            }
        }
    }

    /// Whether the byte before `i` belongs to a name (`a$b`: the `$` is part of it).
    fn follows_name(&self, i: usize) -> bool {
        i > 0 && is_name_byte(self.bytes[i - 1])
    }

    fn finish(&mut self, end: usize) {
        if self.has_code {
            let statement = self.text[self.start..end].trim();
            if !statement.is_empty() {
                self.statements.push(statement.to_string());
            }
        }
        self.has_code = false;
    }

    /// PostgreSQL `E'…'`: the quote follows an `E` that is not the end of a longer name.
    fn is_escape_string(&self, quote: usize) -> bool {
        quote >= 1
            && matches!(self.bytes[quote - 1], b'E' | b'e')
            && (quote < 2 || !is_name_byte(self.bytes[quote - 2]))
    }

    /// The end of a quoted part opened at `open` by `quote` (a doubled quote stays inside).
    fn skip_quoted(&self, open: usize, quote: u8, backslash_escapes: bool) -> usize {
        let b = self.bytes;
        let mut j = open + 1;
        while j < b.len() {
            if backslash_escapes && b[j] == b'\\' {
                j += 2;
            } else if b[j] == quote {
                if b.get(j + 1) == Some(&quote) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j += 1;
            }
        }
        b.len()
    }

    /// MySQL reads `--` as a comment only before white space, a control character or the end.
    fn mysql_dash_comment(&self, i: usize) -> bool {
        self.bytes.get(i + 2).is_none_or(|c| c.is_ascii_whitespace() || c.is_ascii_control())
    }

    fn skip_line(&self, i: usize) -> usize {
        match self.bytes[i..].iter().position(|&c| c == b'\n') {
            Some(at) => i + at + 1,
            None => self.bytes.len(),
        }
    }

    /// Past the `*/` that closes the comment opened at `open` (PostgreSQL comments nest).
    fn skip_block_comment(&self, open: usize) -> usize {
        let b = self.bytes;
        let nests = self.dialect == Dialect::Postgres;
        let mut depth = 1;
        let mut j = open + 2;
        while j < b.len() {
            if b[j..].starts_with(b"*/") {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    return j;
                }
            } else if nests && b[j..].starts_with(b"/*") {
                depth += 1;
                j += 2;
            } else {
                j += 1;
            }
        }
        b.len()
    }

    /// The opening `$tag$` at `i` (`$$` included), if it is one: a tag is a name that does not
    /// start with a digit and has no `$`.
    fn dollar_tag(&self, i: usize) -> Option<&str> {
        let b = self.bytes;
        let first = *b.get(i + 1)?;
        if first == b'$' {
            return Some(&self.text[i..i + 2]);
        }
        if !(first.is_ascii_alphabetic() || first == b'_' || first >= 0x80) {
            return None;
        }
        let mut j = i + 2;
        while j < b.len() && b[j] != b'$' {
            if !(b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
                return None;
            }
            j += 1;
        }
        (j < b.len()).then(|| &self.text[i..=j])
    }

    /// Past the `tag` that closes the body opened by `tag` at `open`.
    fn skip_dollar_quoted(&self, open: usize, tag: &str) -> usize {
        let body = open + tag.len();
        match self.text[body..].find(tag) {
            Some(at) => body + at + tag.len(),
            None => self.bytes.len(),
        }
    }

    /// A MySQL `DELIMITER x` line at `i` (the start of a statement): sets the delimiter and
    /// returns where the next statement begins.
    fn delimiter_command(&mut self, i: usize) -> Option<usize> {
        const WORD: &[u8] = b"delimiter";
        let b = self.bytes;
        let word = b.get(i..i + WORD.len())?;
        if !word.eq_ignore_ascii_case(WORD) || !matches!(b.get(i + WORD.len()), Some(b' ' | b'\t')) {
            return None;
        }
        let end = self.skip_line(i);
        let delimiter = self.text[i + WORD.len()..end].trim();
        if delimiter.is_empty() {
            return None;
        }
        self.delimiter = delimiter.to_string();
        Some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(script: &str) -> Vec<String> {
        split_statements(script, Dialect::Postgres)
    }

    fn my(script: &str) -> Vec<String> {
        split_statements(script, Dialect::MySql)
    }

    #[test]
    fn statements_end_at_semicolons_and_the_last_needs_none() {
        assert_eq!(
            pg("CREATE TEMP TABLE t (id int);\n INSERT INTO t VALUES (1), (2);\nSELECT * FROM t"),
            ["CREATE TEMP TABLE t (id int)", "INSERT INTO t VALUES (1), (2)", "SELECT * FROM t"]
        );
        assert_eq!(my("select 1;select 2;"), ["select 1", "select 2"]);
    }

    #[test]
    fn empty_and_comment_only_statements_are_dropped() {
        assert!(pg("").is_empty());
        assert!(pg(" ;\n ; ").is_empty());
        assert!(pg("-- nothing here\n/* nor here; */").is_empty());
        assert_eq!(pg("SELECT 1;;\n-- done\n"), ["SELECT 1"]);
        assert!(my("# a note; with a semicolon\n;").is_empty());
    }

    #[test]
    fn comments_before_and_inside_a_statement_stay_with_it() {
        assert_eq!(
            pg("-- load the users; all of them\nINSERT INTO users SELECT * FROM staging; -- done\nSELECT 2"),
            ["-- load the users; all of them\nINSERT INTO users SELECT * FROM staging", "-- done\nSELECT 2"]
        );
    }

    #[test]
    fn semicolons_and_dashes_inside_strings_do_not_split() {
        assert_eq!(
            pg("INSERT INTO log VALUES ('a;b -- c', 'it''s; fine'); SELECT 1"),
            ["INSERT INTO log VALUES ('a;b -- c', 'it''s; fine')", "SELECT 1"]
        );
        assert_eq!(my("SELECT 'a;b', \"c;d\"; SELECT 2"), ["SELECT 'a;b', \"c;d\"", "SELECT 2"]);
    }

    #[test]
    fn backslashes_escape_in_mysql_strings_and_postgres_e_strings_only() {
        // MySQL: \' does not close the string.
        assert_eq!(my(r"SELECT 'it\'s; here'; SELECT 2"), [r"SELECT 'it\'s; here'", "SELECT 2"]);
        assert_eq!(my(r#"SELECT "say \"hi\"; now"; SELECT 2"#), [r#"SELECT "say \"hi\"; now""#, "SELECT 2"]);
        // PostgreSQL: a backslash is a plain character in '…' ...
        assert_eq!(pg(r"SELECT 'C:\'; SELECT 2"), [r"SELECT 'C:\'", "SELECT 2"]);
        // ... and an escape in E'…'.
        assert_eq!(pg(r"SELECT E'it\'s; here'; SELECT 2"), [r"SELECT E'it\'s; here'", "SELECT 2"]);
        // A name ending in e before a quote is no E-string.
        assert_eq!(pg(r"SELECT name'\'; SELECT 2"), [r"SELECT name'\'", "SELECT 2"]);
    }

    #[test]
    fn quoted_identifiers_keep_their_semicolons() {
        assert_eq!(pg(r#"SELECT 1 AS "a;""b"; SELECT 2"#), [r#"SELECT 1 AS "a;""b""#, "SELECT 2"]);
        assert_eq!(my("SELECT 1 AS `a;``b`; SELECT 2"), ["SELECT 1 AS `a;``b`", "SELECT 2"]);
        // A backtick is plain in PostgreSQL.
        assert_eq!(pg("SELECT '`'; SELECT '`'"), ["SELECT '`'", "SELECT '`'"]);
    }

    #[test]
    fn comments_hide_quotes_and_semicolons() {
        assert_eq!(
            pg("SELECT 1 /* don't; stop */ + 1; -- it's over; really\nSELECT 2"),
            ["SELECT 1 /* don't; stop */ + 1", "-- it's over; really\nSELECT 2"]
        );
        assert_eq!(my("SELECT 1 # it's; a comment\n; SELECT 2"), ["SELECT 1 # it's; a comment", "SELECT 2"]);
    }

    #[test]
    fn postgres_block_comments_nest_and_mysql_ones_do_not() {
        assert_eq!(pg("/* a /* b; */ c; */ SELECT 1; SELECT 2"), ["/* a /* b; */ c; */ SELECT 1", "SELECT 2"]);
        assert_eq!(my("/* a /* b */ SELECT 1; SELECT 2"), ["/* a /* b */ SELECT 1", "SELECT 2"]);
    }

    #[test]
    fn mysql_executable_comments_are_statements() {
        assert_eq!(
            my("/*!40101 SET NAMES utf8 */;\n/* just a note */;\nSELECT 1"),
            ["/*!40101 SET NAMES utf8 */", "SELECT 1"]
        );
    }

    #[test]
    fn mysql_needs_a_space_after_double_dash() {
        assert_eq!(my("SELECT 1--1; SELECT 2"), ["SELECT 1--1", "SELECT 2"]);
        assert_eq!(my("SELECT 1 -- x; y\n; SELECT 2"), ["SELECT 1 -- x; y", "SELECT 2"]);
        assert_eq!(my("SELECT 1;--"), ["SELECT 1"]);
        assert_eq!(pg("SELECT 1--1; still a comment\n; SELECT 2"), ["SELECT 1--1; still a comment", "SELECT 2"]);
    }

    #[test]
    fn a_plpgsql_function_body_in_dollar_quotes_is_one_statement() {
        let script = "CREATE OR REPLACE FUNCTION add_one(n integer) RETURNS integer AS $$\n\
                      DECLARE r integer;\n\
                      BEGIN\n  r := n + 1; -- it's simple\n  RETURN r;\nEND;\n$$ LANGUAGE plpgsql;\n\
                      SELECT add_one(41);";
        let statements = pg(script);
        assert_eq!(statements.len(), 2, "{statements:?}");
        assert!(statements[0].starts_with("CREATE OR REPLACE FUNCTION") && statements[0].ends_with("LANGUAGE plpgsql"));
        assert_eq!(statements[1], "SELECT add_one(41)");
    }

    #[test]
    fn dollar_tags_must_match_and_may_nest_other_tags() {
        let script = "DO $outer$ BEGIN EXECUTE $q$SELECT ';'$q$; PERFORM 1; END $outer$; SELECT 2";
        assert_eq!(pg(script), ["DO $outer$ BEGIN EXECUTE $q$SELECT ';'$q$; PERFORM 1; END $outer$", "SELECT 2"]);
        assert_eq!(pg("SELECT $a$ $$; $a$; SELECT 2"), ["SELECT $a$ $$; $a$", "SELECT 2"]);
    }

    #[test]
    fn positional_parameters_and_dollars_in_names_are_no_quotes() {
        assert_eq!(
            pg("PREPARE p AS SELECT $1 + $2; EXECUTE p(1, 2); SELECT a$b$ FROM t"),
            ["PREPARE p AS SELECT $1 + $2", "EXECUTE p(1, 2)", "SELECT a$b$ FROM t"]
        );
        // In MySQL a dollar is a plain character.
        assert_eq!(my("SELECT '$$'; SELECT $$"), ["SELECT '$$'", "SELECT $$"]);
    }

    #[test]
    fn mysql_delimiter_lines_change_the_delimiter() {
        let script = "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END //\nDELIMITER ;\nCALL p();";
        assert_eq!(my(script), ["CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", "CALL p()"]);
        // Only at the start of a statement, and only in MySQL.
        assert_eq!(my("SELECT 1 AS delimiter; SELECT 2"), ["SELECT 1 AS delimiter", "SELECT 2"]);
        assert_eq!(pg("DELIMITER //\nSELECT 1;"), ["DELIMITER //\nSELECT 1"]);
    }

    #[test]
    fn unterminated_quotes_run_to_the_end() {
        assert_eq!(pg("SELECT 1; SELECT 'open; SELECT 2"), ["SELECT 1", "SELECT 'open; SELECT 2"]);
        assert_eq!(pg("SELECT $$ body; "), ["SELECT $$ body;"]);
        assert_eq!(my("SELECT 1 /* open; "), ["SELECT 1 /* open;"]);
    }

    #[test]
    fn non_ascii_text_is_kept_whole() {
        assert_eq!(pg("SELECT '名前; ü'; SELECT ünï$x$"), ["SELECT '名前; ü'", "SELECT ünï$x$"]);
        assert_eq!(pg("SELECT $é$ a;b $é$;"), ["SELECT $é$ a;b $é$"]);
    }

    proptest::proptest! {
        /// Any text splits without panicking into trimmed, non-empty statements, and plain
        /// statements joined by `;` come back as they were.
        #[test]
        fn any_text_splits_into_trimmed_statements(text in "\\PC{0,200}") {
            for dialect in [Dialect::Postgres, Dialect::MySql] {
                for statement in split_statements(&text, dialect) {
                    proptest::prop_assert!(!statement.is_empty());
                    proptest::prop_assert_eq!(statement.trim(), statement.as_str());
                }
            }
        }

        #[test]
        fn plain_statements_round_trip(words in proptest::collection::vec("[a-z][a-z0-9 =,()*]{0,30}[a-z0-9)]", 1..8)) {
            proptest::prop_assume!(!words.iter().any(|w| w.starts_with("delimiter ")));
            let script = words.join(";\n");
            let expected: Vec<String> = words.iter().map(|w| w.trim().to_string()).collect();
            proptest::prop_assert_eq!(split_statements(&script, Dialect::Postgres), expected.clone());
            proptest::prop_assert_eq!(split_statements(&script, Dialect::MySql), expected);
        }
    }
}
