//! The tamper property required by the issue.
//!
//! For a random request — method, path segments with reserved and non-ASCII characters sent the
//! way the SDK sends them (every non-unreserved byte as `%XX`, `/` inside a segment as `%2F`),
//! query pairs, headers (mixed-case names, non-ASCII values), body and date — signed with
//! [`sign`], the property asserts:
//!
//! 1. the request as signed verifies; and
//! 2. after changing exactly one byte of one part, it no longer verifies, where "one byte" is:
//!    * **method**: any byte, replaced by a different uppercase letter;
//!    * **path (decoded)**: any byte of the decoded path (separators included) XOR a non-zero
//!      mask, then the path is re-encoded. Changes of the raw text that decode to the same bytes
//!      (`%41` vs `A`) are deliberately neutral under the canonicalisation, so the property is
//!      stated on what the path *means*;
//!    * **path (raw)**: any byte of the raw path, replaced by another printable ASCII byte:
//!      verification fails **if and only if** the percent-decoded path changed (so the
//!      neutral re-escapings are checked to still verify);
//!    * **query**: any byte of a decoded key or value XOR a non-zero mask, re-encoded (pair order
//!      and escaping are neutral by design, so only meaning changes are generated);
//!    * **signed header value**: any byte of a value as sent (sign() trims them, so no byte is
//!      surrounding whitespace) XOR a non-zero mask; the error is a mismatch, or "not UTF-8"
//!      when the change broke a UTF-8 sequence;
//!    * **body**: any byte XOR a non-zero mask;
//!    * **X-Sdk-Date**: one digit changed so that the date stays valid (checked with an unlimited
//!      skew, so the failure is the signature's and not the clock's).
//!
//! Everything except the header case fails with exactly [`SignatureError::SignatureMismatch`].

use chrono::DateTime;
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::sample::Index;

use super::*;

#[derive(Debug, Clone)]
struct Case {
    method: String,
    segments: Vec<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    date: String,
}

/// A request on the wire: what the verifier receives.
#[derive(Debug, Clone)]
struct Wire {
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Wire {
    /// Verifies with an unlimited skew: only the signature is under test here.
    fn verify(&self, auth: &AuthorizationHeader) -> Result<(), SignatureError> {
        let headers: Vec<(&str, &[u8])> = self.headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        let req = SignedRequest {
            method: &self.method,
            raw_path: &self.path,
            raw_query: self.query.as_deref(),
            headers: &headers,
            body: &self.body,
        };
        verify(&req, auth, SK, 0, &Policy { max_skew_ms: i64::MAX, allow_unsigned_payload: true })
    }
}

/// The SDK's `quote(value, safe='')` (optionally keeping `/`), written independently of the
/// module's encoder.
fn encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn encode_query(pairs: &[(Vec<u8>, Vec<u8>)]) -> Option<String> {
    let items: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode(k, false), encode(v, false))).collect();
    (!items.is_empty()).then(|| items.join("&"))
}

/// Reserved characters, `%`, `+`, space and 2-, 3- and 4-byte UTF-8.
fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-zA-Z0-9._~/?#%+&=!*'() :@;,$\\[\\]éß作业😀-]{{{min},{max}}}"))
        .expect("valid regex")
}

fn case() -> impl Strategy<Value = Case> {
    let headers = proptest::collection::btree_map("[A-Za-z][A-Za-z0-9-]{0,10}", "[ a-zA-Z0-9;=,/:é作\t]{0,12}", 0..5)
        .prop_map(|map| {
            let mut seen = std::collections::BTreeSet::new();
            map.into_iter()
                .filter(|(name, _)| {
                    let lower = name.to_ascii_lowercase();
                    !["host", "content-type", "workspace", "x-sdk-date", "x-sdk-content-sha256"]
                        .contains(&lower.as_str())
                        && seen.insert(lower)
                })
                .collect::<Vec<_>>()
        });
    (
        "[A-Z]{1,8}",
        proptest::collection::vec(text(0, 8), 1..5),
        // Keys are never empty, so every pair has a byte to change.
        proptest::collection::vec((text(1, 6), text(0, 6)), 0..5),
        "[a-z0-9作业 ]{1,10}",
        headers,
        proptest::collection::vec(any::<u8>(), 0..64),
        0i64..4_102_444_800,
    )
        .prop_map(|(method, segments, query, workspace, extra, body, secs)| {
            let mut headers = vec![
                ("Host".to_owned(), "localhost:8080".to_owned()),
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("workspace".to_owned(), workspace),
            ];
            headers.extend(extra);
            let instant = DateTime::from_timestamp(secs, 0).expect("in range");
            Case { method, segments, query, headers, body, date: format_sdk_date(instant) }
        })
}

