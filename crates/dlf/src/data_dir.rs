//! The data directory is the server's alone, and node work happens outside it.
//!
//! `dlf serve` and the offline commands start with [`prepare`]: every file the process creates
//! from then on is private (umask 077), the directory is made absolute (so `--data-dir ../..`
//! names the same directory for the database and the master key, wherever it is run from) and
//! 0700, and what an older version left readable — the database and its WAL files, the master
//! key, the credentials file, the logs directory — is made private too.
//!
//! [`prepare_work_root`] makes the root of the nodes' working directories, refusing one inside
//! the data directory (a node could then reach the server's files through `..`).

use anyhow::{Context, bail};
use nix::sys::stat::{Mode, umask};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Files of the data directory that must be private (0600) when they exist.
const PRIVATE_FILES: [&str; 5] = ["dlf.db", "dlf.db-wal", "dlf.db-shm", "master.key", "credentials"];

/// Makes the process's new files private, creates the data directory if needed, and returns it
/// absolute, 0700, with its known files 0600.
pub fn prepare(data_dir: &Path) -> anyhow::Result<PathBuf> {
    umask(Mode::from_bits_truncate(0o077));
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let data_dir = std::fs::canonicalize(data_dir)
        .with_context(|| format!("cannot resolve the data directory {}", data_dir.display()))?;
    set_mode(&data_dir, 0o700)?;
    for name in PRIVATE_FILES {
        let path = data_dir.join(name);
        if path.is_file() {
            set_mode(&path, 0o600)?;
        }
    }
    let logs = data_dir.join("logs");
    if logs.is_dir() {
        set_mode(&logs, 0o700)?;
    }
    Ok(data_dir)
}

/// Creates the root of the nodes' working directories (absolute), outside `data_dir`: 0711
/// when nodes run as another user (it can reach its instance directories, not list them),
/// else 0700.
pub fn prepare_work_root(work_root: &Path, data_dir: &Path, other_user: bool) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(work_root)
        .with_context(|| format!("cannot create the work directory {}", work_root.display()))?;
    let work_root = std::fs::canonicalize(work_root)
        .with_context(|| format!("cannot resolve the work directory {}", work_root.display()))?;
    if work_root.starts_with(data_dir) || data_dir.starts_with(&work_root) {
        bail!(
            "the work directory {} and the data directory {} must not contain each other: nodes would reach the server's files",
            work_root.display(),
            data_dir.display()
        );
    }
    set_mode(&work_root, if other_user { 0o711 } else { 0o700 })?;
    Ok(work_root)
}

fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set the permissions of {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_old_readable_data_directory_becomes_private() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        set_mode(&data, 0o755).unwrap();
        for name in ["dlf.db", "master.key"] {
            std::fs::write(data.join(name), "x").unwrap();
            set_mode(&data.join(name), 0o644).unwrap();
        }
        let prepared = prepare(&data).unwrap();
        assert!(prepared.is_absolute());
        assert_eq!(mode(&prepared), 0o700);
        assert_eq!(mode(&data.join("dlf.db")), 0o600);
        assert_eq!(mode(&data.join("master.key")), 0o600);
        // And what the process creates from now on is private.
        std::fs::write(data.join("new"), "x").unwrap();
        assert_eq!(mode(&data.join("new")), 0o600);
    }

    #[test]
    fn the_work_root_may_not_be_inside_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let data = prepare(&dir.path().join("data")).unwrap();
        assert!(prepare_work_root(&data.join("work"), &data, false).is_err());
        assert!(prepare_work_root(dir.path(), &data, false).is_err(), "nor around it");
        let work = prepare_work_root(&dir.path().join("data-work"), &data, true).unwrap();
        assert_eq!(mode(&work), 0o711);
    }
}
