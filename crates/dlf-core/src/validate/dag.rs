//! The node graph: cycle detection and a deterministic topological order.
//!
//! Kahn's algorithm over at most 200 nodes; hand-written because it is twenty lines and the
//! engine needs the order as node indexes, not a graph library's node ids.

use crate::model::Node;
use std::collections::HashMap;

/// Node indexes in an order where every node comes after its upstream nodes, or `Err` with one
/// cycle (node names, first repeated at the end) when the graph has one. Unknown upstream names
/// are ignored here (validation reports them separately).
pub fn topological_order(nodes: &[Node]) -> Result<Vec<usize>, Vec<String>> {
    let index: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)).collect();
    let mut indegree = vec![0usize; nodes.len()];
    let mut downstream: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        let mut seen = Vec::new();
        for up in node.upstream() {
            if let Some(&u) = index.get(up.as_str())
                && !seen.contains(&u)
            {
                seen.push(u);
                indegree[i] += 1;
                downstream[u].push(i);
            }
        }
    }
    let mut ready: Vec<usize> = (0..nodes.len()).filter(|&i| indegree[i] == 0).rev().collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(i) = ready.pop() {
        order.push(i);
        for &d in downstream[i].iter().rev() {
            indegree[d] -= 1;
            if indegree[d] == 0 {
                ready.push(d);
            }
        }
    }
    if order.len() == nodes.len() { Ok(order) } else { Err(find_cycle(nodes).unwrap_or_default()) }
}

/// One cycle of the graph as node names, e.g. `["a", "b", "a"]`, or `None` if acyclic.
pub fn find_cycle(nodes: &[Node]) -> Option<Vec<String>> {
    let index: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)).collect();
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; nodes.len()];
    let mut path: Vec<usize> = Vec::new();
    for start in 0..nodes.len() {
        if state[start] != 0 {
            continue;
        }
        // Iterative DFS following edges node -> its upstream nodes.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        path.push(start);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let ups = nodes[node].upstream();
            if *next < ups.len() {
                let up_name = &ups[*next];
                *next += 1;
                let Some(&up) = index.get(up_name.as_str()) else { continue };
                match state[up] {
                    0 => {
                        state[up] = 1;
                        path.push(up);
                        stack.push((up, 0));
                    }
                    1 => {
                        let pos = path.iter().position(|&p| p == up).unwrap_or(0);
                        let mut cycle: Vec<String> = path[pos..].iter().map(|&i| nodes[i].name.clone()).collect();
                        cycle.push(nodes[up].name.clone());
                        cycle.reverse();
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                path.pop();
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, ups: &[&str]) -> Node {
        Node {
            name: name.into(),
            node_type: "Dummy".into(),
            pre_node_name: Some(ups.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }

    #[test]
    fn orders_upstream_first() {
        let nodes = vec![node("c", &["b"]), node("a", &[]), node("b", &["a"])];
        let order = topological_order(&nodes).unwrap();
        let names: Vec<&str> = order.iter().map(|&i| nodes[i].name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
    }

    #[test]
    fn reports_a_cycle_by_name() {
        let nodes = vec![node("a", &["c"]), node("b", &["a"]), node("c", &["b"]), node("d", &[])];
        let cycle = topological_order(&nodes).unwrap_err();
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4, "{cycle:?}");
        assert!(find_cycle(&[node("x", &[]), node("y", &["x"])]).is_none());
        assert_eq!(find_cycle(&[node("s", &["s"])]).unwrap(), ["s", "s"]);
    }
}
