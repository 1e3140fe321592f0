//! Shell and Python on an SSH host (`HOST` connections), against a real sshd.
//!
//! Needs the server `.ci/start-sshd` starts (on this machine, so the tests can look at the
//! host's processes with `pgrep`): `eval "$(bash .ci/start-sshd)"` sets `DLF_TEST_SSH_*`.
//! Without `DLF_TEST_SSH_HOST` every test says so and passes without checking anything.

mod runner_support;
mod support;

use dlf_core::model::connection::{ConnectionTarget, ConnectionType, SshAddress};
use dlf_engine::connections::ResolvedConnection;
use dlf_engine::runners::python::PythonRunner;
use dlf_engine::runners::shell::ShellRunner;
use dlf_engine::runners::{AttemptOutcome, AttemptSpec, NodeRunner};
use runner_support::{Recorder, run_to_end, run_with};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{TestEngine, job, node_status, shell, with};
use tokio_util::sync::CancellationToken;

/// The test host, from `.ci/start-sshd`.
struct Host {
    host: String,
    port: u16,
    user: String,
    key: String,
    wrong_key: Option<String>,
    password: String,
    fingerprint: Option<String>,
}

fn host() -> Option<Host> {
    let Ok(host) = std::env::var("DLF_TEST_SSH_HOST") else {
        eprintln!("skipped: DLF_TEST_SSH_HOST is not set (run `eval \"$(bash .ci/start-sshd)\"` first)");
        return None;
    };
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let read = |name: &str| std::fs::read_to_string(var(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Some(Host {
        host,
        port: var("DLF_TEST_SSH_PORT").parse().unwrap(),
        user: var("DLF_TEST_SSH_USER"),
        key: read("DLF_TEST_SSH_KEY"),
        wrong_key: std::env::var("DLF_TEST_SSH_WRONG_KEY").ok().map(|p| std::fs::read_to_string(p).unwrap()),
        password: var("DLF_TEST_SSH_PASSWORD"),
        fingerprint: std::env::var("DLF_TEST_SSH_HOST_FINGERPRINT").ok(),
    })
}

enum Auth<'a> {
    Key(&'a str),
    EncryptedKey(&'a str, &'a str),
    Password(&'a str),
}

fn connection(h: &Host, auth: Auth<'_>, fingerprint: Option<&str>) -> Arc<ResolvedConnection> {
    let secret = |s: &str| Some(SecretString::from(s.to_string()));
    let (private_key, passphrase, password) = match auth {
        Auth::Key(key) => (secret(key), None, None),
        Auth::EncryptedKey(key, passphrase) => (secret(key), secret(passphrase), None),
        Auth::Password(password) => (None, None, secret(password)),
    };
    Arc::new(ResolvedConnection {
        id: "c-1".into(),
        name: "box".into(),
        version: 1,
        kind: ConnectionType::Host,
        target: ConnectionTarget::Ssh(SshAddress {
            host: h.host.clone(),
            port: h.port,
            user: h.user.clone(),
            host_key_fingerprint: fingerprint.map(str::to_string),
        }),
        password,
        private_key,
        passphrase,
    })
}

fn spec(dir: &Path, node_type: &str, program: &str, connection: Arc<ResolvedConnection>) -> AttemptSpec {
    AttemptSpec {
        instance_id: 7,
        node_name: "remote".into(),
        node_type: node_type.into(),
        attempt: 1,
        properties: Vec::new(),
        program: Some(program.into()),
        connection: Some(connection),
        database: None,
        arguments: Vec::new(),
        stdin: None,
        env: vec![
            ("PATH".into(), "/server/only/bin".into()),
            ("HOME".into(), "/server/home".into()),
            ("DAY".into(), "it's monday".into()),
            ("DLF_JOB_NAME".into(), "nightly".into()),
        ],
        log_path: dir.join("node.log"),
        work_dir: dir.join("work"),
        run_as: None,
        kill_grace: Duration::from_millis(300),
        child_calls: Vec::new(),
        resources: Vec::new(),
    }
}

fn log(spec: &AttemptSpec) -> String {
    std::fs::read_to_string(&spec.log_path).unwrap_or_default()
}

fn output(outcome: &AttemptOutcome) -> String {
    match outcome {
        AttemptOutcome::Succeeded { output } => output.clone().unwrap_or_default(),
        other => panic!("expected success, got {other:?}"),
    }
}

/// Processes of the test user whose command line matches `pattern` (the sshd is on this machine).
fn remote_processes(user: &str, pattern: &str) -> Vec<String> {
    let out = std::process::Command::new("pgrep").args(["-a", "-u", user, "-f", pattern]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// Waits up to `within` for `pattern` to match some (`present`) or no process of `user`.
async fn wait_processes(user: &str, pattern: &str, present: bool, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if remote_processes(user, pattern).is_empty() != present {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_shell_node_runs_on_the_host_with_its_environment_output_and_log() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(
        dir.path(),
        "Shell",
        "whoami\necho \"day=$DAY job=$DLF_JOB_NAME args=$1|$2 home=$HOME\"\necho \"path=$PATH\"\necho oops >&2\npwd\n",
        connection(&h, Auth::Key(&h.key), None),
    );
    spec.arguments = vec!["a b".into(), "c'd".into()];
    let (outcome, groups) = run_to_end(&ShellRunner, &spec).await;
    let out = output(&outcome);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(h.user.as_str()), "{out}");
    assert_eq!(
        lines.next(),
        Some(format!("day=it's monday job=nightly args=a b|c'd home=/home/{}", h.user).as_str()),
        "job parameters and DLF_* variables arrive quoted intact; HOME is the login's: {out}"
    );
    let path = lines.next().unwrap_or_default();
    assert!(!path.contains("/server/only/bin"), "the server's PATH stays on the server: {path}");
    assert!(lines.next().is_some_and(|pwd| pwd.starts_with("/tmp/dlf-")), "runs in its own directory: {out}");
    let log = log(&spec);
    assert!(log.contains(&h.user) && log.contains("oops\n"), "the log has stdout and stderr: {log}");
    assert!(!log.contains("dlf-pgid"), "the launcher's marker is not output: {log}");
    assert!(!out.contains("oops"), "stderr is not the node's output");
    assert!(groups.is_empty(), "remote groups are not reported as local process groups: {groups:?}");
}

#[tokio::test]
async fn resources_are_uploaded_into_the_attempts_directory_on_the_host() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("object");
    std::fs::write(&source, "it's a resource\n").unwrap();
    let mut spec = spec(dir.path(), "Shell", "cat \"it's.txt\"; pwd", connection(&h, Auth::Key(&h.key), None));
    spec.resources =
        vec![dlf_engine::runners::ResourceFile { name: "quoted".into(), file_name: "it's.txt".into(), source }];
    let (outcome, _) = run_to_end(&ShellRunner, &spec).await;
    let out = output(&outcome);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("it's a resource"), "{out}");
    assert!(lines.next().is_some_and(|pwd| pwd.starts_with("/tmp/dlf-")), "{out}");
}

#[tokio::test]
async fn a_non_zero_exit_fails_with_its_code_and_the_attempt_directory_is_removed() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "Shell", "echo \"$PWD\"; exit 3", connection(&h, Auth::Key(&h.key), None));
    let (outcome, _) = run_to_end(&ShellRunner, &spec).await;
    match outcome {
        AttemptOutcome::Failed { message, exit_code, timed_out, .. } => {
            assert_eq!((message.as_str(), exit_code, timed_out), ("exit code 3", Some(3), false));
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    let remote_dir = log(&spec).trim().to_string();
    assert!(remote_dir.starts_with("/tmp/dlf-"), "{remote_dir}");
    assert!(!Path::new(&remote_dir).exists(), "{remote_dir} is removed after the attempt");
}

#[tokio::test]
async fn a_large_program_arrives_whole() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    // 3 MB of comments, then the line that prints: a program far larger than a packet or a
    // command line.
    let program = format!("{}echo \"$(wc -c < \"$0\")\"\n", "# padding padding padding padding\n".repeat(90_000));
    let spec = spec(dir.path(), "Shell", &program, connection(&h, Auth::Key(&h.key), None));
    let (outcome, _) = run_to_end(&ShellRunner, &spec).await;
    assert_eq!(output(&outcome), format!("{}\n", program.len()));
}

#[tokio::test]
async fn a_program_killed_by_a_signal_says_which() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "Shell", "kill -KILL $$", connection(&h, Auth::Key(&h.key), None));
    let (outcome, _) = run_to_end(&ShellRunner, &spec).await;
    match outcome {
        AttemptOutcome::Failed { message, exit_code, .. } => {
            assert_eq!((message.as_str(), exit_code), ("killed by signal 9 (SIGKILL)", None));
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_python_node_runs_python3_on_the_host_with_stdin_and_arguments() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(
        dir.path(),
        "Python",
        "import os, sys\nanswer = input()\nprint(sys.version_info[0], os.environ['DAY'], sys.argv[1:], answer)\n",
        connection(&h, Auth::Key(&h.key), None),
    );
    spec.arguments = vec!["x".into()];
    spec.stdin = Some("forty-two\n".into());
    let (outcome, _) = run_to_end(&PythonRunner, &spec).await;
    assert_eq!(output(&outcome), "3 it's monday ['x'] forty-two\n");
}

#[tokio::test]
async fn stop_kills_the_remote_process_group_with_its_background_children() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let spec =
        spec(dir.path(), "Shell", "sleep 301 &\necho started\nsleep 300\n", connection(&h, Auth::Key(&h.key), None));
    let cancel = CancellationToken::new();
    let recorder = Recorder::default();
    let runner: &dyn NodeRunner = &ShellRunner;
    let run = run_with(runner, &spec, cancel.clone(), &recorder);
    let stop = async {
        assert!(wait_processes(&h.user, "sleep 30[01]", true, Duration::from_secs(10)).await, "the program started");
        cancel.cancel();
    };
    let (outcome, ()) = tokio::join!(run, stop);
    assert_eq!(outcome, AttemptOutcome::Stopped);
    assert!(
        wait_processes(&h.user, "sleep 30[01]", false, Duration::from_secs(3)).await,
        "left behind: {:?}",
        remote_processes(&h.user, "sleep 30[01]")
    );
    assert!(log(&spec).contains("started"));
}

#[tokio::test]
async fn a_program_that_ignores_sigterm_is_killed_after_the_grace() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let program = "trap '' TERM\nsleep 309 &\nsleep 308\n";
    let spec = spec(dir.path(), "Shell", program, connection(&h, Auth::Key(&h.key), None));
    let cancel = CancellationToken::new();
    let recorder = Recorder::default();
    let runner: &dyn NodeRunner = &ShellRunner;
    let run = run_with(runner, &spec, cancel.clone(), &recorder);
    let stop = async {
        assert!(wait_processes(&h.user, "sleep 30[89]", true, Duration::from_secs(10)).await, "the program started");
        cancel.cancel();
        Instant::now()
    };
    let (outcome, stopped_at) = tokio::join!(run, stop);
    assert_eq!(outcome, AttemptOutcome::Stopped);
    assert!(stopped_at.elapsed() >= spec.kill_grace, "SIGKILL came only after the grace");
    assert!(
        wait_processes(&h.user, "sleep 30[89]", false, Duration::from_secs(3)).await,
        "left behind: {:?}",
        remote_processes(&h.user, "sleep 30[89]")
    );
}

