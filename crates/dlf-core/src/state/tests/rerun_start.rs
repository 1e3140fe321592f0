//! JOBS.md §5.9: which nodes a rerun resets.

use crate::model::{InstanceStatus as I, NodeStatus as N};
use crate::state::{Dag, NodeEvent, RerunFrom, UnknownRerunNode, next_node_status, rerun_reset};
use std::collections::BTreeSet;

fn dag() -> Dag {
    // A → B → C, A → D, E (independent)
    Dag::new([("A", vec![]), ("B", vec!["A"]), ("C", vec!["B"]), ("D", vec!["A"]), ("E", vec![])])
}

fn names(set: &BTreeSet<String>) -> Vec<&str> {
    set.iter().map(String::as_str).collect()
}

#[test]
fn state_rerun_failed_instance_resets_failed_nodes_and_descendants() {
    let previous = [("A", N::Success), ("B", N::Fail), ("C", N::ManualStop), ("D", N::Success), ("E", N::Success)];
    let reset = rerun_reset(&previous, &dag(), I::Fail, &RerunFrom::ErrorNode).unwrap();
    assert_eq!(names(&reset), ["B", "C"]);
}

#[test]
fn state_rerun_counts_skipped_nodes_as_not_successful() {
    let previous = [("A", N::Success), ("B", N::Skip), ("C", N::Skip), ("D", N::Fail), ("E", N::Success)];
    let reset = rerun_reset(&previous, &dag(), I::IgnoreSuccess, &RerunFrom::ErrorNode).unwrap();
    assert_eq!(names(&reset).len(), 5, "ignoreSuccess is success-class: from the first node");
    let reset = rerun_reset(&previous, &dag(), I::ManualStop, &RerunFrom::ErrorNode).unwrap();
    assert_eq!(names(&reset), ["B", "C", "D"]);
}

#[test]
fn state_rerun_success_class_instance_starts_from_the_first_node() {
    let previous = [("A", N::Success), ("B", N::Success), ("C", N::Success), ("D", N::Success), ("E", N::Skip)];
    for status in [I::Success, I::ForceSuccess, I::IgnoreSuccess] {
        let reset = rerun_reset(&previous, &dag(), status, &RerunFrom::ErrorNode).unwrap();
        assert_eq!(names(&reset), ["A", "B", "C", "D", "E"], "{status}");
    }
}

#[test]
fn state_rerun_changed_node_set_starts_from_the_first_node() {
    let previous = [("A", N::Success), ("B", N::Fail), ("OLD", N::Success)];
    let reset = rerun_reset(&previous, &dag(), I::Fail, &RerunFrom::Node("B".into())).unwrap();
    assert_eq!(names(&reset), ["A", "B", "C", "D", "E"]);
    // An instance canceled before any node instance existed.
    let none: [(&str, N); 0] = [];
    assert_eq!(rerun_reset(&none, &dag(), I::SkipByDepend, &RerunFrom::ErrorNode).unwrap().len(), 5);
}

#[test]
fn state_rerun_from_first_or_named_node() {
    let previous = [("A", N::Success), ("B", N::Success), ("C", N::Fail), ("D", N::Success), ("E", N::Success)];
    assert_eq!(rerun_reset(&previous, &dag(), I::Fail, &RerunFrom::FirstNode).unwrap().len(), 5);
    assert_eq!(names(&rerun_reset(&previous, &dag(), I::Success, &RerunFrom::parse("B")).unwrap()), ["B", "C"]);
    assert_eq!(
        rerun_reset(&previous, &dag(), I::Fail, &RerunFrom::parse("nope")),
        Err(UnknownRerunNode("nope".into()))
    );
    assert_eq!(RerunFrom::parse("ERROR_NODE"), RerunFrom::ErrorNode);
    assert_eq!(RerunFrom::parse(""), RerunFrom::ErrorNode);
    assert_eq!(RerunFrom::parse("FIRST_NODE"), RerunFrom::FirstNode);
}

#[test]
fn state_rerun_that_would_reset_nothing_resets_everything() {
    let previous = [("A", N::Success), ("B", N::Success), ("C", N::Success), ("D", N::Success), ("E", N::Success)];
    assert_eq!(rerun_reset(&previous, &dag(), I::ManualStop, &RerunFrom::ErrorNode).unwrap().len(), 5);
}

#[test]
fn state_rerun_reset_nodes_accept_the_rerun_event() {
    let previous = [("A", N::Success), ("B", N::Fail), ("C", N::ManualStop), ("D", N::Skip), ("E", N::Waiting)];
    let reset = rerun_reset(&previous, &dag(), I::Fail, &RerunFrom::ErrorNode).unwrap();
    for (name, status) in previous {
        if reset.contains(name) {
            assert_eq!(next_node_status(status, &NodeEvent::Rerun), Ok(N::Waiting), "{name}");
        }
    }
}
