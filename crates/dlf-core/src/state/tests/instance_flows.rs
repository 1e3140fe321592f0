//! JOBS.md §5.5–§5.7 end to end: whole instances driven through the public rules by a tiny
//! in-test engine (FAIL, FAIL_CHILD, IGNORE, SUSPEND with continue/succeed, conditions OR/AND,
//! SKIP_ALL/SKIP_NEXT, operator skip, the IF/ELSE-on-failure pattern).

use super::dag_rules::cond;
use crate::model::{FailPolicy, InstanceStatus, NodeStatus};
use crate::state::{
    AbortCause, ConditionResult, Dag, InstanceEvent, MultiIfPolicy, NodeEvent, NodeOutcomeView, Readiness,
    RecoverAction, SkipCause, SkipPolicy, UpstreamState, failure_effect, instance_outcome, next_instance_status,
    next_node_status, readiness, vote,
};
use std::collections::BTreeMap;

use FailPolicy::{Fail, FailChild, Ignore, Suspend};
use NodeStatus as N;

/// One node of a test job.
struct Spec {
    name: &'static str,
    ups: Vec<&'static str>,
    policy: FailPolicy,
    attempt_ok: bool,
    /// `(upstream, rendered expression, skip policy)`.
    conditions: Vec<(&'static str, &'static str, SkipPolicy)>,
}

fn node(name: &'static str, ups: &[&'static str]) -> Spec {
    Spec { name, ups: ups.to_vec(), policy: FailChild, attempt_ok: true, conditions: vec![] }
}

impl Spec {
    fn fails(mut self, policy: FailPolicy) -> Spec {
        self.policy = policy;
        self.attempt_ok = false;
        self
    }
    fn when(mut self, upstream: &'static str, rendered: &'static str, skip: SkipPolicy) -> Spec {
        self.conditions.push((upstream, rendered, skip));
        self
    }
}

/// A running instance of the test job, advanced only through the public rules.
struct Run<'a> {
    specs: &'a [Spec],
    dag: Dag,
    multi_if: MultiIfPolicy,
    instance: InstanceStatus,
    nodes: BTreeMap<&'static str, NodeStatus>,
    propagates: BTreeMap<&'static str, bool>,
    continued: BTreeMap<&'static str, bool>,
}

