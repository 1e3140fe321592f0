//! Shell runner and the process control under it, with real processes.

mod runner_support;

use dlf_engine::runners::process::script_path;
use dlf_engine::runners::shell::ShellRunner;
use dlf_engine::runners::{AttemptOutcome, AttemptSpec, ProcessInfo};
use runner_support::{Recorder, run_to_end, run_with};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn spec(dir: &Path, program: &str) -> AttemptSpec {
    AttemptSpec {
        instance_id: 1,
        node_name: "node".into(),
        node_type: "Shell".into(),
        attempt: 1,
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

/// Runs to the end; returns the outcome and the reported process groups.
async fn run(spec: &AttemptSpec) -> (AttemptOutcome, Vec<ProcessInfo>) {
    run_to_end(&ShellRunner, spec).await
}

fn log(spec: &AttemptSpec) -> Vec<u8> {
    std::fs::read(&spec.log_path).unwrap()
}

/// Alive = has a /proc entry and is not a zombie (killed processes may wait to be reaped).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next());
            !matches!(state, Some("Z") | Some("X") | None)
        }
        Err(_) => false,
    }
}

/// Live processes whose process group is `pgid`.
fn group_members(pgid: i32) -> Vec<i32> {
    let mut members = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let Some((_, rest)) = stat.rsplit_once(')') else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // fields[0] = state (field 3), fields[2] = pgrp (field 5).
        if fields.len() > 2 && fields[2] == pgid.to_string() && fields[0] != "Z" && fields[0] != "X" {
            members.push(pid);
        }
    }
    members
}

/// Whether all `pids` are dead, allowing 200 ms for processes already killed to finish dying
/// (a SIGKILLed process closes its files, and so the pipes, a moment before it is a zombie).
async fn gone(pids: &[i32]) -> bool {
    for _ in 0..20 {
        if pids.iter().all(|&p| !alive(p)) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// Whether the group has no live member, allowing 200 ms as in [`gone`].
async fn group_gone(pgid: i32) -> bool {
    for _ in 0..20 {
        if group_members(pgid).is_empty() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

async fn wait_for_file(path: &Path) -> String {
    for _ in 0..500 {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{} never appeared", path.display());
}

fn pids_in(text: &str) -> Vec<i32> {
    text.split_whitespace().map(|p| p.parse().unwrap()).collect()
}

/// Runs `program`, cancels once `ready` (a file the script writes its pids to) exists, and
/// returns the outcome, the time from cancel to return, and every process that was in the
/// group (plus the pids the script wrote) at the moment of the cancel.
async fn stop_after_ready(spec: &AttemptSpec, ready: &Path) -> (AttemptOutcome, Duration, Vec<i32>) {
    let cancel = CancellationToken::new();
    let recorder = Recorder::default();
    let controller = async {
        let mut pids = pids_in(&wait_for_file(ready).await);
        let pgid = recorder.first_group().expect("the process group was reported");
        for member in group_members(pgid) {
            if !pids.contains(&member) {
                pids.push(member);
            }
        }
        assert!(pids.iter().all(|&p| alive(p)), "all processes run before the stop");
        let at = Instant::now();
        cancel.cancel();
        (pids, at)
    };
    let (outcome, (pids, cancelled_at)) =
        tokio::join!(run_with(&ShellRunner, spec, cancel.clone(), &recorder), controller);
    (outcome, cancelled_at.elapsed(), pids)
}

#[tokio::test]
async fn echo_to_both_streams_logs_both_and_outputs_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "echo out1\necho err1 >&2\necho out2\necho err2 >&2\n");
    let (outcome, groups) = run(&spec).await;
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("out1\nout2\n".into()) });
    assert_eq!(groups.len(), 1);
    assert!(groups[0].process_group > 1);
    assert!(groups[0].start_ticks.is_some());
    let log = String::from_utf8(log(&spec)).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let outs: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("out")).collect();
    let errs: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("err")).collect();
    assert_eq!(outs, ["out1", "out2"]);
    assert_eq!(errs, ["err1", "err2"]);
    assert_eq!(lines.len(), 4);
    // A short script is passed to `bash -c`: no script file.
    assert!(!script_path(&spec, "sh").exists());
}

