"""Operator actions (JOBS.md §5.8) through the signed `/x/v1/...` extensions, seen through the
SDK's ShowJobInstance: succeed, continue and retry an abnormal instance; succeed, retry, skip,
pause and resume a node; freeze, unfreeze, run without dependencies and remove one dependency
of a waiting instance; each refused from a wrong status with DLF.3051 and nothing changed. And
RestoreJobInstance with the extension options `rerunFrom` and `useLatestParams` (§5.9)."""

from urllib.parse import quote

import time

from huaweicloudsdkdgc.v1 import DependJob, JobParam, StartJobRequest, StopJobRequest

from dlfkit import (assert_error_json, create_job, cron_schedule, job_info, jobs_path, list_instances, node,
                    node_instance, node_log, node_statuses, raw_request, run_once, shell_node, show_instance,
                    unique, wait_instance, wait_until)


def action_path(project, job, iid, action, node_name=None):
    parts = ["", "x", "v1", quote(project, safe=""), "jobs", quote(job, safe=""), "instances", str(iid)]
    if node_name is not None:
        parts += ["nodes", quote(node_name, safe="")]
    return "/".join(parts + [action])


def act(server, project, job, iid, action, node_name=None, body=None):
    return raw_request(server, "POST", action_path(project, job, iid, action, node_name), project_id=project,
                       body=body)


def assert_done(resp):
    assert resp.status_code == 204, f"{resp.status_code} {resp.text[:300]}"


def assert_refused(resp, says):
    assert_error_json(resp, 400, "DLF.3051")
    assert says in resp.json()["error_msg"], resp.json()


def flaky(name, pre=None):
    """Fails the first time it runs in an instance, succeeds after (a marker file in the
    instance's work directory); failPolicy SUSPEND."""
    return shell_node(name, f"if [ -f {name}.ran ]; then echo ok; else touch {name}.ran; exit 3; fi", pre=pre,
                      fail_policy="SUSPEND")


# --------------------------------------------------------------------------------------------
# An abnormal (running-exception) instance


def test_continue_lets_the_descendants_of_a_suspended_node_run(server, client, project):
    name = unique("opcont")
    create_job(client, job_info(name, nodes=[flaky("bad"), node("after", pre=["bad"])]))
    iid = run_once(client, name)
    inst = wait_instance(client, name, iid, statuses={"running-exception"}, timeout=20)
    assert node_statuses(inst) == {"bad": "fail", "after": "waiting"}
    assert_refused(act(server, project, name, iid, "unfreeze"), "cannot unfreeze it")
    assert show_instance(client, name, iid).status == "running-exception"
    assert_done(act(server, project, name, iid, "continue"))
    inst = wait_instance(client, name, iid, timeout=20)
    assert inst.status == "ignoreSuccess", inst
    assert node_statuses(inst) == {"bad": "fail", "after": "success"}
    assert_refused(act(server, project, name, iid, "continue"), "instance is ignoreSuccess")


def test_retry_runs_the_suspended_node_again_to_success(server, client, project):
    name = unique("opretry")
    create_job(client, job_info(name, nodes=[flaky("bad"), node("after", pre=["bad"])]))
    iid = run_once(client, name)
    wait_instance(client, name, iid, statuses={"running-exception"}, timeout=20)
    assert_done(act(server, project, name, iid, "retry"))
    inst = wait_instance(client, name, iid, timeout=20)
    assert inst.status == "success", inst
    assert node_statuses(inst) == {"bad": "success", "after": "success"}
    assert node_instance(inst, "bad").retry_times == 1


def test_node_retry_and_node_succeed(server, client, project):
    name = unique("opnode")
    create_job(client, job_info(name, nodes=[flaky("a"), flaky("b"), node("after", pre=["a", "b"])]))
    iid = run_once(client, name)
    wait_until(lambda: node_statuses(show_instance(client, name, iid)) == {"a": "fail", "b": "fail",
                                                                           "after": "waiting"},
               timeout=20, what="both suspended")
    assert_refused(act(server, project, name, iid, "skip", node_name="a"), "node is fail; cannot skip it")
    assert_done(act(server, project, name, iid, "retry", node_name="a"))
    wait_until(lambda: node_instance(show_instance(client, name, iid), "a").status == "success", timeout=20,
               what="a retried")
    assert show_instance(client, name, iid).status == "running-exception"  # b is still suspended
    assert_done(act(server, project, name, iid, "succeed", node_name="b"))
    inst = wait_instance(client, name, iid, timeout=20)
    assert inst.status == "success", inst
    assert node_statuses(inst) == {"a": "success", "b": "success", "after": "success"}


