//! A script run's results (S7 `results`), within their caps.

use crate::sql::StatementResult;
use dlf_core::model::responses::ScriptResult;
use serde_json::{Map, Value};
use std::path::Path;
use std::time::Duration;

/// Most rows kept per result (the product's limit, API.md S7).
pub const MAX_RESULT_ROWS: usize = 1000;
/// Most bytes of results kept per run (the product's limit, API.md S7).
pub const MAX_RESULTS_BYTES: usize = 3 * 1024 * 1024;

/// The note on a result that lost rows to the caps.
fn capped_note(kept: usize, total: i64) -> String {
    format!(
        "showing the first {kept} of {total} rows (dlf keeps at most {MAX_RESULT_ROWS} rows per result and \
         {} MB per run)",
        MAX_RESULTS_BYTES / (1024 * 1024)
    )
}

/// Keeps the results within [`MAX_RESULTS_BYTES`] (dropping rows from the last results first,
/// noting it) and serialises them.
pub fn to_json(results: &[ScriptResult]) -> serde_json::Result<String> {
    let mut results = results.to_vec();
    for result in &mut results {
        if result.rows.len() > MAX_RESULT_ROWS {
            result.rows.truncate(MAX_RESULT_ROWS);
            result.row_count = MAX_RESULT_ROWS as i64;
            result.message = join(&result.message, &capped_note(MAX_RESULT_ROWS, result.result_count));
        }
    }
    let mut json = serde_json::to_string(&results)?;
    while json.len() > MAX_RESULTS_BYTES {
        // Halve the rows of the last result that still has some.
        let Some(result) = results.iter_mut().rev().find(|r| !r.rows.is_empty()) else { break };
        let keep = result.rows.len() / 2;
        result.rows.truncate(keep);
        result.row_count = keep as i64;
        let note = capped_note(keep, result.result_count);
        result.message = match result.message.find("showing the first") {
            Some(at) => join(result.message[..at].trim_end_matches("; "), &note),
            None => join(&result.message, &note),
        };
        json = serde_json::to_string(&results)?;
    }
    Ok(json)
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() { b.to_string() } else { format!("{a}; {b}") }
}

/// The result of one SQL statement: its rows (what was kept of them) and schema; for a
/// statement that returned no rows, "N rows affected" in `message`.
pub fn of_statement(result: &StatementResult) -> ScriptResult {
    let schema = result
        .columns
        .iter()
        .map(|(name, type_name)| {
            let mut column = Map::new();
            column.insert(name.clone(), Value::String(type_name.clone()));
            column
        })
        .collect();
    let message = if result.returns_rows {
        String::new()
    } else if result.rows_affected == 1 {
        "1 row affected".to_string()
    } else {
        format!("{} rows affected", result.rows_affected)
    };
    ScriptResult {
        message,
        duration: result.duration.as_secs_f64(),
        row_count: result.rows.len() as i64,
        rows: result.rows.clone(),
        schema,
        result_count: i64::try_from(result.row_count).unwrap_or(i64::MAX),
    }
}

/// The result of a Shell or Python run: one row per line of its log (stdout and stderr as they
/// came), column `output`.
pub async fn of_output(log_path: &Path, took: Duration) -> ScriptResult {
    let text = match tokio::fs::read(log_path).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    let lines: Vec<Vec<Option<String>>> = text.lines().map(|l| vec![Some(l.to_string())]).collect();
    let total = lines.len() as i64;
    let mut column = Map::new();
    column.insert("output".into(), Value::String("string".into()));
    ScriptResult {
        message: String::new(),
        duration: took.as_secs_f64(),
        row_count: total,
        rows: lines,
        schema: vec![column],
        result_count: total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize, width: usize) -> ScriptResult {
        let rows: Vec<Vec<Option<String>>> = (0..n).map(|i| vec![Some(format!("{i:0width$}"))]).collect();
        ScriptResult { row_count: n as i64, result_count: n as i64, rows, ..Default::default() }
    }

    #[test]
    fn rows_beyond_the_cap_are_dropped_and_said() {
        let json = to_json(&[rows(1500, 3)]).unwrap();
        let back: Vec<ScriptResult> = serde_json::from_str(&json).unwrap();
        assert_eq!((back[0].rows.len(), back[0].row_count, back[0].result_count), (1000, 1000, 1500));
        assert!(back[0].message.contains("first 1000 of 1500"), "{}", back[0].message);
    }

    #[test]
    fn the_whole_run_stays_within_its_bytes() {
        let json = to_json(&[rows(10, 1), rows(1000, 8_000)]).unwrap();
        assert!(json.len() <= MAX_RESULTS_BYTES, "{}", json.len());
        let back: Vec<ScriptResult> = serde_json::from_str(&json).unwrap();
        assert_eq!(back[0].rows.len(), 10, "the first result is untouched");
        assert!(back[1].rows.len() < 1000 && !back[1].rows.is_empty());
        assert!(back[1].message.contains(&format!("first {} of 1000", back[1].rows.len())), "{}", back[1].message);
    }

    #[tokio::test]
    async fn output_lines_are_rows() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("run.log");
        std::fs::write(&log, "a\nb c\n").unwrap();
        let result = of_output(&log, Duration::from_millis(1500)).await;
        assert_eq!(result.rows, vec![vec![Some("a".to_string())], vec![Some("b c".to_string())]]);
        assert_eq!((result.row_count, result.duration), (2, 1.5));
        let missing = of_output(&dir.path().join("none.log"), Duration::ZERO).await;
        assert_eq!(missing.row_count, 0);
    }
}
