//! Client-side signing, for dlf's own CLI and benchmark client (mirrors the official SDK).

use hmac::Mac;

use super::verify::hmac_sha256;
use super::{AuthorizationHeader, SDK_DATE_HEADER, SignedRequest, canonical_request, string_to_sign};

/// Signs a request the way the official SDK does and returns the `Authorization` value.
///
/// * `raw_path` and `raw_query` are exactly what will be sent (already percent-encoded; the
///   SDK encodes path parameters with no safe characters). `method` is used verbatim: pass it
///   uppercase.
/// * `headers` must hold every header that should be signed, including `Host` (as sent,
///   with any `:port`). It is updated in place the way the SDK updates its header map: every
///   value is trimmed (send the trimmed value) and `X-Sdk-Date` is set to `sdk_date`, added
///   if absent, overwritten if present.
/// * Every header whose name has no `_` is signed: names lowercased, sorted, deduplicated.
///   Headers the HTTP library adds later (`Content-Length`, `Accept`, …) are not signed.
///   Do not pass the same name twice: the verifier rejects a repeated signed header.
/// * `sdk_date` is a `YYYYMMDDTHHMMSSZ` value, e.g. from [`super::format_sdk_date`].
///
/// Signing never fails or panics. A request that could never verify (a name repeated in
/// `headers`, or an `X-Sdk-Content-Sha256` that is not the body's hash) gets a signature over an
/// empty canonical request, which the server rejects.
#[allow(clippy::too_many_arguments)] // mirrors the request's parts one to one
pub fn sign(
    method: &str,
    raw_path: &str,
    raw_query: Option<&str>,
    headers: &mut Vec<(String, String)>,
    body: &[u8],
    access_key: &str,
    secret_key: &str,
    sdk_date: &str,
) -> String {
    set_sdk_date(headers, sdk_date);
    for (_, value) in headers.iter_mut() {
        let trimmed = value.trim();
        if trimmed.len() != value.len() {
            *value = trimmed.to_owned();
        }
    }
    let mut signed_headers: Vec<String> =
        headers.iter().filter(|(name, _)| !name.contains('_')).map(|(name, _)| name.to_ascii_lowercase()).collect();
    signed_headers.sort_unstable();
    signed_headers.dedup();

    let view: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
    let req = SignedRequest { method, raw_path, raw_query, headers: &view, body };
    // Every signed name comes from `headers`, so the only possible errors are a repeated header
    // or a wrong declared payload hash; see the doc comment.
    let canonical = canonical_request(&req, &signed_headers).unwrap_or_default();
    let mut mac = hmac_sha256(secret_key);
    mac.update(string_to_sign(sdk_date, &canonical).as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());

    AuthorizationHeader { access_key: access_key.to_owned(), signed_headers, signature }.to_string()
}

/// Sets `X-Sdk-Date` (matched case-insensitively) to `date`, keeping its position if present.
fn set_sdk_date(headers: &mut Vec<(String, String)>, date: &str) {
    let mut seen = false;
    headers.retain_mut(|(name, value)| {
        if !name.eq_ignore_ascii_case(SDK_DATE_HEADER) {
            return true;
        }
        let keep = !seen;
        if keep {
            *value = date.to_owned();
        }
        seen = true;
        keep
    });
    if !seen {
        headers.push((SDK_DATE_HEADER.to_owned(), date.to_owned()));
    }
}
