"""Failure policies and conditions: what each `failPolicy` does to the other nodes and to the
instance, and an IF/ELSE pair on `Job.getNodeStatus` (API.md I2, I3, §0.11 JobInstance;
JOBS.md §5.1, §5.2, §5.5, §5.6, §5.7, §5.8)."""

import time

from huaweicloudsdkdgc.v1 import Condition, JobParam, StopJobInstanceRequest

from dlfkit import (create_job, job_info, list_instances, node, node_instance, node_log, node_statuses, run_once,
                    shell_node, show_instance, unique, wait_instance, wait_until)


def failing(name="bad", policy="FAIL", **kwargs):
    return shell_node(name, "echo failing; exit 1", fail_policy=policy, **kwargs)


def test_fail_ends_the_instance_at_once_and_cancels_every_other_node(client):
    name = unique("pfail")
    create_job(client, job_info(name, nodes=[
        failing(policy="FAIL"),
        node("child", pre=["bad"]),
        node("grandchild", pre=["child"]),
        shell_node("slow", "sleep 60"),  # an independent branch, still running when `bad` fails
    ]))
    started = time.monotonic()
    iid = run_once(client, name)
    inst = wait_instance(client, name, iid, timeout=20)
    assert time.monotonic() - started < 20  # `slow` was killed, not waited for
    assert inst.status == "fail", inst
    assert node_statuses(inst) == {"bad": "fail", "child": "manual-stop", "grandchild": "manual-stop",
                                   "slow": "manual-stop"}
    assert inst.ignore_success is False


def test_fail_child_cancels_the_descendants_and_lets_the_other_branch_finish(server, client, project):
    name = unique("pchild")
    create_job(client, job_info(name, nodes=[
        failing(policy="FAIL_CHILD"),
        node("child", pre=["bad"]),
        node("grandchild", pre=["child"]),
        shell_node("other", "sleep 1; echo independent"),
        node("other_child", pre=["other"]),
    ]))
    iid = run_once(client, name)
    inst = wait_instance(client, name, iid, timeout=20)
    assert inst.status == "fail", inst
    assert node_statuses(inst) == {"bad": "fail", "child": "manual-stop", "grandchild": "manual-stop",
                                   "other": "success", "other_child": "success"}
    # the instance failed only once everything else had finished (JOBS.md §5.5)
    assert inst.end_time >= node_instance(inst, "other_child").end_time
    assert "independent" in node_log(server, project, name, iid, "other")


def test_ignore_runs_the_descendants_and_ends_ignore_success(client):
    name = unique("pignore")
    create_job(client, job_info(name, nodes=[
        failing(policy="IGNORE"),
        shell_node("child", "echo still ran", pre=["bad"]),
        node("grandchild", pre=["child"]),
    ]))
    iid = run_once(client, name)
    inst = wait_instance(client, name, iid, timeout=20)
    assert inst.status == "ignoreSuccess", inst
    assert inst.ignore_success is True and inst.force_success is False
    assert node_statuses(inst) == {"bad": "fail", "child": "success", "grandchild": "success"}
    (item,) = list_instances(client, name).instances
    assert (item.status, item.ignore_success) == ("ignoreSuccess", True)
    assert list_instances(client, name, status="ignoreSuccess").total == 1


def test_suspend_holds_the_instance_until_it_is_stopped(client):
    name = unique("psuspend")
    create_job(client, job_info(name, nodes=[
        failing(policy="SUSPEND"),
        node("child", pre=["bad"]),
        shell_node("other", "sleep 1; echo independent"),  # still running when `bad` fails
        node("other_child", pre=["other"]),
    ]))
    iid = run_once(client, name)
    # the instance is on hold, and the independent branch still runs to its end
    wait_until(lambda: (lambda i: i.status == "running-exception" and node_instance(i, "other_child").status
                        == "success")(show_instance(client, name, iid)),
               timeout=20, what="running-exception with the independent branch done")
    # nothing moves on by itself
    time.sleep(0.5)
    inst = show_instance(client, name, iid)
    assert inst.status == "running-exception", inst
    assert node_statuses(inst) == {"bad": "fail", "child": "waiting", "other": "success", "other_child": "success"}
    assert list_instances(client, name, status="running-exception").total == 1

    resp = client.stop_job_instance(StopJobInstanceRequest(job_name=name, instance_id=str(iid)))
    assert resp.status_code == 204
    inst = wait_instance(client, name, iid, statuses={"manual-stop"}, timeout=5)
    assert node_statuses(inst)["child"] == "manual-stop"
    assert node_statuses(inst)["bad"] == "fail"


def test_if_else_on_the_upstream_status(server, client, project):
    """IF/ELSE on success (JOBS.md §5.6 typical patterns): A has failPolicy IGNORE; A→B runs when
    A succeeded, A→C when A failed; the other branch is skipped, and so are its descendants."""
    status_is = '#{Job.getNodeStatus("A") == "%s" ? "true" : "false"}'
    name = unique("ifelse")
    create_job(client, job_info(name, params=[JobParam(name="code", value="0")], nodes=[
        shell_node("A", "exit ${code}", fail_policy="IGNORE"),
        shell_node("B", "echo took the success branch", pre=["A"],
                   conditions=[Condition(pre_node_name="A", expression=status_is % "success")]),
        node("B_next", pre=["B"]),
        shell_node("C", "echo took the failure branch", pre=["A"],
                   conditions=[Condition(pre_node_name="A", expression=status_is % "fail")]),
        node("C_next", pre=["C"]),
    ]))

    ok = wait_instance(client, name, run_once(client, name), timeout=20)
    assert ok.status == "success", ok  # skipped nodes are fine (JOBS.md §5.7)
    assert node_statuses(ok) == {"A": "success", "B": "success", "B_next": "success", "C": "skip", "C_next": "skip"}
    assert "success branch" in node_log(server, project, name, ok.instance_id, "B")

    bad = wait_instance(client, name, run_once(client, name, {"code": "1"}), timeout=20)
    assert bad.status == "ignoreSuccess", bad
    assert node_statuses(bad) == {"A": "fail", "B": "skip", "B_next": "skip", "C": "success", "C_next": "success"}
    assert "failure branch" in node_log(server, project, name, bad.instance_id, "C")
