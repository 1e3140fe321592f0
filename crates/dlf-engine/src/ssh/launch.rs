//! The remote side of an attempt, as text: the attempt's directory on the host, the launcher
//! script that dlf uploads there, and the commands that start, kill and clean up after it.
//!
//! Nothing a user wrote is ever pasted into a command line unquoted: the commands sent on exec
//! channels are fixed texts around the directory name (which dlf makes up from a UUID, so it
//! needs no quoting in any shell); the program travels as a file's content; environment values
//! and arguments are single-quoted in the launcher (a `'` becomes `'\''`), and variable names
//! are checked first.

use crate::runners::AttemptSpec;
use crate::runners::process::Interpreter;

/// The first line the launcher prints on stdout before the program starts: this marker and the
/// id of the process group the program runs in. dlf takes it off the output.
pub const PGID_MARKER: &str = "dlf-pgid ";

/// Variables of the node's environment that describe the dlf server's own user and host; the
/// SSH login sets its own, so they are not sent.
const HOST_OWN: [&str; 5] = ["PATH", "HOME", "USER", "LOGNAME", "SHELL"];

/// How the program runs on the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteInterpreter {
    /// The command, found on the login's `PATH`: `bash` or `python3`.
    pub command: &'static str,
    /// The script file's extension.
    pub extension: &'static str,
}

impl RemoteInterpreter {
    /// The host's counterpart of a local interpreter: Python scripts run with `python3`,
    /// everything else with `bash`.
    pub fn of(interpreter: &Interpreter) -> RemoteInterpreter {
        match interpreter.extension {
            "py" => RemoteInterpreter { command: "python3", extension: "py" },
            _ => RemoteInterpreter { command: "bash", extension: "sh" },
        }
    }
}

/// The attempt's private directory on the host: `/tmp/dlf-<uuid>`, made with `mkdir -m 700`
/// (which fails rather than follow anything already there) and removed when the attempt ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteDir(String);

impl RemoteDir {
    /// A new, unpredictable name.
    pub fn new() -> RemoteDir {
        RemoteDir(format!("/tmp/dlf-{}", uuid::Uuid::new_v4().simple()))
    }

    pub fn path(&self) -> &str {
        &self.0
    }

    /// The attempt's program file.
    pub fn program(&self, spec: &AttemptSpec, remote: &RemoteInterpreter) -> String {
        format!("{}/attempt-{}.{}", self.0, spec.attempt, remote.extension)
    }

    /// The launcher file.
    pub fn launcher(&self) -> String {
        format!("{}/launch.sh", self.0)
    }

    /// Makes the directory and writes standard input to the program file.
    pub fn upload_program_command(&self, program_file: &str) -> String {
        format!("umask 077 && mkdir -m 700 {} && cat > {program_file}", self.0)
    }

    /// Writes standard input to the launcher file.
    pub fn upload_launcher_command(&self) -> String {
        format!("umask 077 && cat > {}", self.launcher())
    }

    /// Runs the launcher (the login shell execs bash on it, so the launcher keeps the process
    /// that sshd started: its own session and process group).
    pub fn start_command(&self) -> String {
        format!("exec bash {}", self.launcher())
    }

    /// Removes the directory.
    pub fn remove_command(&self) -> String {
        format!("rm -rf {}", self.0)
    }
}

/// Sends `signal` (`TERM`, `KILL`) to every process of the group `pgid`; quiet when the group is
/// already gone.
pub fn kill_command(signal: &str, pgid: u32) -> String {
    format!("kill -{signal} -- -{pgid} 2>/dev/null; true")
}

