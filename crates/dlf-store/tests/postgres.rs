//! The store suite on PostgreSQL, when `DLF_TEST_POSTGRES_URL` names a database.
//!
//! Each test gets a schema of its own (`search_path` set through the URL), so tests run in
//! parallel without seeing each other. Without the variable every test passes without running:
//! `cargo test` must pass on a machine with no PostgreSQL, and `.ci/run` sets the variable (and
//! fails if the database is unreachable), so CI never skips them.

use dlf_store::Store;
use std::sync::Arc;

/// A store on a fresh schema; nothing to keep beside it.
async fn open() -> Option<(Arc<dyn Store>, ())> {
    let Ok(base) = std::env::var("DLF_TEST_POSTGRES_URL") else {
        eprintln!("DLF_TEST_POSTGRES_URL is not set: the PostgreSQL store suite does not run");
        return None;
    };
    let url =
        dlf_store::sql::fresh_postgres_schema(&base).await.expect("create a test schema on DLF_TEST_POSTGRES_URL");
    Some((dlf_store::open(&url).await.expect("open postgres store"), ()))
}

dlf_store::store_suite!(open);

/// Several servers may share one PostgreSQL database: nothing read may be reused.
#[tokio::test]
async fn postgres_offers_no_definitions_generation() {
    let Some((store, ())) = open().await else { return };
    assert_eq!(store.definitions_generation(), None);
}
