//! Server-side verification (API.md §0.5.3 steps 2–9).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::canonical::header_text;
use super::{
    AuthorizationHeader, SDK_DATE_HEADER, SignatureError, SignedRequest, canonical_request, parse_sdk_date,
    string_to_sign,
};

/// Checks `req` against its parsed `Authorization` header and the access key's secret.
///
/// `now_ms` is the server clock (epoch ms); a `X-Sdk-Date` more than `max_skew_ms` away in either
/// direction is rejected (the server uses [`super::DEFAULT_MAX_SKEW_MS`], 15 minutes; exactly
/// the limit is accepted). The signature comparison is constant-time. Looking up the secret by
/// `auth.access_key` is the caller's job.
pub fn verify(
    req: &SignedRequest<'_>,
    auth: &AuthorizationHeader,
    secret_key: &str,
    now_ms: i64,
    max_skew_ms: i64,
) -> Result<(), SignatureError> {
    let sdk_date = header_text(req.headers, SDK_DATE_HEADER)?.ok_or(SignatureError::MissingSdkDate)?;
    let signed_at = parse_sdk_date(sdk_date)?;
    if now_ms.abs_diff(signed_at) > u64::try_from(max_skew_ms).unwrap_or(0) {
        return Err(SignatureError::ClockSkew { max_skew_ms });
    }

    let canonical = canonical_request(req, &auth.signed_headers)?;
    let to_sign = string_to_sign(sdk_date, &canonical);
    let claimed = hex::decode(&auth.signature).map_err(|_| SignatureError::SignatureMismatch)?;
    let mut mac = hmac_sha256(secret_key);
    mac.update(to_sign.as_bytes());
    mac.verify_slice(&claimed).map_err(|_| SignatureError::SignatureMismatch)
}

/// HMAC-SHA256 keyed with the secret key's UTF-8 bytes.
pub(super) fn hmac_sha256(secret_key: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length (long keys are hashed), so this never fails.
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret_key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
}