/// Signs `case` as dlf's client would; returns the wire request and the parsed Authorization.
fn signed(case: &Case) -> (Wire, AuthorizationHeader) {
    let path_bytes: Vec<Vec<u8>> = case.segments.iter().map(|s| s.as_bytes().to_vec()).collect();
    let path = format!("/v1/{}", path_bytes.iter().map(|s| encode(s, false)).collect::<Vec<_>>().join("/"));
    let pairs: Vec<(Vec<u8>, Vec<u8>)> =
        case.query.iter().map(|(k, v)| (k.clone().into_bytes(), v.clone().into_bytes())).collect();
    let query = encode_query(&pairs);
    let mut headers = case.headers.clone();
    let authorization = sign(&case.method, &path, query.as_deref(), &mut headers, &case.body, AK, SK, &case.date);
    let wire = Wire {
        method: case.method.clone(),
        path,
        query,
        headers: headers.into_iter().map(|(n, v)| (n, v.into_bytes())).collect(),
        body: case.body.clone(),
    };
    let auth = parse_authorization(&authorization).expect("sign() output parses");
    (wire, auth)
}

/// The decoded path of a case, as bytes.
fn decoded_path(case: &Case) -> Vec<u8> {
    format!("/v1/{}", case.segments.join("/")).into_bytes()
}

/// Changes one digit of a valid `X-Sdk-Date` so that it stays valid, starting the search at
/// digit `start` and offset `step`.
fn other_valid_date(date: &str, start: usize, step: u8) -> String {
    let digits: Vec<usize> = (0..16).filter(|&i| i != 8 && i != 15).collect();
    for k in 0..digits.len() {
        let pos = digits[(start + k) % digits.len()];
        for d in 0..9u8 {
            let mut bytes = date.as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + 1 + (step + d) % 9) % 10;
            let candidate = String::from_utf8(bytes).expect("ASCII");
            if parse_sdk_date(&candidate).is_ok() {
                return candidate;
            }
        }
    }
    unreachable!("the units digit of the seconds can always change")
}

#[derive(Debug, Clone, Copy)]
enum Part {
    Method,
    DecodedPath,
    RawPath,
    Query,
    HeaderValue,
    Body,
    Date,
}

