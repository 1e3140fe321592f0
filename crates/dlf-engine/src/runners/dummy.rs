//! Dummy: does nothing and succeeds (fan-out/fan-in anchors, IF branches). No output.

use super::{AttemptOutcome, AttemptSpec, NodeRunner, ProcessInfo};
use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

pub struct DummyRunner;

#[async_trait]
impl NodeRunner for DummyRunner {
    async fn run(&self, _spec: &AttemptSpec, _cancel: CancellationToken, _started: &(dyn Fn(ProcessInfo) + Send + Sync)) -> AttemptOutcome {
        AttemptOutcome::Succeeded { output: None }
    }
}
