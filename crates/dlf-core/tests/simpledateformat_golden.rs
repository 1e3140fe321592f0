//! Every row of `tests/data/simpledateformat.tsv` (an unchanged copy of
//! `shared/testdata/simpledateformat.tsv`, printed by JDK 17 `SimpleDateFormat` with
//! `Locale.US`) must format identically; `ERROR` rows must fail to compile.

use dlf_core::datefmt::DatePattern;
use dlf_core::zone::Zone;

const GOLDEN: &str = include_str!("data/simpledateformat.tsv");

#[test]
fn every_golden_row_matches_jdk17() {
    let mut lines = GOLDEN.lines();
    let header: Vec<&str> = lines.next().expect("header row").split('\t').collect();
    assert_eq!(header, ["pattern", "epoch_ms", "time_zone", "formatted"]);
    let mut failures = Vec::new();
    let mut rows = 0;
    for line in lines.filter(|line| !line.is_empty()) {
        rows += 1;
        let cells: Vec<&str> = line.split('\t').collect();
        assert_eq!(cells.len(), 4, "malformed row: {line:?}");
        let (pattern, epoch, zone_id, expected) = (cells[0], cells[1], cells[2], cells[3]);
        let epoch_ms: i64 = epoch.parse().expect("epoch_ms");
        let zone = Zone::parse(zone_id).expect("zone");
        let got = match DatePattern::compile(pattern) {
            Ok(compiled) => compiled.format(epoch_ms, &zone),
            Err(_) => "ERROR".to_string(),
        };
        if got != expected {
            failures.push(format!(
                "pattern {pattern:?} epoch {epoch_ms} zone {zone_id}: expected {expected:?}, got {got:?}"
            ));
        }
    }
    assert_eq!(rows, 179, "row count of the golden file");
    assert!(failures.is_empty(), "{} of {rows} rows differ:\n{}", failures.len(), failures.join("\n"));
}
