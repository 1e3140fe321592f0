//! dlf's object store: the bytes behind `obs://bucket/key`, in one of two backends chosen at
//! start-up ([`ObjectStoreSettings`]).
//!
//! - [`local`] (the default): files under `<data-dir>/objects/<project_id>/<bucket>/<key>`, so
//!   `dlf serve` needs no other service.
//! - [`s3`]: one S3 bucket the server owns, on any S3-compatible service (AWS S3, Huawei OBS,
//!   MinIO ...). dlf's object (project, bucket, key) is the S3 key
//!   `[<prefix>/]<project_id>/<bucket>/<key>` in that bucket.
//!
//! Tenants do not trust each other, so both backends keep every project's objects under its own
//! project id, and the project comes from the authenticated request, never from the address: a
//! tenant's `obs://` address can only ever name its own project's objects. Buckets and keys are
//! checked by [`ObjectPath`] (no `..`, `.`, empty segment, absolute key, NUL or backslash) and
//! project ids by [`check_project_id`] in both backends, and an object is at most
//! [`crate::EngineConfig::object_max_bytes`] in both.
//!
//! Nothing else is kept (no metadata, no listing): resources point at objects, and nodes get
//! copies of them in their working directories ([`Engine::object_source`], `crate::resources`).

pub mod local;
pub mod s3;

pub use s3::S3Settings;

use crate::Engine;
use dlf_core::model::resource::ObjectPath;
use dlf_core::{DlfError, ErrorCode};
use std::path::{Path, PathBuf};

/// Which backend keeps the objects.
#[derive(Clone, Debug, Default)]
pub enum ObjectStoreSettings {
    /// Files under `<data-dir>/objects` (the default).
    #[default]
    Local,
    /// One bucket of an S3-compatible service.
    S3(S3Settings),
}

/// The backend an engine was built with.
pub(crate) enum Backend {
    Local(local::LocalStore),
    S3(s3::S3Store),
    /// The settings could not make a client; every operation fails, and
    /// [`Engine::check_object_store`] says why (so `dlf serve` stops at start).
    Broken(String),
}

impl Backend {
    /// The backend `settings` name, rooted at `data_dir` (the local store's files, the S3
    /// store's staged copies).
    pub(crate) fn new(settings: &ObjectStoreSettings, data_dir: &Path) -> Backend {
        match settings {
            ObjectStoreSettings::Local => Backend::Local(local::LocalStore::new(data_dir.join("objects"))),
            ObjectStoreSettings::S3(s3) => match s3::S3Store::new(s3, data_dir.join("objects-staged")) {
                Ok(store) => Backend::S3(store),
                Err(reason) => Backend::Broken(reason),
            },
        }
    }

    fn broken(reason: &str) -> DlfError {
        tracing::error!(reason, "the object store is not configured correctly");
        DlfError::internal("the object store is not configured correctly")
    }
}

/// Refuses a project id that is not one plain path segment (or that starts with `.`, which the
/// local store's temporary directory uses).
pub(crate) fn check_project_id(project_id: &str) -> Result<(), DlfError> {
    let plain = !project_id.is_empty()
        && !project_id.starts_with('.')
        && !project_id.contains(['/', '\\', '\0'])
        && !project_id.chars().any(char::is_control);
    if !plain {
        return Err(DlfError::invalid_param("the project id cannot name an object store directory"));
    }
    Ok(())
}

/// A checked object address, or DLF.3051 saying what is wrong with it.
pub fn object_path(bucket: &str, key: &str) -> Result<ObjectPath, DlfError> {
    ObjectPath::new(bucket, key).map_err(DlfError::invalid_param)
}

/// The error of a missing object, the same in both backends.
pub(crate) fn not_found(object: &ObjectPath) -> DlfError {
    DlfError::invalid_param(format!("the object {} does not exist", object.location()))
}

/// A failure of the store itself: logged with a reference, answered as DLF.9999.
pub(crate) fn store_failure(what: &str, e: impl std::fmt::Display) -> DlfError {
    let reference = uuid::Uuid::new_v4().simple().to_string();
    tracing::error!(error = %e, reference = %reference, "object store: {what}");
    DlfError::internal(reference)
}

impl Engine {
    /// The root of the local object store: `<data-dir>/objects`.
    pub fn objects_root(&self) -> PathBuf {
        self.config().data_dir.join("objects")
    }

    /// Whether the object store can be used: for S3, the configured bucket answers with the
    /// configured keys. `dlf serve` calls it before it listens; `Err` says what is wrong.
    pub async fn check_object_store(&self) -> Result<(), String> {
        match self.objects() {
            Backend::Local(_) => Ok(()),
            Backend::S3(store) => store.check().await,
            Backend::Broken(reason) => Err(reason.clone()),
        }
    }

    /// Stores `bytes` as `object` of the project, replacing any older copy atomically.
    pub async fn put_object(&self, project_id: &str, object: &ObjectPath, bytes: Vec<u8>) -> Result<(), DlfError> {
        let limit = self.config().object_max_bytes;
        if bytes.len() as u64 > limit {
            return Err(DlfError::with_message(
                ErrorCode::PayloadTooLarge,
                format!("Request entity too large: an object is at most {limit} bytes."),
            ));
        }
        check_project_id(project_id)?;
        match self.objects() {
            Backend::Local(store) => store.put(project_id, object, bytes).await,
            Backend::S3(store) => store.put(project_id, object, bytes).await,
            Backend::Broken(reason) => Err(Backend::broken(reason)),
        }
    }

    /// The bytes of `object` of the project (DLF.3051 when there is none).
    pub async fn get_object(&self, project_id: &str, object: &ObjectPath) -> Result<Vec<u8>, DlfError> {
        check_project_id(project_id)?;
        match self.objects() {
            Backend::Local(store) => store.get(project_id, object).await,
            Backend::S3(store) => store.get(project_id, object).await,
            Backend::Broken(reason) => Err(Backend::broken(reason)),
        }
    }

    /// Whether the project has a bucket of that name (any object stored under it).
    pub async fn bucket_exists(&self, project_id: &str, bucket: &str) -> Result<bool, DlfError> {
        check_project_id(project_id)?;
        match self.objects() {
            Backend::Local(store) => Ok(store.bucket_exists(project_id, bucket).await),
            Backend::S3(store) => store.bucket_exists(project_id, bucket).await,
            Backend::Broken(reason) => Err(Backend::broken(reason)),
        }
    }

    /// A local file with the bytes of an existing object (DLF.3051 when there is none), which
    /// the server copies into a node's working directory: the object's own file in the local
    /// store; with S3 a copy fetched now into `<data-dir>/objects-staged/`.
    pub async fn object_source(&self, project_id: &str, object: &ObjectPath) -> Result<PathBuf, DlfError> {
        check_project_id(project_id)?;
        match self.objects() {
            Backend::Local(store) => store.source(project_id, object),
            Backend::S3(store) => store.stage(project_id, object).await,
            Backend::Broken(reason) => Err(Backend::broken(reason)),
        }
    }
}
