//! A key disabled or deleted through one server stops working on another server of the same
//! store within a second (each server trusts an opened key for `KEY_CACHE_TTL` only).

use dlf_engine::credentials::KEY_CACHE_TTL;
use dlf_engine::{Engine, EngineConfig, SystemClock};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn engine(store: Arc<dyn dlf_store::Store>, dir: &std::path::Path) -> Engine {
    Engine::new(
        store,
        EngineConfig::new(dir.join("data")),
        Arc::new(SystemClock),
        dlf_store::SecretBox::from_key(&[3; 32]),
    )
}

/// How long until `engine` no longer accepts `access_key` (at most 2 s).
async fn refused_after(engine: &Engine, access_key: &str) -> Duration {
    let began = Instant::now();
    while engine.key_material(access_key).await.unwrap().is_some() {
        assert!(began.elapsed() < Duration::from_secs(2), "the key still works after 2 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    began.elapsed()
}

#[tokio::test]
async fn a_revoked_key_stops_working_on_every_server_within_a_second() {
    assert!(KEY_CACHE_TTL <= Duration::from_secs(1));
    let dir = tempfile::tempdir().unwrap();
    let store = dlf_store::open(dir.path().join("dlf.db").to_str().unwrap()).await.unwrap();
    let (a, b) = (engine(store.clone(), dir.path()), engine(store, dir.path()));
    let key = a.create_access_key(Some("p1"), "bob").await.unwrap();
    // Server B has just opened (and cached) the key when server A disables it.
    assert!(b.key_material(&key.access_key).await.unwrap().is_some());
    a.set_access_key_disabled(&key.access_key, true).await.unwrap();
    assert!(refused_after(&b, &key.access_key).await < Duration::from_secs(1));
    a.set_access_key_disabled(&key.access_key, false).await.unwrap();
    tokio::time::sleep(KEY_CACHE_TTL).await;
    assert!(b.key_material(&key.access_key).await.unwrap().is_some(), "enabled again");
    a.delete_access_key(&key.access_key).await.unwrap();
    assert!(refused_after(&b, &key.access_key).await < Duration::from_secs(1));
}
