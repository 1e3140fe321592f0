//! The pieces of Java string behaviour that decide what Quartz's parser accepts.
//!
//! Quartz walks the expression with `String.charAt` and `substring` (UTF-16 code units),
//! upper-cases it with `toUpperCase(Locale.US)`, trims tokens with `String.trim` (everything
//! up to U+0020), splits with `StringTokenizer` (empty tokens vanish) and reads numbers with
//! `Integer.parseInt`, which takes a sign and *any* Unicode decimal digit (`٣` is 3). To accept
//! and reject exactly the same strings the parser works on UTF-16 units with these helpers.

/// A Java string: UTF-16 code units.
pub(super) type JavaStr = [u16];

/// `s.toUpperCase(Locale.US)` as UTF-16 units.
pub(super) fn java_upper(s: &str) -> Vec<u16> {
    s.to_uppercase().encode_utf16().collect()
}

/// Java's `String.trim()`: drops leading and trailing units `<= U+0020`.
pub(super) fn java_trim(s: &JavaStr) -> &JavaStr {
    let start = s.iter().position(|&u| u > 0x20).unwrap_or(s.len());
    let end = s.iter().rposition(|&u| u > 0x20).map_or(start, |i| i + 1);
    &s[start..end]
}

/// `java.util.StringTokenizer`: pieces between any of `delimiters`, empty pieces skipped.
pub(super) fn tokens<'a>(s: &'a JavaStr, delimiters: &'a [u16]) -> impl Iterator<Item = &'a JavaStr> + 'a {
    s.split(move |u| delimiters.contains(u)).filter(|piece| !piece.is_empty())
}

/// Units as text, for messages.
pub(super) fn lossy(s: &JavaStr) -> String {
    String::from_utf16_lossy(s)
}

/// The unit as an ASCII character, if it is one.
pub(super) fn ascii(unit: u16) -> Option<char> {
    u8::try_from(unit).ok().filter(u8::is_ascii).map(char::from)
}

/// `c >= '0' && c <= '9'`, the test Quartz uses to decide whether a number goes on.
pub(super) fn is_ascii_digit(unit: u16) -> bool {
    (0x30..=0x39).contains(&unit)
}

/// The zero of every block of Unicode decimal digits (category Nd) in the Basic Multilingual
/// Plane, as JDK 17 knows them (checked against `Character.digit(c, 10)` for all 65,536 units).
const DECIMAL_DIGIT_ZEROS: [u16; 37] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6,
    0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
    0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
];

/// `Character.digit(c, 10)`.
pub(super) fn decimal_digit(unit: u16) -> Option<i64> {
    let zero = DECIMAL_DIGIT_ZEROS.iter().rev().find(|&&zero| zero <= unit)?;
    let value = unit - zero;
    (value < 10).then_some(i64::from(value))
}

/// `Integer.parseInt(s)`: optional sign, one or more decimal digits, within `i32`.
pub(super) fn parse_int(s: &JavaStr) -> Option<i32> {
    let (negative, digits) = match s.first().copied().and_then(ascii) {
        Some('-') => (true, &s[1..]),
        Some('+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut magnitude: i64 = 0;
    for &unit in digits {
        magnitude = magnitude * 10 + decimal_digit(unit)?;
        if magnitude > 1 << 31 {
            return None;
        }
    }
    let value = if negative { -magnitude } else { magnitude };
    i32::try_from(value).ok()
}

/// `Integer.parseInt(String.valueOf(c))`: one unit as a number.
pub(super) fn parse_digit(unit: u16) -> Option<i32> {
    parse_int(std::slice::from_ref(&unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn parse_int_is_javas() {
        assert_eq!(parse_int(&j("42")), Some(42));
        assert_eq!(parse_int(&j("+5")), Some(5));
        assert_eq!(parse_int(&j("-5")), Some(-5));
        assert_eq!(parse_int(&j("007")), Some(7));
        assert_eq!(parse_int(&j("٣")), Some(3));
        assert_eq!(parse_int(&j("１２")), Some(12));
        assert_eq!(parse_int(&j("2147483647")), Some(i32::MAX));
        assert_eq!(parse_int(&j("-2147483648")), Some(i32::MIN));
        for bad in ["", "+", "-", "2147483648", "5x", " 5", "99999999999999999999"] {
            assert_eq!(parse_int(&j(bad)), None, "{bad}");
        }
        assert_eq!(parse_digit(u16::from(b'+')), None);
    }

    #[test]
    fn trim_and_tokens() {
        assert_eq!(java_trim(&j("\u{1}\n x \u{0}")), &j("x")[..]);
        assert!(java_trim(&j("\n\t ")).is_empty());
        let parts: Vec<String> = tokens(&j("0,,5,"), &j(",")).map(lossy).collect();
        assert_eq!(parts, ["0", "5"]);
    }

    #[test]
    fn upper_case_follows_unicode() {
        assert_eq!(lossy(&java_upper("mon-fri")), "MON-FRI");
        assert_eq!(lossy(&java_upper("ſun")), "SUN");
    }
}
