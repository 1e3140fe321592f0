//! `${name}` parameter substitution (§6.2 step 1): plain text replacement, not part of the EL
//! grammar. A name that does not resolve is left verbatim, so shell's `${HOME}` or `${#arr[@]}`
//! survive; values are inserted as they are and not scanned again.

/// Replaces every `${name}` whose name `lookup` resolves. The name is everything up to the next
/// `}`; a `${` without a closing `}` on the same line, or with `{` in the name, is copied as is.
pub fn substitute_params(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let name_end = after.find(['}', '{', '\n']);
        match name_end {
            Some(end) if after.as_bytes()[end] == b'}' && end > 0 => {
                let name = &after[..end];
                match lookup(name) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[start..start + 2 + end + 1]),
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        match name {
            "result" => Some("4".into()),
            "dlf.x" => Some("X".into()),
            _ => None,
        }
    }

    #[test]
    fn resolves_known_names_and_keeps_others() {
        assert_eq!(substitute_params("#{${result} > 5}", &lookup), "#{4 > 5}");
        assert_eq!(substitute_params("cd ${HOME} && echo ${#a[@]} ${dlf.x}", &lookup), "cd ${HOME} && echo ${#a[@]} X");
        assert_eq!(substitute_params("${} ${ ${result", &lookup), "${} ${ ${result");
        assert_eq!(substitute_params("日本${result}語", &lookup), "日本4語");
    }
}
