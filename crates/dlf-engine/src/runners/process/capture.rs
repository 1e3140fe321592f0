//! Output capture: the child's stdout and stderr, read concurrently as raw bytes, go to the
//! attempt's log file as they arrive ([`LogSink`], which flushes each chunk so a follower of the
//! log sees it promptly); stdout also goes to a small byte ring ([`Tail`]) whose last
//! [`OUTPUT_TAIL_CHARS`] characters, decoded as lossy UTF-8 at the end, are the node's output,
//! and to a count that fails the attempt past [`OUTPUT_LIMIT_BYTES`] (JOBS.md §8). Nothing
//! keeps the whole stream in memory.

use super::deadline_after;
use super::node_process::NodeProcess;
use super::outcome::failed;
use crate::runners::AttemptOutcome;
use crate::runners::LogSink;
use std::io;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::sleep_until;

/// How many characters of stdout (the last ones) become the node's output (JOBS.md §8).
pub const OUTPUT_TAIL_CHARS: usize = 4_000;
/// Stdout larger than this fails the attempt ("30 MB", JOBS.md §8; read as MiB).
pub const OUTPUT_LIMIT_BYTES: u64 = 30 * 1024 * 1024;
/// The failure message when stdout exceeds [`OUTPUT_LIMIT_BYTES`].
pub const OUTPUT_TOO_LARGE: &str = "output is larger than 30 MB";

/// Bytes kept of the end of stdout: enough for [`OUTPUT_TAIL_CHARS`] characters of up to four
/// bytes each, plus a partial character at the cut.
const TAIL_BYTES: usize = OUTPUT_TAIL_CHARS * 4 + 4;
/// Read size per pipe.
const CHUNK: usize = 64 * 1024;

/// Which pipe a read came from.
pub(super) enum Stream {
    Stdout,
    Stderr,
}

/// The child's stdout and stderr, `None` once at end of file.
pub(super) struct Pipes {
    stdout: Option<Box<dyn AsyncRead + Send + Unpin>>,
    stderr: Option<Box<dyn AsyncRead + Send + Unpin>>,
    stdout_buf: Vec<u8>,
    stderr_buf: Vec<u8>,
}

impl Pipes {
    /// Takes the child's stdout and stderr.
    pub(super) fn new(child: &mut NodeProcess) -> Pipes {
        Pipes {
            stdout: child.stdout.take(),
            stderr: child.stderr.take(),
            stdout_buf: vec![0; CHUNK],
            stderr_buf: vec![0; CHUNK],
        }
    }

    fn is_done(&self) -> bool {
        self.stdout.is_none() && self.stderr.is_none()
    }

    /// The next read from either pipe (pending forever when both are done). Cancel-safe: a
    /// read that did not complete consumed nothing.
    pub(super) async fn read(&mut self) -> (Stream, io::Result<usize>) {
        let Pipes { stdout, stderr, stdout_buf, stderr_buf } = self;
        tokio::select! {
            read = read_pipe(stdout, stdout_buf) => (Stream::Stdout, read),
            read = read_pipe(stderr, stderr_buf) => (Stream::Stderr, read),
        }
    }
}

async fn read_pipe<R: AsyncRead + Unpin>(pipe: &mut Option<R>, buf: &mut [u8]) -> io::Result<usize> {
    match pipe {
        Some(pipe) => pipe.read(buf).await,
        None => std::future::pending().await,
    }
}

/// Copies output until both pipes are at end of file or `limit` has passed.
pub(super) async fn drain(pipes: &mut Pipes, capture: &mut Capture<'_>, limit: Duration) {
    let deadline = deadline_after(limit);
    while !pipes.is_done() {
        let read = tokio::select! {
            biased;
            _ = sleep_until(deadline) => return,
            read = pipes.read() => read,
        };
        capture.take(pipes, read).await;
    }
}

/// Where output goes: the log file, the stdout tail, the stdout byte count.
pub(super) struct Capture<'a> {
    log: &'a mut LogSink,
    tail: Tail,
    stdout_bytes: u64,
    /// Stdout passed [`OUTPUT_LIMIT_BYTES`]; further output is discarded.
    pub(super) over_limit: bool,
}

