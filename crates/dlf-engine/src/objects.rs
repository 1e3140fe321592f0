//! dlf's own object store: the bytes behind `obs://bucket/key`, kept under the data directory.
//!
//! Layout: `<data-dir>/objects/<project_id>/<bucket>/<key>`, one directory per project, so a
//! tenant's address can only ever name its own project's objects (the project comes from the
//! authenticated request, never from the address). Buckets and keys are checked by
//! [`ObjectPath`] (no `..`, `.`, empty segment, absolute key, NUL or backslash) and project ids
//! by [`project_dir`], so no address reaches outside `objects/<project_id>/`. Writes go to
//! `<data-dir>/objects/.tmp/` first and are renamed into place: a reader sees the old object
//! or the new one, never a part. An object is at most [`crate::EngineConfig::object_max_bytes`].
//!
//! Nothing else is kept (no metadata, no listing): resources point at objects, nodes get copies
//! of them in their working directories (`crate::resources`).

use crate::Engine;
use dlf_core::model::resource::ObjectPath;
use dlf_core::{DlfError, ErrorCode};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The directory of temporary files, beside the projects' (a project id cannot start with `.`).
const TMP_DIR: &str = ".tmp";

/// The directory of a project's objects under `root`; refuses an id that is not one plain path
/// segment (or that starts with `.`, which [`TMP_DIR`] uses).
fn project_dir(root: &Path, project_id: &str) -> Result<PathBuf, DlfError> {
    let plain = !project_id.is_empty()
        && !project_id.starts_with('.')
        && !project_id.contains(['/', '\\', '\0'])
        && !project_id.chars().any(char::is_control);
    if !plain {
        return Err(DlfError::invalid_param("the project id cannot name an object store directory"));
    }
    Ok(root.join(project_id))
}

/// The file that holds `object` of `project_id`.
pub fn object_file(root: &Path, project_id: &str, object: &ObjectPath) -> Result<PathBuf, DlfError> {
    let mut path = project_dir(root, project_id)?.join(&object.bucket);
    for segment in object.key.split('/') {
        path.push(segment);
    }
    Ok(path)
}

/// A checked object address, or DLF.3051 saying what is wrong with it.
pub fn object_path(bucket: &str, key: &str) -> Result<ObjectPath, DlfError> {
    ObjectPath::new(bucket, key).map_err(DlfError::invalid_param)
}

fn not_found(object: &ObjectPath) -> DlfError {
    DlfError::invalid_param(format!("the object {} does not exist", object.location()))
}

fn io_error(what: &str, e: std::io::Error) -> DlfError {
    let reference = uuid::Uuid::new_v4().simple().to_string();
    tracing::error!(error = %e, reference = %reference, "object store: {what}");
    DlfError::internal(reference)
}

impl Engine {
    /// The root of the object store: `<data-dir>/objects`.
    pub fn objects_root(&self) -> PathBuf {
        self.config().data_dir.join("objects")
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
        let root = self.objects_root();
        let target = object_file(&root, project_id, object)?;
        let location = object.location();
        tokio::task::spawn_blocking(move || write_atomically(&root, &target, &bytes, &location))
            .await
            .map_err(|e| DlfError::internal(format!("object write task: {e}")))?
    }

    /// The bytes of `object` of the project.
    pub async fn get_object(&self, project_id: &str, object: &ObjectPath) -> Result<Vec<u8>, DlfError> {
        let path = self.object_source(project_id, object)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {
                Err(not_found(object))
            }
            Err(e) => Err(io_error("read", e)),
        }
    }

    /// Whether the project has a bucket of that name (any object stored under it).
    pub async fn bucket_exists(&self, project_id: &str, bucket: &str) -> Result<bool, DlfError> {
        let dir = project_dir(&self.objects_root(), project_id)?.join(bucket);
        Ok(tokio::fs::metadata(&dir).await.map(|m| m.is_dir()).unwrap_or(false))
    }

    /// The file of an existing object (DLF.3051 when there is none).
    pub fn object_source(&self, project_id: &str, object: &ObjectPath) -> Result<PathBuf, DlfError> {
        let path = object_file(&self.objects_root(), project_id, object)?;
        if !path.is_file() {
            return Err(not_found(object));
        }
        Ok(path)
    }
}

/// Writes a temporary file in `<root>/.tmp/`, syncs it and renames it onto `target`.
fn write_atomically(root: &Path, target: &Path, bytes: &[u8], location: &str) -> Result<(), DlfError> {
    let tmp_dir = root.join(TMP_DIR);
    std::fs::create_dir_all(&tmp_dir).map_err(|e| io_error("create the temporary directory", e))?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            if matches!(e.kind(), std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory) {
                DlfError::invalid_param(format!("{location}: a part of the key is an existing object"))
            } else {
                io_error("create the object's directory", e)
            }
        })?;
    }
    if target.is_dir() {
        return Err(DlfError::invalid_param(format!("{location}: the key is a prefix of existing objects")));
    }
    let temporary = tmp_dir.join(uuid::Uuid::new_v4().simple().to_string());
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&temporary, target));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(io_error("write", e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_are_separate_directories() {
        let root = Path::new("/d/objects");
        let object = ObjectPath::new("b", "x/y.txt").unwrap();
        assert_eq!(object_file(root, "p1", &object).unwrap(), PathBuf::from("/d/objects/p1/b/x/y.txt"));
        for bad in ["", "..", ".tmp", "a/b", "a\\b"] {
            assert!(object_file(root, bad, &object).is_err(), "project id {bad:?} must be refused");
        }
    }
}
