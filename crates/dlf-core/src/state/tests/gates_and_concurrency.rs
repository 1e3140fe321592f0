//! JOBS.md §4.4 (what a waiting instance does now) and §4.7/§4.8 (limits, start order,
//! "run the latest").

use super::at;
use crate::model::InstanceStatus;
use crate::state::{
    CancelReason, DEFAULT_CONCURRENT_CAP, DependencyCancel, DependencyDecision as D, GateInput, InstanceEvent,
    instance_limit, instances_to_start, next_instance_status, superseded_by_latest, waiting_instance_event,
};

const SH: &str = "Asia/Shanghai";

fn gate(now: &str, dependencies: D, slot_free: bool) -> Option<InstanceEvent> {
    waiting_instance_event(&GateInput {
        now_ms: at(now, SH),
        plan_ms: at("2026-08-02 09:00", SH),
        dependencies,
        slot_free,
    })
}

#[test]
fn state_gates_nothing_happens_before_the_plan_time() {
    let cancel = D::Cancel(DependencyCancel::UpstreamJobStopped);
    for deps in [D::Run, D::Wait, D::SkipByDepend, cancel] {
        assert_eq!(gate("2026-08-02 08:59", deps, true), None, "{deps:?}");
    }
}

#[test]
fn state_gates_open_when_dependencies_run_and_a_slot_is_free() {
    assert_eq!(gate("2026-08-02 09:00", D::Run, true), Some(InstanceEvent::GatesOpen));
    assert_eq!(gate("2026-08-02 09:05", D::Run, false), None, "no slot: keeps waiting");
    assert_eq!(gate("2026-08-02 09:05", D::Wait, true), None);
}

#[test]
fn state_gates_dependencies_end_the_instance() {
    let failed = D::Cancel(DependencyCancel::UpstreamFailed { plan_ms: 0, status: InstanceStatus::Fail });
    assert_eq!(gate("2026-08-02 09:00", failed, false), Some(InstanceEvent::Cancel(CancelReason::DependencyFailed)));
    let stopped = D::Cancel(DependencyCancel::UpstreamJobStopped);
    assert_eq!(gate("2026-08-02 09:00", stopped, true), Some(InstanceEvent::Cancel(CancelReason::UpstreamJobStopped)));
    let skipped = gate("2026-08-02 09:00", D::SkipByDepend, true).unwrap();
    assert_eq!(skipped, InstanceEvent::DependencyWindowEmpty);
    assert_eq!(next_instance_status(Some(InstanceStatus::Waiting), &skipped), Ok(InstanceStatus::SkipByDepend));
}

#[test]
fn state_concurrency_limit_defaults_caps_and_self_dependency() {
    assert_eq!(instance_limit(None, DEFAULT_CONCURRENT_CAP, false), 1);
    assert_eq!(instance_limit(Some(3), DEFAULT_CONCURRENT_CAP, false), 3);
    assert_eq!(instance_limit(Some(50), DEFAULT_CONCURRENT_CAP, false), 5);
    assert_eq!(instance_limit(Some(50), 128, false), 50);
    assert_eq!(instance_limit(Some(0), DEFAULT_CONCURRENT_CAP, false), 1);
    assert_eq!(instance_limit(Some(-7), 0, false), 1);
    assert_eq!(instance_limit(Some(4), DEFAULT_CONCURRENT_CAP, true), 1, "self-dependent: one at a time");
}

#[test]
fn state_concurrency_excess_instances_wait_in_plan_time_order() {
    let ready =
        [(at("2026-08-02 11:00", SH), 'c'), (at("2026-08-02 09:00", SH), 'a'), (at("2026-08-02 10:00", SH), 'b')];
    assert_eq!(instances_to_start(&ready, 0, 2), ['a', 'b']);
    assert_eq!(instances_to_start(&ready, 1, 2), ['a']);
    assert_eq!(instances_to_start(&ready, 3, 2), Vec::<char>::new());
}

#[test]
fn state_skip_self_dep_job_keeps_only_the_newest_queued_instance() {
    let queued = [(at("2026-08-02 09:00", SH), 1), (at("2026-08-02 11:00", SH), 3), (at("2026-08-02 10:00", SH), 2)];
    assert_eq!(superseded_by_latest(&queued), [1, 2]);
    assert_eq!(superseded_by_latest(&queued[..1]), Vec::<i32>::new());
    assert_eq!(superseded_by_latest::<i32>(&[]), Vec::<i32>::new());
}
