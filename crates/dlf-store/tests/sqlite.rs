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
