//! placeholder
use super::{AttemptOutcome, AttemptSpec, NodeRunner, ProcessInfo};
use async_trait::async_trait;
use tokio_util::sync::CancellationToken;
pub struct PythonRunner;
#[async_trait]
impl NodeRunner for PythonRunner {
    async fn run(&self, _spec: &AttemptSpec, _cancel: CancellationToken, _started: &(dyn Fn(ProcessInfo) + Send + Sync)) -> AttemptOutcome {
        AttemptOutcome::Failed { message: "not implemented".into(), exit_code: None, timed_out: false, retryable: false }
    }
}
