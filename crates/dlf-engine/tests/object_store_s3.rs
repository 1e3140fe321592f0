//! The object store behind `obs://bucket/key`, the same behaviours on both backends: the local
//! directory store (always) and the S3 store against the S3-protocol server named by
//! `DLF_TEST_S3_URL` (`.ci/run` starts moto and sets it; `eval "$(bash .ci/start-s3)"` does the
//! same by hand). Without that variable the S3 tests say why and pass; CI never leaves it unset.
//!
//! Variables: `DLF_TEST_S3_URL` (e.g. `http://127.0.0.1:5055`), `DLF_TEST_S3_BUCKET` (an existing
//! bucket, default `dlf-test`), `DLF_TEST_S3_REGION`, `DLF_TEST_S3_ACCESS_KEY_ID`,
//! `DLF_TEST_S3_SECRET_ACCESS_KEY`. Every engine here writes under a fresh key prefix, so runs
//! and tests never see each other's objects.

mod support;

use dlf_core::ErrorCode;
use dlf_core::model::resource::ObjectPath;
use dlf_engine::objects::{ObjectStoreSettings, S3Settings};
use dlf_engine::{Engine, EngineConfig, SystemClock};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::Arc;

/// A small object size cap, so the cap is tested without big uploads.
const CAP: u64 = 4096;

/// S3 settings for the test server, or `None` (and why) when none is configured.
fn s3_settings(prefix: &str) -> Option<S3Settings> {
    let Ok(url) = std::env::var("DLF_TEST_S3_URL") else {
        eprintln!(
            "skipped: DLF_TEST_S3_URL is not set (eval \"$(bash .ci/start-s3)\" starts an S3 server and sets it)"
        );
        return None;
    };
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
    Some(S3Settings {
        endpoint: Some(url),
        region: var("DLF_TEST_S3_REGION", "us-east-1"),
        bucket: var("DLF_TEST_S3_BUCKET", "dlf-test"),
        access_key_id: var("DLF_TEST_S3_ACCESS_KEY_ID", "dlf-test-key"),
        secret_access_key: var("DLF_TEST_S3_SECRET_ACCESS_KEY", "dlf-test-secret").into(),
        path_style: true,
        prefix: prefix.to_string(),
    })
}

fn fresh_prefix() -> String {
    format!("test-{}", uuid::Uuid::new_v4().simple())
}

/// An engine (not started: the object store needs no scheduler) over `objects`.
async fn engine(objects: ObjectStoreSettings) -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = dlf_store::open(dir.path().join("dlf.db").to_str().unwrap()).await.unwrap();
    let mut config = EngineConfig::new(dir.path().join("data"));
    config.object_max_bytes = CAP;
    config.object_store = objects;
    let engine = Engine::new(store, config, Arc::new(SystemClock), dlf_store::SecretBox::from_key(&[1; 32]));
    engine.check_object_store().await.expect("the object store answers");
    (engine, dir)
}

