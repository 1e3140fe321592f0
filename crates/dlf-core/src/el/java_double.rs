//! Java's `Double.toString`, which decides how decimals render into text (`2.0`, `0.3`, `1.0E10`).
//!
//! The digits are the shortest that read back as the same double (Rust's `{:e}`), except for
//! whole numbers below 2⁶³, where JDK 17's `FloatingDecimal` prints the exact integer (rounding
//! away only the digits it knows to be insignificant): `9.3358383954768048E16`. They are laid
//! out as Java does: plain notation with at least one fractional digit for magnitudes in
//! [10⁻³, 10⁷), otherwise `d.dddE±n`. When the double lies exactly halfway between the two
//! shortest candidates, Java takes the one with the even last digit (`6.311493947568282E14`
//! for …828.25), Rust's formatter the upper one; the even one is used. (For other doubles JDK 17
//! very rarely printed one digit more than the shortest; those may differ in the last digit.)

/// The text of `Double.toString(x)`.
pub fn java_double_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0.0");
    }
    let abs = x.abs();
    let (digits, exponent) = whole_number_digits(abs).unwrap_or_else(|| shortest_digits(abs));
    let body = if (1e-3..1e7).contains(&abs) {
        if exponent >= 0 {
            let int_len = exponent as usize + 1;
            let padded = format!("{digits:0<int_len$}");
            let (int_part, frac_part) = padded.split_at(int_len);
            let frac = if frac_part.is_empty() { "0" } else { frac_part };
            format!("{int_part}.{frac}")
        } else {
            let zeros = "0".repeat((-exponent - 1) as usize);
            format!("0.{zeros}{digits}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{first}.{rest}E{exponent}")
    };
    format!("{sign}{body}")
}

/// Digits and decimal exponent of `abs` in Rust's `{:e}` form, optionally with a precision.
fn scientific_digits(abs: f64, precision: Option<usize>) -> (String, i32) {
    let scientific = match precision {
        Some(p) => format!("{abs:.p$e}"),
        None => format!("{abs:e}"),
    };
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// The shortest significant digits of `abs` and its decimal exponent, ties to the even digit.
fn shortest_digits(abs: f64) -> (String, i32) {
    let (digits, exponent) = scientific_digits(abs, None);
    let odd = digits.bytes().last().is_some_and(|d| (d - b'0') % 2 == 1);
    if !odd {
        return (digits, exponent);
    }
    match lower_tie_candidate(abs, &digits, exponent) {
        Some(even) => (even, exponent),
        None => (digits, exponent),
    }
}

/// The truncated `n`-digit candidate when `abs` lies exactly halfway between it and `digits`
/// (and it reads back as `abs`).
fn lower_tie_candidate(abs: f64, digits: &str, exponent: i32) -> Option<String> {
    let n = digits.len();
    let looks_like_tie = |precision: usize| {
        let (exact, exact_exponent) = scientific_digits(abs, Some(precision));
        let (head, tail) = exact.split_at(n.min(exact.len()));
        let tie = exact_exponent == exponent && tail.starts_with('5') && tail[1..].bytes().all(|d| d == b'0');
        tie.then(|| head.to_string())
    };
    looks_like_tie(n + 24)?;
    let head = looks_like_tie(1100)?;
    if head == digits || head.bytes().last().is_none_or(|d| (d - b'0') % 2 == 1) {
        return None;
    }
    let candidate = format!("{}.{}e{exponent}", &head[..1], &head[1..]);
    (candidate.parse::<f64>().ok() == Some(abs)).then_some(head)
}

/// `FloatingDecimal`'s path for whole numbers in [1, 2⁶³): the exact value, with the low digits
/// that a 53-bit significand cannot carry rounded away (`insignificantDigitsForPow2`).
fn whole_number_digits(abs: f64) -> Option<(String, i32)> {
    const INSIGNIFICANT_DIGITS: [u32; 9] = [0, 0, 0, 0, 1, 1, 1, 2, 2];
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if !(1.0..TWO_POW_63).contains(&abs) || abs.fract() != 0.0 {
        return None;
    }
    let binary_exponent = ((abs.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let insignificant = match binary_exponent - 53 - 1 {
        p @ 0..=8 => INSIGNIFICANT_DIGITS[p as usize],
        _ => 0,
    };
    let mut value = abs as u64;
    if insignificant > 0 {
        let scale = 10u64.pow(insignificant);
        let residue = value % scale;
        value /= scale;
        if residue >= scale / 2 {
            value += 1;
        }
    }
    let text = value.to_string();
    let exponent = text.len() as i32 - 1 + insignificant as i32;
    let trimmed = text.trim_end_matches('0');
    let digits = if trimmed.is_empty() { "0" } else { trimmed };
    Some((digits.to_string(), exponent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_java_layout() {
        let cases = [
            (2.0, "2.0"),
            (0.3, "0.3"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e10, "1.0E10"),
            (1e-5, "1.0E-5"),
            (0.001, "0.001"),
            (9_999_999.0, "9999999.0"),
            (10_000_000.0, "1.0E7"),
            (123.456, "123.456"),
            (-2.5, "-2.5"),
            (-0.0, "-0.0"),
            (1.0 / 3.0, "0.3333333333333333"),
            (1.2345e-7, "1.2345E-7"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (f64::from_bits(0x4374_BACF_4A06_DB0B), "9.3358383954768048E16"),
            (8_085_461_858_196_757_504.0, "8.0854618581967575E18"),
            (1e16, "1.0E16"),
            (631_149_394_756_828.0 + 0.25, "6.311493947568282E14"),
        ];
        for (x, expected) in cases {
            assert_eq!(java_double_to_string(x), expected, "{x:?}");
        }
        assert_eq!(java_double_to_string(f64::NAN), "NaN");
        assert_eq!(java_double_to_string(f64::NEG_INFINITY), "-Infinity");
    }
}
