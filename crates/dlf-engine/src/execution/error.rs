//! What can go wrong while an instance runs, as types that say what failed and where.
//!
//! Two kinds, kept apart on purpose:
//! - [`RunError`] stops the instance's task: the store failed, the instance's job version is
//!   gone, someone else changed the instance, or the engine asked a state machine for a move it
//!   refuses (a bug, logged with the node and the move). The instance stays as the store has
//!   it and is resumed at the next start of the server.
//! - [`AttemptError`] and [`ParamError`] are the node's or the instance's own failures (a
//!   property that does not render, a missing script, a parameter that does not evaluate):
//!   they fail the attempt or the instance with their message, like a failing script does.

use super::plan::PlanError;
use dlf_core::DlfError;
use dlf_core::el::ElError;
use dlf_core::state::{InvalidInstanceTransition, InvalidNodeTransition};
use dlf_store::StoreError;

/// Why an instance's task stopped driving it.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A store read or write failed (after the committer's retries).
    #[error("instance {instance_id}: the store failed: {source}")]
    Store {
        instance_id: i64,
        #[source]
        source: StoreError,
    },
    /// The instance's job version, or its workspace, cannot be loaded.
    #[error("instance {instance_id}: cannot load what it runs: {source}")]
    Load {
        instance_id: i64,
        #[source]
        source: DlfError,
    },
    /// The stored job version cannot run.
    #[error("instance {instance_id}: {source}")]
    Plan {
        instance_id: i64,
        #[source]
        source: PlanError,
    },
    /// The instance's status in the store was no longer the one this task wrote last: an
    /// operator or another server changed it.
    #[error("instance {instance_id} was changed by someone else while it ran")]
    Conflict { instance_id: i64 },
    /// The node state machine refused a move the engine asked for.
    #[error("instance {instance_id}, node '{node}': {source}")]
    NodeTransition {
        instance_id: i64,
        node: String,
        #[source]
        source: InvalidNodeTransition,
    },
    /// The instance state machine refused a move the engine asked for.
    #[error("instance {instance_id}: {source}")]
    InstanceTransition {
        instance_id: i64,
        #[source]
        source: InvalidInstanceTransition,
    },
}

/// Why an attempt fails before its runner starts.
#[derive(Debug, thiserror::Error)]
pub enum AttemptError {
    /// A property's `${}`/`#{}` did not render.
    #[error("property {property}: {source}")]
    Property {
        property: String,
        #[source]
        source: ElError,
    },
    /// An edge condition into the node did not evaluate (JOBS.md §5.6 step 4).
    #[error("the condition on the edge from '{upstream}' failed: {source}")]
    Condition {
        upstream: String,
        #[source]
        source: ElError,
    },
    /// `scriptName` names no script of the workspace.
    #[error("the script '{0}' does not exist")]
    MissingScript(String),
    /// The script could not be read.
    #[error("cannot read the script '{name}': {source}")]
    ScriptLookup {
        name: String,
        #[source]
        source: DlfError,
    },
    /// `connectionName` names no connection of the workspace.
    #[error("the connection '{0}' does not exist")]
    MissingConnection(String),
    /// The connection could not be read.
    #[error("cannot read the connection '{name}': {source}")]
    ConnectionLookup {
        name: String,
        #[source]
        source: DlfError,
    },
    /// The node cannot run on the connection it names.
    #[error("cannot run on the connection '{name}': {reason}")]
    Connection { name: String, reason: String },
    /// A SubJob or For Each node's children cannot be computed (a malformed dataset, more than
    /// 1,000 rows, unreadable `jobParams`).
    #[error("{0}")]
    Children(String),
    /// A resource the node names cannot be used.
    #[error("{0}")]
    Resource(String),
    /// The node's type has no runner (JOBS.md §3.1).
    #[error("node type {0} is not supported by this server")]
    Unsupported(String),
}

/// Why an instance's parameters cannot be resolved (it fails before any node runs).
#[derive(Debug, thiserror::Error)]
pub enum ParamError {
    /// A job parameter's value did not evaluate.
    #[error("job parameter {name}: {source}")]
    Evaluate {
        name: String,
        #[source]
        source: ElError,
    },
    /// The instance's stored overrides are not a JSON object.
    #[error("the instance's parameter overrides are unreadable: {0}")]
    Overrides(#[source] serde_json::Error),
}
