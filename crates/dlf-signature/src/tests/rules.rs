//! Each rule of API.md §0.5.3 and each error, one at a time.

use super::super::encoding::{canonical_query, canonical_uri};
use super::*;

const DATE: &str = "20240416T095341Z";
const DATE_MS: i64 = 1_713_261_221_000;
const MINUTE: i64 = 60_000;

/// A small signed request: a name with `/` in it, a non-ASCII workspace, a query and a body.
fn sample() -> (Request, String) {
    let mut request = Request::new(
        "POST",
        "/v1/p/jobs/a%2Fb%20c/start?z=1&a=%E4%BD%9C",
        &[("Host", "localhost:8080"), ("Content-Type", "application/json;charset=utf-8"), ("workspace", "工作空间 ws")],
        br#"{"jobParams": []}"#,
    );
    let authorization = request.sign(SK, DATE);
    (request, authorization)
}

// ---- canonical URI -------------------------------------------------------------------------

#[test]
fn uri_gets_a_trailing_slash() {
    assert_eq!(canonical_uri("/v1/p/jobs"), "/v1/p/jobs/");
    assert_eq!(canonical_uri("/v1/p/jobs/"), "/v1/p/jobs/");
    assert_eq!(canonical_uri("/"), "/");
    assert_eq!(canonical_uri(""), "/");
}

#[test]
fn uri_decodes_before_splitting() {
    assert_eq!(canonical_uri("/v1/p/jobs/a%2Fb"), "/v1/p/jobs/a/b/");
    assert_eq!(canonical_uri("/v1/p/jobs/a%2fb"), "/v1/p/jobs/a/b/");
}

#[test]
fn uri_reencodes_with_the_unreserved_set() {
    assert_eq!(canonical_uri("/%41-_.~"), "/A-_.~/");
    assert_eq!(canonical_uri("/a+b c!*'()"), "/a%2Bb%20c%21%2A%27%28%29/");
    assert_eq!(canonical_uri("/%e4%bd%9c"), "/%E4%BD%9C/");
    assert_eq!(canonical_uri("/作"), "/%E4%BD%9C/");
    assert_eq!(canonical_uri("/a%25b"), "/a%25b/");
}

#[test]
fn uri_keeps_invalid_escapes_literally() {
    assert_eq!(canonical_uri("/a%zz"), "/a%25zz/");
    assert_eq!(canonical_uri("/a%4"), "/a%254/");
    assert_eq!(canonical_uri("/a%"), "/a%25/");
    assert_eq!(canonical_uri("/%%41"), "/%25A/");
    // Decoded bytes that are not UTF-8 are re-encoded as they are.
    assert_eq!(canonical_uri("/%FF%fe"), "/%FF%FE/");
}

// ---- canonical query -----------------------------------------------------------------------

#[test]
fn query_is_sorted_by_key_then_value() {
    assert_eq!(canonical_query(None), "");
    assert_eq!(canonical_query(Some("")), "");
    assert_eq!(canonical_query(Some("b=2&a=1&a=0&B=3")), "B=3&a=0&a=1&b=2");
}

#[test]
fn query_items_split_at_the_first_equals() {
    assert_eq!(canonical_query(Some("flag")), "flag=");
    assert_eq!(canonical_query(Some("a=1=2")), "a=1%3D2");
    assert_eq!(canonical_query(Some("=v")), "=v");
    assert_eq!(canonical_query(Some("a=1&&b=2&")), "a=1&b=2", "empty items are skipped");
}

#[test]
fn query_decodes_and_reencodes() {
    assert_eq!(canonical_query(Some("q=a+b")), "q=a%2Bb", "+ is a literal plus");
    assert_eq!(canonical_query(Some("q=a%20b")), "q=a%20b");
    assert_eq!(canonical_query(Some("q=%41~")), "q=A~");
    assert_eq!(canonical_query(Some("q=%25%26%3D*~'()!%2B")), "q=%25%26%3D%2A~%27%28%29%21%2B");
    assert_eq!(canonical_query(Some("%zz=%4")), "%25zz=%254");
    // Sorting is on the decoded bytes: "%41" (A) sorts before "B".
    assert_eq!(canonical_query(Some("B=1&%41=2")), "A=2&B=1");
}

// ---- canonical headers and payload -----------------------------------------------------------

fn one_header_request(name: &str, value: &[u8]) -> Result<String, SignatureError> {
    let headers = [(name, value)];
    let req = SignedRequest { method: "GET", raw_path: "/", raw_query: None, headers: &headers, body: b"" };
    canonical_request(&req, &["x-h".to_owned()])
}