#[tokio::test]
async fn a_silent_attempt_leaves_no_log_file_and_a_failed_one_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = spec(dir.path(), "true\n");
    assert_eq!(run(&quiet).await.0, AttemptOutcome::Succeeded { output: None });
    assert!(!quiet.log_path.exists());
    let mut nested = spec(dir.path(), "exit 3\n");
    nested.log_path = dir.path().join("n").join("attempt-1.log");
    let (outcome, _) = run(&nested).await;
    assert!(matches!(outcome, AttemptOutcome::Failed { exit_code: Some(3), .. }), "{outcome:?}");
    assert!(!nested.log_path.exists(), "exit codes are not written to the log: they are the node's error message");
    let mut talks = spec(dir.path(), "echo late\n");
    talks.log_path = dir.path().join("m").join("attempt-1.log");
    assert_eq!(run(&talks).await.0, AttemptOutcome::Succeeded { output: Some("late\n".into()) });
    assert_eq!(log(&talks), b"late\n", "the first output creates the log and its directory");
}

#[tokio::test]
async fn an_inline_program_sees_its_name_and_arguments_as_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let program = "echo \"$0|$1|$2|$#|$(dirname \"$0\")\"\n";
    let mut inline = spec(dir.path(), program);
    inline.arguments = vec!["x".into(), "y".into()];
    assert_eq!(run(&inline).await.0, AttemptOutcome::Succeeded { output: Some("attempt-1.sh|x|y|2|.\n".into()) });
    assert!(!script_path(&inline, "sh").exists());

    // Over the inline limit the program runs from its file, with the same arguments.
    let big = format!("{}\n{program}", "#".repeat(dlf_engine::runners::process::INLINE_PROGRAM_MAX));
    let mut from_file = spec(dir.path(), &big);
    from_file.arguments = vec!["x".into(), "y".into()];
    let script = script_path(&from_file, "sh");
    assert!(script.starts_with(dir.path().join(".dlf-scripts")), "{}", script.display());
    let expected = format!("{}|x|y|2|{}\n", script.display(), script.parent().unwrap().display());
    assert_eq!(run(&from_file).await.0, AttemptOutcome::Succeeded { output: Some(expected) });
    assert_eq!(std::fs::read_to_string(&script).unwrap(), big);
}

#[tokio::test]
async fn empty_stdout_gives_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "echo only-errors >&2\n");
    let (outcome, _) = run(&spec).await;
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: None });
    assert_eq!(log(&spec), b"only-errors\n");
}

#[tokio::test]
async fn output_is_the_last_4000_characters() {
    let dir = tempfile::tempdir().unwrap();
    // 10,000 characters: 0123456789 repeated 1,000 times, no newline.
    let spec = spec(dir.path(), "for i in $(seq 1000); do printf 0123456789; done\n");
    let (outcome, _) = run(&spec).await;
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("0123456789".repeat(400)) });
    assert_eq!(log(&spec).len(), 10_000);
}

#[tokio::test]
async fn exit_code_and_retry_condition() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(dir.path(), "echo failing\nexit 3\n");
    let (outcome, _) = run(&spec).await;
    assert_eq!(
        outcome,
        AttemptOutcome::Failed { message: "exit code 3".into(), exit_code: Some(3), timed_out: false, retryable: true }
    );

    spec.properties = vec![("retryExitCodes".into(), "1-2".into())];
    let (outcome, _) = run(&spec).await;
    assert!(matches!(outcome, AttemptOutcome::Failed { exit_code: Some(3), retryable: false, .. }), "{outcome:?}");

    spec.properties = vec![("retryExitCodes".into(), "1-5".into())];
    let (outcome, _) = run(&spec).await;
    assert!(matches!(outcome, AttemptOutcome::Failed { exit_code: Some(3), retryable: true, .. }), "{outcome:?}");

    spec.properties = vec![("retryExitCodes".into(), "not ranges".into())];
    let (outcome, _) = run(&spec).await;
    assert!(matches!(outcome, AttemptOutcome::Failed { exit_code: Some(3), retryable: true, .. }), "{outcome:?}");
}

