//! The attempt's log file, created (with its directory) by its first byte of output.
//!
//! The engine opens one per attempt and hands it to the runner ([`AttemptContext::log`]); the
//! runner writes its output there as it happens, and so does the engine (a failure before the
//! runner started, a timeout).
//!
//! An attempt that writes nothing leaves no file, which the log endpoint reads as an empty log.
//! On a file system where a new inode is slow (ext4 without a journal skips recently freed
//! inodes one by one), the files of a silent node were most of its overhead (BENCHMARKS.md, W1).

#[cfg(doc)]
use super::AttemptContext;
use std::io;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// The log file of one attempt: stdout and stderr as they arrive, appended in order.
///
/// The file, and its directory, are created by the first [`write`](LogSink::write) (truncating
/// a file left by an earlier try at the same path); each write is flushed, so a follower of the
/// log sees it promptly. A failure to create or write the file is logged once and further
/// output is dropped: the attempt itself goes on, since its result does not depend on its log.
///
/// ```no_run
/// # async fn example() {
/// use dlf_engine::runners::LogSink;
/// let mut log = LogSink::new("logs/42/attempt-1.log");
/// // Nothing exists on disk yet.
/// log.write(b"hello\n").await; // creates logs/42/ and the file
/// # }
/// ```
pub struct LogSink {
    state: LogState,
    path: PathBuf,
}

enum LogState {
    NotCreated,
    Open(tokio::fs::File),
    Broken,
}

impl LogSink {
    /// A sink for the file at `path`. Touches nothing on disk.
    pub fn new(path: impl Into<PathBuf>) -> LogSink {
        LogSink { state: LogState::NotCreated, path: path.into() }
    }

    /// Appends `data` to the file (creating it first if this is the first write) and flushes it.
    /// Never fails: an I/O error is logged, and this and all later output is not written.
    pub async fn write(&mut self, data: &[u8]) {
        if let LogState::NotCreated = self.state {
            self.state = match create_log(&self.path).await {
                Ok(file) => LogState::Open(file),
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), error = %e, "cannot create the node log; output is not logged");
                    LogState::Broken
                }
            };
        }
        let LogState::Open(file) = &mut self.state else { return };
        let written = async {
            file.write_all(data).await?;
            file.flush().await
        }
        .await;
        if let Err(e) = written {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot write the node log; further output is not logged");
            self.state = LogState::Broken;
        }
    }
}

/// Creates the log file and its directory, in one blocking call.
async fn create_log(path: &Path) -> io::Result<tokio::fs::File> {
    let path = path.to_path_buf();
    let file = tokio::task::spawn_blocking(move || create_with_dir(&path))
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)))?;
    Ok(tokio::fs::File::from_std(file))
}

/// Creates (truncates) the file at `path`, and its directory if missing. Blocking.
fn create_with_dir(path: &Path) -> io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::File::create(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_file_is_created_by_the_first_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("instance").join("attempt-1.log");
        let mut log = LogSink::new(&path);
        assert!(!path.exists());
        log.write(b"one\n").await;
        log.write(b"two\n").await;
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\n");
    }

    #[tokio::test]
    async fn a_log_that_cannot_be_created_drops_output() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the log's directory should be.
        std::fs::write(dir.path().join("instance"), "").unwrap();
        let mut log = LogSink::new(dir.path().join("instance").join("attempt-1.log"));
        log.write(b"lost\n").await;
        log.write(b"lost too\n").await;
        assert!(!dir.path().join("instance").is_dir());
    }
}
