//! Driving a runner the way the engine does: a log sink on the spec's log path, a report that
//! records the process groups the attempt starts, a cancellation token.

#![allow(dead_code)]

use dlf_engine::runners::{
    AttemptContext, AttemptOutcome, AttemptReport, AttemptSpec, LogSink, NodeRunner, ProcessInfo,
};
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Records what an attempt reports.
#[derive(Default)]
pub struct Recorder {
    pub groups: Mutex<Vec<ProcessInfo>>,
    pub notes: Mutex<Vec<String>>,
}

impl Recorder {
    /// The process group of the first process started, if any.
    pub fn first_group(&self) -> Option<i32> {
        self.groups.lock().unwrap().first().map(|g| g.process_group)
    }
}

impl AttemptReport for Recorder {
    fn process_started(&self, info: ProcessInfo) {
        self.groups.lock().unwrap().push(info);
    }

    fn progress(&self, note: &str) {
        self.notes.lock().unwrap().push(note.to_string());
    }
}

/// Runs one attempt with `cancel`, reporting to `recorder`.
pub async fn run_with(
    runner: &dyn NodeRunner,
    spec: &AttemptSpec,
    cancel: CancellationToken,
    recorder: &Recorder,
) -> AttemptOutcome {
    let mut log = LogSink::new(&spec.log_path);
    runner.run(spec, AttemptContext { cancel, log: &mut log, report: recorder }).await
}

/// Runs one attempt to its end; returns the outcome and the process groups it reported.
pub async fn run_to_end(runner: &dyn NodeRunner, spec: &AttemptSpec) -> (AttemptOutcome, Vec<ProcessInfo>) {
    let recorder = Recorder::default();
    let outcome = run_with(runner, spec, CancellationToken::new(), &recorder).await;
    (outcome, recorder.groups.into_inner().unwrap())
}