#[tokio::test]
async fn arguments_env_stdin_and_cwd() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec =
        spec(dir.path(), "read first second\necho \"args=$1,$2 env=$DLF_TEST_VALUE in=$first/$second cwd=$(pwd)\"\n");
    spec.arguments = vec!["a".into(), "b c".into()];
    spec.env = vec![("DLF_TEST_VALUE".into(), "it's $HOME `x`".into())];
    spec.stdin = Some("x y".into());
    let (outcome, _) = run(&spec).await;
    let cwd = std::fs::canonicalize(dir.path()).unwrap();
    let expected = format!("args=a,b c env=it's $HOME `x` in=x/y cwd={}\n", cwd.display());
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some(expected) });
}

#[tokio::test]
async fn nothing_of_the_servers_environment_reaches_the_node() {
    let dir = tempfile::tempdir().unwrap();
    // Whatever this test process has in its environment (PATH, HOME, CARGO_*...), the node sees
    // only its own (bash adds PWD, SHLVL and _ itself).
    let mut spec = spec(dir.path(), "/usr/bin/env | /bin/grep -v -E '^(PWD|SHLVL|_)=' | /usr/bin/sort\n");
    spec.env = vec![("ONLY".into(), "this".into()), ("ALSO".into(), "that".into())];
    let (outcome, _) = run(&spec).await;
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("ALSO=that\nONLY=this\n".into()) });
}

#[tokio::test]
async fn no_stdin_reads_end_of_file() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "if read line; then echo got; else echo eof; fi\n");
    let (outcome, _) = run(&spec).await;
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("eof\n".into()) });
}

/// The acceptance case: stopping kills the background child and the foreground one.
#[tokio::test]
async fn stop_kills_background_and_foreground_children() {
    let dir = tempfile::tempdir().unwrap();
    let ready = dir.path().join("pids");
    let spec = spec(dir.path(), "sleep 600 &\nbg=$!\necho \"$$ $bg\" > pids\nsleep 600\necho not-reached\n");
    let (outcome, took, pids) = stop_after_ready(&spec, &ready).await;
    assert_eq!(outcome, AttemptOutcome::Stopped);
    assert!(took < Duration::from_secs(2), "stop took {took:?}");
    assert!(pids.len() >= 3, "bash, the background sleep and the foreground sleep: {pids:?}");
    let survivors_at_return: Vec<i32> = pids.iter().copied().filter(|&p| alive(p)).collect();
    assert!(gone(&pids).await, "survivors: {:?}", pids.iter().filter(|&&p| alive(p)).collect::<Vec<_>>());
    assert!(group_gone(pids[0]).await);
    eprintln!(
        "stop with background + foreground sleep returned {took:?} after the cancel; still dying at return: {survivors_at_return:?}"
    );
}

/// A script that ignores SIGTERM (and so do its children) dies from the SIGKILL follow-up.
#[tokio::test]
async fn stop_kills_processes_that_ignore_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let ready = dir.path().join("pids");
    let mut spec = spec(dir.path(), "trap '' TERM\nsleep 600 &\necho \"$$ $!\" > pids\nsleep 600\n");
    spec.kill_grace = Duration::from_millis(300);
    let (outcome, took, pids) = stop_after_ready(&spec, &ready).await;
    assert_eq!(outcome, AttemptOutcome::Stopped);
    assert!(took >= Duration::from_millis(300), "the grace is given first: {took:?}");
    assert!(took < Duration::from_secs(2), "stop took {took:?}");
    let survivors_at_return: Vec<i32> = pids.iter().copied().filter(|&p| alive(p)).collect();
    assert!(gone(&pids).await, "survivors: {:?}", pids.iter().filter(|&&p| alive(p)).collect::<Vec<_>>());
    eprintln!(
        "stop with SIGTERM ignored returned {took:?} after the cancel; still dying at return: {survivors_at_return:?}"
    );
}

/// A stop before the attempt starts runs nothing.
#[tokio::test]
async fn cancelled_before_start_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "touch ran\n");
    let cancel = CancellationToken::new();
    cancel.cancel();
    let recorder = Recorder::default();
    let outcome = run_with(&ShellRunner, &spec, cancel, &recorder).await;
    assert_eq!(outcome, AttemptOutcome::Stopped);
    assert!(recorder.groups.lock().unwrap().is_empty(), "nothing may start");
    assert!(!dir.path().join("ran").exists());
}

