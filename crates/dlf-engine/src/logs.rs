//! Where node attempts write their output: `<data-dir>/logs/<instance>/<node>/attempt-<n>.log`
//! (written by the server from the attempt's pipes; nodes run elsewhere, in
//! `EngineConfig::nodes`' work directories, and cannot write here when they run as another
//! user).
//!
//! Reading a log back ([`open_log`]) follows no symbolic link and opens only a regular file
//! inside the instance's log directory: a node that could write there (one running as the
//! server's own user) cannot make the log endpoint read another file.
//!
//! One file per attempt (JOBS.md: "each attempt's stdout+stderr to its own log file"), written
//! by the runner as output arrives and read back by the log endpoint, which can follow a file
//! while its attempt runs. Node names may contain `/`, `<`, `>`: they are percent-encoded into a
//! single safe directory name.
//!
//! Decisions. A log file is created with the attempt's first byte of output, so a silent
//! attempt has none and its log reads as empty; a Shell script short enough to be passed to
//! `bash -c` is not written to a file at all (`runners::process`). Every node of an instance
//! runs in the instance's work directory, so a node can leave a file for its successors under a
//! relative name (two parallel nodes writing the same name share it, as they would on one
//! host). Both keep new files off a short node's path: on ext4 without a journal (the machine
//! of BENCHMARKS.md), a new inode after many deletions costs up to a few tenths of a
//! millisecond, as much as the rest of a Shell node's overhead.

use std::path::{Path, PathBuf};

/// The log directory of one instance.
pub fn instance_dir(logs_root: &Path, instance_id: i64) -> PathBuf {
    logs_root.join(instance_id.to_string())
}

/// The directory of one node of one instance: its attempts' logs.
pub fn node_dir(logs_root: &Path, instance_id: i64, node_name: &str) -> PathBuf {
    instance_dir(logs_root, instance_id).join(safe_file_name(node_name))
}

/// The log file of one attempt (1-based).
pub fn attempt_log(logs_root: &Path, instance_id: i64, node_name: &str, attempt: i64) -> PathBuf {
    node_dir(logs_root, instance_id, node_name).join(format!("attempt-{attempt}.log"))
}

/// A node name as one file name: ASCII letters, digits, `-`, `_`, `.` kept (but not a leading
/// dot), everything else `%XX` of its UTF-8 bytes.
pub fn safe_file_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, b) in name.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() {
        out.push_str("%00");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_is_read_only_as_a_regular_file_inside_its_instance() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let secret = dir.path().join("master.key");
        std::fs::write(&secret, "secret").unwrap();
        let log = attempt_log(&logs, 7, "n", 1);
        assert!(open_log(&logs, 7, &log).unwrap().is_none(), "nothing written yet");
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        std::fs::write(&log, "out\n").unwrap();
        assert!(open_log(&logs, 7, &log).unwrap().is_some());
        // A node that could write there replaces its log with a link to a secret.
        std::fs::remove_file(&log).unwrap();
        std::os::unix::fs::symlink(&secret, &log).unwrap();
        assert!(matches!(open_log(&logs, 7, &log), Err(LogAccessError::NotARegularFile)));
        // Or the node's log directory with a link to elsewhere.
        let other = attempt_log(&logs, 7, "m", 1);
        std::os::unix::fs::symlink(dir.path(), other.parent().unwrap()).unwrap();
        std::fs::write(dir.path().join("attempt-1.log"), "not the node's").unwrap();
        assert!(matches!(open_log(&logs, 7, &other), Err(LogAccessError::OutsideItsDirectory)));
        // A directory is no log either.
        let dir_log = attempt_log(&logs, 7, "d", 1);
        std::fs::create_dir_all(&dir_log).unwrap();
        assert!(matches!(open_log(&logs, 7, &dir_log), Err(LogAccessError::NotARegularFile)));
    }

    #[test]
    fn names_cannot_escape_the_directory() {
        assert_eq!(safe_file_name("a/b"), "a%2Fb");
        assert_eq!(safe_file_name(".."), "%2E.");
        assert_eq!(safe_file_name("作"), "%E4%BD%9C");
        assert_eq!(safe_file_name("load_1.x"), "load_1.x");
        let p = attempt_log(Path::new("/d/logs"), 7, "../x", 2);
        assert_eq!(p, PathBuf::from("/d/logs/7/%2E.%2Fx/attempt-2.log"));
    }
}

/// One attempt's log, located.
#[derive(Clone, Debug)]
pub struct NodeLog {
    pub path: PathBuf,
    pub instance_id: i64,
    pub node_name: String,
    pub attempt: i64,
}

/// How often a followed log is polled for new bytes.
const FOLLOW_POLL: std::time::Duration = std::time::Duration::from_millis(100);

