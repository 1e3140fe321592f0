//! One server per data directory.
//!
//! A second `dlf serve` on the same directory would be a hazard, not a spare: at start-up a
//! server counts every attempt that the store shows running under another server's epoch as
//! orphaned and kills its processes (ARCHITECTURE.md, "Crash safety"), so it would kill the
//! first server's running nodes; and the embedded SQLite database assumes one writing process
//! (the ShowJob answer cache relies on it). `dlf serve` therefore holds an exclusive lock on
//! `<data-dir>/dlf.lock` for as long as it runs and refuses to start when another process holds
//! it. The lock is the kernel's (`flock`): it goes with the process however it ends, `kill -9`
//! included, so a stale lock file never blocks a restart. The file holds the holder's pid, for
//! the error message only.
//!
//! The offline administration commands (`dlf keys`, `dlf workspace`) do not take the lock:
//! creating a key or a workspace beside a running server is safe and expected.

use anyhow::{Context, bail};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "dlf.lock";

/// Held for the server's lifetime; released when dropped or when the process ends.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

/// Takes the data directory's lock, or explains who holds it.
pub fn lock(data_dir: &Path) -> anyhow::Result<DataDirLock> {
    let path = data_dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.is_empty() {
                "another dlf server".to_string()
            } else {
                format!("another dlf server (pid {holder})")
            };
            bail!(
                "{who} is using the data directory {}: one server per data directory (stop it, or give this one its own --data-dir)",
                data_dir.display()
            );
        }
        Err(TryLockError::Error(e)) => return Err(e).with_context(|| format!("cannot lock {}", path.display())),
    }
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{}", std::process::id()))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(DataDirLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_the_lock_returns_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path()).unwrap();
        let pid = std::fs::read_to_string(dir.path().join(LOCK_FILE)).unwrap();
        assert_eq!(pid.trim(), std::process::id().to_string());
        let refused = lock(dir.path()).unwrap_err().to_string();
        assert!(refused.contains(&format!("pid {}", std::process::id())), "{refused}");
        assert!(refused.contains("one server per data directory"), "{refused}");
        drop(first);
        assert!(lock(dir.path()).is_ok(), "the lock is free again once its holder is gone");
    }
}
