//! Commons Lang's two splitting algorithms, kept apart because they are easy to get wrong.
//!
//! `split(s, chars)` treats `chars` as a *set* of separator characters, merges adjacent
//! separators and drops leading and trailing ones (JOBS.md §6.7's trap); with `max > 0` the last
//! token holds the unsplit rest. `splitByWholeSeparator` splits on a whole string, skips empty
//! tokens between separators, but keeps an empty last token after a trailing separator.

use super::java_text::is_java_whitespace;

/// `StringUtils.splitWorker(str, separatorChars, max, preserveAllTokens = false)`;
/// `separators = None` splits on whitespace.
pub(crate) fn split_on_char_set(text: &str, separators: Option<&str>, max: i64) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let is_separator = |c: char| match separators {
        None => is_java_whitespace(c),
        Some(set) => set.contains(c),
    };
    let mut tokens = Vec::new();
    let mut size_plus_one = 1;
    let (mut i, mut start) = (0, 0);
    let mut in_token = false;
    while i < chars.len() {
        if is_separator(chars[i]) {
            if in_token {
                if size_plus_one == max {
                    i = chars.len();
                }
                size_plus_one += 1;
                tokens.push(chars[start..i].iter().collect());
                in_token = false;
            }
            i += 1;
            start = i;
            continue;
        }
        in_token = true;
        i += 1;
    }
    if in_token {
        tokens.push(chars[start..i].iter().collect());
    }
    tokens
}

/// `StringUtils.splitByWholeSeparatorWorker(str, separator, max, preserveAllTokens = false)`;
/// an empty separator splits on whitespace.
pub(crate) fn split_on_whole_separator(text: &str, separator: &str, max: i64) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    if separator.is_empty() {
        return split_on_char_set(text, None, max);
    }
    let mut tokens = Vec::new();
    let mut count = 0;
    let (mut begin, mut end) = (0, 0);
    while end < text.len() {
        match text[begin..].find(separator) {
            Some(relative) => {
                end = begin + relative;
                if end > begin {
                    count += 1;
                    if count == max {
                        end = text.len();
                        tokens.push(text[begin..].to_string());
                    } else {
                        tokens.push(text[begin..end].to_string());
                        begin = end + separator.len();
                    }
                } else {
                    begin = end + separator.len();
                }
            }
            None => {
                tokens.push(text[begin..].to_string());
                end = text.len();
            }
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, set: Option<&str>, max: i64) -> Vec<String> {
        split_on_char_set(text, set, max)
    }

    #[test]
    fn char_set_split_merges_separators() {
        assert_eq!(split("[[\"000\"]]", Some("]"), -1), vec!["[[\"000\""]);
        assert_eq!(split("a..b.c.", Some("."), -1), vec!["a", "b", "c"]);
        assert_eq!(split("ab:cd:ef", Some(":"), 2), vec!["ab", "cd:ef"]);
        assert_eq!(split(" a  b ", None, -1), vec!["a", "b"]);
        assert_eq!(split("a,b;c", Some(",;"), -1), vec!["a", "b", "c"]);
        assert!(split("", Some(","), -1).is_empty());
    }

    #[test]
    fn whole_separator_split() {
        assert_eq!(split_on_whole_separator("ab-!-cd-!--!-ef", "-!-", -1), vec!["ab", "cd", "ef"]);
        assert_eq!(split_on_whole_separator("a,b,", ",", -1), vec!["a", "b", ""]);
        assert_eq!(split_on_whole_separator("ab:cd:ef", ":", 2), vec!["ab", "cd:ef"]);
    }
}
