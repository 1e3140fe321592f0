"""I1–I4 on real runs: retries, stopping a running instance (its processes die), rerunning a
failed instance after fixing its stored script, ListJobInstances filters and paging, and the
instance error codes (API.md I1–I4, S1, S4, §0.7, §0.11 JobInstance; JOBS.md §3.2 Shell,
§5.1–§5.3, §5.8, §5.9; ERRORS.md DLF.0137, DLF.3051)."""

import time

from huaweicloudsdkdgc.v1 import (CreateScriptRequest, JobParam, ListJobInstancesRequest,
                                  RestoreJobInstanceRequest, Schedule, ScriptInfo, ShowJobInstanceRequest,
                                  StartJobRequest, StopJobInstanceRequest, UpdateScriptRequest)

from dlfkit import (MSG_INSTANCE_NOT_FOUND, assert_sdk_error, create_job, job_info, list_instances, new_project,
                    node, node_instance, node_log, node_statuses, now_ms, process_alive, run_once, sdk_client,
                    shell_node, show_instance, unique, wait_instance, wait_until)


def stop_instance(client, job_name, instance_id):
    return client.stop_job_instance(StopJobInstanceRequest(job_name=job_name, instance_id=str(instance_id)))


def restore_instance(client, job_name, instance_id):
    return client.restore_job_instance(RestoreJobInstanceRequest(job_name=job_name, instance_id=str(instance_id)))


# --------------------------------------------------------------------------------------------
# Retry (JOBS.md §5.3)


def test_a_failing_node_is_retried_then_the_instance_fails(server, client, project):
    name = unique("retry")
    create_job(client, job_info(name, nodes=[
        shell_node("flaky", "echo attempt-ran; exit 3", retry_times=2, retry_interval=5),
    ]))
    iid = run_once(client, name)

    # between attempts the node stays `running` while retryTimes counts the retries (§5.2, §5.3)
    seen = set()

    def retried_twice():
        inst = show_instance(client, name, iid)
        n = node_instance(inst, "flaky")
        seen.add((inst.status, n.status, n.retry_times))
        return inst if n.retry_times == 2 else None

    wait_until(retried_twice, timeout=25, interval=0.25, what="the second retry")
    assert ("running", "running", 1) in seen, seen

    inst = wait_instance(client, name, iid, timeout=15)
    assert inst.status == "fail", inst
    flaky = node_instance(inst, "flaky")
    assert (flaky.status, flaky.retry_times) == ("fail", 2)
    # two waits of retryInterval = 5 s lie between the first start and the last end
    assert flaky.end_time - flaky.start_time >= 2 * 5000 - 500, flaky
    for attempt in (1, 2, 3):
        assert "attempt-ran" in node_log(server, project, name, iid, "flaky", attempt=attempt)
    (item,) = list_instances(client, name).instances
    assert item.status == "fail"
    assert item.error_message, item


def test_stopping_an_instance_during_a_retry_wait_cancels_the_node(server, client, project):
    name = unique("retrystop")
    create_job(client, job_info(name, nodes=[
        shell_node("flaky", "echo attempt-ran; exit 3", retry_times=5, retry_interval=120),
    ]))
    iid = run_once(client, name)
    # the first attempt failed; the node waits 120 s for its retry
    wait_until(lambda: node_instance(show_instance(client, name, iid), "flaky").retry_times >= 1 or
               "attempt-ran" in node_log(server, project, name, iid, "flaky"), timeout=10, what="the first attempt")
    inst = show_instance(client, name, iid)
    assert (inst.status, node_instance(inst, "flaky").status) == ("running", "running"), inst
    assert stop_instance(client, name, iid).status_code == 204
    inst = wait_instance(client, name, iid, statuses={"manual-stop"}, timeout=2, interval=0.05)
    assert node_instance(inst, "flaky").status == "manual-stop"
    time.sleep(0.3)
    assert node_instance(show_instance(client, name, iid), "flaky").status == "manual-stop"


# --------------------------------------------------------------------------------------------
# I3 StopJobInstance kills the node's processes (JOBS.md §3.2 Shell "Stopping kills the whole
# process group", §5.8)