impl crate::Engine {
    /// The log of attempt `attempt` (default: the latest) of a node of an instance.
    pub async fn node_log(
        &self,
        tenant: &crate::Tenant,
        job_name: &str,
        instance_id: &str,
        node_name: &str,
        attempt: Option<i64>,
    ) -> Result<NodeLog, dlf_core::DlfError> {
        let detail = self.show_instance(tenant, job_name, instance_id).await?;
        let nodes = self.store().node_instances(detail.instance_id).await.map_err(crate::internal)?;
        let node = nodes.iter().find(|n| n.node_name == node_name).ok_or_else(|| {
            dlf_core::DlfError::invalid_param(format!("the instance has no node named '{node_name}'"))
        })?;
        let attempt = attempt.unwrap_or(node.attempts);
        if attempt < 1 || attempt > node.attempts {
            return Err(dlf_core::DlfError::invalid_param(format!(
                "node '{node_name}' has made {} attempts; there is no log of attempt {attempt}",
                node.attempts
            )));
        }
        Ok(NodeLog {
            path: attempt_log(&self.config().logs_dir(), detail.instance_id, node_name, attempt),
            instance_id: detail.instance_id,
            node_name: node_name.to_string(),
            attempt,
        })
    }

    /// The log's bytes as they are written, ending once the attempt has ended (or the server
    /// shuts down).
    pub fn follow_log(
        &self,
        log: NodeLog,
    ) -> impl futures_util::Stream<Item = Result<Vec<u8>, LogAccessError>> + Send + 'static {
        let engine = self.clone();
        futures_util::stream::unfold((0u64, false), move |(offset, done)| {
            let engine = engine.clone();
            let log = log.clone();
            async move {
                if done {
                    return None;
                }
                let mut offset = offset;
                loop {
                    let finished = engine.attempt_finished(&log).await;
                    let chunk = match read_from(&engine.config().logs_dir(), &log, offset).await {
                        Ok(chunk) => chunk,
                        Err(e) => return Some((Err(e), (offset, true))),
                    };
                    if !chunk.is_empty() {
                        offset += chunk.len() as u64;
                        return Some((Ok(chunk), (offset, false)));
                    }
                    if finished || engine.inner.runtime.shutdown.is_cancelled() {
                        return None;
                    }
                    tokio::time::sleep(FOLLOW_POLL).await;
                }
            }
        })
    }

    async fn attempt_finished(&self, log: &NodeLog) -> bool {
        match self.store().node_instances(log.instance_id).await {
            Ok(nodes) => nodes
                .iter()
                .find(|n| n.node_name == log.node_name)
                .is_none_or(|n| n.attempts > log.attempt || n.status != dlf_core::model::NodeStatus::Running),
            Err(_) => true,
        }
    }
}

/// Why a log cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum LogAccessError {
    /// The path leaves the instance's log directory (through a symbolic link on the way).
    #[error("the log is outside its instance's log directory")]
    OutsideItsDirectory,
    /// The log is a symbolic link, a directory, a device …: not a file the server wrote.
    #[error("the log is not a regular file")]
    NotARegularFile,
    /// Reading failed.
    #[error("cannot read the log: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the log at `path` of instance `instance_id`: `None` when it does not exist (a silent
/// attempt, or one that has not written yet). Only a regular file, opened without following a
/// symbolic link (`O_NOFOLLOW`), whose directory resolves to inside
/// `<logs_root>/<instance_id>/`.
pub fn open_log(logs_root: &Path, instance_id: i64, path: &Path) -> Result<Option<std::fs::File>, LogAccessError> {
    use std::os::unix::fs::OpenOptionsExt;
    let instance = instance_dir(logs_root, instance_id);
    let Some(parent) = path.parent() else { return Err(LogAccessError::OutsideItsDirectory) };
    let (Ok(instance), Ok(parent)) = (std::fs::canonicalize(&instance), std::fs::canonicalize(parent)) else {
        return Ok(None); // nothing written yet
    };
    if !parent.starts_with(&instance) {
        return Err(LogAccessError::OutsideItsDirectory);
    }
    let opened = std::fs::OpenOptions::new().read(true).custom_flags(nix::libc::O_NOFOLLOW).open(path);
    let file = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(nix::libc::ELOOP) => return Err(LogAccessError::NotARegularFile),
        Err(e) => return Err(e.into()),
    };
    if !file.metadata()?.is_file() {
        return Err(LogAccessError::NotARegularFile);
    }
    Ok(Some(file))
}

/// The whole log (empty when there is none yet).
pub async fn read_log(logs_root: &Path, log: &NodeLog) -> Result<Vec<u8>, LogAccessError> {
    read_from(logs_root, log, 0).await
}

/// Bytes of the log from `offset` to its current end (empty if there is none yet).
async fn read_from(logs_root: &Path, log: &NodeLog, offset: u64) -> Result<Vec<u8>, LogAccessError> {
    let (root, path, instance_id) = (logs_root.to_path_buf(), log.path.clone(), log.instance_id);
    let read = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, LogAccessError> {
        use std::io::{Read, Seek};
        let Some(mut file) = open_log(&root, instance_id, &path)? else { return Ok(Vec::new()) };
        file.seek(std::io::SeekFrom::Start(offset))?;
        let mut buf = Vec::new();
        file.read_to_end(&mut buf)?;
        Ok(buf)
    });
    read.await.unwrap_or_else(|e| Err(LogAccessError::Io(std::io::Error::other(e))))
}