#[tokio::test]
async fn normal_exit_kills_leftover_background_children() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "sleep 600 &\necho $! > pids\necho done\n");
    let begin = Instant::now();
    let (outcome, groups) = run(&spec).await;
    let took = begin.elapsed();
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("done\n".into()) });
    assert!(took < Duration::from_millis(1000), "took {took:?}");
    let background = pids_in(&std::fs::read_to_string(dir.path().join("pids")).unwrap())[0];
    assert!(gone(&[background]).await, "the background sleep survived");
    assert!(group_gone(groups[0].process_group).await);
}

#[tokio::test]
async fn killed_by_a_signal_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "kill -9 $$\n");
    let (outcome, _) = run(&spec).await;
    assert_eq!(
        outcome,
        AttemptOutcome::Failed {
            message: "killed by signal 9 (SIGKILL)".into(),
            exit_code: None,
            timed_out: false,
            retryable: true
        }
    );
}

#[tokio::test]
async fn non_utf8_output_is_kept_raw_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "printf 'a\\377\\376b\\n'\nprintf '\\377' >&2\n");
    let (outcome, _) = run(&spec).await;
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("a\u{fffd}\u{fffd}b\n".into()) });
    let mut log = log(&spec);
    log.sort_unstable();
    let mut expected = b"a\xff\xfeb\n\xff".to_vec();
    expected.sort_unstable();
    assert_eq!(log, expected);
}

#[tokio::test]
async fn missing_program_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(dir.path(), "");
    spec.program = None;
    let (outcome, groups) = run(&spec).await;
    assert_eq!(
        outcome,
        AttemptOutcome::Failed {
            message: "the node has no script or statement to run".into(),
            exit_code: None,
            timed_out: false,
            retryable: false
        }
    );
    assert!(groups.is_empty());
}

#[tokio::test]
async fn unwritable_work_dir_fails_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(dir.path(), "echo hi\n");
    std::fs::write(dir.path().join("a-file"), "").unwrap();
    spec.work_dir = dir.path().join("a-file").join("sub");
    assert_fails_before_start(&spec, "cannot create the directory").await;
}

#[tokio::test]
async fn unwritable_script_file_fails_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!("{}\necho hi\n", "#".repeat(dlf_engine::runners::process::INLINE_PROGRAM_MAX));
    let spec = spec(dir.path(), &big);
    std::fs::create_dir_all(script_path(&spec, "sh")).unwrap();
    assert_fails_before_start(&spec, "cannot write the script file").await;
}

/// The attempt fails with a message starting `prefix`, starts no process, and logs the message.
async fn assert_fails_before_start(spec: &AttemptSpec, prefix: &str) {
    let (outcome, groups) = run(spec).await;
    match outcome {
        AttemptOutcome::Failed { message, exit_code: None, .. } => assert!(message.starts_with(prefix), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(groups.is_empty());
    assert!(String::from_utf8(log(spec)).unwrap().starts_with(prefix));
}

#[tokio::test]
async fn user_text_is_never_a_shell_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(dir.path(), "printf '%s|' \"$@\"\n");
    spec.arguments = vec!["$(touch injected)".into(), ";".into(), "`touch x`".into()];
    let (outcome, _) = run(&spec).await;
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("$(touch injected)|;|`touch x`|".into()) });
    assert!(!dir.path().join("injected").exists());
}

/// Slower (~1 s): more than 30 MB on stdout fails the node and kills the process.
#[tokio::test]
async fn output_over_30_mb_fails_the_node() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "echo $$ > pids\nhead -c 32000000 /dev/zero | tr '\\0' a\nsleep 600\n");
    let begin = Instant::now();
    let (outcome, groups) = run(&spec).await;
    assert_eq!(
        outcome,
        AttemptOutcome::Failed {
            message: "output is larger than 30 MB".into(),
            exit_code: None,
            timed_out: false,
            retryable: true
        }
    );
    assert!(begin.elapsed() < Duration::from_secs(20), "took {:?}", begin.elapsed());
    let pgid = groups[0].process_group;
    assert!(gone(&[pgid]).await);
    assert!(group_gone(pgid).await);
    let logged = std::fs::metadata(&spec.log_path).unwrap().len();
    assert!(logged <= 30 * 1024 * 1024 + 64 * 1024, "log size {logged}");
}

