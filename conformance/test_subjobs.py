"""SubJob and For Each through the official SDK (JOBS.md §3.2, §4.1 type 6, §6.9): RunOnce of a
job that calls another, and of a For Each over a literal dataset; the children as instances of
their own job in ListJobInstances (`instanceType` 6, linked to their parent, also through the
`/x/v1/{project}/instances/{id}/children` extension); a failing child fails its parent; stopping
the parent stops its children; a job that would run itself is refused when saved."""

import time

from huaweicloudsdkdgc.v1 import CreateJobRequest, JobParam, ShowJobRequest, StopJobInstanceRequest

from dlfkit import (assert_sdk_error, create_job, job_info, list_instances, node, node_log, node_statuses,
                    raw_request, run_once, shell_node, unique, wait_instance, wait_until)


def subjob(name: str, child: str, params: str = "") -> object:
    return node(name, "SubJob", properties={"subJobName": child, "jobParams": params})


def for_each(name: str, child: str, dataset: str, params: str = "", concurrent: str = "1", **extra) -> object:
    props = {"subJobName": child, "dataset": dataset, "jobParams": params, "concurrent": concurrent, **extra}
    return node(name, "ForEach", properties=props)


def children(server, project: str, instance_id: int) -> list:
    resp = raw_request(server, "GET", f"/x/v1/{project}/instances/{instance_id}/children", project_id=project)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == len(body["instances"])
    return body["instances"]


def test_a_subjob_runs_its_child_with_the_parameters_it_passes(server, client, project):
    child, parent = unique("child"), unique("parent")
    create_job(client, job_info(child, params=[JobParam(name="x", value="own")],
                                nodes=[shell_node("work", "echo child-got-${x}")]))
    create_job(client, job_info(parent, params=[JobParam(name="p", value="hello")],
                                nodes=[subjob("call", child, "x=${p}-1")]))
    iid = run_once(client, parent)
    inst = wait_instance(client, parent, iid)
    assert inst.status == "success", inst
    assert node_statuses(inst) == {"call": "success"}

    (item,) = list_instances(client, child).instances
    assert item.instance_type == 6  # subjob scheduling (JOBS.md §4.1)
    assert item.status == "success"
    assert item.plan_time == inst.plan_time  # the parent's plan time
    log = node_log(server, project, child, item.instance_id, "work")
    assert "child-got-hello-1" in log, log

    # the link to the parent: extension fields the SDK ignores, and the children route
    (linked,) = children(server, project, iid)
    assert (linked["instanceId"], linked["parentInstanceId"], linked["parentNodeName"]) == (item.instance_id, iid, "call")
    assert linked["jobName"] == child and linked["instanceType"] == 6


def test_for_each_over_a_literal_dataset_runs_one_child_per_row(server, client, project):
    child, parent = unique("row"), unique("each")
    create_job(client, job_info(child, nodes=[shell_node("work", "echo row=${v}")]))
    create_job(client, job_info(parent, nodes=[
        for_each("each", child, "[['a'],['b'],['c']]", "v=#{Loop.current[0]}#{Loop.offset}", "2"),
    ]))
    iid = run_once(client, parent)
    assert wait_instance(client, parent, iid).status == "success"
    listed = list_instances(client, child).instances
    assert sorted(i.instance_type for i in listed) == [6, 6, 6]
    assert sorted(i.job_instance_name for i in listed) == ["each_1", "each_2", "each_3"]
    logs = sorted(node_log(server, project, child, i.instance_id, "work").strip() for i in listed)
    assert logs == ["row=a0", "row=b1", "row=c2"], logs
    kids = children(server, project, iid)
    assert [k["parentRow"] for k in kids] == [0, 1, 2]


def test_a_failing_child_fails_the_parent(server, client, project):
    child, parent = unique("bad"), unique("parent")
    create_job(client, job_info(child, nodes=[shell_node("work", "exit 4")]))
    create_job(client, job_info(parent, nodes=[subjob("call", child)]))
    iid = run_once(client, parent)
    inst = wait_instance(client, parent, iid)
    assert inst.status == "fail", inst
    assert node_statuses(inst) == {"call": "fail"}
    (item,) = list_instances(client, child).instances
    assert (item.status, item.instance_type) == ("fail", 6)
    (listed,) = list_instances(client, parent).instances
    assert str(item.instance_id) in (listed.error_message or ""), listed.error_message


def test_stopping_the_parent_stops_every_child(server, client, project):
    child, parent = unique("slow"), unique("parent")
    create_job(client, job_info(child, nodes=[shell_node("work", "sleep 60")]))
    create_job(client, job_info(parent, nodes=[for_each("each", child, "[[1],[2]]", concurrent="2")]))
    iid = run_once(client, parent)
    wait_until(lambda: [i for i in list_instances(client, child).instances if i.status == "running"][1:],
               timeout=20, what="both children running")
    stopped = time.monotonic()
    resp = client.stop_job_instance(StopJobInstanceRequest(job_name=parent, instance_id=str(iid)))
    assert resp.status_code == 204
    wait_until(lambda: all(i.status == "manual-stop" for i in list_instances(client, child).instances),
               timeout=2, interval=0.05, what="every child stopped")
    assert time.monotonic() - stopped < 2.5
    assert wait_instance(client, parent, iid).status == "manual-stop"


def test_a_job_that_would_run_itself_is_refused(server, client, project):
    selfish = unique("self")
    info = job_info(selfish, nodes=[subjob("me", selfish)])
    assert_sdk_error(client.create_job, CreateJobRequest(body=info), 400, "DLF.3051",
                     mentions=[f"{selfish} -> {selfish}"])
    # nothing was saved
    assert_sdk_error(client.show_job, ShowJobRequest(job_name=selfish), 400, "DLF.0100")

    # through another job: b calls a (which does not exist yet), then a calling b is refused
    a, b = unique("a"), unique("b")
    create_job(client, job_info(b, nodes=[for_each("each", a, "[[1]]")]))
    assert_sdk_error(client.create_job, CreateJobRequest(body=job_info(a, nodes=[subjob("call", b)])), 400,
                     "DLF.3051", mentions=[f"{a} -> {b} -> {a}"])