/// The launcher script: `cd` to the attempt's directory, export the environment, check the
/// interpreter exists, report the process group on stdout, then `exec` the interpreter on the
/// program file with the arguments.
///
/// The program must run in a process group of its own so that a stop can kill everything it
/// started. OpenSSH runs every command in a new session, so the launcher already leads its
/// group: it prints its own pid and `exec`s the interpreter (which keeps that pid, and so the
/// exit status and any signal reach dlf unchanged). On a host where it is not a group leader,
/// `setsid -w` starts the program in a new session and waits for it.
pub fn launcher(spec: &AttemptSpec, interpreter: &Interpreter, remote: &RemoteInterpreter, dir: &RemoteDir) -> String {
    let mut text =
        String::from("# Written by dlf for one attempt; removed with its directory when the attempt ends.\n");
    text.push_str(&format!("cd {} || exit 125\n", dir.path()));
    let mut other_names = Vec::new();
    for (name, value) in environment(spec, interpreter) {
        if value.contains('\0') {
            continue;
        }
        if is_identifier(&name) {
            text.push_str(&format!("export {name}={}\n", quote(&value)));
        } else if !name.is_empty() && !name.contains('=') {
            // Job parameters may be named `a-b` or `a.b`: the shell cannot export those, `env` can.
            other_names.push(quote(&format!("{name}={value}")));
        }
    }
    text.push_str(&format!(
        "if ! command -v {0} >/dev/null 2>&1; then\n  echo '{0} is not installed on this host' >&2\n  exit 127\nfi\n",
        remote.command
    ));
    let mut command = Vec::new();
    if !other_names.is_empty() {
        command.push("env".to_string());
        command.extend(other_names);
    }
    command.push(remote.command.to_string());
    command.push(dir.program(spec, remote));
    command.extend(spec.arguments.iter().map(|a| quote(a)));
    text.push_str(&format!("set -- {}\n", command.join(" ")));
    text.push_str(&format!(
        r#"leader=
if [ -r /proc/$$/stat ]; then
  read -r _ _ _ _ group _ < /proc/$$/stat
  [ "$group" = "$$" ] && leader=yes
fi
if [ -n "$leader" ]; then
  printf '{PGID_MARKER}%s\n' "$$"
  exec "$@"
fi
exec setsid -w bash -c 'printf "{PGID_MARKER}%s\n" "$$"; exec "$@"' dlf-node "$@"
"#
    ));
    text
}

/// The variables the program gets: the interpreter's, then the node's (a later one wins),
/// without the server's own [`HOST_OWN`] ones.
fn environment(spec: &AttemptSpec, interpreter: &Interpreter) -> Vec<(String, String)> {
    interpreter
        .env
        .iter()
        .chain(spec.env.iter())
        .filter(|(name, _)| !HOST_OWN.contains(&name.as_str()))
        .cloned()
        .collect()
}

