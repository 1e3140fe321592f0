//! Server-side verification (API.md §0.5.3 steps 2–9).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::canonical::header_text;
use super::{
    AuthorizationHeader, CONTENT_SHA256_HEADER, DEFAULT_MAX_SKEW_MS, SDK_DATE_HEADER, SignatureError, SignedRequest,
    UNSIGNED_PAYLOAD, canonical_request, parse_sdk_date, string_to_sign,
};

/// Headers a signature must cover whenever the request carries them (besides `host`, which it
/// must always cover): the tenant's workspace and project, and the declared body hash.
pub const MUST_SIGN_WHEN_PRESENT: &[&str] = &["workspace", "x-project-id", "x-sdk-content-sha256"];

/// What the server demands of a signature besides its being right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Largest distance between `X-Sdk-Date` and the server clock, either way (exactly the limit
    /// is accepted).
    pub max_skew_ms: i64,
    /// Accept `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, a body the signature does not cover.
    pub allow_unsigned_payload: bool,
}

impl Default for Policy {
    /// 15 minutes of skew ([`DEFAULT_MAX_SKEW_MS`]), bodies always signed.
    fn default() -> Policy {
        Policy { max_skew_ms: DEFAULT_MAX_SKEW_MS, allow_unsigned_payload: false }
    }
}

/// Checks `req` against its parsed `Authorization` header and the access key's secret, under
/// `policy` (see the crate docs for the headers that must be signed).
///
/// `now_ms` is the server clock (epoch ms). The signature comparison is constant-time. Looking
/// up the secret by `auth.access_key` is the caller's job.
pub fn verify(
    req: &SignedRequest<'_>,
    auth: &AuthorizationHeader,
    secret_key: &str,
    now_ms: i64,
    policy: &Policy,
) -> Result<(), SignatureError> {
    let sdk_date = header_text(req.headers, SDK_DATE_HEADER)?.ok_or(SignatureError::MissingSdkDate)?;
    let signed_at = parse_sdk_date(sdk_date)?;
    if now_ms.abs_diff(signed_at) > u64::try_from(policy.max_skew_ms).unwrap_or(0) {
        return Err(SignatureError::ClockSkew { max_skew_ms: policy.max_skew_ms });
    }
    let signed = |name: &str| auth.signed_headers.iter().any(|h| h.eq_ignore_ascii_case(name));
    if !signed("host") {
        return Err(SignatureError::HostNotSigned);
    }
    for name in MUST_SIGN_WHEN_PRESENT {
        let present = req.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(name));
        if present && !signed(name) {
            return Err(SignatureError::HeaderNotSigned((*name).to_string()));
        }
    }
    if !policy.allow_unsigned_payload && header_text(req.headers, CONTENT_SHA256_HEADER)? == Some(UNSIGNED_PAYLOAD) {
        return Err(SignatureError::UnsignedPayload);
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