def test_succeed_marks_a_failed_instance_force_success(server, client, project):
    name = unique("opsucc")
    create_job(client, job_info(name, nodes=[shell_node("bad", "exit 1")]))
    iid = run_once(client, name)
    assert wait_instance(client, name, iid, timeout=20).status == "fail"
    assert_refused(act(server, project, name, iid, "retry", node_name="bad"), "only while its instance runs")
    assert_done(act(server, project, name, iid, "succeed"))
    inst = show_instance(client, name, iid)
    assert (inst.status, inst.force_success) == ("forceSuccess", True)
    assert_refused(act(server, project, name, iid, "succeed"), "instance is forceSuccess")


# --------------------------------------------------------------------------------------------
# Nodes of a running instance


def test_pause_holds_a_node_until_resume(server, client, project):
    name = unique("oppause")
    create_job(client, job_info(name, nodes=[shell_node("a", "sleep 1"), node("b", pre=["a"]),
                                             node("c", pre=["b"])]))
    iid = run_once(client, name)
    wait_instance(client, name, iid, statuses={"running"}, timeout=10)
    assert_done(act(server, project, name, iid, "pause", node_name="b"))
    wait_until(lambda: node_instance(show_instance(client, name, iid), "a").status == "success", timeout=20,
               what="a done")
    time.sleep(0.5)
    inst = show_instance(client, name, iid)
    assert inst.status == "running"
    assert node_statuses(inst) == {"a": "success", "b": "pause", "c": "waiting"}
    assert_refused(act(server, project, name, iid, "resume", node_name="c"), "node is waiting; cannot resume it")
    assert_done(act(server, project, name, iid, "resume", node_name="b"))
    inst = wait_instance(client, name, iid, timeout=20)
    assert inst.status == "success"
    assert node_statuses(inst) == {"a": "success", "b": "success", "c": "success"}


def test_skip_makes_a_node_skip_while_the_rest_run(server, client, project):
    name = unique("opskip")
    create_job(client, job_info(name, nodes=[shell_node("a", "sleep 1"),
                                             shell_node("b", "exit 1", pre=["a"], fail_policy="FAIL"),
                                             node("c", pre=["b"])]))
    iid = run_once(client, name)
    wait_instance(client, name, iid, statuses={"running"}, timeout=10)
    assert_done(act(server, project, name, iid, "skip", node_name="b"))
    inst = wait_instance(client, name, iid, timeout=20)
    assert inst.status == "success", inst
    assert node_statuses(inst) == {"a": "success", "b": "skip", "c": "success"}
    assert_refused(act(server, project, name, iid, "skip", node_name="c"), "instance is success")


def test_unknown_actions_and_nodes(server, client, project):
    name = unique("opunk")
    create_job(client, job_info(name, nodes=[node("a")]))
    iid = run_once(client, name)
    wait_instance(client, name, iid, timeout=20)
    assert_error_json(act(server, project, name, iid, "explode"), 404, "APIGW.0101")
    assert_error_json(act(server, project, name, iid, "explode", node_name="a"), 404, "APIGW.0101")
    assert_refused(act(server, project, name, iid, "pause", node_name="zz"), "no node 'zz'")
    assert_error_json(act(server, project, name, 999999999, "freeze"), 400, "DLF.0137")


# --------------------------------------------------------------------------------------------
# Waiting instances


def every_second(_name, **cron_kwargs):
    return cron_schedule(expression="* * * * * ?", start_time="2024-01-01T00:00:00+00", **cron_kwargs)


def waiting_downstream(client):
    """`up` fails every second; `down` (dependFailPolicy SUSPEND) waits behind it. Returns the
    two job names and one waiting `down` instance (id, planTime)."""
    up, down = unique("opup"), unique("opdown")
    create_job(client, job_info(up, nodes=[shell_node("n", "exit 1")], schedule=every_second(up)))
    create_job(client, job_info(down, nodes=[node("n")],
                                schedule=every_second(down, depend_jobs=DependJob(jobs=[up],
                                                                                  depend_fail_policy="SUSPEND"))))
    client.start_job(StartJobRequest(job_name=up))
    client.start_job(StartJobRequest(job_name=down))

    def one_waiting():
        ups = list_instances(client, up).instances
        waiting = [i for i in list_instances(client, down).instances
                   if i.status == "waiting" and any(u.status == "fail" and u.plan_time > i.plan_time for u in ups)]
        return waiting[-1] if waiting else None

    w = wait_until(one_waiting, timeout=20, what="a waiting downstream instance")
    return up, down, w.instance_id, w.plan_time