def test_stopping_a_running_instance_kills_its_processes(client, tmp_path):
    pid_file = tmp_path / "pids"
    name = unique("kill")
    create_job(client, job_info(name, nodes=[
        shell_node("sleeper", f"sleep 600 & echo $! > {pid_file}; echo $$ >> {pid_file}; sleep 600"),
        node("after", pre=["sleeper"]),
    ]))
    iid = run_once(client, name)
    pids = wait_until(lambda: [int(p) for p in pid_file.read_text().split()]
                      if pid_file.exists() and len(pid_file.read_text().split()) == 2 else None,
                      timeout=15, what="the node to write its pids")
    assert all(process_alive(p) for p in pids), pids
    assert show_instance(client, name, iid).status == "running"

    assert stop_instance(client, name, iid).status_code == 204
    inst = wait_instance(client, name, iid, statuses={"manual-stop"}, timeout=2, interval=0.05)
    assert node_statuses(inst) == {"sleeper": "manual-stop", "after": "manual-stop"}
    wait_until(lambda: not any(process_alive(p) for p in pids), timeout=2, interval=0.05,
               what=f"processes {pids} (background child, shell) to be gone")
    # and it stays stopped
    time.sleep(0.3)
    assert show_instance(client, name, iid).status == "manual-stop"


def test_stopping_an_ended_instance_is_dlf_3051(client):
    name = create_job(client, job_info(unique("ended"))).name
    iid = run_once(client, name)
    assert wait_instance(client, name, iid).status == "success"
    assert_sdk_error(client.stop_job_instance, StopJobInstanceRequest(job_name=name, instance_id=str(iid)),
                     400, "DLF.3051")
    assert show_instance(client, name, iid).status == "success"


# --------------------------------------------------------------------------------------------
# I4 RestoreJobInstance (JOBS.md §5.9)


def test_a_failed_instance_reruns_with_the_fixed_script(server, client, project):
    script = unique("fixme")
    client.create_script(CreateScriptRequest(body=ScriptInfo(name=script, type="Shell", content="echo broken; exit 1")))
    name = unique("rerun")
    create_job(client, job_info(name, nodes=[node("step", type="Shell", properties={"scriptName": script})]))
    iid = run_once(client, name)
    failed = wait_instance(client, name, iid)
    assert failed.status == "fail", failed
    assert node_instance(failed, "step").status == "fail"

    client.update_script(UpdateScriptRequest(script_name=script,
                                             body=ScriptInfo(name=script, type="Shell", content="echo fixed")))
    assert restore_instance(client, name, iid).status_code == 204
    done = wait_instance(client, name, iid, statuses={"success"}, timeout=20)
    assert done.instance_id == iid
    assert done.plan_time == failed.plan_time
    assert done.instance_type == failed.instance_type
    assert node_instance(done, "step").status == "success"
    assert "fixed" in node_log(server, project, name, iid, "step")
    # still one instance: the rerun reused it
    assert [i.instance_id for i in list_instances(client, name).instances] == [iid]


def test_restoring_a_running_instance_is_dlf_3051(client):
    name = create_job(client, job_info(unique("busy"), nodes=[shell_node("wait", "sleep 30")])).name
    iid = run_once(client, name)
    wait_instance(client, name, iid, statuses={"running"}, timeout=10)
    try:
        assert_sdk_error(client.restore_job_instance,
                         RestoreJobInstanceRequest(job_name=name, instance_id=str(iid)), 400, "DLF.3051")
    finally:
        stop_instance(client, name, iid)
    assert wait_instance(client, name, iid, timeout=5).status == "manual-stop"


# --------------------------------------------------------------------------------------------
# I1 ListJobInstances


def _ran(client, name, **kwargs):
    iid = run_once(client, name, **kwargs)
    return wait_instance(client, name, iid)


