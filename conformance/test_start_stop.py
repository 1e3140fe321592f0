"""J6 StartJob, J7 StopJob, J9 ShowJobStatus and their effect on J2/J5 (API.md J2, J5–J7, J9;
JOBS.md §2.7, §4.3)."""

import time

from huaweicloudsdkdgc.v1 import (DeleteJobRequest, DependJob, JobParam, Schedule, ShowJobStatusRequest,
                                  StartJobReq, StartJobRequest, StopJobRequest, UpdateJobRequest)

from dlfkit import (assert_sdk_error, create_job, cron_schedule, delete_job, job_info, jobs_path, list_jobs,
                    listed_status, node, raw_request, show_job, unique, wait_until)


def status_of(client, name, job_type=None):
    return listed_status(client, name, job_type=job_type)


def job_status(client, name):
    return client.show_job_status(ShowJobStatusRequest(job_name=name))


def test_start_and_stop_move_a_cron_job_between_stopped_and_scheduling(client):
    name = create_job(client, unique("sched")).name
    assert status_of(client, name) == "STOPPED"
    assert job_status(client, name).status == "STOPPED"

    assert client.start_job(StartJobRequest(job_name=name)).status_code == 204
    assert status_of(client, name) == "SCHEDULING"
    assert job_status(client, name).status == "SCHEDULING"

    assert client.stop_job(StopJobRequest(job_name=name)).status_code == 204
    assert status_of(client, name) == "STOPPED"
    assert job_status(client, name).status == "STOPPED"

    # a stopped job can be started again
    client.start_job(StartJobRequest(job_name=name))
    assert status_of(client, name) == "SCHEDULING"
    client.stop_job(StopJobRequest(job_name=name))


def test_start_job_accepts_job_params(client):
    name = create_job(client, job_info(unique("params"))).name
    body = StartJobReq(job_params=[JobParam(name="day", value="20240101", type="variable")])
    assert client.start_job(StartJobRequest(job_name=name, body=body)).status_code == 204
    assert status_of(client, name) == "SCHEDULING"
    client.stop_job(StopJobRequest(job_name=name))


def test_start_job_accepts_the_docs_param_type_key(server, client, project):
    name = create_job(client, job_info(unique("ptype"))).name
    body = {"jobParams": [{"name": "day", "value": "20240101", "paramType": "variable"}]}
    resp = raw_request(server, "POST", jobs_path(project, name, "start"), project_id=project, body=body)
    assert resp.status_code == 204, resp.text
    assert status_of(client, name) == "SCHEDULING"
    client.stop_job(StopJobRequest(job_name=name))


def test_starting_a_scheduling_job_is_dlf_3051_is_running(client):
    name = create_job(client, unique("twice")).name
    client.start_job(StartJobRequest(job_name=name))
    assert_sdk_error(client.start_job, StartJobRequest(job_name=name), 400, "DLF.3051", mentions=["is running"])
    assert status_of(client, name) == "SCHEDULING"
    client.stop_job(StopJobRequest(job_name=name))


def test_starting_a_cron_job_without_a_cron_block_is_dlf_3025(client):
    name = unique("nocron")
    create_job(client, job_info(name, schedule=Schedule(type="CRON")))
    assert_sdk_error(client.start_job, StartJobRequest(job_name=name), 400, "DLF.3025", mentions=["cron"])
    assert status_of(client, name) == "STOPPED"


def test_starting_a_missing_job_is_dlf_0100(client):
    assert_sdk_error(client.start_job, StartJobRequest(job_name=unique("ghost")), 400, "DLF.0100")


def test_show_job_status_of_a_missing_job_is_dlf_0100(client):
    assert_sdk_error(client.show_job_status, ShowJobStatusRequest(job_name=unique("ghost")), 400, "DLF.0100")


def test_a_scheduling_job_cannot_be_deleted_until_stopped(client):
    name = create_job(client, unique("busy")).name
    client.start_job(StartJobRequest(job_name=name))
    assert_sdk_error(client.delete_job, DeleteJobRequest(job_name=name), 400, "DLF.3051", mentions=["stop"])
    assert show_job(client, name).name == name
    client.stop_job(StopJobRequest(job_name=name))
    assert delete_job(client, name).status_code == 204


