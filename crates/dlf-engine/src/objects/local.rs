//! The default object store: files under `<data-dir>/objects`, so `dlf serve` needs no other
//! service.
//!
//! Layout: `<root>/<project_id>/<bucket>/<key>`, one directory per project (the module docs of
//! `crate::objects` say why). Writes go to `<root>/.tmp/` first and are renamed into place: a
//! reader sees the old object or the new one, never a part. A key cannot be both an object and
//! a folder of other objects here (`a` and `a/b`): the second one is refused with DLF.3051.

use super::{check_project_id, not_found, store_failure};
use dlf_core::DlfError;
use dlf_core::model::resource::ObjectPath;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The directory of temporary files, beside the projects' (a project id cannot start with `.`).
const TMP_DIR: &str = ".tmp";

/// The file that holds `object` of `project_id` under `root`.
pub fn object_file(root: &Path, project_id: &str, object: &ObjectPath) -> Result<PathBuf, DlfError> {
    check_project_id(project_id)?;
    let mut path = root.join(project_id).join(&object.bucket);
    for segment in object.key.split('/') {
        path.push(segment);
    }
    Ok(path)
}

/// Objects as files under one root directory.
pub(crate) struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub(crate) fn new(root: PathBuf) -> LocalStore {
        LocalStore { root }
    }

    pub(crate) async fn put(&self, project_id: &str, object: &ObjectPath, bytes: Vec<u8>) -> Result<(), DlfError> {
        let root = self.root.clone();
        let target = object_file(&root, project_id, object)?;
        let location = object.location();
        tokio::task::spawn_blocking(move || write_atomically(&root, &target, &bytes, &location))
            .await
            .map_err(|e| DlfError::internal(format!("object write task: {e}")))?
    }

    pub(crate) async fn get(&self, project_id: &str, object: &ObjectPath) -> Result<Vec<u8>, DlfError> {
        let path = object_file(&self.root, project_id, object)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory | std::io::ErrorKind::IsADirectory
                ) =>
            {
                Err(not_found(object))
            }
            Err(e) => Err(store_failure("read", e)),
        }
    }

    pub(crate) async fn bucket_exists(&self, project_id: &str, bucket: &str) -> bool {
        let dir = self.root.join(project_id).join(bucket);
        tokio::fs::metadata(&dir).await.map(|m| m.is_dir()).unwrap_or(false)
    }

    /// The object's own file.
    pub(crate) fn source(&self, project_id: &str, object: &ObjectPath) -> Result<PathBuf, DlfError> {
        let path = object_file(&self.root, project_id, object)?;
        if !path.is_file() {
            return Err(not_found(object));
        }
        Ok(path)
    }
}

/// Writes a temporary file in `<root>/.tmp/`, syncs it and renames it onto `target`.
fn write_atomically(root: &Path, target: &Path, bytes: &[u8], location: &str) -> Result<(), DlfError> {
    let tmp_dir = root.join(TMP_DIR);
    std::fs::create_dir_all(&tmp_dir).map_err(|e| store_failure("create the temporary directory", e))?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            if matches!(e.kind(), std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory) {
                DlfError::invalid_param(format!("{location}: a part of the key is an existing object"))
            } else {
                store_failure("create the object's directory", e)
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
        return Err(store_failure("write", e));
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
