//! Shared state of the HTTP layer.

use crate::answer_cache::AnswerCache;
use dlf_engine::Engine;
use std::sync::Arc;

/// How requests are authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// AK/SK signatures or tokens are required (the default).
    Required,
    /// No authentication (`--no-auth`, loopback listeners only).
    Disabled,
}

/// Everything a handler may use.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub auth: AuthMode,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// Largest accepted difference between `X-Sdk-Date` and the server clock.
    pub max_clock_skew_ms: i64,
    /// ShowJob answers (see [`crate::answer_cache`]).
    pub answers: Arc<AnswerCache>,
}

impl AppState {
    pub fn new(engine: Engine, auth: AuthMode) -> AppState {
        AppState {
            engine,
            auth,
            body_limit: 12 * 1024 * 1024,
            max_clock_skew_ms: 15 * 60 * 1000,
            answers: Arc::default(),
        }
    }
}