def test_update_keeps_a_scheduling_job_scheduling(client):
    name = create_job(client, unique("live")).name
    client.start_job(StartJobRequest(job_name=name))
    client.update_job(UpdateJobRequest(job_name=name, body=job_info(name, nodes=[node("v2")])))
    assert status_of(client, name) == "SCHEDULING"
    assert [n.name for n in show_job(client, name).nodes] == ["v2"]
    client.stop_job(StopJobRequest(job_name=name))


def test_depend_jobs_protect_the_upstream_job_from_deletion(client):
    upstream = create_job(client, unique("up")).name
    downstream = create_job(client, job_info(unique("down"), schedule=cron_schedule(
        depend_jobs=DependJob(jobs=[upstream])))).name
    assert_sdk_error(client.delete_job, DeleteJobRequest(job_name=upstream), 400, "DLF.3051")
    assert show_job(client, upstream).name == upstream
    delete_job(client, downstream)
    assert delete_job(client, upstream).status_code == 204


def test_an_update_that_drops_the_dependency_releases_the_upstream_job(client):
    upstream = create_job(client, unique("up")).name
    downstream = create_job(client, job_info(unique("down"), schedule=cron_schedule(
        depend_jobs=DependJob(jobs=[upstream])))).name
    client.update_job(UpdateJobRequest(job_name=downstream, body=job_info(downstream)))
    assert delete_job(client, upstream).status_code == 204


def test_a_real_time_job_starts_normal_and_stops(client):
    name = unique("rt")
    create_job(client, job_info(name, process_type="REAL_TIME", schedule=Schedule(type="EXECUTE_ONCE"),
                                nodes=[node("source"), node("sink", pre=["source"])]))
    assert status_of(client, name, "REAL_TIME") == "STOPPED"
    client.start_job(StartJobRequest(job_name=name))
    assert wait_until(lambda: status_of(client, name, "REAL_TIME") == "NORMAL", what="status NORMAL")
    status = job_status(client, name)
    assert status.name == name and status.status == "NORMAL"
    assert sorted((n.name, n.node_type) for n in status.nodes) == [("sink", "Dummy"), ("source", "Dummy")]
    assert_sdk_error(client.start_job, StartJobRequest(job_name=name), 400, "DLF.3051", mentions=["is running"])
    client.stop_job(StopJobRequest(job_name=name))
    assert wait_until(lambda: status_of(client, name, "REAL_TIME") == "STOPPED", what="status STOPPED")
    assert job_status(client, name).status == "STOPPED"


def test_list_jobs_reports_when_a_job_was_started(client):
    name = create_job(client, unique("when")).name
    before = int(time.time() * 1000) - 5_000
    client.start_job(StartJobRequest(job_name=name))
    (item,) = list_jobs(client, job_name=name).jobs
    assert isinstance(item.start_time, int) and before <= item.start_time <= int(time.time() * 1000) + 5_000
    client.stop_job(StopJobRequest(job_name=name))


def test_show_job_status_uses_the_wire_names_the_sdk_reads(server, client, project):
    name = unique("wire")
    create_job(client, job_info(name, process_type="REAL_TIME", schedule=Schedule(type="EXECUTE_ONCE"),
                                nodes=[node("only", type="Dummy")]))
    client.start_job(StartJobRequest(job_name=name))
    wait_until(lambda: status_of(client, name, "REAL_TIME") == "NORMAL", what="status NORMAL")
    raw = raw_request(server, "GET", jobs_path(project, name, "status"), project_id=project).json()
    assert raw["name"] == name and raw["status"] == "NORMAL"
    assert isinstance(raw.get("starttime"), int), raw  # all lowercase on the wire (API.md J9, §0.10)
    assert [(n["name"], n["nodeType"]) for n in raw["nodes"]] == [("only", "Dummy")]
    sdk = job_status(client, name)
    assert sdk.starttime == str(raw["starttime"])
    client.stop_job(StopJobRequest(job_name=name))