impl<'a> Run<'a> {
    fn start(specs: &'a [Spec], multi_if: MultiIfPolicy) -> Run<'a> {
        let mut run = Run::new(specs, multi_if);
        run.advance();
        run
    }

    fn new(specs: &'a [Spec], multi_if: MultiIfPolicy) -> Run<'a> {
        let created = next_instance_status(None, &InstanceEvent::Created { manual_confirm: false, pre_frozen: false });
        let instance = next_instance_status(created.ok(), &InstanceEvent::GatesOpen).unwrap();
        Run {
            specs,
            dag: Dag::new(specs.iter().map(|s| (s.name, s.ups.clone()))),
            multi_if,
            instance,
            nodes: specs.iter().map(|s| (s.name, N::Waiting)).collect(),
            propagates: BTreeMap::new(),
            continued: BTreeMap::new(),
        }
    }

    fn spec(&self, name: &str) -> &Spec {
        self.specs.iter().find(|s| s.name == name).unwrap()
    }

    fn node_event(&mut self, name: &'static str, event: NodeEvent) {
        let from = self.nodes[name];
        self.nodes.insert(name, next_node_status(from, &event).unwrap());
    }

    fn instance_event(&mut self, event: InstanceEvent) {
        self.instance = next_instance_status(Some(self.instance), &event).unwrap();
    }

    fn upstream_state(&self, name: &str) -> UpstreamState {
        UpstreamState {
            status: self.nodes[name],
            fail_policy: self.spec(name).policy,
            continued: self.continued.get(name).copied().unwrap_or(false),
            skip_propagates: self.propagates.get(name).copied().unwrap_or(false),
        }
    }

    /// Independent branches go on while the instance is abnormal (§5.5 SUSPEND).
    fn dispatching(&self) -> bool {
        matches!(self.instance, InstanceStatus::Running | InstanceStatus::RunningException)
    }

    /// Runs every node that can be decided, until nothing changes.
    fn advance(&mut self) {
        loop {
            if !self.dispatching() {
                return;
            }
            let waiting: Vec<&'static str> =
                self.specs.iter().map(|s| s.name).filter(|n| self.nodes[n] == N::Waiting).collect();
            let mut changed = false;
            for name in waiting {
                if self.nodes[name] != N::Waiting {
                    continue; // canceled by a failure earlier in this pass
                }
                let spec = self.spec(name);
                let ups: Vec<UpstreamState> = spec.ups.iter().map(|u| self.upstream_state(u)).collect();
                let mut decision = readiness(&ups, !spec.conditions.is_empty());
                if decision == Readiness::CheckConditions {
                    let results: Vec<ConditionResult> =
                        spec.conditions.iter().map(|(u, rendered, skip)| cond(u, rendered, *skip)).collect();
                    decision = vote(&results, self.multi_if);
                }
                match decision {
                    Readiness::NotDecidable | Readiness::WaitSuspended | Readiness::CheckConditions => continue,
                    Readiness::Cancel => self.node_event(name, NodeEvent::CanceledByUpstream),
                    Readiness::Skip { propagates } => {
                        let cause = if spec.conditions.is_empty() {
                            SkipCause::PropagatedSkip
                        } else {
                            SkipCause::ConditionsFalse
                        };
                        self.propagates.insert(name, propagates);
                        self.node_event(name, NodeEvent::Skip(cause));
                    }
                    Readiness::Run => self.execute(name),
                }
                changed = true;
                if !self.dispatching() {
                    return;
                }
            }
            if !changed {
                break;
            }
        }
        let views: Vec<NodeOutcomeView> = self
            .specs
            .iter()
            .map(|s| NodeOutcomeView {
                status: self.nodes[s.name],
                fail_policy: s.policy,
                continued: self.continued.get(s.name).copied().unwrap_or(false),
            })
            .collect();
        if let Some(outcome) = instance_outcome(&views) {
            self.instance_event(InstanceEvent::AllNodesTerminal(outcome));
        }
    }

    fn execute(&mut self, name: &'static str) {
        self.node_event(name, NodeEvent::Start);
        let spec = self.spec(name);
        let (ok, policy) = (spec.attempt_ok, spec.policy);
        if ok {
            self.node_event(name, NodeEvent::AttemptSucceeded);
            return;
        }
        self.node_event(name, NodeEvent::AttemptFailed { retry_left: false });
        let statuses: Vec<(&str, NodeStatus)> = self.nodes.iter().map(|(n, s)| (*n, *s)).collect();
        let effect = failure_effect(name, policy, &self.dag, &statuses);
        for canceled in &effect.cancel {
            let canceled: &'static str = self.specs.iter().find(|s| s.name == canceled).unwrap().name;
            let event = if policy == Fail {
                NodeEvent::Abort(AbortCause::InstanceFailed)
            } else {
                NodeEvent::CanceledByUpstream
            };
            self.node_event(canceled, event);
        }
        if let Some(event) = effect.instance_event {
            self.instance_event(event);
        }
    }

    fn status(&self, name: &str) -> NodeStatus {
        self.nodes[name]
    }
}

#[test]
fn state_flow_fail_child_cancels_descendants_and_fails_after_the_rest() {
    let specs =
        [node("A", &[]).fails(FailChild), node("B", &["A"]), node("C", &["B"]), node("X", &[]), node("Y", &["X"])];
    let run = Run::start(&specs, MultiIfPolicy::Or);
    assert_eq!((run.status("B"), run.status("C")), (N::ManualStop, N::ManualStop));
    assert_eq!((run.status("X"), run.status("Y")), (N::Success, N::Success), "independent branch goes on");
    assert_eq!(run.instance, InstanceStatus::Fail);
}

#[test]
fn state_flow_fail_ends_the_instance_at_once() {
    let specs = [node("A", &[]).fails(Fail), node("B", &["A"]), node("X", &["B"]), node("Z", &[])];
    let run = Run::start(&specs, MultiIfPolicy::Or);
    assert_eq!(run.instance, InstanceStatus::Fail);
    assert_eq!((run.status("B"), run.status("X"), run.status("Z")), (N::ManualStop, N::ManualStop, N::ManualStop));
}

#[test]
fn state_flow_ignore_counts_as_finished_and_gives_ignore_success() {
    let specs = [node("A", &[]).fails(Ignore), node("B", &["A"])];
    let run = Run::start(&specs, MultiIfPolicy::Or);
    assert_eq!((run.status("A"), run.status("B")), (N::Fail, N::Success));
    assert_eq!(run.instance, InstanceStatus::IgnoreSuccess);
}

#[test]
fn state_flow_suspend_blocks_descendants_and_continue_acts_as_ignore() {
    let specs = [node("A", &[]).fails(Suspend), node("B", &["A"]), node("X", &[])];
    let mut run = Run::start(&specs, MultiIfPolicy::Or);
    assert_eq!(run.instance, InstanceStatus::RunningException);
    assert_eq!(run.status("B"), N::Waiting, "descendant held");
    assert_eq!(run.status("X"), N::Success, "independent branch went on");
    // Operator "continue": A counts as an IGNORE failure from now on.
    run.continued.insert("A", true);
    run.instance_event(InstanceEvent::Recover(RecoverAction::Continue));
    run.advance();
    assert_eq!(run.status("B"), N::Success);
    assert_eq!(run.instance, InstanceStatus::IgnoreSuccess);
}

#[test]
fn state_flow_suspend_then_operator_node_succeed_gives_success() {
    let specs = [node("A", &[]).fails(Suspend), node("B", &["A"])];
    let mut run = Run::start(&specs, MultiIfPolicy::Or);
    run.node_event("A", NodeEvent::OperatorSucceed { policy: Suspend });
    run.instance_event(InstanceEvent::Recover(RecoverAction::SucceedNode));
    run.advance();
    assert_eq!(run.status("B"), N::Success);
    assert_eq!(run.instance, InstanceStatus::Success);
}

#[test]
fn state_flow_conditions_or_and() {
    let specs = || {
        [
            node("P", &[]),
            node("Q", &[]),
            node("N", &["P", "Q"]).when("P", "false", SkipPolicy::SkipAll).when("Q", "true", SkipPolicy::SkipAll),
        ]
    };
    let or = specs();
    assert_eq!(Run::start(&or, MultiIfPolicy::Or).status("N"), N::Success);
    let and = specs();
    let run = Run::start(&and, MultiIfPolicy::And);
    assert_eq!(run.status("N"), N::Skip);
    assert_eq!(run.instance, InstanceStatus::Success, "skipped nodes are fine");
}

#[test]
fn state_flow_skip_all_propagates_skip_next_does_not() {
    let all = [
        node("A", &[]),
        node("B", &["A"]).when("A", "false", SkipPolicy::SkipAll),
        node("C", &["B"]),
        node("D", &["C"]),
    ];
    let run = Run::start(&all, MultiIfPolicy::Or);
    assert_eq!([run.status("B"), run.status("C"), run.status("D")], [N::Skip, N::Skip, N::Skip]);
    assert_eq!(run.instance, InstanceStatus::Success);

    let next = [node("A", &[]), node("B", &["A"]).when("A", "false", SkipPolicy::SkipNext), node("C", &["B"])];
    let run = Run::start(&next, MultiIfPolicy::Or);
    assert_eq!([run.status("B"), run.status("C")], [N::Skip, N::Success]);
}

#[test]
fn state_flow_operator_skip_behaves_as_skip_next() {
    let specs = [node("A", &[]), node("B", &["A"]), node("C", &["B"])];
    let mut run = Run::new(&specs, MultiIfPolicy::Or);
    // While A runs, the operator skips the waiting B; C then treats B as finished.
    run.node_event("A", NodeEvent::Start);
    run.node_event("B", NodeEvent::Skip(SkipCause::Operator));
    run.propagates.insert("B", false);
    run.node_event("A", NodeEvent::AttemptSucceeded);
    run.advance();
    assert_eq!(run.status("C"), N::Success);
    assert_eq!(run.instance, InstanceStatus::Success);
}

#[test]
fn state_flow_if_else_on_failure() {
    // A fails under IGNORE; B runs when A succeeded, C when A failed (JOBS.md §5.6 pattern).
    // The expressions `#{Job.getNodeStatus("A") == "success" ? "true" : "false"}` render to:
    let specs = [
        node("A", &[]).fails(Ignore),
        node("B", &["A"]).when("A", "false", SkipPolicy::SkipAll),
        node("C", &["A"]).when("A", " true", SkipPolicy::SkipAll),
    ];
    let run = Run::start(&specs, MultiIfPolicy::Or);
    assert_eq!([run.status("A"), run.status("B"), run.status("C")], [N::Fail, N::Skip, N::Success]);
    assert_eq!(run.instance, InstanceStatus::IgnoreSuccess);
}
