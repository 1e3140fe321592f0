//! The store suite on a temporary SQLite file (always runs).

use dlf_store::Store;
use std::sync::Arc;

async fn open() -> Option<Arc<dyn Store>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("dlf.db");
    // Keep the directory for the whole test: the store holds the file open.
    let path = path.to_str().expect("utf-8 path").to_string();
    std::mem::forget(dir);
    Some(dlf_store::open(&path).await.expect("open sqlite store"))
}

dlf_store::store_suite!(open);

/// SQLite's file belongs to one server: answers built from its job reads may be reused.
#[tokio::test]
async fn sqlite_offers_a_definitions_generation() {
    let store = open().await.unwrap();
    assert!(store.definitions_generation().is_some());
}