/// Backstop: if the attempt's future is dropped (e.g. the executor itself is torn down), the
/// whole group is killed, not just the interpreter.
#[tokio::test]
async fn dropping_the_attempt_kills_the_group() {
    let dir = tempfile::tempdir().unwrap();
    let ready = dir.path().join("pids");
    let spec = spec(dir.path(), "sleep 600 &\necho \"$$ $!\" > pids\nsleep 600\n");
    let recorder = Recorder::default();
    let attempt = run_with(&ShellRunner, &spec, CancellationToken::new(), &recorder);
    let (dropped, pids) = tokio::join!(tokio::time::timeout(Duration::from_millis(700), attempt), async {
        let mut pids = pids_in(&wait_for_file(&ready).await);
        let pgid = recorder.first_group().expect("the process group was reported");
        pids.extend(group_members(pgid).into_iter().filter(|p| !pids.contains(p)).collect::<Vec<_>>());
        pids
    });
    assert!(dropped.is_err(), "the attempt should still have been running");
    // bash, the background sleep and the foreground one — or two, when `bash -c` runs its last
    // command in its own place (bash 5.1 and later).
    assert!(pids.len() >= 2, "{pids:?}");
    assert!(gone(&pids).await, "survivors: {:?}", pids.iter().filter(|&&p| alive(p)).collect::<Vec<_>>());
}

// ---- through the node launcher (how nodes start when they run as another user) -------------

fn launched(dir: &Path, program: &str) -> AttemptSpec {
    use dlf_engine::runners::NodeUser;
    use dlf_engine::runners::process::launcher::{Launcher, seqpacket_pair, serve};
    let (ours, theirs) = seqpacket_pair().unwrap();
    std::thread::spawn(move || serve(theirs));
    let me = (nix::unistd::Uid::current().as_raw(), nix::unistd::Gid::current().as_raw());
    let launcher = std::sync::Arc::new(Launcher::over(ours, None, me).unwrap());
    let mut spec = spec(dir, program);
    // The current user: what is tested is the launcher path, not the switch (the hostile-node
    // suite switches users for real, as root).
    spec.run_as = Some(NodeUser { uid: me.0, gid: me.1, launcher: Some(launcher) });
    spec
}

#[tokio::test]
async fn a_launched_node_logs_outputs_reads_stdin_and_reports_its_exit() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = launched(dir.path(), "read line; echo \"got $line $X $1\"; echo to-err >&2; exit 4\n");
    spec.stdin = Some("typed".into());
    spec.env = vec![("X".into(), "x".into())];
    spec.arguments = vec!["arg".into()];
    let (outcome, groups) = run(&spec).await;
    assert_eq!(
        outcome,
        AttemptOutcome::Failed { message: "exit code 4".into(), exit_code: Some(4), timed_out: false, retryable: true }
    );
    assert_eq!(groups.len(), 1);
    let log = String::from_utf8(log(&spec)).unwrap();
    assert!(log.contains("got typed x arg\n") && log.contains("to-err\n"), "{log}");
    let ok = launched(dir.path(), "echo fine\n");
    assert_eq!(run(&ok).await.0, AttemptOutcome::Succeeded { output: Some("fine\n".into()) });
}

#[tokio::test]
async fn stopping_a_launched_node_kills_its_whole_group() {
    let dir = tempfile::tempdir().unwrap();
    let ready = dir.path().join("pids");
    let spec = launched(dir.path(), "sleep 600 &\necho \"$$ $!\" > pids\nsleep 600\n");
    let (outcome, took, pids) = stop_after_ready(&spec, &ready).await;
    assert_eq!(outcome, AttemptOutcome::Stopped);
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(gone(&pids).await, "survivors: {:?}", pids.iter().filter(|&&p| alive(p)).collect::<Vec<_>>());
}
