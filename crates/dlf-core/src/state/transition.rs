//! The error a refused status transition returns (JOBS.md §5.1, §5.2).
//!
//! The transition tables list every allowed move; anything else is refused with "invalid
//! instance state", HTTP 400 `DLF.3051` (API.md I3/I4). The error keeps the status and the event
//! so the engine can log them and the API can answer with a message such as
//! `instance is success; cannot stop it`.

use crate::error::DlfError;

/// A transition a state machine refused: the status it was in and the event it was offered.
///
/// Instances use `InvalidTransition<Option<InstanceStatus>, InstanceEvent>`
/// ([`InvalidInstanceTransition`](super::InvalidInstanceTransition), `None` = not created yet),
/// nodes `InvalidTransition<NodeStatus, NodeEvent>`
/// ([`InvalidNodeTransition`](super::InvalidNodeTransition)). Both print a one-line message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidTransition<S, E> {
    /// The status the instance or node was in.
    pub from: S,
    /// The event that is not allowed from it.
    pub event: E,
}

impl<S, E> std::error::Error for InvalidTransition<S, E> where
    InvalidTransition<S, E>: std::fmt::Display + std::fmt::Debug
{
}

impl<S, E> From<InvalidTransition<S, E>> for DlfError
where
    InvalidTransition<S, E>: std::fmt::Display,
{
    /// `DLF.3051` with the message appended (API.md I3/I4: "invalid instance state").
    fn from(err: InvalidTransition<S, E>) -> DlfError {
        DlfError::invalid_param(err)
    }
}
