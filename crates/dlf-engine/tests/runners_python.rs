//! Python runner with a real `python3`.

mod runner_support;

use dlf_engine::runners::python::PythonRunner;
use dlf_engine::runners::{AttemptOutcome, AttemptSpec, ProcessInfo};
use runner_support::{Recorder, run_to_end, run_with};
use std::path::Path;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn spec(dir: &Path, program: &str) -> AttemptSpec {
    AttemptSpec {
        instance_id: 1,
        node_name: "node".into(),
        node_type: "Python".into(),
        attempt: 2,
        properties: Vec::new(),
        program: Some(program.into()),
        connection: None,
        database: None,
        arguments: Vec::new(),
        stdin: None,
        env: Vec::new(),
        log_path: dir.join("node.log"),
        work_dir: dir.to_path_buf(),
        run_as: None,
        kill_grace: Duration::from_millis(500),
        child_calls: Vec::new(),
        resources: Vec::new(),
    }
}

async fn run(spec: &AttemptSpec) -> (AttemptOutcome, Vec<ProcessInfo>) {
    run_to_end(&PythonRunner, spec).await
}

/// The output is stdout as printed: `print` adds a newline and it is kept.
#[tokio::test]
async fn print_succeeds_with_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "print(\"hi\")\n");
    let (outcome, groups) = run(&spec).await;
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("hi\n".into()) });
    assert_eq!(groups.len(), 1);
    assert_eq!(std::fs::read(&spec.log_path).unwrap(), b"hi\n");
    let script = dlf_engine::runners::process::script_path(&spec, "py");
    assert!(
        script.starts_with(dir.path().join(".dlf-scripts")) && script.ends_with("attempt-2.py"),
        "{}",
        script.display()
    );
    assert_eq!(std::fs::read_to_string(&script).unwrap(), "print(\"hi\")\n");
    // The script is the server's, readable by the node; the work directory is the node's alone.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&script), 0o644);
    assert_eq!(mode(script.parent().unwrap()), 0o755);
    let work = dir.path().join("work");
    let mut in_fresh_dir = spec.clone();
    in_fresh_dir.work_dir = work.clone();
    assert_eq!(run(&in_fresh_dir).await.0, AttemptOutcome::Succeeded { output: Some("hi\n".into()) });
    assert_eq!(mode(&work), 0o700, "a new work directory is private");
}

#[tokio::test]
async fn sys_exit_fails_with_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "import sys\nsys.exit(4)\n");
    let (outcome, _) = run(&spec).await;
    assert_eq!(
        outcome,
        AttemptOutcome::Failed { message: "exit code 4".into(), exit_code: Some(4), timed_out: false, retryable: true }
    );
}

#[tokio::test]
async fn an_exception_fails_and_its_traceback_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "print('before')\nraise ValueError('boom')\n");
    let (outcome, _) = run(&spec).await;
    assert!(matches!(outcome, AttemptOutcome::Failed { exit_code: Some(1), .. }), "{outcome:?}");
    let log = String::from_utf8(std::fs::read(&spec.log_path).unwrap()).unwrap();
    assert!(log.contains("before") && log.contains("ValueError: boom"), "{log}");
}

#[tokio::test]
async fn arguments_stdin_and_env() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(
        dir.path(),
        "import os, sys\nline = input()\nprint(sys.argv[1:], line, os.environ['DLF_X'], os.getcwd() == os.path.realpath(os.environ['WORK']))\n",
    );
    spec.arguments = vec!["a".into(), "b".into()];
    spec.stdin = Some("typed".into());
    spec.env = vec![("DLF_X".into(), "y".into()), ("WORK".into(), dir.path().display().to_string())];
    let (outcome, _) = run(&spec).await;
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("['a', 'b'] typed y True\n".into()) });
}

#[tokio::test]
async fn python_2_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(dir.path(), "print 'old'\n");
    spec.properties = vec![("pythonVersion".into(), "Python 2".into())];
    let (outcome, groups) = run(&spec).await;
    match outcome {
        AttemptOutcome::Failed { message, exit_code: None, timed_out: false, retryable: false } => {
            assert!(message.contains("Python 3 only") && message.contains("Python 2 is not available"), "{message}");
            assert!(String::from_utf8(std::fs::read(&spec.log_path).unwrap()).unwrap().contains(&message));
        }
        other => panic!("{other:?}"),
    }
    assert!(groups.is_empty());
}

#[tokio::test]
async fn python_3_version_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(dir.path(), "import sys\nprint(sys.version_info[0])\n");
    spec.properties = vec![("pythonVersion".into(), "Python 3".into())];
    let (outcome, _) = run(&spec).await;
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("3\n".into()) });
}

#[tokio::test]
async fn missing_python3_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let mut spec = spec(dir.path(), "print('hi')\n");
    spec.env = vec![("PATH".into(), empty.path().display().to_string())];
    let (outcome, groups) = run(&spec).await;
    assert_eq!(
        outcome,
        AttemptOutcome::Failed {
            message: "python3 is not installed on this host".into(),
            exit_code: None,
            timed_out: false,
            retryable: false
        }
    );
    assert!(groups.is_empty());
}

/// Output appears in the log while the script runs (unbuffered), not only at exit.
#[tokio::test]
async fn output_reaches_the_log_while_running() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "import time\nprint('early')\ntime.sleep(30)\n");
    let cancel = CancellationToken::new();
    let log_path = spec.log_path.clone();
    let watcher = async {
        for _ in 0..500 {
            if std::fs::read(&log_path).unwrap_or_default() == b"early\n" {
                cancel.cancel();
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        cancel.cancel();
        false
    };
    let recorder = Recorder::default();
    let (outcome, seen) = tokio::join!(run_with(&PythonRunner, &spec, cancel.clone(), &recorder), watcher);
    assert!(seen, "the print did not reach the log while python ran");
    assert_eq!(outcome, AttemptOutcome::Stopped);
}