/// A shell variable name: a letter or `_`, then letters, digits and `_`.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `text` as one single-quoted shell word.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The process group id in a launcher's first stdout line (without its newline), if it is one.
pub fn parse_marker(line: &[u8]) -> Option<u32> {
    let line = std::str::from_utf8(line).ok()?;
    line.strip_prefix(PGID_MARKER)?.trim_end_matches('\r').parse().ok().filter(|&pgid| pgid > 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn spec() -> AttemptSpec {
        AttemptSpec {
            instance_id: 1,
            node_name: "n".into(),
            node_type: "Shell".into(),
            attempt: 2,
            properties: Vec::new(),
            program: Some("echo hi".into()),
            connection: None,
            database: None,
            arguments: vec!["a b".into(), "it's".into()],
            stdin: None,
            env: vec![
                ("PATH".into(), "/server/bin".into()),
                ("HOME".into(), "/root".into()),
                ("DAY".into(), "mon'; rm -rf / #".into()),
                ("my-param".into(), "x y".into()),
                ("bad name".into(), "v".into()),
            ],
            log_path: "/l".into(),
            work_dir: "/w".into(),
            run_as: None,
            kill_grace: Duration::from_millis(1),
            child_calls: Vec::new(),
            resources: Vec::new(),
        }
    }

    fn shell() -> Interpreter {
        Interpreter { program: "/bin/bash".into(), extension: "sh", env: Vec::new(), inline_flag: Some("-c") }
    }

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn identifiers_are_checked() {
        for ok in ["A", "_x", "DLF_JOB_NAME", "a1"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "1a", "a-b", "a.b", "a b", "a=b", "é"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }

    #[test]
    fn the_launcher_quotes_everything_and_leaves_the_servers_own_variables_out() {
        let dir = RemoteDir("/tmp/dlf-0123".into());
        let text = launcher(&spec(), &shell(), &RemoteInterpreter::of(&shell()), &dir);
        assert!(text.contains("cd /tmp/dlf-0123 || exit 125\n"), "{text}");
        assert!(text.contains(r"export DAY='mon'\''; rm -rf / #'"), "{text}");
        assert!(!text.contains("/server/bin") && !text.contains("/root"), "{text}");
        assert!(
            text.contains(r"set -- env 'my-param=x y' 'bad name=v' bash /tmp/dlf-0123/attempt-2.sh 'a b' 'it'\''s'"),
            "{text}"
        );
        assert!(text.contains("command -v bash"), "{text}");
    }

    #[test]
    fn python_runs_with_python3() {
        let python = Interpreter {
            program: "/usr/bin/python3".into(),
            extension: "py",
            env: vec![("PYTHONUNBUFFERED".into(), "1".into())],
            inline_flag: None,
        };
        let remote = RemoteInterpreter::of(&python);
        assert_eq!(remote, RemoteInterpreter { command: "python3", extension: "py" });
        let text = launcher(&spec(), &python, &remote, &RemoteDir("/tmp/d".into()));
        assert!(
            text.contains("export PYTHONUNBUFFERED='1'\n") && text.contains("python3 /tmp/d/attempt-2.py"),
            "{text}"
        );
    }

    /// Runs the launcher of a program that prints its pid, its group and `$DAY`, then exits 5:
    /// with `bash` as a process group leader (as under OpenSSH) or not (the `setsid -w` path).
    fn launch_locally(as_leader: bool) -> (String, Option<i32>) {
        use std::os::unix::process::CommandExt;
        let dir = RemoteDir::new();
        std::fs::create_dir(dir.path()).unwrap();
        let mut spec = spec();
        spec.arguments = vec!["one".into()];
        let remote = RemoteInterpreter::of(&shell());
        let program = "read -r _ _ _ _ group _ < /proc/$$/stat\necho \"pid=$$ group=$group day=$DAY arg=$1\"\nexit 5\n";
        std::fs::write(dir.program(&spec, &remote), program).unwrap();
        std::fs::write(dir.launcher(), launcher(&spec, &shell(), &remote, &dir)).unwrap();
        let mut command = std::process::Command::new("bash");
        command.arg(dir.launcher());
        if as_leader {
            command.process_group(0);
        }
        let out = command.output().unwrap();
        std::fs::remove_dir_all(dir.path()).unwrap();
        (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code())
    }

    #[test]
    fn the_launcher_reports_the_programs_own_group_and_passes_its_exit_code() {
        for as_leader in [true, false] {
            let (stdout, code) = launch_locally(as_leader);
            let mut lines = stdout.lines();
            let pgid = lines.next().and_then(|l| parse_marker(l.as_bytes())).unwrap_or_else(|| panic!("{stdout}"));
            assert_eq!(
                lines.next(),
                Some(format!("pid={pgid} group={pgid} day=mon'; rm -rf / # arg=one").as_str()),
                "leader: {as_leader}"
            );
            assert_eq!(code, Some(5), "leader: {as_leader}");
        }
    }

    #[test]
    fn the_marker_line_gives_the_group() {
        assert_eq!(parse_marker(b"dlf-pgid 4242"), Some(4242));
        assert_eq!(parse_marker(b"dlf-pgid 4242\r"), Some(4242));
        assert_eq!(parse_marker(b"dlf-pgid 1"), None);
        assert_eq!(parse_marker(b"hello"), None);
        assert_eq!(parse_marker(b"dlf-pgid x"), None);
    }

    #[test]
    fn directories_are_fresh_and_need_no_quoting() {
        let (a, b) = (RemoteDir::new(), RemoteDir::new());
        assert_ne!(a, b);
        assert!(a.path().starts_with("/tmp/dlf-"));
        assert!(a.path().chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-')));
    }
}