#[test]
fn header_values_are_trimmed_utf8_and_names_match_in_any_case() {
    let canonical = one_header_request("X-H", " \t a  b \u{3000}".as_bytes()).unwrap();
    assert!(canonical.contains("\nx-h:a  b\n"), "{canonical}");
    let canonical = one_header_request("x-h", "工作".as_bytes()).unwrap();
    assert!(canonical.contains("\nx-h:工作\n"));
    assert_eq!(one_header_request("x-h", b"\xff"), Err(SignatureError::HeaderNotUtf8("x-h".into())));
    assert_eq!(one_header_request("x-other", b"v"), Err(SignatureError::MissingSignedHeader("x-h".into())));
}

#[test]
fn a_repeated_signed_header_is_rejected() {
    let headers: [(&str, &[u8]); 2] = [("x-h", b"1"), ("X-H", b"2")];
    let req = SignedRequest { method: "GET", raw_path: "/", raw_query: None, headers: &headers, body: b"" };
    assert_eq!(canonical_request(&req, &["x-h".to_owned()]), Err(SignatureError::DuplicateHeader("x-h".into())));
}

#[test]
fn payload_hash_rules() {
    let body = b"{}";
    let real = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    let payload_line = |declared: Option<&str>, body: &[u8]| {
        let mut headers: Vec<(&str, &[u8])> = vec![];
        if let Some(d) = declared {
            headers.push(("X-Sdk-Content-Sha256", d.as_bytes()));
        }
        let req = SignedRequest { method: "PUT", raw_path: "/", raw_query: None, headers: &headers, body };
        canonical_request(&req, &[]).map(|c| c.rsplit('\n').next().unwrap_or_default().to_owned())
    };
    assert_eq!(payload_line(None, b"").unwrap(), EMPTY_PAYLOAD_SHA256);
    assert_eq!(payload_line(Some("UNSIGNED-PAYLOAD"), b"").unwrap(), EMPTY_PAYLOAD_SHA256);
    assert_eq!(payload_line(None, body).unwrap(), real);
    assert_eq!(payload_line(Some("UNSIGNED-PAYLOAD"), body).unwrap(), "UNSIGNED-PAYLOAD");
    let upper = real.to_ascii_uppercase();
    assert_eq!(payload_line(Some(&upper), body).unwrap(), upper, "used verbatim");
    assert_eq!(payload_line(Some(EMPTY_PAYLOAD_SHA256), body), Err(SignatureError::PayloadHashMismatch));
}

// ---- Authorization and X-Sdk-Date parsing ----------------------------------------------------

#[test]
fn parses_the_sdk_layout_and_tolerates_spacing() {
    let sig = "ab".repeat(32);
    let expected = AuthorizationHeader {
        access_key: "AK".into(),
        signed_headers: vec!["host".into(), "x-sdk-date".into()],
        signature: sig.clone(),
    };
    let value = format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature={sig}");
    assert_eq!(parse_authorization(&value), Ok(expected.clone()));
    assert_eq!(expected.to_string(), value, "Display is the exact SDK layout");
    let loose = format!(" SDK-HMAC-SHA256   Signature={sig},SignedHeaders=host;x-sdk-date ,Access=AK ");
    assert_eq!(parse_authorization(&loose), Ok(expected));
}

#[test]
fn rejects_other_algorithms() {
    let sig = "ab".repeat(32);
    for algorithm in ["SDK-HMAC-SM3", "SDK-ECDSA-P256-SHA256", "sdk-hmac-sha256", "Bearer", ""] {
        let value = format!("{algorithm} Access=AK, SignedHeaders=host, Signature={sig}");
        assert_eq!(parse_authorization(&value), Err(SignatureError::UnsupportedAlgorithm), "{value}");
    }
}

#[test]
fn rejects_malformed_items() {
    let sig = "ab".repeat(32);
    let cases = [
        "SDK-HMAC-SHA256".to_owned(),
        format!("SDK-HMAC-SHA256 Access=AK SignedHeaders=host Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature={sig},"),
        format!("SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature={sig}"),
        format!("SDK-HMAC-SHA256 SignedHeaders=host, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, Signature={sig}"),
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host".to_owned(),
        format!("SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders=host, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;date, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=ho st, Signature={sig}"),
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc".to_owned(),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature={}", "zz".repeat(32)),
    ];
    for value in cases {
        assert!(matches!(parse_authorization(&value), Err(SignatureError::MalformedAuthorization(_))), "{value}");
    }
}

