//! `intervalType` derivation and period length, JOBS.md §4.2, including dlf's sub-minute rule.

use dlf_core::cron::{CronExpr, IntervalType, Period, derive_interval_type, period_of};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

fn derive(expr: &str) -> IntervalType {
    derive_interval_type(&CronExpr::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}")))
}

fn period(expr: &str, interval: IntervalType) -> Period {
    period_of(&CronExpr::parse(expr).unwrap(), interval)
}

#[test]
fn derivation_table_of_the_spec() {
    for (expr, expected) in [
        // The UI's patterns, by intervalType.
        ("0 0/30 0-23 * * ?", IntervalType::Minutes),
        ("0 30/30 0-23 * * ?", IntervalType::Minutes),
        ("0 0-59/5 * * * ?", IntervalType::Minutes),
        ("0 15 0-23/2 * * ?", IntervalType::Hours),
        ("0 0 0 * * ?", IntervalType::Days),
        ("0 20 1 * * ?", IntervalType::Days),
        ("0 0 2,5,15 * * ?", IntervalType::Days), // discrete hours derive as days (no '/')
        ("0 0 2 ? * 2,4", IntervalType::Weeks),
        ("0 0 2 ? * *", IntervalType::Weeks), // day-of-week not '?'
        ("0 0 2 1,15 * ?", IntervalType::Months),
        ("0 0 2 L * ?", IntervalType::Months),
        ("0 0/5 0/2 * * ?", IntervalType::Hours), // hour '/' wins over minute '/'
        // Sub-minute: a seconds field with more than one value is minutes-class whatever else.
        ("0/2 0 2 ? * 2,4", IntervalType::Minutes),
        ("* * * * * ?", IntervalType::Minutes),
        ("0,30 0 2 1 * ?", IntervalType::Minutes),
        // A single seconds value other than 0 is not sub-minute.
        ("5 0 2 * * ?", IntervalType::Days),
    ] {
        assert_eq!(derive(expr), expected, "{expr}");
    }
}

#[test]
fn periods() {
    assert_eq!(period("0 0/30 0-23 * * ?", IntervalType::Minutes), Period::Fixed(30 * MINUTE));
    assert_eq!(period("0 0/50 0-23 * * ?", IntervalType::Minutes), Period::Fixed(50 * MINUTE));
    assert_eq!(period("0 30/30 0-23 * * ?", IntervalType::Minutes), Period::Fixed(30 * MINUTE));
    assert_eq!(period("0 0-59/5 * * * ?", IntervalType::Minutes), Period::Fixed(5 * MINUTE));
    assert_eq!(period("0 5,35 * * * ?", IntervalType::Minutes), Period::Fixed(30 * MINUTE));
    assert_eq!(period("0 5 * * * ?", IntervalType::Minutes), Period::Fixed(HOUR));
    assert_eq!(period("0 15 0-23/2 * * ?", IntervalType::Hours), Period::Fixed(2 * HOUR));
    assert_eq!(period("0 0 2,5,15 * * ?", IntervalType::Hours), Period::Fixed(HOUR));
    assert_eq!(period("0 0 0 * * ?", IntervalType::Days), Period::Fixed(DAY));
    assert_eq!(period("0 0 2 ? * 2,4", IntervalType::Weeks), Period::Fixed(7 * DAY));
    assert_eq!(period("0 0 2 1,15 * ?", IntervalType::Months), Period::Months(1));
    assert_eq!(period("0 0 2 1 1/3 ?", IntervalType::Seasons), Period::Months(3));
    assert_eq!(period("0 0 2 1 1 ?", IntervalType::Years), Period::Months(12));
    // Sub-minute: the seconds step, whatever the interval type says.
    assert_eq!(period("0/2 0 2 * * ?", IntervalType::Days), Period::Fixed(2_000));
    assert_eq!(period("* * * * * ?", IntervalType::Minutes), Period::Fixed(1_000));
    assert_eq!(period("5/15 * * * * ?", IntervalType::Hours), Period::Fixed(15_000));
    assert_eq!(period("0,10,30 * * * * ?", IntervalType::Minutes), Period::Fixed(10_000));
}

#[test]
fn wire_strings() {
    for interval in IntervalType::ALL {
        assert_eq!(IntervalType::parse(interval.as_str()), Some(interval));
        assert_eq!(IntervalType::parse(&interval.as_str().to_uppercase()), Some(interval));
        assert_eq!(interval.as_str().parse::<IntervalType>(), Ok(interval));
        assert_eq!(interval.to_string(), interval.as_str());
    }
    assert_eq!(IntervalType::parse(" Weeks "), Some(IntervalType::Weeks));
    assert_eq!(IntervalType::parse("fortnights"), None);
    assert!("".parse::<IntervalType>().is_err());
}

/// Fuzz finding (cargo fuzz, cron_parse): Quartz ignores everything after `0-23` in this hour
/// field, `/2999…` included; reading that text as the hour step overflowed the period.
#[test]
fn fuzz_regression_ignored_increment_text_is_not_a_step() {
    let crash = "0 15 0-23\u{8}\u{0}\u{0}\u{0}\u{0}~\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}/2999999999999999\u{1}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{4}999999999999999999999999999999999999999999999999999UTC9999999999999999999999999999999999999999999999 * * ?";
    let expr = CronExpr::parse(crash).expect("Quartz accepts it: hourly at :15");
    assert_eq!(derive_interval_type(&expr), IntervalType::Hours);
    for interval in IntervalType::ALL {
        let _ = period_of(&expr, interval);
    }
    assert_eq!(period_of(&expr, IntervalType::Hours), Period::Fixed(HOUR));
    assert_eq!(period("0 0/5 0-23x/99999999999999999999 * * ?", IntervalType::Hours), Period::Fixed(HOUR));
    assert_eq!(period("0 0/0050 * * * ?", IntervalType::Minutes), Period::Fixed(50 * MINUTE));
    assert_eq!(period("0-59/5x/99999 * * * * ?", IntervalType::Minutes), Period::Fixed(5_000));
}
