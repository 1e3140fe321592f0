//! Properties: parsing never panics, and for any valid expression the fire times are strictly
//! increasing, strictly after the reference instant, and found quickly.

use dlf_core::cron::{CronExpr, IntervalType, derive_interval_type, period_of};
use dlf_core::zone::Zone;
use proptest::prelude::*;

const ZONES: [&str; 8] = [
    "Asia/Shanghai",
    "GMT+8",
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "Pacific/Chatham",
];

/// 1970-01-01 .. 2130-01-01 in milliseconds.
const YEAR_1970_TO_2130: std::ops::Range<i64> = 0..5_049_273_600_000;

/// One simple field: a value, `*`, a range, a step, a list.
fn simple(low: u32, high: u32) -> impl Strategy<Value = String> {
    prop_oneof![
        (low..=high).prop_map(|v| v.to_string()),
        Just("*".to_string()),
        (low..=high, low..=high).prop_map(|(a, b)| format!("{a}-{b}")),
        (low..=high, 1..=high.max(2))
            .prop_map(move |(a, step)| format!("{a}/{}", step.min(if high >= 59 { 59 } else { high }))),
        (low..=high, low..=high, 1u32..10).prop_map(|(a, b, step)| format!("{a}-{b}/{step}")),
        prop::collection::vec(low..=high, 2..4).prop_map(|values| values
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",")),
    ]
}

fn day_fields() -> impl Strategy<Value = (String, String)> {
    let day_of_month = prop_oneof![
        simple(1, 31),
        Just("L".to_string()),
        Just("LW".to_string()),
        (0u32..=30).prop_map(|n| format!("L-{n}")),
        (0u32..=30).prop_map(|n| format!("L-{n}W")),
        (1u32..=31).prop_map(|d| format!("{d}W")),
    ];
    let day_of_week = prop_oneof![
        simple(1, 7),
        (1u32..=7).prop_map(|d| format!("{d}L")),
        (1u32..=7, 1u32..=5).prop_map(|(d, k)| format!("{d}#{k}")),
        Just("MON-FRI".to_string()),
        Just("SAT,SUN".to_string()),
        Just("FRI-MON".to_string()),
    ];
    prop_oneof![day_of_month.prop_map(|dom| (dom, "?".to_string())), day_of_week.prop_map(|dow| ("?".to_string(), dow)),]
}

fn year_field() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        1 => (2020u32..2130).prop_map(|y| format!(" {y}")),
        1 => (2020u32..2100, 0u32..30).prop_map(|(y, n)| format!(" {y}-{}", y + n)),
        1 => (2020u32..2100, 1u32..5).prop_map(|(y, n)| format!(" {y}/{n}")),
    ]
}

fn valid_expression() -> impl Strategy<Value = String> {
    (
        prop_oneof![3 => Just("0".to_string()), 1 => simple(0, 59)],
        simple(0, 59),
        simple(0, 23),
        day_fields(),
        prop_oneof![3 => Just("*".to_string()), 1 => simple(1, 12)],
        year_field(),
    )
        .prop_map(|(s, m, h, (dom, dow), mon, year)| format!("{s} {m} {h} {dom} {mon} {dow}{year}"))
}

/// Strings made of cron characters, more likely to reach deep parser paths than random text.
fn cron_like_text() -> impl Strategy<Value = String> {
    prop::string::string_regex("[0-9A-Za-z*/?,#\\-LWC \t٣]{0,40}").expect("valid regex")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_any_text(text in any::<String>()) {
        if let Ok(expr) = CronExpr::parse(&text) {
            let _ = period_of(&expr, derive_interval_type(&expr));
        }
    }

    #[test]
    fn parsed_cron_like_text_never_panics_when_evaluated(
        text in cron_like_text(),
        zone in prop::sample::select(&ZONES[..]),
        after in YEAR_1970_TO_2130,
    ) {
        if let Ok(expr) = CronExpr::parse(&text) {
            for interval in IntervalType::ALL {
                let _ = period_of(&expr, interval);
            }
            let _ = period_of(&expr, derive_interval_type(&expr));
            let zone = Zone::parse(zone).unwrap();
            let mut previous = after;
            for next in expr.fire_times_after(after, zone).take(3) {
                prop_assert!(next > previous, "{text}: {next} after {previous}");
                previous = next;
            }
        }
    }

    #[test]
    fn fire_times_are_strictly_increasing(
        text in valid_expression(),
        zone in prop::sample::select(&ZONES[..]),
        after in YEAR_1970_TO_2130,
    ) {
        let expr = CronExpr::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        let zone = Zone::parse(zone).unwrap();
        let started = std::time::Instant::now();
        let mut previous = after;
        for next in expr.fire_times_after(after, zone).take(5) {
            prop_assert!(next > previous, "{text}: {next} after {previous}");
            prop_assert_eq!(next % 1000, 0, "{}: not a whole second", text);
            previous = next;
        }
        prop_assert!(started.elapsed() < std::time::Duration::from_secs(2), "{text} took {:?}", started.elapsed());
    }
}
