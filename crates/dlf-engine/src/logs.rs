//! Where node attempts write their output: `<data-dir>/logs/<instance>/<node>/attempt-<n>.log`,
//! and where they run: `<data-dir>/logs/<instance>/`.
//!
//! One file per attempt (JOBS.md: "each attempt's stdout+stderr to its own log file"), written
//! by the runner as output arrives and read back by the log endpoint, which can follow a file
//! while its attempt runs. Node names may contain `/`, `<`, `>`: they are percent-encoded into a
//! single safe directory name.
//!
//! Decisions. A log file is created with the attempt's first byte of output, so a silent
//! attempt has none and its log reads as empty; a Shell script short enough to be passed to
//! `bash -c` is not written to a file at all (`runners::process`). Every node of an instance
//! runs in the instance's directory, so a node can leave a file for its successors under a
//! relative name (two parallel nodes writing the same name share it, as they would on one
//! host). Both keep new files off a short node's path: on ext4 without a journal (the machine
//! of BENCHMARKS.md), a new inode after many deletions costs up to a few tenths of a
//! millisecond, as much as the rest of a Shell node's overhead.

use std::path::{Path, PathBuf};

/// The directory of one instance: the working directory of its nodes.
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
    ) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
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
                    let chunk = read_from(&log.path, offset).await;
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

/// Bytes of `path` from `offset` to its current end (empty if none or unreadable).
async fn read_from(path: &Path, offset: u64) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let Ok(mut file) = tokio::fs::File::open(path).await else { return Vec::new() };
    if file.seek(std::io::SeekFrom::Start(offset)).await.is_err() {
        return Vec::new();
    }
    let mut buf = Vec::new();
    let _ = file.read_to_end(&mut buf).await;
    buf
}
