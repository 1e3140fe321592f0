//! Where packages come from and go to.
//!
//! An import `path` (J12, J13, C7) is either `obs://bucket/key`, read from the project's object
//! store, or an absolute path on the server, allowed only inside a folder the operator listed
//! with `dlf serve --import-dir` (none by default). Anything else is DLF.0803. A server path is
//! resolved (symlinks included) before it is compared with the folders, so a link inside an
//! import folder cannot lead out of it.
//!
//! An export `obsPath` (J10, J11) is always an `obs://` address: a folder (`obs://b/dir/`, or a
//! bare bucket `obs://b`) receives the export under its usual file name; an address whose last
//! segment ends in `.zip` names the file itself. Exports never write server paths: a tenant must
//! not be able to write into the server's file system.

use super::MAX_PACKAGE_BYTES;
use crate::Engine;
use crate::objects::object_path;
use dlf_core::model::resource::ObjectPath;
use dlf_core::{DlfError, ErrorCode};
use std::path::{Path, PathBuf};

/// A checked import location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackageLocation {
    /// An object of the project's object store.
    Object(ObjectPath),
    /// A file on the server, inside an import folder (canonical path).
    ServerFile(PathBuf),
}

fn bad_path(why: impl std::fmt::Display) -> DlfError {
    DlfError::with_message(ErrorCode::ObsPathInvalid, format!("The OBS path is invalid: {why}."))
}

fn unreadable(why: impl std::fmt::Display) -> DlfError {
    DlfError::with_message(ErrorCode::ObsFileUnreadable, format!("Fail to read OBS file: {why}."))
}

fn too_large() -> DlfError {
    DlfError::invalid_param(format!("the package is larger than {} MB (JOBS.md §8)", MAX_PACKAGE_BYTES / (1024 * 1024)))
}

/// Checks an import `path` against the operator's import folders.
pub fn parse_import_path(path: &str, import_dirs: &[PathBuf]) -> Result<PackageLocation, DlfError> {
    let path = path.trim();
    if path.is_empty() {
        return Err(bad_path("the path is empty"));
    }
    if let Some(parsed) = ObjectPath::parse_location(path) {
        return parsed.map(PackageLocation::Object).map_err(bad_path);
    }
    if !Path::new(path).is_absolute() {
        return Err(bad_path(format!("'{path}' is neither obs://bucket/key nor an absolute server path")));
    }
    if import_dirs.is_empty() {
        return Err(bad_path("this server reads packages only from obs:// paths (no import folder is configured)"));
    }
    let file = std::fs::canonicalize(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => unreadable(format!("{path} does not exist")),
        _ => unreadable(format!("{path} cannot be opened")),
    })?;
    let inside = import_dirs.iter().filter_map(|dir| std::fs::canonicalize(dir).ok()).any(|dir| file.starts_with(&dir));
    if !inside {
        return Err(bad_path(format!("{path} is outside the server's import folders")));
    }
    if !file.is_file() {
        return Err(unreadable(format!("{path} is not a file")));
    }
    Ok(PackageLocation::ServerFile(file))
}

/// Where an export with `obsPath` goes: the object that receives `file_name`.
pub fn export_target(obs_path: &str, file_name: &str) -> Result<ObjectPath, DlfError> {
    let rest = obs_path
        .trim()
        .strip_prefix("obs://")
        .ok_or_else(|| bad_path(format!("'{obs_path}' is not an obs://bucket/folder address")))?;
    let (bucket, folder) = rest.split_once('/').unwrap_or((rest, ""));
    let key = if folder.to_ascii_lowercase().ends_with(".zip") {
        folder.to_string()
    } else if folder.is_empty() {
        file_name.to_string()
    } else {
        format!("{}/{file_name}", folder.trim_end_matches('/'))
    };
    ObjectPath::new(bucket, &key).map_err(bad_path)
}

