//! The `Authorization` and `X-Sdk-Date` header formats (API.md §0.5.2, §0.5.3 steps 1–2).

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use super::{ALGORITHM, SignatureError};

/// The parsed `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` value.
///
/// `Display` writes the exact layout the SDK sends (algorithm, a space, then the three items
/// joined by `", "`), which is what [`super::sign`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationHeader {
    /// The access key id (AK); the caller looks up its secret key.
    pub access_key: String,
    /// The signed header names, in the order given (the SDK sends them lowercase and sorted).
    pub signed_headers: Vec<String>,
    /// The signature: 64 hex digits.
    pub signature: String,
}

impl fmt::Display for AuthorizationHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{ALGORITHM} Access={}, SignedHeaders={}, Signature={}",
            self.access_key,
            self.signed_headers.join(";"),
            self.signature
        )
    }
}

/// Parses an `Authorization` value (API.md §0.5.3 step 1).
///
/// The algorithm token must be exactly `SDK-HMAC-SHA256`. The rest is split on `,`; each item
/// is trimmed and split at its first `=`. `Access`, `SignedHeaders` and `Signature` must each
/// occur exactly once (other keys are ignored); `Access` must be non-empty, every signed header
/// name a non-empty HTTP token, and `Signature` 64 hex digits.
pub fn parse_authorization(value: &str) -> Result<AuthorizationHeader, SignatureError> {
    use SignatureError::MalformedAuthorization as Malformed;

    let value = value.trim();
    let (algorithm, rest) = value.split_once(' ').unwrap_or((value, ""));
    if algorithm != ALGORITHM {
        return Err(SignatureError::UnsupportedAlgorithm);
    }
    let (mut access, mut signed, mut signature) = (None, None, None);
    for item in rest.split(',') {
        let (key, val) = item.trim().split_once('=').ok_or(Malformed("an item has no '='"))?;
        let slot = match key {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(val).is_some() {
            return Err(Malformed("an item occurs twice"));
        }
    }
    let access = access.filter(|a| !a.is_empty()).ok_or(Malformed("Access is missing"))?;
    let signed = signed.ok_or(Malformed("SignedHeaders is missing"))?;
    let signature = signature.ok_or(Malformed("Signature is missing"))?;

    let signed_headers: Vec<String> = signed.split(';').map(str::to_owned).collect();
    if !signed_headers.iter().all(|name| is_token(name)) {
        return Err(Malformed("SignedHeaders is not a ';'-separated list of header names"));
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Malformed("Signature is not 64 hex digits"));
    }
    Ok(AuthorizationHeader { access_key: access.to_owned(), signed_headers, signature: signature.to_owned() })
}

/// A non-empty RFC 9110 token (the characters allowed in a header name).
fn is_token(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Parses an `X-Sdk-Date` value, `YYYYMMDDTHHMMSSZ` in UTC, into epoch milliseconds.
///
/// Strict: exactly 16 characters, digits where digits belong, a real calendar date and time
/// (no leap second).
pub fn parse_sdk_date(value: &str) -> Result<i64, SignatureError> {
    let b = value.as_bytes();
    let shape_ok =
        b.len() == 16 && b[8] == b'T' && b[15] == b'Z' && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit);
    if !shape_ok {
        return Err(SignatureError::InvalidSdkDate);
    }
    // Safe to index and parse: the shape check guarantees ASCII digits at these positions.
    let num = |range: std::ops::Range<usize>| -> u32 { b[range].iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')) };
    let year = i32::try_from(num(0..4)).map_err(|_| SignatureError::InvalidSdkDate)?;
    NaiveDate::from_ymd_opt(year, num(4..6), num(6..8))
        .and_then(|date| date.and_hms_opt(num(9..11), num(11..13), num(13..15)))
        .map(|t| t.and_utc().timestamp_millis())
        .ok_or(SignatureError::InvalidSdkDate)
}

/// Formats an instant as an `X-Sdk-Date` value (`YYYYMMDDTHHMMSSZ`, UTC, seconds truncated).
pub fn format_sdk_date(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}
