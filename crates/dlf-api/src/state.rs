//! Shared state of the HTTP layer.

use crate::answer_cache::AnswerCache;
use dlf_engine::Engine;
use dlf_signature::Policy;
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
    /// What a signature must cover, and the clock skew it may have.
    pub signature_policy: Policy,
    /// ShowJob answers (see [`crate::answer_cache`]).
    pub answers: Arc<AnswerCache>,
}

impl AppState {
    pub fn new(engine: Engine, auth: AuthMode) -> AppState {
        AppState {
            engine,
            auth,
            body_limit: 12 * 1024 * 1024,
            signature_policy: Policy::default(),
            answers: Arc::default(),
        }
    }
}