#[test]
fn sdk_date_is_strict() {
    assert_eq!(parse_sdk_date("19700101T000000Z"), Ok(0));
    assert_eq!(parse_sdk_date("20240229T235959Z"), Ok(1_709_251_199_000));
    for bad in [
        "",
        "20240416T095341",
        "20240416T095341z",
        "2024-04-16T09:53:41Z",
        "20240416 095341Z",
        "2024041T0953410Z",
        "+0240416T095341Z",
        "20241316T095341Z",
        "20230229T095341Z",
        "20240416T245341Z",
        "20240416T096041Z",
        "20240416T235960Z",
        "2024041€T0953Z",
        "２０２４0416T095341Z",
        "20240416T095341ZZ",
    ] {
        assert_eq!(parse_sdk_date(bad), Err(SignatureError::InvalidSdkDate), "{bad:?}");
    }
}

// ---- verify: round trips, equivalences, skew, errors -----------------------------------------

#[test]
fn slash_in_a_name_and_non_ascii_workspace_round_trip() {
    let (request, authorization) = sample();
    assert!(authorization.contains("SignedHeaders=content-type;host;workspace;x-sdk-date,"));
    assert_eq!(request.verify_at(&authorization, DATE_MS), Ok(()));
    let canonical = request.canonical(&parse_authorization(&authorization).unwrap().signed_headers);
    let canonical = canonical.unwrap();
    assert!(canonical.starts_with("POST\n/v1/p/jobs/a/b%20c/start/\na=%E4%BD%9C&z=1\n"));
    assert!(canonical.contains("\nworkspace:工作空间 ws\n"));
}

#[test]
fn equivalent_encodings_verify_alike() {
    let (request, authorization) = sample();
    let mut other = request.clone();
    other.path = "/v1/p/%6Aobs/a%2fb%20c/start".into(); // %6A is 'j'; lowercase hex
    other.query = Some("a=%e4%bd%9c&z=%31".into()); // reordered, re-escaped
    for (name, value) in &mut other.headers {
        if name == "workspace" {
            *value = format!("  {value}\t");
        }
    }
    assert_eq!(other.verify_at(&authorization, DATE_MS), Ok(()));
}

#[test]
fn skew_of_14_minutes_is_accepted_16_rejected() {
    let (request, authorization) = sample();
    for offset in [-14 * MINUTE, 14 * MINUTE, -15 * MINUTE, 15 * MINUTE] {
        assert_eq!(request.verify_at(&authorization, DATE_MS + offset), Ok(()), "{offset}");
    }
    for offset in [-16 * MINUTE, 16 * MINUTE, 15 * MINUTE + 1] {
        assert_eq!(
            request.verify_at(&authorization, DATE_MS + offset),
            Err(SignatureError::ClockSkew { max_skew_ms: DEFAULT_MAX_SKEW_MS }),
            "{offset}"
        );
    }
    assert_eq!(
        request.verify_at(&authorization, i64::MIN),
        Err(SignatureError::ClockSkew { max_skew_ms: DEFAULT_MAX_SKEW_MS })
    );
}

#[test]
fn each_failure_has_its_own_error() {
    let (request, authorization) = sample();
    let auth = parse_authorization(&authorization).unwrap();

    let wrong_sk = request.with_view(|req| verify(req, &auth, "SKWRONG", DATE_MS, &Policy::default()));
    let bad_format = request.verify_at(&authorization.replace(", ", " "), DATE_MS);
    let sm3 = request.verify_at(&authorization.replace("SDK-HMAC-SHA256", "SDK-HMAC-SM3"), DATE_MS);
    let mut no_host = request.clone();
    no_host.headers.retain(|(n, _)| n != "Host");
    let missing_header = no_host.verify_at(&authorization, DATE_MS);
    let mut bad_date = request.clone();
    bad_date
        .headers
        .iter_mut()
        .filter(|(n, _)| n == "X-Sdk-Date")
        .for_each(|(_, v)| *v = "2024-04-16T09:53:41Z".into());
    let malformed_date = bad_date.verify_at(&authorization, DATE_MS);
    let mut no_date = request.clone();
    no_date.headers.retain(|(n, _)| n != "X-Sdk-Date");
    let missing_date = no_date.verify_at(&authorization, DATE_MS);

    let errors = [wrong_sk, bad_format, sm3, missing_header, malformed_date, missing_date]
        .map(|r| r.expect_err("must be rejected"));
    assert_eq!(errors[0], SignatureError::SignatureMismatch);
    assert!(matches!(errors[1], SignatureError::MalformedAuthorization(_)));
    assert_eq!(errors[2], SignatureError::UnsupportedAlgorithm);
    assert_eq!(errors[3], SignatureError::MissingSignedHeader("host".into()));
    assert_eq!(errors[4], SignatureError::InvalidSdkDate);
    assert_eq!(errors[5], SignatureError::MissingSdkDate);
    let messages: std::collections::BTreeSet<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), errors.len(), "distinct messages: {messages:?}");
    for message in &messages {
        assert!(!message.contains(SK) && !message.contains(&auth.signature), "{message}");
    }
}

