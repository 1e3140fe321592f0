//! Java's notions of characters and positions that `StringUtils` relies on, over Rust strings.
//!
//! Positions count characters (Unicode scalar values). Java counts UTF-16 code units, so the
//! two agree for all text without characters outside the Basic Multilingual Plane (emoji).

/// `Character.isWhitespace`: Unicode spaces except the no-break ones, plus the ASCII controls
/// `\t \n \u000B \f \r` and the separators `\u001C`–`\u001F`.
pub(crate) fn is_java_whitespace(c: char) -> bool {
    match c {
        '\u{00A0}' | '\u{2007}' | '\u{202F}' => false,
        '\t' | '\n' | '\u{000B}' | '\u{000C}' | '\r' | '\u{001C}'..='\u{001F}' => true,
        '\u{0085}' => false,
        c => c.is_whitespace() && !c.is_ascii_control(),
    }
}

/// `Character.isDigit` (decimal digits of any script).
pub(crate) fn is_java_digit(c: char) -> bool {
    c.is_ascii_digit() || is_decimal_digit(c)
}

/// The common non-ASCII decimal digit blocks (Arabic-Indic … Thai, fullwidth).
fn is_decimal_digit(c: char) -> bool {
    const ZEROS: [u32; 12] =
        [0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0E50, 0xFF10];
    let code = c as u32;
    ZEROS.iter().any(|zero| (*zero..zero + 10).contains(&code))
}

/// Number of characters.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Characters `start..end` (clamped to the text).
pub(crate) fn char_slice(s: &str, start: usize, end: usize) -> String {
    s.chars().skip(start).take(end.saturating_sub(start)).collect()
}

/// Character index of the first `needle` at or after character `from` (clamped to the end, as
/// `String.indexOf` does).
pub(crate) fn index_of(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let from = from.min(char_len(haystack));
    let byte_from = haystack.char_indices().nth(from).map_or(haystack.len(), |(b, _)| b);
    haystack[byte_from..].find(needle).map(|b| from + haystack[byte_from..byte_from + b].chars().count())
}

/// Character index of the last `needle` that starts at or before character `from`.
pub(crate) fn last_index_of(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let chars: Vec<char> = haystack.chars().collect();
    let needle: Vec<char> = needle.chars().collect();
    if needle.len() > chars.len() {
        return None;
    }
    let last_start = (chars.len() - needle.len()).min(from);
    (0..=last_start).rev().find(|&i| chars[i..i + needle.len()] == needle[..])
}

/// Java's `String.equalsIgnoreCase` for one pair of characters.
pub(crate) fn chars_equal_ignore_case(a: char, b: char) -> bool {
    a == b || a.to_uppercase().eq(b.to_uppercase()) || a.to_lowercase().eq(b.to_lowercase())
}

/// Whether `needle` occurs in `haystack` at character `at`, ignoring case.
pub(crate) fn region_matches_ignore_case(haystack: &[char], at: usize, needle: &[char]) -> bool {
    at + needle.len() <= haystack.len()
        && haystack[at..at + needle.len()].iter().zip(needle).all(|(a, b)| chars_equal_ignore_case(*a, *b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        assert_eq!(index_of("日本No.0010", ".", 0), Some(4));
        assert_eq!(index_of("abcabc", "c", 3), Some(5));
        assert_eq!(index_of("abc", "", 3), Some(3));
        assert_eq!(index_of("abc", "a", 4), None);
        assert_eq!(index_of("abc", "", 9), Some(3));
        assert_eq!(last_index_of("abcabc", "bc", 10), Some(4));
        assert_eq!(last_index_of("abcabc", "bc", 3), Some(1));
        assert!(is_java_whitespace('\u{3000}'));
        assert!(!is_java_whitespace('\u{00A0}'));
        assert!(is_java_digit('٣'));
        assert!(!is_java_digit('²'));
    }
}
