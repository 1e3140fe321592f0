//! Which nodes a rerun resets to `waiting` (JOBS.md §5.9).
//!
//! Default (API rerun, UI "error node"): every node not in `success`, plus all its descendants;
//! nodes in `success` keep their status and output. The whole graph is reset when the instance
//! had ended success-class, when the latest version's node names differ from the instance's,
//! or when the operator asks for the first node. A named start node resets itself and its
//! descendants (extension `rerunFrom`).

use super::graph::Dag;
use crate::model::{InstanceStatus, NodeStatus};
use std::collections::BTreeSet;
use std::fmt;

/// Where a rerun starts (extension parameter `rerunFrom`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum RerunFrom {
    /// `ERROR_NODE` (default): from the nodes that did not succeed.
    #[default]
    ErrorNode,
    /// `FIRST_NODE`: the whole graph.
    FirstNode,
    /// A node name: that node and its descendants.
    Node(String),
}

impl RerunFrom {
    /// `ERROR_NODE`, `FIRST_NODE`, or any other text as a node name (empty text = default).
    pub fn parse(s: &str) -> RerunFrom {
        match s {
            "" | "ERROR_NODE" => RerunFrom::ErrorNode,
            "FIRST_NODE" => RerunFrom::FirstNode,
            name => RerunFrom::Node(name.to_string()),
        }
    }
}

/// A `rerunFrom` node name that is not a node of the job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRerunNode(pub String);

impl fmt::Display for UnknownRerunNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rerunFrom names node '{}', which the job does not have", self.0)
    }
}

impl std::error::Error for UnknownRerunNode {}

/// The nodes to reset to `waiting` for a rerun.
///
/// `previous` are the instance's node statuses from its last run; `dag` is the graph of the
/// version the rerun will run (the latest submitted one). The node set "changed" when the names
/// in `previous` and in `dag` differ; then, and for a success-class instance under
/// [`RerunFrom::ErrorNode`], and for [`RerunFrom::FirstNode`], every node of `dag` is reset.
/// A named node must exist in `dag`. If the default rule would reset nothing (every node had
/// succeeded although the instance did not), everything is reset \[I\], so a rerun always runs.
pub fn rerun_reset<S: AsRef<str>>(
    previous: &[(S, NodeStatus)],
    dag: &Dag,
    instance_status: InstanceStatus,
    from: &RerunFrom,
) -> Result<BTreeSet<String>, UnknownRerunNode> {
    let all: BTreeSet<String> = dag.nodes().iter().cloned().collect();
    let previous_names: BTreeSet<&str> = previous.iter().map(|(n, _)| n.as_ref()).collect();
    let node_set_changed = previous_names != all.iter().map(String::as_str).collect();
    if node_set_changed {
        return Ok(all);
    }
    let reset = match from {
        RerunFrom::FirstNode => return Ok(all),
        RerunFrom::Node(name) => {
            if !dag.contains(name) {
                return Err(UnknownRerunNode(name.clone()));
            }
            let mut reset = dag.descendants(name);
            reset.insert(name.clone());
            reset
        }
        RerunFrom::ErrorNode if instance_status.is_success_class() => return Ok(all),
        RerunFrom::ErrorNode => {
            let mut reset = BTreeSet::new();
            for (name, status) in previous {
                if *status != NodeStatus::Success {
                    reset.insert(name.as_ref().to_string());
                    reset.extend(dag.descendants(name.as_ref()));
                }
            }
            reset
        }
    };
    Ok(if reset.is_empty() { all } else { reset })
}
