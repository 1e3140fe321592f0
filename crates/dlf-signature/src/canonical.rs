//! The canonical request and the string to sign (API.md §0.5.3 steps 3–8).

use sha2::{Digest, Sha256};

use super::encoding::{canonical_query, canonical_uri};
use super::{ALGORITHM, CONTENT_SHA256_HEADER, EMPTY_PAYLOAD_SHA256, SignatureError, SignedRequest, UNSIGNED_PAYLOAD};

/// Builds the canonical request (steps 3–7):
/// `Method\nCanonicalURI\nCanonicalQuery\nCanonicalHeaders\nSignedHeaders\nHashedPayload`,
/// where every CanonicalHeaders line already ends in `\n` (hence the empty line before
/// SignedHeaders).
///
/// Fails if a signed header is missing, repeated or not UTF-8, or if `X-Sdk-Content-Sha256`
/// is a hash that does not match the body.
pub fn canonical_request(req: &SignedRequest<'_>, signed_headers: &[String]) -> Result<String, SignatureError> {
    let payload = hashed_payload(req)?;
    let mut out = String::with_capacity(256 + req.raw_path.len() + 64 * signed_headers.len());
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.raw_path));
    out.push('\n');
    out.push_str(&canonical_query(req.raw_query));
    out.push('\n');
    for name in signed_headers {
        let value = header_text(req.headers, name)?.ok_or_else(|| SignatureError::MissingSignedHeader(name.clone()))?;
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    out.push_str(&payload);
    Ok(out)
}

/// Builds the string to sign (step 8):
/// `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical request>`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    let hash = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    format!("{ALGORITHM}\n{sdk_date}\n{hash}")
}

/// Step 6: the empty-body hash, else `X-Sdk-Content-Sha256` verbatim, else the body's hash.
///
/// A declared hash other than `UNSIGNED-PAYLOAD` must also be the body's real hash (compared
/// case-insensitively): otherwise the signature would cover a hash but not the body it names.
fn hashed_payload(req: &SignedRequest<'_>) -> Result<String, SignatureError> {
    if req.body.is_empty() {
        return Ok(EMPTY_PAYLOAD_SHA256.to_owned());
    }
    let actual = || hex::encode(Sha256::digest(req.body));
    match header_text(req.headers, CONTENT_SHA256_HEADER)? {
        None => Ok(actual()),
        Some(declared) if declared == UNSIGNED_PAYLOAD => Ok(declared.to_owned()),
        Some(declared) if declared.eq_ignore_ascii_case(&actual()) => Ok(declared.to_owned()),
        Some(_) => Err(SignatureError::PayloadHashMismatch),
    }
}

/// The value of header `name` (matched case-insensitively), trimmed and decoded as UTF-8;
/// `None` if absent. A header that occurs twice is an error: which copy counts would be
/// ambiguous.
///
/// Trimming removes Unicode whitespace, like the SDK's Python `str.strip()`.
pub(super) fn header_text<'h>(headers: &[(&str, &'h [u8])], name: &str) -> Result<Option<&'h str>, SignatureError> {
    let mut matches = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
    let Some(&(_, value)) = matches.next() else {
        return Ok(None);
    };
    if matches.next().is_some() {
        return Err(SignatureError::DuplicateHeader(name.to_ascii_lowercase()));
    }
    let text = std::str::from_utf8(value).map_err(|_| SignatureError::HeaderNotUtf8(name.to_ascii_lowercase()))?;
    Ok(Some(text.trim()))
}