def stop_jobs(client, *names):
    for n in names:
        client.stop_job(StopJobRequest(job_name=n))


def test_freeze_unfreeze_and_run_without_dependencies(server, client, project):
    up, down, iid, _ = waiting_downstream(client)
    try:
        assert_done(act(server, project, down, iid, "freeze"))
        assert show_instance(client, down, iid).status == "freeze"
        assert_refused(act(server, project, down, iid, "freeze"), "instance is freeze; cannot freeze it")
        assert_refused(act(server, project, down, iid, "ignore-dependencies"), "only a waiting instance")
        assert_done(act(server, project, down, iid, "unfreeze"))
        assert show_instance(client, down, iid).status == "waiting"
        assert_done(act(server, project, down, iid, "ignore-dependencies"))
        assert wait_instance(client, down, iid, timeout=20).status == "success"
    finally:
        stop_jobs(client, down, up)


def test_remove_dependency_drops_one_upstream_instance(server, client, project):
    up, down, iid, plan = waiting_downstream(client)
    try:
        near = [u.instance_id for u in list_instances(client, up).instances if abs(u.plan_time - plan) <= 1000]
        assert near
        assert_refused(act(server, project, down, iid, "remove-dependency", body={"jobName": down,
                                                                                "instanceId": near[0]}),
                       f"does not depend on the job {down}")
        assert_refused(act(server, project, down, iid, "remove-dependency", body={"jobName": up}),
                       "remove-dependency needs a body")
        assert show_instance(client, down, iid).status == "waiting"
        for u in near:
            assert_done(act(server, project, down, iid, "remove-dependency", body={"jobName": up, "instanceId": u}))
        assert wait_instance(client, down, iid, timeout=20).status == "success"
    finally:
        stop_jobs(client, down, up)


# --------------------------------------------------------------------------------------------
# Rerun options (JOBS.md §5.9)


def restart(server, project, job, iid, query=None, body=None):
    return raw_request(server, "POST", jobs_path(project, job, "instances", str(iid), "restart"),
                       project_id=project, query=query, body=body)


def ended_anew(client, job, iid, node_name, old_end):
    end = node_instance(show_instance(client, job, iid), node_name).end_time
    return end is not None and end != old_end


def test_rerun_from_first_node_a_named_node_and_with_latest_params(server, client, project):
    name = unique("oprerun")
    create_job(client, job_info(name, params=[JobParam(name="p", value="default", type="variable")], nodes=[
        shell_node("a", "echo a"), shell_node("b", "echo p=${p}", pre=["a"]), shell_node("c", "echo c", pre=["b"]),
    ]))
    iid = run_once(client, name, params={"p": "override"})
    first = wait_instance(client, name, iid, timeout=20)
    assert first.status == "success"
    ends = {n.node_name: n.end_time for n in first.nodes}

    assert_done(restart(server, project, name, iid, query=[("rerunFrom", "b")]))
    wait_until(lambda: ended_anew(client, name, iid, "c", ends["c"]), timeout=20, what="the rerun from b")
    second = wait_instance(client, name, iid, timeout=20)
    assert second.status == "success"
    assert node_instance(second, "a").end_time == ends["a"], "a was not rerun"
    assert node_instance(second, "b").end_time != ends["b"]
    assert "p=override" in node_log(server, project, name, iid, "b"), "the instance's parameters are kept"
    ends = {n.node_name: n.end_time for n in second.nodes}

    assert_done(restart(server, project, name, iid, body={"rerunFrom": "FIRST_NODE", "useLatestParams": True}))
    wait_until(lambda: ended_anew(client, name, iid, "c", ends["c"]), timeout=20,
               what="the rerun from the first node")
    third = wait_instance(client, name, iid, timeout=20)
    assert third.status == "success"
    assert node_instance(third, "a").end_time != ends["a"], "a was rerun"
    assert "p=default" in node_log(server, project, name, iid, "b"), "useLatestParams: the job's own value"

    assert_refused(restart(server, project, name, iid, query=[("rerunFrom", "nope")]), "nope")
    assert show_instance(client, name, iid).status == "success"
    assert [i.instance_id for i in list_instances(client, name).instances] == [iid]
