//! The node graph as the state rules see it: upstream and downstream names, descendants.
//!
//! Built from the job's nodes (`preNodeName`) or from plain `(name, upstreams)` pairs. It never
//! fails: upstream names that are not nodes are kept as edges (validation reports them), duplicate
//! nodes keep their first entry, and a cycle (which validation refuses) cannot hang a walk.

use crate::model::Node;
use std::collections::{BTreeMap, BTreeSet};

/// A job's node DAG by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dag {
    nodes: Vec<String>,
    upstream: BTreeMap<String, Vec<String>>,
    downstream: BTreeMap<String, Vec<String>>,
}

impl Dag {
    /// A graph from `(node name, its upstream node names)` pairs, in node order.
    pub fn new<N, U>(nodes: impl IntoIterator<Item = (N, U)>) -> Dag
    where
        N: Into<String>,
        U: IntoIterator,
        U::Item: Into<String>,
    {
        let mut dag = Dag::default();
        for (name, upstreams) in nodes {
            let name = name.into();
            if dag.upstream.contains_key(&name) {
                continue;
            }
            let mut ups: Vec<String> = Vec::new();
            for up in upstreams {
                let up = up.into();
                if !ups.contains(&up) {
                    ups.push(up);
                }
            }
            for up in &ups {
                dag.downstream.entry(up.clone()).or_default().push(name.clone());
            }
            dag.upstream.insert(name.clone(), ups);
            dag.nodes.push(name);
        }
        dag
    }

    /// The graph of a job's nodes (`preNodeName` edges).
    pub fn from_nodes(nodes: &[Node]) -> Dag {
        Dag::new(nodes.iter().map(|n| (n.name.clone(), n.upstream().to_vec())))
    }

    /// Node names in the order given.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    /// Whether `name` is a node of the graph.
    pub fn contains(&self, name: &str) -> bool {
        self.upstream.contains_key(name)
    }

    /// The upstream node names of `name` (empty for a root or an unknown name).
    pub fn upstreams(&self, name: &str) -> &[String] {
        self.upstream.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The node names that list `name` as upstream.
    pub fn downstreams(&self, name: &str) -> &[String] {
        self.downstream.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every node reachable downstream of `name`, not counting `name` itself.
    pub fn descendants(&self, name: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = vec![name];
        while let Some(current) = stack.pop() {
            for child in self.downstreams(current) {
                if seen.insert(child.clone()) {
                    stack.push(child);
                }
            }
        }
        seen.remove(name);
        seen
    }
}
