//! Percent-decoding and the RFC 3986 re-encoding used for the canonical URI and query.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, percent_encode};

/// Everything except the RFC 3986 unreserved set `A-Z a-z 0-9 - _ . ~` is encoded (as uppercase
/// `%XX`), which is what the SDK's `quote(s, safe='~')` produces.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Decodes `%XX`; invalid sequences (`%zz`, a trailing `%` or `%4`) are kept literally, like
/// Python's `unquote`. `+` stays `+`. Never fails; the result may be any bytes.
pub(super) fn decode(raw: &str) -> Cow<'_, [u8]> {
    percent_decode(raw.as_bytes()).into()
}

/// Appends `bytes` to `out`, encoding everything outside the unreserved set.
pub(super) fn encode_into(out: &mut String, bytes: &[u8]) {
    out.extend(percent_encode(bytes, ENCODE));
}

/// API.md §0.5.3 step 3: decode the whole path once, split on `/`, re-encode each piece, join
/// with `/`, and make sure it ends with `/`.
///
/// Decoding before splitting is deliberate (it is what the SDK signs): `a%2Fb` becomes `a/b/`.
pub(super) fn canonical_uri(raw_path: &str) -> String {
    let decoded = decode(raw_path);
    let mut out = String::with_capacity(raw_path.len() + 1);
    for (i, piece) in decoded.split(|&b| b == b'/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        encode_into(&mut out, piece);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// API.md §0.5.3 step 4: split on `&`, each item at its first `=` (no `=`: empty value), decode
/// both sides, sort by key then value (bytes), re-encode, join as `k=v` with `&`.
///
/// Empty items (from `&&` or a trailing `&`) are skipped.
pub(super) fn canonical_query(raw_query: Option<&str>) -> String {
    let Some(raw) = raw_query else {
        return String::new();
    };
    let mut pairs: Vec<_> = raw
        .split('&')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (key, value) = item.split_once('=').unwrap_or((item, ""));
            (decode(key), decode(value))
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::with_capacity(raw.len());
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, key);
        out.push('=');
        encode_into(&mut out, value);
    }
    out
}
