//! `dlf serve` with the S3 object store, against the S3-protocol server named by
//! `DLF_TEST_S3_URL` (`.ci/run` starts moto; `eval "$(bash .ci/start-s3)"` by hand): an object
//! uploaded through dlf's route is an S3 object under `<prefix>/<project>/<bucket>/<key>`, and a
//! wrong S3 setting stops the server at start with a message saying what is wrong. Without the
//! variable the tests say why and pass; CI never leaves it unset.

mod common;

use common::{PROJECT, Server};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct S3 {
    url: String,
    bucket: String,
    access_key_id: String,
    secret: String,
    region: String,
}

fn s3() -> Option<S3> {
    let Ok(url) = std::env::var("DLF_TEST_S3_URL") else {
        eprintln!(
            "skipped: DLF_TEST_S3_URL is not set (eval \"$(bash .ci/start-s3)\" starts an S3 server and sets it)"
        );
        return None;
    };
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
    Some(S3 {
        url,
        bucket: var("DLF_TEST_S3_BUCKET", "dlf-test"),
        access_key_id: var("DLF_TEST_S3_ACCESS_KEY_ID", "dlf-test-key"),
        secret: var("DLF_TEST_S3_SECRET_ACCESS_KEY", "dlf-test-secret"),
        region: var("DLF_TEST_S3_REGION", "us-east-1"),
    })
}

fn s3_flags(s3: &S3, bucket: &str, prefix: &str) -> Vec<String> {
    [
        "--object-store",
        "s3",
        "--s3-endpoint",
        &s3.url,
        "--s3-region",
        &s3.region,
        "--s3-bucket",
        bucket,
        "--s3-access-key-id",
        &s3.access_key_id,
        "--s3-path-style",
        "--s3-prefix",
        prefix,
    ]
    .map(str::to_string)
    .to_vec()
}

#[tokio::test]
async fn an_object_put_through_dlf_is_an_object_of_the_s3_bucket() {
    let Some(s3) = s3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let prefix = format!("serve-{}", uuid_like());
    let flags = s3_flags(&s3, &s3.bucket, &prefix);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = Server::start_with_env(&data_dir, &flags, &[("DLF_S3_SECRET_ACCESS_KEY", s3.secret.as_str())]).await;

    let object_url = server.url(&format!("/x/v1/{PROJECT}/objects/packages/2026/jobs.zip"));
    let put = server.client.put(&object_url).body(b"zip bytes".to_vec()).send().await.unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    let got = server.client.get(&object_url).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"zip bytes");

    // In the S3 bucket, under the prefix and the project.
    let in_s3 = format!("{}/{}/{prefix}/{PROJECT}/packages/2026/jobs.zip", s3.url, s3.bucket);
    // moto refuses anonymous reads of a private object but does not verify signatures: an
    // Authorization header naming the test key is enough to read it directly.
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/20260101/{}/s3/aws4_request, SignedHeaders=host, Signature=00",
        s3.access_key_id, s3.region
    );
    let raw = server.client.get(&in_s3).header("Authorization", authorization).send().await.unwrap();
    assert_eq!(raw.status(), 200, "{in_s3}");
    assert_eq!(raw.bytes().await.unwrap().as_ref(), b"zip bytes");

    // Another project's address of the same bucket and key finds nothing.
    let other = server.url("/x/v1/p0000000000000000000000000000002/objects/packages/2026/jobs.zip");
    let missing = server.client.get(&other).send().await.unwrap();
    assert_eq!(missing.status(), 400);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error_code"], "DLF.3051", "{body}");

    // The secret key is in no log line.
    drop(server);
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "log") {
            let log = std::fs::read_to_string(entry.path()).unwrap();
            assert!(log.contains("dlf is serving") && !log.contains(&s3.secret), "{log}");
        }
    }
}

#[test]
fn a_wrong_s3_setting_stops_dlf_serve_at_start() {
    let Some(s3) = s3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let flags = s3_flags(&s3, "no-such-bucket-for-dlf", "x");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlf"))
        .args(["serve", "--no-auth", "--listen", &format!("127.0.0.1:{}", common::free_port()), "--data-dir"])
        .arg(dir.path().join("data"))
        .args(&flags)
        .env("DLF_S3_SECRET_ACCESS_KEY", &s3.secret)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("dlf serve kept running with a bucket that does not exist");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("object store") && stderr.contains("no-such-bucket-for-dlf"), "{stderr}");
    assert!(!stderr.contains(&s3.secret), "{stderr}");

    // No secret key at all: refused before any request, naming the settings.
    let output = Command::new(env!("CARGO_BIN_EXE_dlf"))
        .args(["serve", "--no-auth", "--listen", &format!("127.0.0.1:{}", common::free_port()), "--data-dir"])
        .arg(dir.path().join("data"))
        .args(s3_flags(&s3, &s3.bucket, "x"))
        .env_remove("DLF_S3_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("DLF_S3_SECRET_ACCESS_KEY"), "{stderr}");
}

/// A fresh name, so runs never see each other's objects.
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{nanos:x}-{}", std::process::id())
}
