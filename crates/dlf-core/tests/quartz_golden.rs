//! Every row of the golden file produced by real Quartz 2.3.2 (`tests/data/quartz-next-fire.tsv`,
//! an unchanged copy of `shared/testdata/quartz-next-fire.tsv`) must come out the same here:
//! the same accept/reject decision and the same five chained fire times, offsets included.
//! The test checks all rows and reports every mismatch, not just the first.

use chrono::DateTime;
use dlf_core::cron::CronExpr;
use dlf_core::zone::{Zone, format_iso8601};

const GOLDEN: &str = include_str!("data/quartz-next-fire.tsv");

/// Rows in the file (header excluded); a guard against a truncated copy.
const EXPECTED_ROWS: usize = 242;

struct Row<'a> {
    line: usize,
    expression: &'a str,
    zone: &'a str,
    after: &'a str,
    next: [&'a str; 5],
    error: &'a str,
}

fn rows() -> Vec<Row<'static>> {
    let mut lines = GOLDEN.lines().enumerate();
    let (_, header) = lines.next().expect("header row");
    assert_eq!(header.split('\t').count(), 9, "header: {header}");
    lines
        .filter(|(_, line)| !line.is_empty())
        .map(|(index, line)| {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells.len(), 9, "line {}: {line:?}", index + 1);
            Row {
                line: index + 1,
                expression: cells[0],
                zone: cells[1],
                after: cells[2],
                next: [cells[3], cells[4], cells[5], cells[6], cells[7]],
                error: cells[8],
            }
        })
        .collect()
}

/// What dlf says for one row, in the file's notation, or why the row could not be run.
fn check(row: &Row<'_>) -> Result<(), String> {
    let zone = Zone::parse(row.zone).map_err(|e| format!("zone: {e}"))?;
    let after = DateTime::parse_from_rfc3339(row.after).map_err(|e| format!("after: {e}"))?.timestamp_millis();
    let parsed = CronExpr::parse(row.expression);
    if row.next[0] == "ERROR" {
        return match parsed {
            Err(_) => Ok(()),
            Ok(_) => Err(format!("expected rejection ({}), but dlf accepted it", row.error)),
        };
    }
    let expr = parsed.map_err(|e| format!("expected it to parse, dlf rejected it: {e}"))?;
    let mut got = Vec::new();
    let mut previous = after;
    for _ in 0..5 {
        match expr.next_after(previous, &zone) {
            Some(next) => {
                got.push(format_iso8601(next, &zone).unwrap_or_else(|| format!("unprintable {next}")));
                previous = next;
            }
            None => break,
        }
    }
    let expected: Vec<&str> = row.next.iter().copied().take_while(|cell| !cell.is_empty()).collect();
    if got != expected {
        return Err(format!("expected {expected:?}\n      got      {got:?}"));
    }
    Ok(())
}

#[test]
fn every_golden_row_matches_quartz() {
    let rows = rows();
    assert_eq!(rows.len(), EXPECTED_ROWS, "row count of the golden file");
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in &rows {
        checked += 1;
        if let Err(why) = check(row) {
            failures.push(format!(
                "line {}: '{}' in {} after {}\n      {why}",
                row.line, row.expression, row.zone, row.after
            ));
        }
    }
    assert_eq!(checked, EXPECTED_ROWS);
    assert!(
        failures.is_empty(),
        "{} of {checked} golden rows differ from Quartz:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Rejections name the field, and where Quartz's message names a problem dlf's says the same thing.
#[test]
fn golden_rejections_name_the_field() {
    for row in rows().iter().filter(|row| row.next[0] == "ERROR") {
        let err = CronExpr::parse(row.expression).expect_err(row.expression);
        let field = err.field.unwrap_or_else(|| panic!("'{}': no field in {err}", row.expression));
        let text = err.to_string();
        assert!(text.starts_with(&format!("{field}: ")), "'{}': {text}", row.expression);
    }
}