/// The parent pid of `pid`, from `/proc`.
fn parent_of(pid: &str) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let (_, rest) = stat.rsplit_once(')').unwrap();
    rest.split_whitespace().nth(1).unwrap().to_string()
}

#[tokio::test]
async fn a_lost_connection_fails_the_node_and_dlf_stops_the_program_through_a_new_one() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "Shell", "sleep 311 &\nsleep 310\n", connection(&h, Auth::Key(&h.key), None));
    let cancel = CancellationToken::new();
    let recorder = Recorder::default();
    let runner: &dyn NodeRunner = &ShellRunner;
    let run = run_with(runner, &spec, cancel.clone(), &recorder);
    let cut = async {
        assert!(wait_processes(&h.user, "^sleep 310", true, Duration::from_secs(10)).await, "the program started");
        let sleep = remote_processes(&h.user, "^sleep 310")[0].split_whitespace().next().unwrap().to_string();
        // sleep <- the program's bash (the group leader) <- this connection's sshd process.
        let sshd = parent_of(&parent_of(&sleep));
        let command = std::fs::read_to_string(format!("/proc/{sshd}/cmdline")).unwrap();
        assert!(command.starts_with("sshd:"), "{sshd} is {command}");
        assert!(std::process::Command::new("kill").args(["-KILL", &sshd]).status().unwrap().success());
    };
    let (outcome, ()) = tokio::join!(run, cut);
    match outcome {
        AttemptOutcome::Failed { message, retryable, .. } => {
            assert!(message.contains("was lost") && message.contains("stopped it there"), "{message}");
            assert!(retryable);
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(
        wait_processes(&h.user, "sleep 31[01]", false, Duration::from_secs(3)).await,
        "left behind: {:?}",
        remote_processes(&h.user, "sleep 31[01]")
    );
}

#[tokio::test]
async fn background_children_do_not_outlive_a_node_that_ended() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "Shell", "sleep 302 &\necho done\n", connection(&h, Auth::Key(&h.key), None));
    let (outcome, _) = run_to_end(&ShellRunner, &spec).await;
    assert_eq!(output(&outcome), "done\n");
    assert!(
        wait_processes(&h.user, "sleep 302", false, Duration::from_secs(3)).await,
        "left behind: {:?}",
        remote_processes(&h.user, "sleep 302")
    );
}

