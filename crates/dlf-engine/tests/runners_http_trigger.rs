//! The HTTP Trigger runner's maximum wait, on tokio's paused clock: the shortest wait a node
//! may set is one hour, too long for a test on the real clock.

mod runner_support;

use dlf_engine::runners::http_trigger::{HttpTriggerRunner, HttpTriggers};
use dlf_engine::runners::{AttemptOutcome, AttemptSpec};
use runner_support::{Recorder, run_with};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn spec(dir: &Path, max_wait_hours: &str) -> AttemptSpec {
    AttemptSpec {
        instance_id: 7,
        node_name: "wait".into(),
        node_type: "HttpTrigger".into(),
        attempt: 1,
        properties: vec![("triggerId".into(), "orders-ready".into()), ("maxWaitHours".into(), max_wait_hours.into())],
        program: None,
        connection: None,
        database: None,
        arguments: Vec::new(),
        stdin: None,
        env: vec![("DLF_JOB_NAME".into(), "orders".into())],
        log_path: dir.join("wait.log"),
        work_dir: dir.to_path_buf(),
        run_as: None,
        kill_grace: Duration::from_millis(500),
        child_calls: Vec::new(),
        resources: Vec::new(),
    }
}

/// With no call within `maxWaitHours`, the node fails as timed out (not retryable), says so in
/// its log, and no longer waits: a late call finds nothing to fire.
#[tokio::test(start_paused = true)]
async fn a_trigger_nobody_calls_times_out_after_its_maximum_wait() {
    let dir = tempfile::tempdir().unwrap();
    let triggers = Arc::new(HttpTriggers::default());
    let runner = HttpTriggerRunner::new(triggers.clone());
    let spec = spec(dir.path(), "2");
    let began = tokio::time::Instant::now();
    let outcome = run_with(&runner, &spec, CancellationToken::new(), &Recorder::default()).await;
    let waited = began.elapsed();
    assert!(waited >= Duration::from_secs(2 * 3600) && waited < Duration::from_secs(2 * 3600 + 5), "waited {waited:?}");
    let message = "no call reached the HTTP trigger 'orders-ready' within 2 h".to_string();
    assert_eq!(
        outcome,
        AttemptOutcome::Failed { message: message.clone(), exit_code: None, timed_out: true, retryable: false }
    );
    let log = std::fs::read_to_string(&spec.log_path).unwrap();
    assert!(log.contains("waiting up to 2 h") && log.ends_with(&format!("{message}\n")), "{log}");
    assert!(triggers.waiting_instances("orders-ready").is_empty(), "the wait is gone");
    assert!(triggers.fire("orders-ready", &[7], None).is_empty(), "a late call fires nothing");
}

/// A call before the maximum wait ends the wait at once with the call's body as the output.
#[tokio::test(start_paused = true)]
async fn a_call_within_the_wait_succeeds_with_its_body() {
    let dir = tempfile::tempdir().unwrap();
    let triggers = Arc::new(HttpTriggers::default());
    let runner = HttpTriggerRunner::new(triggers.clone());
    let spec = spec(dir.path(), "1");
    let firing = triggers.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1800)).await;
        assert_eq!(firing.waiting_instances("orders-ready"), vec![7]);
        assert_eq!(firing.fire("orders-ready", &[7], Some("{\"batch\":3}".into())), vec![7]);
    });
    let began = tokio::time::Instant::now();
    let outcome = run_with(&runner, &spec, CancellationToken::new(), &Recorder::default()).await;
    assert!(began.elapsed() < Duration::from_secs(1801), "{:?}", began.elapsed());
    assert_eq!(outcome, AttemptOutcome::Succeeded { output: Some("{\"batch\":3}".into()) });
}
