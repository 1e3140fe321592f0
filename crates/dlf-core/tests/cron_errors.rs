//! Rejections: everything Quartz 2.3.2 rejects is rejected, and the message names the field and
//! says what is wrong in words (Quartz's own text sometimes is a Java exception).

use dlf_core::cron::{CronExpr, CronField};

fn error(expr: &str) -> (Option<CronField>, String) {
    let err = CronExpr::parse(expr).expect_err(expr);
    (err.field, err.to_string())
}

#[test]
fn messages_name_the_field() {
    for (expr, field, words) in [
        ("0 0 12 * * *", CronField::DayOfWeek, "put '?' in one of them"),
        ("0 0 12 15 * MON", CronField::DayOfWeek, "both given"),
        ("0 0 12 ? * ?", CronField::DayOfWeek, "not in both"),
        ("0 0 2 * *", CronField::DayOfWeek, "missing"),
        ("", CronField::Second, "missing"),
        ("0 2 * * ?", CronField::Month, "only allowed in day-of-month or day-of-week"),
        ("0 60 * * * ?", CronField::Minute, "between 0 and 59"),
        ("60 0 * * * ?", CronField::Second, "between 0 and 59"),
        ("0 0 24 * * ?", CronField::Hour, "between 0 and 23"),
        ("0 0 0 32 * ?", CronField::DayOfMonth, "between 1 and 31"),
        ("0 0 0 ? 13 *", CronField::Month, "between 1 and 12"),
        ("0 0 0 ? * 8", CronField::DayOfWeek, "between 1 and 7"),
        ("0 0 12 ? * 6#6", CronField::DayOfWeek, "between 1 and 5"),
        ("0 0 12 ? * 2#1,4#3", CronField::DayOfWeek, "only one 'n#k'"),
        ("0 0 12 L-31 * ?", CronField::DayOfMonth, "at most 30"),
        ("0 0 12 LW,15 * ?", CronField::DayOfMonth, "cannot be combined"),
        ("0 0 12 ? * 5L,3", CronField::DayOfWeek, "cannot be combined"),
        ("0 0/60 * * * ?", CronField::Minute, "increment 60 is too large"),
        ("0 0 0/24 * * ?", CronField::Hour, "increment 24 is too large"),
        ("hello world", CronField::Second, "only month and day-of-week take names"),
        ("0 0 12 ? * FOO", CronField::DayOfWeek, "not a valid day-of-week name"),
        ("0 0 12 ? FOO *", CronField::Month, "not a valid month name"),
        ("0 0 12 C * ?", CronField::DayOfMonth, "'C' is not a valid value"),
        ("0 0 12 W * ?", CronField::DayOfMonth, "'W' is not a valid value"),
        ("0 -5 * * * ?", CronField::Minute, "unexpected character '-'"),
        ("0 5- * * * ?", CronField::Minute, "ends too early"),
        ("0 5-x * * * ?", CronField::Minute, "not a valid number"),
        ("0 */ * * * ?", CronField::Minute, "must be followed by an increment"),
        ("0 / * * * ?", CronField::Minute, "must be followed by an increment"),
        ("0 5/x * * * ?", CronField::Minute, "not a valid number"),
        ("0 0 12 5L * ?", CronField::DayOfMonth, "only allowed in day-of-week"),
        ("0 0 12 ? * 5W", CronField::DayOfWeek, "only allowed in day-of-month"),
        ("0 0 12 5#2 * ?", CronField::DayOfMonth, "only allowed in day-of-week"),
        ("0 0 12 ? * 8L", CronField::DayOfWeek, "between 1 and 7"),
        ("0 0 0 1 1 ? 2029-2027", CronField::Year, "start year must be less than the end year"),
        ("0 0 0 * * ? 2200/5", CronField::Year, "start year"),
        ("0 0 12 ?xy * MON", CronField::DayOfMonth, "unexpected 'X' after '?'"),
        ("0 99999999999 * * * ?", CronField::Minute, "too large"),
        ("0 0 0 \u{1} * ?", CronField::DayOfWeek, "needs a value in day-of-month"),
        ("0 0 12 ? JAN-F *", CronField::Month, "three-letter name"),
    ] {
        let (got_field, text) = error(expr);
        assert_eq!(got_field, Some(field), "{expr}: {text}");
        assert!(text.starts_with(&format!("{field}: ")), "{expr}: {text}");
        assert!(text.contains(words), "{expr}: expected '{words}' in: {text}");
    }
}

#[test]
fn what_quartz_accepts_is_accepted() {
    for expr in [
        "0 0 12 ? * 1C",
        "0 0 12 5C * ?",
        "0 0 12 */0 * ?",
        "0,, 0 12 * * ?",
        "0 0 12 ? * MOND",
        "0 0 12 ? * MON-FRI/2",
        "0 0 12 ? * 2-6L",
        "0 0 12 15W-1 * ?",
        "0 0 12 ? * L-2",
        "0 0 12 L-W * ?",
        "0 0 12 ? DECEMBER *",
        "0 0 12 1 1 ? 1969",
        "0 0 2 * * ? 2026 extra",
        "0 0 12 ?? * MON",
        "0 */-5 * * * ?",
        "0 *5 * * * ?",
        "0 0 0 ? * 9#2",
        "0 0 0 0W * ?",
        "L * * * * ?",
    ] {
        assert!(CronExpr::parse(expr).is_ok(), "{expr}: {:?}", CronExpr::parse(expr).err());
    }
}
