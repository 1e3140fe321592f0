//! `dlf-signature`: Huawei Cloud APIG `SDK-HMAC-SHA256` request signatures (AK/SK), as a pure
//! library.
//!
//! The server (`dlf-api`) uses [`verify`] to check requests from the official SDKs; clients
//! (the benchmark harness `dlf-bench`, the API's tests, any tool that talks to dlf) use [`sign`].
//! Both share one canonicalisation, so whatever dlf signs, dlf verifies. It is a crate of its
//! own so that a client can sign without depending on the server: `dlf-api` pulls in the
//! engine, the store and an HTTP framework, none of which signing needs.
//!
//! Nothing here does I/O, reads a clock or knows an HTTP framework: the caller hands in the
//! request as plain strings and bytes ([`SignedRequest`]) and the current time as a number, so
//! every rule is testable in isolation. Normative reference: `API.md` §0.5.3 (the vectors of
//! §0.5.4 are tests of this crate).
//!
//! # The algorithm
//!
//! The client sends `X-Sdk-Date: YYYYMMDDTHHMMSSZ` and
//! `Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2;…>, Signature=<hex>`.
//! The signature is
//!
//! ```text
//! CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//! StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(SHA-256(CanonicalRequest))
//! Signature        = hex(HMAC-SHA256(SK, StringToSign))
//! ```
//!
//! and the verifier recomputes it from the request as received. Why each rule is the way it is:
//!
//! * **The canonical URI decodes the whole path once, then splits on `/`** — because that is what
//!   the Python SDK's signer does (`unquote(path).split('/')`). A name sent as `a%2Fb` therefore
//!   signs as `…/a/b/`; splitting first would produce `…/a%2Fb/` and reject every request for a
//!   name containing `/`. Each piece is re-encoded with the RFC 3986 unreserved set, so the
//!   canonical form does not depend on how a client chose to escape (`%41` and `A` sign alike).
//!   A `/` is appended because the SDK always appends one.
//! * **The query is decoded, sorted, re-encoded** — the SDK signs its parameters sorted and
//!   encoded, so reordering or re-escaping by a proxy does not break the signature. `+` is a
//!   literal plus (the SDK encodes a space as `%20`, never as `+`).
//! * **Only the headers named in `SignedHeaders` are covered, in that order** — SDKs differ in
//!   what they sign, so the list must come from the request, never from a fixed set. A listed
//!   header that is missing is an error, never an empty value. Values are trimmed because the
//!   SDK strips them (Python `str.strip()`, i.e. Unicode whitespace) before signing and sending.
//!   Values are decoded as UTF-8 because the SDK sends non-ASCII values (e.g. `workspace`) as
//!   raw UTF-8 bytes.
//! * **The payload hash** is of the raw body bytes as received (re-serialised JSON would differ),
//!   the fixed empty-string hash for an empty body, or the client's `X-Sdk-Content-Sha256`.
//! * **`X-Sdk-Date` enters the string to sign directly**, so a replay with a fresh date needs a
//!   new signature; a date more than 15 minutes (the server's `max_skew_ms`) off the clock is
//!   rejected, which bounds the replay window.
//! * **Some headers must be signed** ([`Policy`]): `host` always, and `workspace`,
//!   `X-Project-Id` and `X-Sdk-Content-Sha256` whenever the request carries them — they choose
//!   the tenant or how the body is checked, so a signature that leaves them out would let anyone
//!   who saw one signed request replay it against another workspace or with another body. The
//!   official SDK signs every header it sends, so its requests always qualify.
//! * **`UNSIGNED-PAYLOAD` is refused unless the server allows it** ([`Policy`]): a body that
//!   the signature does not cover could be swapped by anyone on the path.
//! * **The comparison is constant-time** ([`hmac::Mac::verify_slice`]), so response timing does not
//!   reveal how many leading bytes of a forged signature were right.
//!
//! # Choices where the reference is silent
//!
//! * Invalid percent sequences (`%zz`, a trailing `%4`) are kept literally, like Python's
//!   `unquote`; the `%` is then re-encoded as `%25`. Decoding never fails.
//! * Decoded path and query bytes are re-encoded byte for byte, even if they are not UTF-8
//!   (`%FF` stays `%FF`). Python would substitute U+FFFD, which would make `%FE` and `%FF` sign
//!   alike; no SDK ever sends such bytes, and byte-exactness keeps the canonical form injective.
//! * Empty query items (`a=1&&b=2`, a trailing `&`) are skipped; an item without `=` is a key
//!   with an empty value.
//! * A signed header that occurs more than once is rejected: a proxy and the application could
//!   disagree about which copy counts.
//! * If `X-Sdk-Content-Sha256` is a hash rather than `UNSIGNED-PAYLOAD`, it must match the body:
//!   the canonical request still uses the value verbatim (as specified), but a body that differs
//!   from the hash the client signed is rejected instead of passing unchecked.
//! * The method is used exactly as received (HTTP methods are case-sensitive; the SDK sends
//!   uppercase).
//!
//! Error messages ([`SignatureError`]) are short reasons meant to follow
//! `"Incorrect IAM authentication information: "`; they never contain the secret key or the
//! expected signature.

mod authorization;
mod canonical;
mod encoding;
mod error;
mod sign;
mod verify;

pub use authorization::{AuthorizationHeader, format_sdk_date, parse_authorization, parse_sdk_date};
pub use canonical::{canonical_request, string_to_sign};
pub use error::SignatureError;
pub use sign::sign;
pub use verify::{MUST_SIGN_WHEN_PRESENT, Policy, verify};

/// The only algorithm token accepted in `Authorization`.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// Name of the date header (compared case-insensitively).
pub const SDK_DATE_HEADER: &str = "X-Sdk-Date";
/// Name of the optional payload-hash header (compared case-insensitively).
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";
/// `X-Sdk-Content-Sha256` value by which a client opts out of signing the body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Hex SHA-256 of the empty string: the payload hash of a request without a body.
pub const EMPTY_PAYLOAD_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// The clock skew the server tolerates (Huawei's gateway limit).
pub const DEFAULT_MAX_SKEW_MS: i64 = 15 * 60 * 1000;

/// What the verifier needs from a request, independent of any HTTP library.
///
/// Borrowed, so an adapter can build it from its framework's request without copying header
/// values: `headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect::<Vec<_>>()`.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// The method exactly as received, e.g. `GET`.
    pub method: &'a str,
    /// The path exactly as received: still percent-encoded, without the query.
    pub raw_path: &'a str,
    /// The query exactly as received, without the `?`; `None` when there is none.
    pub raw_query: Option<&'a str>,
    /// Every received header: name in any case, value as raw bytes (may be UTF-8).
    /// Must include `host` (for HTTP/2, the `:authority`; behind a proxy, the original host).
    pub headers: &'a [(&'a str, &'a [u8])],
    /// The raw body bytes as received.
    pub body: &'a [u8],
}

#[cfg(test)]
mod tests;
