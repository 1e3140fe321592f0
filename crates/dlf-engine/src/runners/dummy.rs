//! Dummy: does nothing and succeeds (fan-out/fan-in anchors, IF branches). No output, no log.
//!
//! The smallest runner, and the worked example of ARCHITECTURE.md ("Adding a node type"): it
//! has no effect outside its instance and ends at once, so it asks to run
//! [`Execution::Inline`] — inside the instance's decision pass, without a task of its own.

use super::{AttemptContext, AttemptOutcome, AttemptSpec, Execution, NodeRunner};
use async_trait::async_trait;

pub struct DummyRunner;

#[async_trait]
impl NodeRunner for DummyRunner {
    fn execution(&self) -> Execution {
        Execution::Inline
    }

    async fn run(&self, _spec: &AttemptSpec, _ctx: AttemptContext<'_>) -> AttemptOutcome {
        AttemptOutcome::Succeeded { output: None }
    }
}
