//! The store suite on a temporary SQLite file (always runs).

use dlf_store::Store;
use std::sync::Arc;
use tempfile::TempDir;

/// A store on a file in a fresh temporary directory, returned with the directory: the test keeps
/// it until the store is gone and then removes it.
async fn open() -> Option<(Arc<dyn Store>, TempDir)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("dlf.db");
    let path = path.to_str().expect("utf-8 path");
    let store = dlf_store::open(path).await.expect("open sqlite store");
    Some((store, dir))
}

dlf_store::store_suite!(open);

/// SQLite's file belongs to one server: answers built from its job reads may be reused.
#[tokio::test]
async fn sqlite_offers_a_definitions_generation() {
    let (store, _dir) = open().await.unwrap();
    assert!(store.definitions_generation().is_some());
}
