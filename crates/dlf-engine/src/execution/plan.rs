//! A submitted job version prepared for execution: the parsed document plus the graph facts
//! the executor asks for again and again (order, upstream/downstream indexes, ancestors).

use dlf_core::model::{JobDocument, Node};
use dlf_core::validate::topological_order;
use std::collections::{HashMap, HashSet};

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
    pub downstream: Vec<Vec<usize>>,
    /// Every ancestor of each node (for `Job.getNodeOutput`'s "upstream only" rule).
    pub ancestors: Vec<HashSet<usize>>,
}

impl JobPlan {
    pub fn new(job_id: i64, version: i64, submit_ms: i64, doc: JobDocument) -> Result<JobPlan, String> {
        let order = topological_order(&doc.nodes).map_err(|cycle| format!("the job's nodes form a cycle: {}", cycle.join(" -> ")))?;
        let index: HashMap<String, usize> = doc.nodes.iter().enumerate().map(|(i, n)| (n.name.clone(), i)).collect();
        let mut upstream = vec![Vec::new(); doc.nodes.len()];
        let mut downstream = vec![Vec::new(); doc.nodes.len()];
        for (i, node) in doc.nodes.iter().enumerate() {
            for up in node.upstream() {
                if let Some(&u) = index.get(up)
                    && !upstream[i].contains(&u) {
                        upstream[i].push(u);
                        downstream[u].push(i);
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
        Ok(JobPlan { job_id, version, submit_ms, doc, order, index, upstream, downstream, ancestors })
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

    /// Every descendant of `i`.
    pub fn descendants(&self, i: usize) -> HashSet<usize> {
        let mut seen = HashSet::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            for &d in &self.downstream[n] {
                if seen.insert(d) {
                    stack.push(d);
                }
            }
        }
        seen
    }
}