def test_list_job_instances_filters_pages_and_windows(client):
    base = unique("lst")
    other = base + "_more"  # contains `base`: a substring query for `base` finds both jobs
    create_job(client, job_info(base, nodes=[shell_node("n", "exit ${code}")],
                                params=[JobParam(name="code", value="0")]))
    create_job(client, job_info(other))
    once = unique("once")
    create_job(client, job_info(once, schedule=Schedule(type="EXECUTE_ONCE")))

    runs = [_ran(client, base), _ran(client, base, params={"code": "4"}), _ran(client, base), _ran(client, other)]
    assert [r.status for r in runs] == ["success", "fail", "success", "success"]
    client.start_job(StartJobRequest(job_name=once))
    (typed,) = wait_until(lambda: [i for i in list_instances(client, once).instances
                                   if i.status == "success"], timeout=15, what="the EXECUTE_ONCE run")
    ids = {r.instance_id for r in runs}

    # jobName: substring by default, exact with preciseQuery=true
    sub = list_instances(client, base, precise=False)
    assert {i.instance_id for i in sub.instances} == ids
    assert all(i.job_name in (base, other) for i in sub.instances)
    exact = list_instances(client, base)
    assert {i.instance_id for i in exact.instances} == {r.instance_id for r in runs[:3]}
    assert exact.total == 3

    # status
    failed = list_instances(client, base, precise=False, status="fail")
    assert [i.instance_id for i in failed.instances] == [runs[1].instance_id] and failed.total == 1
    assert failed.instances[0].error_message

    # instanceType: RunOnce made type 2, the EXECUTE_ONCE start type 7 (JOBS.md §4.1)
    everything = list_instances(client)
    assert {i.instance_id for i in everything.instances} == ids | {typed.instance_id}
    manual = list_instances(client, instance_type="2")
    assert {i.instance_id for i in manual.instances} == ids
    single = list_instances(client, instance_type="7")
    assert [i.instance_id for i in single.instances] == [typed.instance_id]
    assert single.instances[0].instance_type == 7
    assert list_instances(client, instance_type="0").total == 0

    # plan-time window around one run only (bounds are inclusive, API.md I1)
    mid = runs[1].plan_time
    window = list_instances(client, min_plan_time=mid, max_plan_time=mid)
    assert [i.instance_id for i in window.instances] == [runs[1].instance_id], window
    later = list_instances(client, base, min_plan_time=mid + 1, max_plan_time=now_ms() + 60_000)
    assert [i.instance_id for i in later.instances] == [runs[2].instance_id]
    before = list_instances(client, base, min_plan_time=now_ms() - 3_600_000, max_plan_time=mid - 1)
    assert [i.instance_id for i in before.instances] == [runs[0].instance_id]

    # paging: `offset` is a row offset, `total` counts every match (API.md §0.7)
    total = everything.total
    assert total == 5
    pages = [list_instances(client, limit=2, offset=off) for off in (0, 2, 4)]
    assert [p.total for p in pages] == [5, 5, 5]
    assert [len(p.instances) for p in pages] == [2, 2, 1]
    paged = [i.instance_id for p in pages for i in p.instances]
    assert sorted(paged) == sorted(i.instance_id for i in everything.instances)
    assert paged == [i.instance_id for i in everything.instances]  # pages follow the unpaged order
    assert list_instances(client, limit=2, offset=5).instances == []


def test_list_job_instances_refuses_a_window_over_7_days(client):
    now = now_ms()
    day = 86_400_000
    assert_sdk_error(client.list_job_instances,
                     ListJobInstancesRequest(min_plan_time=now - 8 * day, max_plan_time=now), 400, "DLF.3051")
    assert_sdk_error(client.list_job_instances,
                     ListJobInstancesRequest(min_plan_time=now, max_plan_time=now - 1000), 400, "DLF.3051")
    # exactly 7 days is allowed
    resp = client.list_job_instances(ListJobInstancesRequest(min_plan_time=now - 7 * day, max_plan_time=now))
    assert resp.total == 0 and resp.instances == []


# --------------------------------------------------------------------------------------------
# DLF.0137


def test_show_job_instance_of_an_unknown_id_is_dlf_0137(client):
    name = create_job(client, job_info(unique("known"))).name
    for bad in ("987654321", "0", "abc"):
        assert_sdk_error(client.show_job_instance, ShowJobInstanceRequest(job_name=name, instance_id=bad),
                         400, "DLF.0137", exact_msg=MSG_INSTANCE_NOT_FOUND)


def test_another_jobs_instance_is_dlf_0137(client):
    mine = create_job(client, job_info(unique("mine"))).name
    theirs = create_job(client, job_info(unique("theirs"))).name
    iid = run_once(client, theirs)
    wait_instance(client, theirs, iid)
    for call, request in [
        (client.show_job_instance, ShowJobInstanceRequest(job_name=mine, instance_id=str(iid))),
        (client.stop_job_instance, StopJobInstanceRequest(job_name=mine, instance_id=str(iid))),
        (client.restore_job_instance, RestoreJobInstanceRequest(job_name=mine, instance_id=str(iid))),
    ]:
        assert_sdk_error(call, request, 400, "DLF.0137", exact_msg=MSG_INSTANCE_NOT_FOUND)
    assert show_instance(client, theirs, iid).instance_id == iid


def test_stop_and_restore_of_an_unknown_instance_are_dlf_0137(client):
    name = create_job(client, job_info(unique("none"))).name
    assert_sdk_error(client.stop_job_instance, StopJobInstanceRequest(job_name=name, instance_id="424242"),
                     400, "DLF.0137")
    assert_sdk_error(client.restore_job_instance, RestoreJobInstanceRequest(job_name=name, instance_id="424242"),
                     400, "DLF.0137")


def test_instances_of_another_project_are_invisible(server, client):
    name = create_job(client, job_info(unique("own"))).name
    iid = run_once(client, name)
    wait_instance(client, name, iid)
    stranger = sdk_client(server, new_project())
    create_job(stranger, job_info(name))
    assert_sdk_error(stranger.show_job_instance, ShowJobInstanceRequest(job_name=name, instance_id=str(iid)),
                     400, "DLF.0137")
    assert list_instances(stranger, name).total == 0