#[tokio::test]
async fn password_login_works_and_a_wrong_password_fails_clearly_without_the_secret() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let good = spec(dir.path(), "Shell", "whoami", connection(&h, Auth::Password(&h.password), None));
    let (outcome, _) = run_to_end(&ShellRunner, &good).await;
    assert_eq!(output(&outcome), format!("{}\n", h.user));

    let wrong = "not-the-Password-9";
    let bad = spec(dir.path(), "Shell", "whoami", connection(&h, Auth::Password(wrong), None));
    let (outcome, _) = run_to_end(&ShellRunner, &bad).await;
    match outcome {
        AttemptOutcome::Failed { message, retryable, exit_code, .. } => {
            assert!(message.contains("refused the password") && message.contains(&h.user), "{message}");
            assert!(!message.contains(wrong), "{message}");
            assert!(retryable && exit_code.is_none());
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(!log(&bad).contains(wrong) && log(&bad).contains("refused the password"));
}

#[tokio::test]
async fn the_connection_test_logs_in_and_reports_the_hosts_refusal() {
    let Some(h) = host() else { return };
    assert_eq!(dlf_engine::ssh::probe(&connection(&h, Auth::Key(&h.key), None)).await, Ok(()));
    assert_eq!(dlf_engine::ssh::probe(&connection(&h, Auth::Password(&h.password), None)).await, Ok(()));
    if let Some(wrong_key) = &h.wrong_key {
        let message = dlf_engine::ssh::probe(&connection(&h, Auth::Key(wrong_key), None)).await.unwrap_err();
        assert!(message.contains("refused the private key"), "{message}");
    }
    let garbage = dlf_engine::ssh::probe(&connection(&h, Auth::Key("not a key"), None)).await.unwrap_err();
    assert!(garbage.contains("privateKey cannot be read"), "{garbage}");
    if let Some(fingerprint) = &h.fingerprint {
        let pinned = connection(&h, Auth::Key(&h.key), Some(fingerprint));
        assert_eq!(dlf_engine::ssh::probe(&pinned).await, Ok(()));
    }
    let other = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let message = dlf_engine::ssh::probe(&connection(&h, Auth::Key(&h.key), Some(other))).await.unwrap_err();
    assert!(message.contains("not the pinned hostKeyFingerprint") && message.contains(other), "{message}");
    let closed = Host { port: 1, ..h };
    let message = dlf_engine::ssh::probe(&connection(&closed, Auth::Key(&closed.key), None)).await.unwrap_err();
    assert!(message.contains("cannot connect to the SSH host"), "{message}");
}

#[tokio::test]
async fn pem_keys_and_keys_with_a_passphrase_log_in() {
    let Some(h) = host() else { return };
    let (Ok(pem), Ok(encrypted), Ok(passphrase)) = (
        std::env::var("DLF_TEST_SSH_PEM_KEY"),
        std::env::var("DLF_TEST_SSH_ENCRYPTED_KEY"),
        std::env::var("DLF_TEST_SSH_KEY_PASSPHRASE"),
    ) else {
        eprintln!("skipped: .ci/start-sshd gave no PEM or encrypted key");
        return;
    };
    let pem = std::fs::read_to_string(pem).unwrap();
    assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    assert_eq!(dlf_engine::ssh::probe(&connection(&h, Auth::Key(&pem), None)).await, Ok(()));
    let encrypted = std::fs::read_to_string(encrypted).unwrap();
    let with_passphrase = connection(&h, Auth::EncryptedKey(&encrypted, &passphrase), None);
    assert_eq!(dlf_engine::ssh::probe(&with_passphrase).await, Ok(()));
    let without = dlf_engine::ssh::probe(&connection(&h, Auth::Key(&encrypted), None)).await.unwrap_err();
    assert!(without.contains("give its passphrase"), "{without}");
    let wrong = connection(&h, Auth::EncryptedKey(&encrypted, "not-the-passphrase"), None);
    let message = dlf_engine::ssh::probe(&wrong).await.unwrap_err();
    assert!(message.contains("privateKey cannot be read"), "{message}");
}

#[tokio::test]
async fn output_over_30_mb_fails_the_node_and_ends_the_program() {
    let Some(h) = host() else { return };
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), "Shell", "yes dlf-output-cap-check", connection(&h, Auth::Key(&h.key), None));
    let (outcome, _) = run_to_end(&ShellRunner, &spec).await;
    match outcome {
        AttemptOutcome::Failed { message, .. } => {
            assert_eq!(message, dlf_engine::runners::process::OUTPUT_TOO_LARGE)
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(
        wait_processes(&h.user, "yes dlf-output-cap-check", false, Duration::from_secs(3)).await,
        "left behind: {:?}",
        remote_processes(&h.user, "yes dlf-output-cap-check")
    );
}

/// A `HOST` connection named `box` in the engine's workspace.
async fn create_host_connection(t: &TestEngine, h: &Host, config: Value) {
    let mut base = json!({"ip": h.host, "port": h.port.to_string(), "userName": h.user});
    for (k, v) in config.as_object().unwrap() {
        base[k] = v.clone();
    }
    let body = json!({"name": "box", "type": "HOST", "config": base});
    t.engine.create_connection(&t.tenant, &t.caller, &serde_json::to_vec(&body).unwrap()).await.unwrap();
}

fn on_box(node: Value) -> Value {
    let mut node = node;
    node["properties"].as_array_mut().unwrap().push(json!({"name": "connectionName", "value": "box"}));
    node
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_node_on_a_host_connection_gets_job_parameters_and_can_be_stopped() {
    let Some(h) = host() else { return };
    let t = TestEngine::start().await;
    create_host_connection(&t, &h, json!({"privateKey": h.key})).await;
    let doc = with(
        job("j", vec![on_box(shell("remote", "whoami; echo \"region=$region node=$DLF_NODE_NAME\"", &[]))]),
        "params",
        json!([{"name": "region", "value": "eu-west"}]),
    );
    t.create(&doc).await;
    let id = t.run("j", &[]).await;
    let detail = t.finished("j", id).await;
    assert_eq!(node_status(&detail, "remote"), "success", "{detail:?}");
    let node_log = t.engine.node_log(&t.tenant, "j", &id.to_string(), "remote", None).await.unwrap();
    let text = std::fs::read_to_string(node_log.path).unwrap();
    assert_eq!(text, format!("{}\nregion=eu-west node=remote\n", h.user));

    t.create(&job("long", vec![on_box(shell("remote", "sleep 307 & sleep 306", &[]))])).await;
    let id = t.run("long", &[]).await;
    assert!(wait_processes(&h.user, "sleep 30[67]", true, Duration::from_secs(15)).await, "the node started");
    t.engine.stop_instance(&t.tenant, "long", &id.to_string()).await.unwrap();
    t.finished("long", id).await;
    assert!(
        wait_processes(&h.user, "sleep 30[67]", false, Duration::from_secs(3)).await,
        "left behind: {:?}",
        remote_processes(&h.user, "sleep 30[67]")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engines_connection_test_reports_success_and_a_refused_key() {
    let Some(h) = host() else { return };
    let t = TestEngine::start().await;
    create_host_connection(&t, &h, json!({"password": h.password})).await;
    let ok = t.engine.test_connection(&t.tenant, "box").await.unwrap();
    assert!(ok.ok, "{ok:?}");
    let Some(wrong_key) = &h.wrong_key else { return };
    let body = json!({"name": "stranger", "type": "HOST",
        "config": {"ip": h.host, "port": h.port.to_string(), "userName": h.user, "privateKey": wrong_key}});
    t.engine.create_connection(&t.tenant, &t.caller, &serde_json::to_vec(&body).unwrap()).await.unwrap();
    let refused = t.engine.test_connection(&t.tenant, "stranger").await.unwrap();
    assert!(!refused.ok && refused.message.contains("refused the private key"), "{refused:?}");
    assert!(!refused.message.contains("PRIVATE KEY"), "{refused:?}");
}

/// Script runs (S6) on the host: output, and the run's time limit kills the remote processes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_script_runs_on_the_host_and_their_time_limit_kills_the_remote_group() {
    let Some(h) = host() else { return };
    let t = TestEngine::start_with(|c| c.script_run_timeout_ms = 2_000).await;
    create_host_connection(&t, &h, json!({"privateKey": h.key})).await;
    for (name, content) in [("who", "whoami"), ("slow", "sleep 305 &\nsleep 304\n")] {
        let info = json!({"name": name, "type": "Shell", "content": content, "connectionName": "box"});
        t.engine.create_script(&t.tenant, &t.caller, &serde_json::to_vec(&info).unwrap()).await.unwrap();
    }
    let ended = |name: &'static str, id: String| {
        let t = &t;
        async move {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let r = t.engine.script_run_results(&t.tenant, name, &id).await.unwrap();
                if r.status == "FINISHED" || r.status == "FAILED" {
                    return r;
                }
                assert!(Instant::now() < deadline, "the run did not end");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let run = t.engine.execute_script(&t.tenant, &t.caller, "who", b"{}").await.unwrap();
    let result = ended("who", run.instance_id.clone()).await;
    assert_eq!(result.status, "FINISHED", "{result:?}");
    assert!(format!("{:?}", result.results).contains(&h.user), "{result:?}");

    let run = t.engine.execute_script(&t.tenant, &t.caller, "slow", b"{}").await.unwrap();
    let result = ended("slow", run.instance_id.clone()).await;
    assert_eq!(result.status, "FAILED", "{result:?}");
    assert!(
        wait_processes(&h.user, "sleep 30[45]", false, Duration::from_secs(3)).await,
        "left behind: {:?}",
        remote_processes(&h.user, "sleep 30[45]")
    );
}