fn object(bucket: &str, key: &str) -> ObjectPath {
    ObjectPath::new(bucket, key).unwrap()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// What users see of the object store, identical on every backend.
async fn behaves_as_the_object_store(engine: &Engine) {
    let (p1, p2) = ("project-one", "project-two");
    let a = object("data", "dir/a.txt");

    // Put, get, overwrite.
    engine.put_object(p1, &a, b"first".to_vec()).await.unwrap();
    assert_eq!(engine.get_object(p1, &a).await.unwrap(), b"first");
    engine.put_object(p1, &a, b"second".to_vec()).await.unwrap();
    assert_eq!(engine.get_object(p1, &a).await.unwrap(), b"second");

    // A bucket exists while something is stored under it; a name that only starts the same does not.
    assert!(engine.bucket_exists(p1, "data").await.unwrap());
    assert!(!engine.bucket_exists(p1, "dat").await.unwrap());
    assert!(!engine.bucket_exists(p1, "nothing").await.unwrap());

    // A missing object: DLF.3051 naming it.
    let missing = engine.get_object(p1, &object("data", "dir/absent.txt")).await.unwrap_err();
    assert_eq!(missing.code, ErrorCode::InvalidParameter);
    assert_eq!(
        missing.message,
        "The request parameter is invalid: the object obs://data/dir/absent.txt does not exist"
    );
    let missing = engine.object_source(p1, &object("data", "dir/absent.txt")).await.unwrap_err();
    assert_eq!(
        missing.message,
        "The request parameter is invalid: the object obs://data/dir/absent.txt does not exist"
    );

    // The size cap: at most CAP bytes, and a refused write changes nothing.
    let too_big = engine.put_object(p1, &a, vec![b'x'; CAP as usize + 1]).await.unwrap_err();
    assert_eq!(too_big.code, ErrorCode::PayloadTooLarge);
    assert_eq!(engine.get_object(p1, &a).await.unwrap(), b"second");
    let full = object("data", "full.bin");
    engine.put_object(p1, &full, vec![7; CAP as usize]).await.unwrap();
    assert_eq!(engine.get_object(p1, &full).await.unwrap().len(), CAP as usize);

    // Two projects never see each other's objects or buckets.
    let hidden = engine.get_object(p2, &a).await.unwrap_err();
    assert_eq!(hidden.message, "The request parameter is invalid: the object obs://data/dir/a.txt does not exist");
    assert!(!engine.bucket_exists(p2, "data").await.unwrap());
    engine.put_object(p2, &a, b"project two's".to_vec()).await.unwrap();
    assert_eq!(engine.get_object(p2, &a).await.unwrap(), b"project two's");
    assert_eq!(engine.get_object(p1, &a).await.unwrap(), b"second");

    // A project id that is not one plain name reaches nothing.
    for bad in ["", "..", "../project-one", ".tmp"] {
        assert_eq!(engine.get_object(bad, &a).await.unwrap_err().code, ErrorCode::InvalidParameter, "{bad:?}");
    }

    // The local file a node's resource is copied from holds the object's bytes.
    let source = engine.object_source(p1, &a).await.unwrap();
    assert_eq!(std::fs::read(&source).unwrap(), b"second");

    // An import path names an object of the caller's project.
    let package = zip_of(&[("jobs/demo.job", b"{}")]);
    engine.put_object(p1, &object("imports", "pkg/jobs.zip"), package.clone()).await.unwrap();
    assert_eq!(engine.read_package(p1, "obs://imports/pkg/jobs.zip").await.unwrap(), package);
    let unreadable = engine.read_package(p1, "obs://imports/pkg/other.zip").await.unwrap_err();
    assert_eq!(unreadable.code, ErrorCode::ObsFileUnreadable);
    let no_bucket = engine.read_package(p2, "obs://imports/pkg/jobs.zip").await.unwrap_err();
    assert_eq!(no_bucket.code, ErrorCode::ObsBucketNotFound);

    // An export lands where an import finds it.
    let written = engine.write_export(p2, "obs://exports/2026", "jobs.zip", package.clone()).await.unwrap();
    assert_eq!(written, "obs://exports/2026/jobs.zip");
    assert_eq!(engine.read_package(p2, &written).await.unwrap(), package);
}

#[tokio::test]
async fn the_local_store_behaves_as_the_object_store() {
    let (engine, dir) = engine(ObjectStoreSettings::Local).await;
    behaves_as_the_object_store(&engine).await;
    // Its layout: one directory per project under the data directory.
    let file = dir.path().join("data/objects/project-one/data/dir/a.txt");
    assert_eq!(std::fs::read(file).unwrap(), b"second");
}

#[tokio::test]
async fn the_s3_store_behaves_as_the_object_store() {
    let prefix = fresh_prefix();
    let Some(settings) = s3_settings(&prefix) else { return };
    let (engine, _dir) = engine(ObjectStoreSettings::S3(settings.clone())).await;
    behaves_as_the_object_store(&engine).await;

    // Its layout: `<prefix>/<project>/<bucket>/<key>` in the configured bucket, which a second
    // engine on the same bucket and prefix (another server, or this one after a restart) reads.
    let (other, _other_dir) = engine_on(settings.clone()).await;
    assert_eq!(other.get_object("project-one", &object("data", "dir/a.txt")).await.unwrap(), b"second");
    // Another prefix is another store.
    let (elsewhere, _elsewhere_dir) = engine_on(S3Settings { prefix: fresh_prefix(), ..settings }).await;
    assert!(!elsewhere.bucket_exists("project-one", "data").await.unwrap());
}

async fn engine_on(settings: S3Settings) -> (Engine, tempfile::TempDir) {
    engine(ObjectStoreSettings::S3(settings)).await
}

#[tokio::test]
async fn a_misconfigured_s3_store_says_what_is_wrong_before_any_request() {
    let Some(settings) = s3_settings(&fresh_prefix()) else { return };
    let dir = tempfile::tempdir().unwrap();
    let store = dlf_store::open(dir.path().join("dlf.db").to_str().unwrap()).await.unwrap();
    let check = |objects: S3Settings| {
        let store = store.clone();
        let mut config = EngineConfig::new(dir.path().join("data"));
        config.object_store = ObjectStoreSettings::S3(objects);
        async move {
            let engine = Engine::new(store, config, Arc::new(SystemClock), dlf_store::SecretBox::from_key(&[1; 32]));
            engine.check_object_store().await.unwrap_err()
        }
    };
    let absent = check(S3Settings { bucket: "no-such-bucket-for-dlf".into(), ..settings.clone() }).await;
    assert!(absent.contains("no-such-bucket-for-dlf"), "{absent}");
    let not_a_url = check(S3Settings { endpoint: Some("127.0.0.1:5055".into()), ..settings.clone() }).await;
    assert!(not_a_url.contains("not an http:// or https:// URL"), "{not_a_url}");
    let nobody = check(S3Settings { endpoint: Some("http://127.0.0.1:9".into()), ..settings.clone() }).await;
    assert!(nobody.contains("cannot list the bucket"), "{nobody}");
    assert!(!nobody.contains(secrecy::ExposeSecret::expose_secret(&settings.secret_access_key)), "{nobody}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_node_reads_a_resource_kept_in_s3() {
    let Some(settings) = s3_settings(&fresh_prefix()) else { return };
    let t = support::TestEngine::start_with(|config| config.object_store = ObjectStoreSettings::S3(settings)).await;
    let project = t.tenant.project_id.clone();
    t.engine.put_object(&project, &object("tools", "lib/greeting.txt"), b"hello from S3\n".to_vec()).await.unwrap();
    let body = json!({"name": "greeting", "type": "file", "location": "obs://tools/lib/greeting.txt"});
    t.engine.create_resource(&t.tenant, &t.caller, &serde_json::to_vec(&body).unwrap()).await.unwrap();
    let mut node: Value = support::shell("read", "cat greeting.txt", &[]);
    node["properties"].as_array_mut().unwrap().push(json!({"name": "resources", "value": "greeting"}));
    t.create(&support::job("uses_s3", vec![node])).await;
    let id = t.run("uses_s3", &[]).await;
    let detail = t.finished("uses_s3", id).await;
    let log = t.engine.node_log(&t.tenant, "uses_s3", &id.to_string(), "read", None).await.unwrap();
    let log = std::fs::read_to_string(log.path).unwrap_or_default();
    assert_eq!(detail.status, "success", "{log}");
    assert!(log.contains("hello from S3"), "{log}");
}
