//! API.md §0.5.4, byte for byte (AK `AKIDEXAMPLE`, SK `SKEXAMPLESECRET`).

use super::*;

const DATE: &str = "20240416T095341Z";
const DATE_MS: i64 = 1_713_261_221_000;
const PROJECT: &str = "b384b9e9ab9b4ee8994c8633aabc9505";
const HOST: &str = "dayu-dlf.cn-north-4.myhuaweicloud.com";
const UA: &str = "huaweicloud-usdk-python/3.0";

/// Vector 1's headers, in the order the spec lists them.
fn vector1() -> Request {
    let target = format!("/v1/{PROJECT}/jobs?jobName=my%20job&jobType=BATCH&limit=10&offset=0");
    Request::new(
        "GET",
        &target,
        &[
            ("Content-Type", "application/json"),
            ("workspace", "d1cd7861478748a6925bc02f47c69279"),
            ("User-Agent", UA),
            ("X-Sdk-Date", DATE),
            ("Host", HOST),
            ("X-Project-Id", PROJECT),
        ],
        b"",
    )
}

/// Vectors 2 and 3: "headers as above but `Content-Type: application/json;charset=utf-8` and
/// no `workspace`".
fn without_workspace(method: &str, target: &str, body: &[u8]) -> Request {
    Request::new(
        method,
        target,
        &[
            ("Content-Type", "application/json;charset=utf-8"),
            ("User-Agent", UA),
            ("X-Sdk-Date", DATE),
            ("Host", HOST),
            ("X-Project-Id", PROJECT),
        ],
        body,
    )
}

fn vector2() -> Request {
    let body = br#"{"jobParams": [{"name": "aaa", "value": "111"}]}"#;
    assert_eq!(body.len(), 48);
    without_workspace("POST", &format!("/v1/{PROJECT}/jobs/myJob/run-immediate"), body)
}

fn vector3() -> Request {
    without_workspace("DELETE", &format!("/v1/{PROJECT}/scripts/%E4%BD%9C%E4%B8%9A%20a"), b"")
}

fn authorization(signed: &str, signature: &str) -> String {
    format!("SDK-HMAC-SHA256 Access=AKIDEXAMPLE, SignedHeaders={signed}, Signature={signature}")
}

/// The vector verifies at its own instant, and signing reproduces its `Authorization` exactly.
fn check_verify_and_sign(request: &Request, expected_authorization: &str) {
    assert_eq!(request.verify_at(expected_authorization, DATE_MS), Ok(()));
    let mut again = request.clone();
    assert_eq!(again.sign(SK, DATE), expected_authorization);
    assert_eq!(again.headers, request.headers, "X-Sdk-Date was present, nothing is added");
}

fn signed_list(list: &str) -> Vec<String> {
    list.split(';').map(str::to_owned).collect()
}

#[test]
fn vector1_get_with_query() {
    let request = vector1();
    let signed = "content-type;host;user-agent;workspace;x-project-id;x-sdk-date";
    let canonical = request.canonical(&signed_list(signed)).unwrap();
    let expected_canonical = format!(
        "GET\n\
         /v1/{PROJECT}/jobs/\n\
         jobName=my%20job&jobType=BATCH&limit=10&offset=0\n\
         content-type:application/json\n\
         host:{HOST}\n\
         user-agent:{UA}\n\
         workspace:d1cd7861478748a6925bc02f47c69279\n\
         x-project-id:{PROJECT}\n\
         x-sdk-date:{DATE}\n\
         \n\
         {signed}\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(canonical, expected_canonical);
    assert_eq!(
        string_to_sign(DATE, &canonical),
        "SDK-HMAC-SHA256\n20240416T095341Z\n\
         177979068edfa46ffeb56cfe035152493dd976f9c491d2d239cd443744b7a2ac"
    );
    let expected = authorization(signed, "4c44591ccdbab774e68633f8ce6cc97705618aecb666900d6dd2e55ce05486bf");
    check_verify_and_sign(&request, &expected);
}

#[test]
fn vector2_post_with_body() {
    let request = vector2();
    let signed = "content-type;host;user-agent;x-project-id;x-sdk-date";
    let canonical = request.canonical(&signed_list(signed)).unwrap();
    let lines: Vec<&str> = canonical.lines().collect();
    assert_eq!(lines[1], format!("/v1/{PROJECT}/jobs/myJob/run-immediate/"));
    assert_eq!(lines[2], "", "empty query line");
    assert_eq!(lines[lines.len() - 2], signed);
    assert_eq!(lines[lines.len() - 1], "61751931244aebb8857a50c802a372001857d0e907346eb555fc4e328805c6db");
    assert_eq!(sha256_hex(&canonical), "5efae2aa5be187c620bc3a7486919cf9bf699d97f3ae28e57311332c6d04583f");
    let expected = authorization(signed, "d67cd3bcc392efc917df9d19409ca0b0182bf76728492aca1109382607f75dbb");
    check_verify_and_sign(&request, &expected);
}

#[test]
fn vector3_delete_non_ascii_name() {
    let request = vector3();
    let signed = "content-type;host;user-agent;x-project-id;x-sdk-date";
    let canonical = request.canonical(&signed_list(signed)).unwrap();
    assert_eq!(canonical.lines().nth(1), Some(format!("/v1/{PROJECT}/scripts/%E4%BD%9C%E4%B8%9A%20a/").as_str()));
    assert_eq!(sha256_hex(&canonical), "d75af8ba5977495fa2348a1e61b472a3b5df17316b23626b86f0f56c9760ccb0");
    let expected = authorization(signed, "04a5240cb9e7ccea0570aa312dff6ad3225d9cf4372f71d012c8c7b993578e8e");
    check_verify_and_sign(&request, &expected);
}

#[test]
fn sign_adds_the_date_header_when_absent() {
    let mut request = vector1();
    request.headers.retain(|(n, _)| n != "X-Sdk-Date");
    let authorization = request.sign(SK, DATE);
    assert_eq!(request.headers.last(), Some(&("X-Sdk-Date".to_owned(), DATE.to_owned())));
    // Header order does not matter: the result is vector 1's signature.
    assert!(authorization.ends_with("4c44591ccdbab774e68633f8ce6cc97705618aecb666900d6dd2e55ce05486bf"));
}

#[test]
fn sdk_date_of_the_vectors() {
    assert_eq!(parse_sdk_date(DATE), Ok(DATE_MS));
    let instant = chrono::DateTime::from_timestamp_millis(DATE_MS).unwrap();
    assert_eq!(format_sdk_date(instant), DATE);
}