/// A case and one of its parts that has a byte to change (no query or body: not those).
fn case_and_part() -> impl Strategy<Value = (Case, Part)> {
    case().prop_flat_map(|case| {
        let mut parts = vec![Part::Method, Part::DecodedPath, Part::RawPath, Part::HeaderValue, Part::Date];
        if !case.query.is_empty() {
            parts.push(Part::Query);
        }
        if !case.body.is_empty() {
            parts.push(Part::Body);
        }
        (Just(case), proptest::sample::select(parts))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn signed_requests_verify_and_any_meaningful_byte_change_breaks_them(
        (case, part) in case_and_part(),
        which in any::<Index>(),
        at in any::<Index>(),
        mask in 1u8..=255,
    ) {
        let (wire, auth) = signed(&case);
        prop_assert_eq!(wire.verify(&auth), Ok(()));

        let mut tampered = wire.clone();
        let mut allowed = vec![SignatureError::SignatureMismatch];
        match part {
            Part::Method => {
                let mut bytes = tampered.method.into_bytes();
                let i = at.index(bytes.len());
                bytes[i] = b'A' + (bytes[i] - b'A' + 1 + mask % 25) % 26;
                tampered.method = String::from_utf8(bytes).expect("ASCII");
            }
            Part::DecodedPath => {
                let mut bytes = decoded_path(&case);
                let i = at.index(bytes.len());
                bytes[i] ^= mask;
                tampered.path = encode(&bytes, true);
            }
            Part::RawPath => {
                let mut bytes = tampered.path.into_bytes();
                let i = at.index(bytes.len());
                bytes[i] = 0x21 + (bytes[i] - 0x21 + 1 + mask % 93) % 94;
                tampered.path = String::from_utf8(bytes).expect("ASCII");
                let same_meaning = percent_decode_str(&wire.path).collect::<Vec<u8>>()
                    == percent_decode_str(&tampered.path).collect::<Vec<u8>>();
                if same_meaning {
                    prop_assert_eq!(tampered.verify(&auth), Ok(()), "{}", tampered.path);
                    return Ok(());
                }
            }
            Part::Query => {
                let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = case
                    .query
                    .iter()
                    .map(|(k, v)| (k.clone().into_bytes(), v.clone().into_bytes()))
                    .collect();
                let pair = which.index(pairs.len());
                let (key, value) = &mut pairs[pair];
                let i = at.index(key.len() + value.len());
                if i < key.len() { key[i] ^= mask } else { value[i - key.len()] ^= mask }
                tampered.query = encode_query(&pairs);
            }
            Part::HeaderValue => {
                let candidates: Vec<usize> = (0..tampered.headers.len())
                    .filter(|&i| {
                        let (name, value) = &tampered.headers[i];
                        !name.eq_ignore_ascii_case("x-sdk-date") && !value.is_empty()
                    })
                    .collect();
                let (name, value) = &mut tampered.headers[candidates[which.index(candidates.len())]];
                let i = at.index(value.len());
                value[i] ^= mask;
                allowed.push(SignatureError::HeaderNotUtf8(name.to_ascii_lowercase()));
            }
            Part::Body => {
                let i = at.index(tampered.body.len());
                tampered.body[i] ^= mask;
            }
            Part::Date => {
                let date = other_valid_date(&case.date, which.index(14), mask % 9);
                for (name, value) in &mut tampered.headers {
                    if name.eq_ignore_ascii_case("x-sdk-date") {
                        *value = date.clone().into_bytes();
                    }
                }
            }
        }
        let result = tampered.verify(&auth);
        prop_assert!(
            matches!(&result, Err(e) if allowed.contains(e)),
            "{:?} after changing {:?}: {:?}", result, part, tampered
        );
    }
}

proptest! {
    /// No input makes the parsers or the verifier panic.
    #[test]
    fn arbitrary_input_never_panics(
        authorization in "(SDK-HMAC-SHA256 )?[ -~é]{0,80}",
        date in "[0-9TZ]{0,18}|\\PC{0,18}",
        method in "\\PC{0,6}",
        path in "[%/a-fA-F0-9zé]{0,24}",
        query in proptest::option::of("[%&=+a-fA-F0-9zé]{0,24}"),
        header_bytes in proptest::collection::vec(any::<u8>(), 0..16),
        body in proptest::collection::vec(any::<u8>(), 0..8),
        now in any::<i64>(),
        skew in any::<i64>(),
    ) {
        let _ = parse_sdk_date(&date);
        let auth = parse_authorization(&authorization).unwrap_or_else(|_| AuthorizationHeader {
            access_key: String::new(),
            signed_headers: vec!["x-h".into(), "X-SDK-DATE".into(), String::new()],
            signature: authorization.clone(),
        });
        let headers: [(&str, &[u8]); 4] = [
            ("x-h", &header_bytes),
            ("X-Sdk-Date", date.as_bytes()),
            ("x-sdk-content-sha256", &header_bytes),
            ("x-h2", &header_bytes),
        ];
        let req = SignedRequest { method: &method, raw_path: &path, raw_query: query.as_deref(), headers: &headers, body: &body };
        let _ = canonical_request(&req, &auth.signed_headers);
        let _ = verify(&req, &auth, SK, now, &Policy { max_skew_ms: skew, allow_unsigned_payload: false });
    }
}
