//! The nodes of a running instance, one [`NodeRun`] each, and the one way their statuses
//! change: [`InstanceRun::apply_node`], which asks `dlf_core::state::next_node_status` and
//! refuses what the state machine refuses.

use super::InstanceRun;
use super::error::RunError;
use dlf_core::model::NodeStatus;
use dlf_core::state::{self, NodeEvent, NodeOutcomeView, UpstreamState};
use dlf_store::NodeInstanceRecord;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// One node of the running instance: its row (a cache of the store's), how its skip spreads,
/// and the work in progress for it.
pub(super) struct NodeRun {
    pub row: NodeInstanceRecord,
    /// For a skipped node: whether its skip propagates to its descendants (§5.6).
    pub skip_propagates: bool,
    pub work: Option<Work>,
}

/// Work in progress for a `running` node: an attempt's task, or the wait before a retry.
pub(super) struct Work {
    pub kind: WorkKind,
    pub cancel: CancellationToken,
    pub task: JoinHandle<()>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WorkKind {
    /// Attempt number `n` runs (or waits for its record to be committed).
    Attempt(u32),
    /// The node waits `retryInterval` before its next attempt.
    RetryWait,
}

impl NodeRun {
    pub fn new(row: NodeInstanceRecord) -> NodeRun {
        NodeRun { row, skip_propagates: true, work: None }
    }

    /// Whether attempt `attempt`'s task is this node's current work.
    pub fn runs_attempt(&self, attempt: u32) -> bool {
        matches!(&self.work, Some(Work { kind: WorkKind::Attempt(n), .. }) if *n == attempt)
    }

    /// A `running` node between attempts, as its row says (the row of a retry wait carries the
    /// failed attempt's end time; the row of a running attempt has none).
    pub fn row_waits_to_retry(&self) -> bool {
        self.row.status == NodeStatus::Running && self.row.end_ms.is_some() && self.row.error_message.is_some()
    }
}

impl InstanceRun {
    /// Moves node `i` on `event` as `dlf_core::state` decides, keeping the row's times right:
    /// a node that ends gets its end time (and a start time if it never started). The row is
    /// written with the next commit.
    pub(super) fn apply_node(&mut self, i: usize, event: NodeEvent) -> Result<NodeStatus, RunError> {
        let now = self.engine.now_ms();
        let node = &mut self.nodes[i];
        let to = state::next_node_status(node.row.status, &event).map_err(|source| RunError::NodeTransition {
            instance_id: self.record.id,
            node: node.row.node_name.clone(),
            source,
        })?;
        node.row.status = to;
        if to.is_terminal() {
            node.row.end_ms = Some(now);
            node.row.start_ms.get_or_insert(now);
            node.row.process_group = None;
            node.row.process_start = None;
        }
        self.dirty.insert(i);
        Ok(to)
    }

    /// Cancels node `i`'s work, if any; its task is awaited before the instance ends.
    pub(super) fn cancel_work(&mut self, i: usize) {
        if let Some(work) = self.nodes[i].work.take() {
            work.cancel.cancel();
            self.stopping.push(work.task);
        }
    }

    /// What the readiness rule needs to know about node `i`'s upstream nodes.
    pub(super) fn upstream_states(&self, i: usize) -> Vec<UpstreamState> {
        self.plan.upstream[i]
            .iter()
            .map(|&u| UpstreamState {
                status: self.nodes[u].row.status,
                fail_policy: self.plan.node(u).fail_policy(),
                continued: self.nodes[u].row.continued,
                skip_propagates: self.nodes[u].skip_propagates,
            })
            .collect()
    }

    /// What the outcome rule needs to know about every node.
    pub(super) fn outcome_views(&self) -> Vec<NodeOutcomeView> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| NodeOutcomeView {
                status: n.row.status,
                fail_policy: self.plan.node(i).fail_policy(),
                continued: n.row.continued,
            })
            .collect()
    }

    /// Every node's status by name, as the failure-effect rule takes them.
    pub(super) fn statuses_by_name(&self) -> Vec<(String, NodeStatus)> {
        self.nodes.iter().map(|n| (n.row.node_name.clone(), n.row.status)).collect()
    }

    /// Whether any node has work in progress.
    pub(super) fn has_work(&self) -> bool {
        self.nodes.iter().any(|n| n.work.is_some())
    }

    /// Marks node `i`'s row as the start of a retry wait (see [`NodeRun::row_waits_to_retry`]).
    pub(super) fn mark_retry_wait(&mut self, i: usize) {
        let now = self.engine.now_ms();
        self.nodes[i].row.end_ms = Some(now);
        self.nodes[i].row.process_group = None;
        self.nodes[i].row.process_start = None;
        self.dirty.insert(i);
    }
}