impl<'a> Capture<'a> {
    pub(super) fn new(log: &'a mut LogSink) -> Capture<'a> {
        Capture { log, tail: Tail::default(), stdout_bytes: 0, over_limit: false }
    }

    /// Handles one read: end of file or a read error closes that pipe; data goes to the log
    /// (and, for stdout, to the tail and the count).
    pub(super) async fn take(&mut self, pipes: &mut Pipes, (stream, read): (Stream, io::Result<usize>)) {
        let n = match read {
            Ok(n) if n > 0 => n,
            Ok(_) | Err(_) => {
                match stream {
                    Stream::Stdout => pipes.stdout = None,
                    Stream::Stderr => pipes.stderr = None,
                }
                return;
            }
        };
        if self.over_limit {
            return;
        }
        let data = match stream {
            Stream::Stdout => {
                let data = &pipes.stdout_buf[..n];
                self.tail.push(data);
                self.stdout_bytes += n as u64;
                self.over_limit = self.stdout_bytes > OUTPUT_LIMIT_BYTES;
                data
            }
            Stream::Stderr => &pipes.stderr_buf[..n],
        };
        self.log.write(data).await;
    }

    /// Stdout as the node's output: its last [`OUTPUT_TAIL_CHARS`] characters, `None` if empty.
    pub(super) fn output(&self) -> Option<String> {
        (self.stdout_bytes > 0).then(|| self.tail.text())
    }

    /// Appends `message` to the log and returns it as a `Failed` outcome.
    pub(super) async fn fail(&mut self, message: String, retryable: bool) -> AttemptOutcome {
        self.log.write(format!("{message}\n").as_bytes()).await;
        failed(message, retryable)
    }
}

/// The last [`TAIL_BYTES`] bytes of a stream, without keeping the whole stream (also used for
/// the stdout of SSH hosts, `crate::ssh`).
#[derive(Default)]
pub(crate) struct Tail {
    buf: Vec<u8>,
}

impl Tail {
    pub(crate) fn push(&mut self, data: &[u8]) {
        if data.len() >= TAIL_BYTES {
            self.buf.clear();
            self.buf.extend_from_slice(&data[data.len() - TAIL_BYTES..]);
            return;
        }
        self.buf.extend_from_slice(data);
        // Compact only when twice the size, so the copying stays amortised.
        if self.buf.len() > 2 * TAIL_BYTES {
            let excess = self.buf.len() - TAIL_BYTES;
            self.buf.drain(..excess);
        }
    }

    /// The last [`OUTPUT_TAIL_CHARS`] characters, invalid UTF-8 replaced by U+FFFD. A character
    /// cut at the start of the kept bytes only affects characters that are dropped anyway.
    pub(crate) fn text(&self) -> String {
        let kept = &self.buf[self.buf.len().saturating_sub(TAIL_BYTES)..];
        let text = String::from_utf8_lossy(kept);
        let chars = text.chars().count();
        text.chars().skip(chars.saturating_sub(OUTPUT_TAIL_CHARS)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_characters() {
        let mut tail = Tail::default();
        for i in 0..10_000u32 {
            tail.push(format!("{}", i % 10).as_bytes());
        }
        let text = tail.text();
        assert_eq!(text.chars().count(), OUTPUT_TAIL_CHARS);
        let expected: String = (6_000..10_000u32).map(|i| char::from(b'0' + (i % 10) as u8)).collect();
        assert_eq!(text, expected);
    }

    #[test]
    fn tail_counts_characters_not_bytes() {
        let mut tail = Tail::default();
        // 5,000 four-byte characters in uneven chunks, so some chunks split characters.
        let all = "𝄞".repeat(5_000);
        for chunk in all.as_bytes().chunks(4097) {
            tail.push(chunk);
        }
        assert_eq!(tail.text(), "𝄞".repeat(OUTPUT_TAIL_CHARS));
    }

    #[test]
    fn tail_short_output_is_kept_whole() {
        let mut tail = Tail::default();
        tail.push(b"hi\n");
        assert_eq!(tail.text(), "hi\n");
        let mut big = Tail::default();
        big.push(&vec![b'x'; 100_000]);
        assert_eq!(big.text(), "x".repeat(OUTPUT_TAIL_CHARS));
    }

    #[test]
    fn tail_replaces_invalid_utf8() {
        let mut tail = Tail::default();
        tail.push(b"a\xff\xfeb");
        assert_eq!(tail.text(), "a\u{fffd}\u{fffd}b");
    }
}
