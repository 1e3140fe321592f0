//! `dlf-engine`: the operations behind the API, and the machinery that runs jobs.
//!
//! [`Engine`] is the one object the HTTP layer and the CLI talk to. Its methods are the DLF
//! operations (create a job, start it, run it now, stop an instance ...), each validating with
//! `dlf-core`, persisting through `dlf-store`, and answering with a `DlfError` from the catalogue
//! when the caller is wrong. The scheduler, the dispatcher and the node runners live here too.
//! A handler never writes SQL; a runner never parses HTTP.

mod children;
pub mod clock;
pub mod config;
pub mod connections;
pub mod credentials;
mod dependencies;
mod dispatch;
pub mod execution;
mod group_commit;
pub mod http_triggers;
pub mod instances;
pub mod jobs;
pub mod logs;
pub mod notify;
pub mod objects;
pub mod operator;
pub mod packages;
pub mod recovery;
pub mod resources;
pub mod runners;
mod runtime;
mod scheduler;
pub mod sql;
pub mod ssh;
pub use instances::InstanceListQuery;
pub use jobs::{JobListQuery, ShowJobQuery};

pub mod script_runs;
pub mod scripts;
pub mod system_tasks;
pub mod tenancy;

pub use clock::{Clock, FakeClock, SystemClock};
pub use config::{EngineConfig, MissedRunPolicy, NodeSandbox, RunAs};
pub use credentials::{Caller, NewAccessKey};
pub use tenancy::Tenant;

use dlf_core::DlfError;
use dlf_store::{SecretBox, Store, StoreError};
use std::sync::Arc;

pub use runtime::RuntimeGuard;

/// The engine: shared, cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

struct EngineInner {
    store: Arc<dyn Store>,
    config: EngineConfig,
    clock: Arc<dyn Clock>,
    secrets: SecretBox,
    tenancy_cache: tenancy::WorkspaceCache,
    key_cache: credentials::KeyCache,
    runtime: runtime::Runtime,
    /// Started on first use, inside the runtime (offline commands never need it).
    committer: std::sync::OnceLock<group_commit::GroupCommitter>,
    /// As `committer`, for new manual and run-once instances.
    inserter: std::sync::OnceLock<group_commit::GroupInserter>,
    /// Who waits for which instance to end (SubJob / For Each children).
    instance_ends: children::EndWatch,
    /// The bytes behind `obs://` addresses (`objects`).
    objects: objects::Backend,
}

impl Engine {
    /// An engine over `store`. Nothing runs until [`Engine::start`] (scheduling) is called, so
    /// offline commands can use the same operations.
    pub fn new(store: Arc<dyn Store>, config: EngineConfig, clock: Arc<dyn Clock>, secrets: SecretBox) -> Engine {
        let inner = Arc::new_cyclic(|weak| {
            let mut runtime = runtime::Runtime::new(&config);
            // SubJob and For Each runners reach the engine through a weak handle (`children`).
            let children: Arc<dyn runners::subjob::ChildInstances> =
                Arc::new(children::EngineChildren::new(weak.clone()));
            let subjob: Arc<dyn runners::NodeRunner> =
                Arc::new(runners::subjob::ChildJobRunner::new(children.clone(), false));
            runtime.runners.register("SubJob", subjob.clone());
            runtime.runners.register("Subjob", subjob);
            runtime.runners.register("ForEach", Arc::new(runners::subjob::ChildJobRunner::new(children, true)));
            let objects = objects::Backend::new(&config.object_store, &config.data_dir);
            EngineInner {
                store,
                config,
                clock,
                secrets,
                tenancy_cache: Default::default(),
                key_cache: Default::default(),
                runtime,
                committer: std::sync::OnceLock::new(),
                inserter: std::sync::OnceLock::new(),
                instance_ends: Default::default(),
                objects,
            }
        });
        Engine { inner }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// Writes one instance state change through the group committer (see `group_commit`):
    /// returns once it is durable; `Ok(false)` when the instance's status had changed.
    pub(crate) async fn commit_instance(&self, commit: dlf_store::InstanceCommit) -> dlf_store::StoreResult<bool> {
        let committer =
            self.inner.committer.get_or_init(|| group_commit::GroupCommitter::start(self.inner.store.clone()));
        committer.commit(commit).await
    }

    /// Creates a manual or run-once instance through the group inserter (see `group_commit`):
    /// returns once it is durable.
    pub(crate) async fn insert_instance(
        &self,
        instance: dlf_store::NewInstance,
    ) -> dlf_store::StoreResult<Option<dlf_store::InstanceRecord>> {
        let inserter = self.inner.inserter.get_or_init(|| group_commit::GroupInserter::start(self.inner.store.clone()));
        inserter.insert(instance).await
    }

    /// The SQL sessions of the data connections (SQL nodes, script runs, connection tests).
    pub fn sql_sessions(&self) -> &Arc<sql::Sessions> {
        &self.inner.runtime.sql_sessions
    }

    /// The object store's backend, chosen from the settings when the engine was built.
    pub(crate) fn objects(&self) -> &objects::Backend {
        &self.inner.objects
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    pub fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }
}

/// Makes `ring` the process's rustls provider (the one sqlx and russh already use), so the HTTP
/// clients of Rest Client nodes and webhooks and the SMTP client never look for another, and
/// no second provider (aws-lc) is compiled in. Idempotent; a default installed first is kept.
/// reqwest is built without a provider of its own (`rustls-no-provider`), and cargo unifies
/// that feature for every crate built with this one: any program that builds a
/// `reqwest::Client` beside dlf-engine calls this first.
/// (rustls deprecates `ring`'s provider for lacking post-quantum key exchange; dlf keeps `ring`
/// for the reason ARCHITECTURE.md gives: the build needs only a C compiler.)
#[allow(deprecated)]
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A store failure is the server's fault: log it, answer `DLF.9999` with a reference id.
pub(crate) fn internal(e: StoreError) -> DlfError {
    let reference = uuid::Uuid::new_v4().simple().to_string();
    tracing::error!(error = %e, reference = %reference, "store operation failed");
    DlfError::internal(reference)
}
