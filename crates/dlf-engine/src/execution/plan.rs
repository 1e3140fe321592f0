//! A submitted job version prepared for execution: the parsed document plus the graph facts
//! the executor asks for again and again (order, upstream indexes, ancestors, the state rules'
//! [`Dag`]).

use dlf_core::model::{JobDocument, Node};
use dlf_core::state::Dag;
use dlf_core::validate::topological_order;
use std::collections::{HashMap, HashSet};

/// A stored job version that cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The nodes' `preNodeName` edges form a cycle (validation refuses these on save; a stored
    /// version that has one is damaged).
    #[error("the job's nodes form a cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
}

/// One job version, ready to run. Immutable; shared between instances of the same version.
#[derive(Debug)]
pub struct JobPlan {
    pub job_id: i64,
    pub version: i64,
    /// When this version was submitted.
    pub submit_ms: i64,
    pub doc: JobDocument,
    /// Node indexes, upstream before downstream.
    pub order: Vec<usize>,
    pub index: HashMap<String, usize>,
    pub upstream: Vec<Vec<usize>>,
    /// Every ancestor of each node (for `Job.getNodeOutput`'s "upstream only" rule).
    pub ancestors: Vec<HashSet<usize>>,
    /// The node graph by name, as `dlf_core::state`'s rules take it.
    pub dag: Dag,
}

impl JobPlan {
    pub fn new(job_id: i64, version: i64, submit_ms: i64, doc: JobDocument) -> Result<JobPlan, PlanError> {
        let order = topological_order(&doc.nodes).map_err(PlanError::Cycle)?;
        let index: HashMap<String, usize> = doc.nodes.iter().enumerate().map(|(i, n)| (n.name.clone(), i)).collect();
        let mut upstream = vec![Vec::new(); doc.nodes.len()];
        for (i, node) in doc.nodes.iter().enumerate() {
            for up in node.upstream() {
                if let Some(&u) = index.get(up)
                    && !upstream[i].contains(&u)
                {
                    upstream[i].push(u);
                }
            }
        }
        let mut ancestors: Vec<HashSet<usize>> = vec![HashSet::new(); doc.nodes.len()];
        for &i in &order {
            let mut set = HashSet::new();
            for &u in &upstream[i] {
                set.insert(u);
                set.extend(ancestors[u].iter().copied());
            }
            ancestors[i] = set;
        }
        let dag = Dag::from_nodes(&doc.nodes);
        Ok(JobPlan { job_id, version, submit_ms, doc, order, index, upstream, ancestors, dag })
    }

    pub fn node(&self, i: usize) -> &Node {
        &self.doc.nodes[i]
    }

    pub fn len(&self) -> usize {
        self.doc.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.doc.nodes.is_empty()
    }
}