impl Engine {
    /// The bytes of the package at an import `path` (at most [`MAX_PACKAGE_BYTES`]).
    pub async fn read_package(&self, project_id: &str, path: &str) -> Result<Vec<u8>, DlfError> {
        match parse_import_path(path, &self.config().import_dirs)? {
            PackageLocation::Object(object) => {
                if !self.bucket_exists(project_id, &object.bucket).await? {
                    return Err(DlfError::with_message(
                        ErrorCode::ObsBucketNotFound,
                        format!("The OBS bucket {} does not exist.", object.bucket),
                    ));
                }
                let bytes = self.get_object(project_id, &object).await.map_err(|e| {
                    if e.code == ErrorCode::InvalidParameter { unreadable(object.location()) } else { e }
                })?;
                if bytes.len() as u64 > MAX_PACKAGE_BYTES {
                    return Err(too_large());
                }
                Ok(bytes)
            }
            PackageLocation::ServerFile(file) => {
                let size = tokio::fs::metadata(&file).await.map_err(|_| unreadable(file.display()))?.len();
                if size > MAX_PACKAGE_BYTES {
                    return Err(too_large());
                }
                tokio::fs::read(&file).await.map_err(|_| unreadable(file.display()))
            }
        }
    }

    /// Writes an export to `obs_path` (a folder or a `.zip` address); returns the location written.
    pub async fn write_export(
        &self,
        project_id: &str,
        obs_path: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<String, DlfError> {
        let target = export_target(obs_path, file_name)?;
        let target = object_path(&target.bucket, &target.key)?;
        self.put_object(project_id, &target, bytes).await?;
        Ok(target.location())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obs_paths_name_objects_and_other_forms_are_refused() {
        let object = parse_import_path("obs://b/dir/jobs.zip", &[]).unwrap();
        assert_eq!(object, PackageLocation::Object(ObjectPath::new("b", "dir/jobs.zip").unwrap()));
        for bad in ["", "obs://b", "obs://b/../x", "relative/jobs.zip", "s3://b/k", "/etc/passwd"] {
            let e = parse_import_path(bad, &[]).unwrap_err();
            assert_eq!(e.code, ErrorCode::ObsPathInvalid, "{bad:?}: {e:?}");
        }
    }

    #[test]
    fn server_paths_only_inside_import_folders() {
        let root = tempfile::tempdir().unwrap();
        let allowed = root.path().join("imports");
        let other = root.path().join("other");
        std::fs::create_dir_all(&allowed).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(allowed.join("a.zip"), b"x").unwrap();
        std::fs::write(other.join("b.zip"), b"x").unwrap();
        std::os::unix::fs::symlink(other.join("b.zip"), allowed.join("link.zip")).unwrap();
        let dirs = vec![allowed.clone()];

        let ok = parse_import_path(allowed.join("a.zip").to_str().unwrap(), &dirs).unwrap();
        assert!(matches!(ok, PackageLocation::ServerFile(p) if p.ends_with("imports/a.zip")));
        for refused in [other.join("b.zip"), allowed.join("../other/b.zip"), allowed.join("link.zip")] {
            let e = parse_import_path(refused.to_str().unwrap(), &dirs).unwrap_err();
            assert_eq!(e.code, ErrorCode::ObsPathInvalid, "{refused:?}");
        }
        let missing = parse_import_path(allowed.join("none.zip").to_str().unwrap(), &dirs).unwrap_err();
        assert_eq!(missing.code, ErrorCode::ObsFileUnreadable);
    }

    #[test]
    fn export_targets_are_folders_or_zip_files() {
        let at = |p: &str| export_target(p, "DLF_a.zip").map(|o| o.location());
        assert_eq!(at("obs://b/dir/").unwrap(), "obs://b/dir/DLF_a.zip");
        assert_eq!(at("obs://b/dir").unwrap(), "obs://b/dir/DLF_a.zip");
        assert_eq!(at("obs://b").unwrap(), "obs://b/DLF_a.zip");
        assert_eq!(at("obs://b/x/mine.zip").unwrap(), "obs://b/x/mine.zip");
        for bad in ["/tmp/x", "obs://b/../x/", "file:///etc"] {
            assert_eq!(at(bad).unwrap_err().code, ErrorCode::ObsPathInvalid, "{bad}");
        }
    }
}
