//! Starting the interpreter: the attempt's files, the command line, and the process group.
//!
//! Unless the program is passed inline, its text is written to `attempt-<n>.<ext>` in the work
//! directory's `.dlf-scripts/<node>/` (through a temporary file and a rename, so an interpreter
//! that is still reading an older copy is never disturbed), together with the work directory in
//! one blocking call; then `<interpreter> <file> <arguments...>` runs, or, for an interpreter with an inline
//! flag and a program of at most [`INLINE_PROGRAM_MAX`] bytes,
//! `<interpreter> -c <program> attempt-<n>.<ext> <arguments...>` (see
//! [`Interpreter::inline_flag`]). User text is never pasted into a command line that a shell
//! parses: it is one argument.
//!
//! The resources the node names ([`AttemptSpec::resources`]) are copied into the work directory
//! in the same blocking call.
//!
//! The interpreter is the leader of its **own process group** (`process_group(0)`), so the kill
//! policy (`group.rs`) can reach everything it starts. Its standard input is
//! [`AttemptSpec::stdin`] (or `/dev/null`), its environment [`AttemptSpec::env`] and nothing of
//! the server's, its working directory [`AttemptSpec::work_dir`], and its user
//! [`AttemptSpec::run_as`] when the server runs nodes as another user.

use super::node_process::{NodeCommand, NodeProcess};
use crate::runners::AttemptSpec;
use std::ffi::OsString;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// The interpreter a script node runs under.
#[derive(Clone, Debug)]
pub struct Interpreter {
    /// Path (or name) of the interpreter executable.
    pub program: PathBuf,
    /// Extension of the script file written to the work directory, without the dot.
    pub extension: &'static str,
    /// Environment set before [`AttemptSpec::env`] (which therefore can override it).
    pub env: Vec<(String, String)>,
    /// The flag that makes the interpreter take its program as an argument (`-c` for bash), if
    /// it has one that keeps the program's meaning. With it, a program of at most
    /// [`INLINE_PROGRAM_MAX`] bytes is passed as that argument and no script file is written —
    /// on an ext4 file system without a journal a new inode can cost a tenth of a millisecond
    /// or more, and a Shell node `true` costs about a millisecond in all. `$0` is then
    /// `attempt-<n>.<ext>`, the script file's name, so the interpreter's error messages read as
    /// they would with the file.
    pub inline_flag: Option<&'static str>,
}

/// The largest program passed inline (see [`Interpreter::inline_flag`]); larger ones go
/// through the script file. Linux refuses a single argument over 128 KiB (`MAX_ARG_STRLEN`),
/// and the environment shares the same limit on the whole command line.
pub const INLINE_PROGRAM_MAX: usize = 64 * 1024;

/// How the program reaches the interpreter.
pub(super) enum ProgramArg {
    /// `<interpreter> <path> <arguments...>`.
    File(PathBuf),
    /// `<interpreter> <flag> <program> <name> <arguments...>`.
    Inline { flag: &'static str, name: String },
}

/// The directory, inside an instance's working directory, that holds the script files of its
/// attempts: the server's own (readable, not writable, by the node).
pub const SCRIPTS_DIR: &str = ".dlf-scripts";

/// The script file of this attempt: `<work dir>/.dlf-scripts/<node>/attempt-<n>.<ext>`.
pub fn script_path(spec: &AttemptSpec, extension: &str) -> PathBuf {
    spec.work_dir
        .join(SCRIPTS_DIR)
        .join(crate::logs::safe_file_name(&spec.node_name))
        .join(format!("attempt-{}.{extension}", spec.attempt))
}

/// The attempt's files, in one trip to the blocking pool (each trip costs a thread hand-off
/// both ways): the work directory and, when `script` is given, the program text in the script
/// file. The error names what failed.
///
/// The work directory is made once per instance, private (0700) and owned by the user the node
/// runs as ([`AttemptSpec::run_as`]); the script's directories (0755) and file (0644) belong to
/// the server, so the node can read its script but not change it. The file is written to a
/// temporary name and renamed, so an interpreter still reading an older copy is never disturbed.
pub(super) async fn prepare_files(spec: &AttemptSpec, script: Option<(PathBuf, &str)>) -> Result<(), PrepareError> {
    let dir = spec.work_dir.clone();
    let owner = spec.run_as.as_ref().map(|u| (u.uid, u.gid));
    let script = script.map(|(path, program)| (path, program.to_string()));
    let resources = spec.resources.clone();
    let prepared = tokio::task::spawn_blocking(move || {
        fn directory(path: &Path) -> impl FnOnce(io::Error) -> PrepareError + '_ {
            move |source| PrepareError::Directory { path: path.to_path_buf(), source }
        }
        if !dir.is_dir() {
            std::fs::create_dir_all(&dir).map_err(directory(&dir))?;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(directory(&dir))?;
            if let Some((uid, gid)) = owner {
                std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(directory(&dir))?;
            }
        }
        if let Some((path, program)) = script {
            let scripts = dir.join(SCRIPTS_DIR);
            if let Some(node_dir) = path.parent() {
                std::fs::create_dir_all(node_dir).map_err(directory(node_dir))?;
                for readable in [scripts.as_path(), node_dir] {
                    std::fs::set_permissions(readable, std::fs::Permissions::from_mode(0o755))
                        .map_err(directory(readable))?;
                }
            }
            let mut temporary = path.clone().into_os_string();
            temporary.push(format!(".tmp-{}", std::process::id()));
            let written = std::fs::write(&temporary, program)
                .and_then(|()| std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o644)))
                .and_then(|()| std::fs::rename(&temporary, &path));
            if let Err(source) = written {
                let _ = std::fs::remove_file(&temporary);
                return Err(PrepareError::Script { path, source });
            }
        }
        for resource in &resources {
            copy_resource(&dir, resource, owner)
                .map_err(|source| PrepareError::Resource { name: resource.name.clone(), source })?;
        }
        Ok(())
    });
    prepared.await.unwrap_or_else(|e| Err(PrepareError::Task(e)))
}

