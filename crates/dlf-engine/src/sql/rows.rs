//! Keeping a statement's rows, within limits: a query can return more than the server's memory
//! should hold, so what is kept is capped while the rows stream in.
//!
//! Two uses, two policies ([`Beyond`]): a SQL node's output must be the whole result set or
//! nothing, so a result past the cap fails the node with a clear message; a script run (S7)
//! shows the first rows of a result and counts the rest.

use super::session::{StatementError, TextRow};

/// How much of one statement's rows is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowLimits {
    /// Most rows kept.
    pub keep_rows: usize,
    /// Most bytes of values kept (the length of the text of the values, plus 3 per value for
    /// the quotes and comma of their JSON form).
    pub keep_bytes: usize,
    /// What happens to a result set larger than that.
    pub beyond: Beyond,
}

/// What happens to rows past [`RowLimits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Beyond {
    /// The statement fails (a SQL node: its output would be cut).
    Fail,
    /// They are counted and dropped (a script run: it shows the first rows).
    Count,
}

/// The rows of one statement as they arrive.
pub(crate) struct RowSink {
    limits: RowLimits,
    /// `(name, type)` of the columns, from the first row (empty when no row came).
    pub columns: Vec<(String, String)>,
    pub rows: Vec<Vec<Option<String>>>,
    /// Rows the statement returned, kept or not.
    pub total: u64,
    bytes: usize,
    /// Whether rows stopped being kept ([`Beyond::Count`]).
    full: bool,
}

impl RowSink {
    pub fn new(limits: RowLimits) -> RowSink {
        RowSink { limits, columns: Vec::new(), rows: Vec::new(), total: 0, bytes: 0, full: false }
    }

    /// For the server's small answers (its session id).
    pub fn unlimited() -> RowSink {
        RowSink::new(RowLimits { keep_rows: usize::MAX, keep_bytes: usize::MAX, beyond: Beyond::Fail })
    }

    pub fn push<R: TextRow>(&mut self, row: &R) -> Result<(), StatementError> {
        self.total += 1;
        if self.columns.is_empty() {
            self.columns = row.columns();
        }
        if self.full {
            return Ok(());
        }
        let values = row.values();
        let size: usize = values.iter().map(|v| v.as_ref().map_or(4, String::len) + 3).sum();
        if self.rows.len() >= self.limits.keep_rows || self.bytes.saturating_add(size) > self.limits.keep_bytes {
            match self.limits.beyond {
                Beyond::Fail => {
                    return Err(StatementError::TooLarge(format!(
                        "the result set is larger than dlf keeps for a node's output ({} rows or {} MB); \
                         return fewer rows (LIMIT) or aggregate them",
                        self.limits.keep_rows,
                        self.limits.keep_bytes / (1024 * 1024)
                    )));
                }
                Beyond::Count => {
                    self.full = true;
                    return Ok(());
                }
            }
        }
        self.bytes += size;
        self.rows.push(values);
        Ok(())
    }

    /// The first value of the first row, if any.
    pub fn first_value(&self) -> Option<&str> {
        self.rows.first()?.first()?.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake(Vec<Option<&'static str>>);

    impl TextRow for Fake {
        fn columns(&self) -> Vec<(String, String)> {
            (0..self.0.len()).map(|i| (format!("c{i}"), "text".to_string())).collect()
        }
        fn values(&self) -> Vec<Option<String>> {
            self.0.iter().map(|v| v.map(str::to_string)).collect()
        }
    }

    #[test]
    fn a_node_fails_past_its_rows_and_a_script_run_counts_them() {
        let limits = RowLimits { keep_rows: 2, keep_bytes: 1 << 20, beyond: Beyond::Fail };
        let mut sink = RowSink::new(limits);
        sink.push(&Fake(vec![Some("a")])).unwrap();
        sink.push(&Fake(vec![None])).unwrap();
        let Err(StatementError::TooLarge(message)) = sink.push(&Fake(vec![Some("c")])) else { panic!() };
        assert!(message.contains("2 rows"), "{message}");

        let mut sink = RowSink::new(RowLimits { beyond: Beyond::Count, ..limits });
        for _ in 0..5 {
            sink.push(&Fake(vec![Some("x"), None])).unwrap();
        }
        assert_eq!((sink.rows.len(), sink.total, sink.columns.len()), (2, 5, 2));
        assert_eq!(sink.rows[1], vec![Some("x".to_string()), None]);
    }

    #[test]
    fn bytes_are_capped_too() {
        let mut sink = RowSink::new(RowLimits { keep_rows: 100, keep_bytes: 10, beyond: Beyond::Count });
        for _ in 0..3 {
            sink.push(&Fake(vec![Some("abcd")])).unwrap();
        }
        assert_eq!((sink.rows.len(), sink.total), (1, 3), "7 bytes fit, 14 do not");
    }
}
