//! Why a signature was rejected.

/// Why a request's AK/SK signature was rejected.
///
/// `Display` is a short reason meant to follow `"Incorrect IAM authentication information: "`
/// (HTTP 401 `APIGW.0301`). It never contains the secret key or the expected signature; header
/// names it quotes come from `SignedHeaders`, which [`super::parse_authorization`] restricts to
/// HTTP token characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The `Authorization` algorithm is not `SDK-HMAC-SHA256` (e.g. `SDK-HMAC-SM3`).
    #[error("unsupported signing algorithm (only SDK-HMAC-SHA256 is accepted)")]
    UnsupportedAlgorithm,
    /// `Authorization` does not have the `Access=…, SignedHeaders=…, Signature=…` layout.
    #[error("malformed Authorization header: {0}")]
    MalformedAuthorization(&'static str),
    /// No secret key is known for the access key (for the caller's key lookup).
    #[error("unknown access key")]
    UnknownAccessKey,
    /// The request has no `X-Sdk-Date` header.
    #[error("X-Sdk-Date header is missing")]
    MissingSdkDate,
    /// `X-Sdk-Date` is not a valid `YYYYMMDDTHHMMSSZ` UTC timestamp.
    #[error("X-Sdk-Date is not a valid YYYYMMDDTHHMMSSZ timestamp")]
    InvalidSdkDate,
    /// `X-Sdk-Date` is further from the server clock than allowed.
    #[error("X-Sdk-Date is more than {} off the server clock", human_duration(*.max_skew_ms))]
    ClockSkew {
        /// The tolerance that was exceeded.
        max_skew_ms: i64,
    },
    /// A header listed in `SignedHeaders` is not in the request.
    #[error("signed header '{0}' is missing")]
    MissingSignedHeader(String),
    /// A header the signature depends on occurs more than once.
    #[error("header '{0}' occurs more than once")]
    DuplicateHeader(String),
    /// A header the signature depends on is not valid UTF-8.
    #[error("header '{0}' is not valid UTF-8")]
    HeaderNotUtf8(String),
    /// `X-Sdk-Content-Sha256` names a hash that is not the body's.
    #[error("X-Sdk-Content-Sha256 does not match the request body")]
    PayloadHashMismatch,
    /// The recomputed signature differs (wrong secret key, or the request was altered).
    #[error("signature mismatch")]
    SignatureMismatch,
    /// `SignedHeaders` does not include `host`.
    #[error("the signature must cover the host header")]
    HostNotSigned,
    /// The request carries a header that must be signed whenever present, unsigned.
    #[error("the signature must cover the '{0}' header")]
    HeaderNotSigned(String),
    /// The body is declared `UNSIGNED-PAYLOAD` and the server does not allow that.
    #[error("UNSIGNED-PAYLOAD is not accepted: sign the body")]
    UnsignedPayload,
}

/// `900000` → `15 minutes`; falls back to seconds, then milliseconds.
fn human_duration(ms: i64) -> String {
    let (n, unit) = if ms % 60_000 == 0 {
        (ms / 60_000, "minute")
    } else if ms % 1_000 == 0 {
        (ms / 1_000, "second")
    } else {
        (ms, "millisecond")
    };
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{plural}")
}