/// Copies a resource's file into the work directory as `<file_name>` (through a temporary name
/// and a rename), readable by everyone who can enter the directory (0644) and owned by the user
/// the node runs as: a copy, never a link into the data directory, so the node can change its
/// copy and never the object.
fn copy_resource(dir: &Path, resource: &crate::runners::ResourceFile, owner: Option<(u32, u32)>) -> io::Result<()> {
    let target = dir.join(&resource.file_name);
    let temporary = dir.join(format!(".dlf-resource-{}", uuid::Uuid::new_v4().simple()));
    let copied = std::fs::copy(&resource.source, &temporary)
        .and_then(|_| std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o644)))
        .and_then(|()| match owner {
            Some((uid, gid)) => std::os::unix::fs::chown(&temporary, Some(uid), Some(gid)),
            None => Ok(()),
        })
        .and_then(|()| std::fs::rename(&temporary, &target));
    if copied.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    copied
}

/// Why an attempt's files could not be prepared.
#[derive(Debug, thiserror::Error)]
pub(super) enum PrepareError {
    #[error("cannot create the directory {}: {source}", .path.display())]
    Directory { path: PathBuf, source: io::Error },
    #[error("cannot write the script file {}: {source}", .path.display())]
    Script { path: PathBuf, source: io::Error },
    #[error("cannot copy the resource '{name}' into the working directory: {source}")]
    Resource { name: String, source: io::Error },
    #[error("cannot prepare the attempt's files: {0}")]
    Task(tokio::task::JoinError),
}

/// Starts the interpreter on the program ([`ProgramArg`]) as the leader of a new process group:
/// through the node launcher when the node runs as another user and the server has one, else
/// as the server's own child.
pub(super) async fn spawn(
    interpreter: &Interpreter,
    spec: &AttemptSpec,
    program_arg: &ProgramArg,
    program: &str,
) -> io::Result<NodeProcess> {
    let mut args: Vec<OsString> = Vec::new();
    match program_arg {
        ProgramArg::File(path) => args.push(path.clone().into_os_string()),
        ProgramArg::Inline { flag, name } => args.extend([(*flag).into(), program.into(), name.into()]),
    }
    args.extend(spec.arguments.iter().map(OsString::from));
    // Nothing of the server's environment: the interpreter's own variables, then the node's
    // whole environment (an allowlist, job parameters, DLF_* variables); a later one wins.
    let mut env = interpreter.env.clone();
    env.extend(spec.env.iter().cloned());
    let command = NodeCommand {
        program: interpreter.program.clone(),
        args,
        env,
        cwd: spec.work_dir.clone(),
        piped_stdin: spec.stdin.is_some(),
        user: spec.run_as.as_ref().map(|u| (u.uid, u.gid)),
    };
    match spec.run_as.as_ref().and_then(|u| u.launcher.as_ref()) {
        Some(launcher) => NodeProcess::spawn_launched(launcher, command).await,
        None => NodeProcess::spawn_direct(command),
    }
}

/// Feeds the stdin text from a separate task (a process that never reads it must not block
/// the runner), ending it with a newline so the last `read` sees a complete line. The pipe is
/// closed afterwards, so further reads see end of file.
pub(super) fn feed_stdin(child: &mut NodeProcess, text: Option<&str>) {
    let (Some(mut pipe), Some(text)) = (child.stdin.take(), text) else { return };
    let mut bytes = text.as_bytes().to_vec();
    if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    tokio::spawn(async move {
        // A process that exits without reading everything closes the pipe: not an error.
        let _ = pipe.write_all(&bytes).await;
    });
}

/// The leader's start time: field 22 of `/proc/<pid>/stat`, if readable. A restarted server
/// compares it with the recorded one to recognise the process.
pub fn start_ticks(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_start_ticks(&stat)
}

/// Field 22 (`starttime`) of a `/proc/<pid>/stat` line. The command name (field 2) may contain
/// spaces and parentheses, so fields are counted after its last `)`.
fn parse_start_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(22 - 3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_ticks_is_field_22() {
        let stat = "1234 (a) b (c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(parse_start_ticks(stat), Some(987_654));
        assert_eq!(parse_start_ticks("garbage"), None);
        assert!(start_ticks(std::process::id() as i32).is_some());
    }
}