#[test]
fn messages_read_after_the_gateway_prefix() {
    assert_eq!(
        SignatureError::ClockSkew { max_skew_ms: DEFAULT_MAX_SKEW_MS }.to_string(),
        "X-Sdk-Date is more than 15 minutes off the server clock"
    );
    assert_eq!(
        SignatureError::ClockSkew { max_skew_ms: 90_000 }.to_string(),
        "X-Sdk-Date is more than 90 seconds off the server clock"
    );
    assert_eq!(SignatureError::SignatureMismatch.to_string(), "signature mismatch");
    assert_eq!(SignatureError::MissingSignedHeader("host".into()).to_string(), "signed header 'host' is missing");
}

#[test]
fn signature_hex_case_does_not_matter_but_its_value_does() {
    let (request, authorization) = sample();
    let auth = parse_authorization(&authorization).unwrap();
    let upper = authorization.replace(&auth.signature, &auth.signature.to_ascii_uppercase());
    assert_eq!(request.verify_at(&upper, DATE_MS), Ok(()));
    let zero = authorization.replace(&auth.signature, &"0".repeat(64));
    assert_eq!(request.verify_at(&zero, DATE_MS), Err(SignatureError::SignatureMismatch));
}

#[test]
fn sign_trims_values_skips_underscore_names_and_overwrites_the_date() {
    let mut request = Request::new(
        "GET",
        "/v1/p/jobs",
        &[
            ("Host", " localhost "),
            ("x_custom", "unsigned"),
            ("x-sdk-date", "19990101T000000Z"),
            ("X-Sdk-Date", "19990101T000000Z"),
        ],
        b"",
    );
    let authorization = request.sign(SK, DATE);
    assert!(authorization.contains("SignedHeaders=host;x-sdk-date,"), "{authorization}");
    assert_eq!(
        request.headers,
        [
            ("Host".to_owned(), "localhost".to_owned()),
            ("x_custom".to_owned(), "unsigned".to_owned()),
            ("x-sdk-date".to_owned(), DATE.to_owned()),
        ]
    );
    assert_eq!(request.verify_at(&authorization, DATE_MS), Ok(()));
    // The `_` header is not covered by the signature.
    request.headers[1].1 = "changed".into();
    assert_eq!(request.verify_at(&authorization, DATE_MS), Ok(()));
}

// ---- what the signature must cover (Policy) --------------------------------------------------

/// Verifies with the server's default policy (bodies must be signed).
fn verify_strict(request: &Request, authorization: &str) -> Result<(), SignatureError> {
    let auth = parse_authorization(authorization)?;
    request.with_view(|req| verify(req, &auth, SK, DATE_MS, &Policy::default()))
}

#[test]
fn the_host_must_be_signed() {
    let mut request = Request::new("GET", "/v1/p/jobs", &[("Content-Type", "application/json")], b"");
    let authorization = request.sign(SK, DATE);
    // Correct for the headers it names, but it names no host: any host would do.
    request.headers.push(("Host".into(), "dlf.example".into()));
    assert_eq!(verify_strict(&request, &authorization), Err(SignatureError::HostNotSigned));
    let (signed, authorization) = sample();
    assert_eq!(verify_strict(&signed, &authorization), Ok(()), "the sample signs its host");
}

#[test]
fn a_tenant_header_must_be_signed_whenever_it_is_sent() {
    for (name, value) in [("workspace", "ws-2"), ("X-Project-Id", "p"), ("X-Sdk-Content-Sha256", EMPTY_PAYLOAD_SHA256)]
    {
        let mut request = Request::new("GET", "/v1/p/jobs", &[("Host", "localhost")], b"");
        let authorization = request.sign(SK, DATE);
        assert_eq!(verify_strict(&request, &authorization), Ok(()));
        request.headers.push((name.into(), value.into()));
        assert_eq!(
            verify_strict(&request, &authorization),
            Err(SignatureError::HeaderNotSigned(name.to_ascii_lowercase())),
            "{name} added after signing"
        );
    }
}

#[test]
fn unsigned_payload_needs_the_servers_consent() {
    let mut request = Request::new(
        "POST",
        "/v1/p/jobs",
        &[("Host", "localhost"), ("X-Sdk-Content-Sha256", UNSIGNED_PAYLOAD)],
        b"{\"name\":\"anything\"}",
    );
    let authorization = request.sign(SK, DATE);
    assert_eq!(verify_strict(&request, &authorization), Err(SignatureError::UnsignedPayload));
    let auth = parse_authorization(&authorization).unwrap();
    let lenient = Policy { allow_unsigned_payload: true, ..Policy::default() };
    assert_eq!(request.with_view(|req| verify(req, &auth, SK, DATE_MS, &lenient)), Ok(()));
}
