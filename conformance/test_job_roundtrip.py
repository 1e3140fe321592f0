"""J1 CreateJob, J3 ShowJob, J4 UpdateJob, J2 ListJobs, J5 DeleteJob: what the SDK sends comes
back (API.md J1–J5, §0.11 JobInfo/Node/Schedule; JOBS.md §2)."""

import time

import pytest
from huaweicloudsdkdgc.v1 import (BasicConfig, Condition, Cron, CronTrigger, DeleteJobRequest, DeleteReq,
                                  DependJob, Event, JobApprover, JobParam, Schedule, ShowJobRequest,
                                  StartJobRequest, StopJobRequest, UpdateJobRequest)

from dlfkit import (DAILY, MSG_JOB_NOT_FOUND, START, assert_sdk_error, assert_subset, create_job,
                    delete_job, job_info, jobs_path, list_jobs, listed_status, node, raw_request, show_job,
                    unique, wire)


def rich_job(name: str, upstream: str):
    """A job that uses every JobInfo field the SDK can read back."""
    nodes = [
        node("extract", type="Shell", x="-45.5", y="-134.5",
             properties={"scriptName": "etl_extract", "scriptArgs": "day=${day}"},
             pre=[], polling_interval=20, max_execution_time=360, retry_times=3, retry_interval=30,
             fail_policy="FAIL_CHILD", exec_time_out_retry="true"),
        node("load", x="120", y="-134.5", pre=["extract"],
             conditions=[Condition(pre_node_name="extract",
                                   expression='#{Job.getNodeStatus("extract") == "success"}')],
             polling_interval=1, max_execution_time=1440, retry_times=5, retry_interval=5,
             fail_policy="IGNORE", exec_time_out_retry="false"),
        node("notify", x="300.25", y="0", pre=["extract", "load"], fail_policy="SUSPEND",
             retry_times=0, retry_interval=120, polling_interval=60, max_execution_time=5),
    ]
    schedule = Schedule(type="CRON", cron=Cron(
        start_time=START, end_time="2030-12-31T23:59:59+08", expression=DAILY,
        expression_time_zone="GMT+8", depend_pre_period=True,
        depend_jobs=DependJob(jobs=[upstream], depend_period="SAME_PERIOD", depend_fail_policy="IGNORE")))
    return job_info(
        name, nodes=nodes, schedule=schedule,
        params=[JobParam(name="day", value='#{DateUtil.format(Job.planTime,"yyyyMMdd")}', type="variable"),
                JobParam(name="region", value="cn-north-4", type="constants")],
        directory="/conf/roundtrip", log_path="obs://conf-log/roundtrip",
        basic_config=BasicConfig(owner="conf_owner", agency="conf_agency", is_ignore_waiting=1, priority=1,
                                 task_priority=1, execute_user="etl", instance_timeout=30,
                                 custom_fields={"team": "data", "cost-center": "42"},
                                 tags=["nightly", "finance"]),
        clean_overdue_days=7, clean_waiting_job="cleanup", empty_running_job="1",
        single_node_job_flag=False)


def test_show_job_returns_every_field_create_job_sent(client):
    upstream = create_job(client, unique("up")).name
    sent = rich_job(unique("rich"), upstream)
    create_job(client, sent)

    got = show_job(client, sent.name)
    assert_subset(wire(sent), wire(got))
    assert isinstance(got.id, int) and got.id > 0
    assert isinstance(got.create_time, int) and got.create_time > 0
    assert got.version is not None and int(got.version) >= 1


def test_show_job_fills_the_documented_node_defaults(client):
    name = unique("defaults")
    create_job(client, job_info(name, nodes=[node("bare")]))
    got = show_job(client, name).nodes[0]
    assert (got.polling_interval, got.max_execution_time, got.retry_times, got.retry_interval, got.fail_policy) \
        == (10, 60, 0, 120, "FAIL")


def test_numeric_node_location_is_returned_as_a_string(client):
    name = unique("loc")
    create_job(client, job_info(name, nodes=[node("n1", x="-45.5", y="385.0")]))
    loc = show_job(client, name).nodes[0].location
    assert (loc.x, loc.y) == ("-45.5", "385.0")


def test_list_jobs_describes_a_new_job_as_stopped(client):
    name = unique("listed")
    before_ms = int(time.time() * 1000) - 60_000
    create_job(client, job_info(name, directory="/conf/listed",
                                basic_config=BasicConfig(owner="lister", priority=2)))
    resp = list_jobs(client, job_name=name)
    assert resp.total == 1
    (item,) = resp.jobs
    assert (item.name, item.job_type, item.status, item.owner, item.priority) == \
        (name, "BATCH", "STOPPED", "lister", 2)
    assert item.path.rstrip("/") == "/conf/listed"
    assert isinstance(item.create_time, int) and item.create_time > before_ms
    assert item.create_user


def test_update_job_replaces_the_definition_and_bumps_the_version(client):
    upstream = create_job(client, unique("up")).name
    original = rich_job(unique("upd"), upstream)
    create_job(client, original)
    v1 = show_job(client, original.name)

    replacement = job_info(
        original.name,
        nodes=[node("only", type="Dummy", x="1", y="2", retry_times=2, retry_interval=10)],
        schedule=Schedule(type="CRON", cron=Cron(start_time="2025-02-01T08:00:00+08", expression="0 30 4 * * ?",
                                                 expression_time_zone="GMT+8")),
        params=[JobParam(name="fresh", value="1", type="variable")],
        directory="/conf/updated",
        basic_config=BasicConfig(owner="new_owner", priority=0, custom_fields={"only": "this"}, tags=["moved"]))
    resp = client.update_job(UpdateJobRequest(job_name=original.name, body=replacement))
    assert resp.status_code == 204

    v2 = show_job(client, original.name)
    assert_subset(wire(replacement), wire(v2))
    # replaced, not merged: nothing of the old definition survives
    assert [n.name for n in v2.nodes] == ["only"]
    assert [p.name for p in v2.params] == ["fresh"]
    assert v2.basic_config.custom_fields == {"only": "this"}
    assert v2.basic_config.tags == ["moved"]
    assert v2.schedule.cron.depend_jobs is None and not v2.schedule.cron.depend_pre_period
    # same job, next version
    assert v2.id == v1.id and v2.create_time == v1.create_time
    assert int(v2.version) == int(v1.version) + 1

    old = show_job(client, original.name, version=int(v1.version))
    assert_subset(wire(original), wire(old))
    assert old.version == v1.version

    latest_submitted = show_job(client, original.name, get_job_submit_version=True)
    assert [n.name for n in latest_submitted.nodes] == ["only"]
    assert [n.name for n in show_job(client, original.name, version=-1).nodes] == ["only"]  # -1 = latest


def test_show_job_of_an_unknown_version_is_dlf_0100(client):
    name = create_job(client, unique("ver")).name
    assert_sdk_error(client.show_job, _show(name, version=999), 400, "DLF.0100")


def test_update_job_of_a_missing_job_is_dlf_0100(client):
    name = unique("nojob")
    assert_sdk_error(client.update_job, UpdateJobRequest(job_name=name, body=job_info(name)), 400, "DLF.0100",
                     exact_msg=MSG_JOB_NOT_FOUND)


def test_update_job_cannot_rename_a_job(client):
    name = create_job(client, unique("named")).name
    other = unique("renamed")
    assert_sdk_error(client.update_job, UpdateJobRequest(job_name=name, body=job_info(other)), 400, "DLF.3051",
                     mentions=["name"])
    assert show_job(client, name).name == name
    assert_sdk_error(client.show_job, _show(other), 400, "DLF.0100")


def test_deleted_job_is_gone(client):
    name = create_job(client, unique("del")).name
    assert delete_job(client, name).status_code == 204
    assert_sdk_error(client.show_job, _show(name), 400, "DLF.0100", exact_msg=MSG_JOB_NOT_FOUND)
    assert list_jobs(client, job_name=name).total == 0
    assert_sdk_error(client.delete_job, _delete(name), 400, "DLF.0100", exact_msg=MSG_JOB_NOT_FOUND)


def test_a_deleted_name_can_be_reused_for_a_new_job(client):
    name = create_job(client, unique("reuse")).name
    first_id = show_job(client, name).id
    delete_job(client, name)
    create_job(client, job_info(name, nodes=[node("again")]))
    again = show_job(client, name)
    assert [n.name for n in again.nodes] == ["again"]
    assert again.id != first_id


def test_show_job_with_dependencies_lists_the_downstream_jobs(client):
    upstream = create_job(client, unique("up")).name
    down = rich_job(unique("down"), upstream)
    create_job(client, down)
    down_id = show_job(client, down.name).id
    up = show_job(client, upstream, dependencies=True)
    assert [(d.job_name, d.job_id) for d in up.downstream_jobs] == [(down.name, down_id)]




def test_delete_job_accepts_an_approvers_body(client):
    name = create_job(client, unique("appr")).name
    body = DeleteReq(approvers=[JobApprover(approver_name="reviewer")])
    assert client.delete_job(DeleteJobRequest(job_name=name, body=body)).status_code == 204
    assert_sdk_error(client.show_job, _show(name), 400, "DLF.0100")


def test_directory_gets_a_leading_slash(client):
    name = unique("dir")
    create_job(client, job_info(name, directory="no_slash/sub"))
    assert show_job(client, name).directory == "/no_slash/sub"
    assert list_jobs(client, job_name=name).jobs[0].path.rstrip("/") == "/no_slash/sub"


def test_priority_given_alone_is_mirrored_into_task_priority(client):
    name = unique("prio")
    create_job(client, job_info(name, basic_config=BasicConfig(priority=2)))
    bc = show_job(client, name).basic_config
    assert (bc.priority, bc.task_priority) == (2, 2)


@pytest.mark.parametrize("sent,returned", [
    ("2024-01-01T00:00:00+08", "2024-01-01T00:00:00+08"),
    ("2024-01-01T00:00:00+08:00", "2024-01-01T00:00:00+08"),
    ("2024-01-01T00:00:00+0800", "2024-01-01T00:00:00+08"),
    ("2024-01-01T00:00:00-03:00", "2024-01-01T00:00:00-03"),
    ("2024-01-01T00:00:00+05:30", "2024-01-01T00:00:00+05:30"),
])
def test_cron_start_time_offsets_are_written_back_in_the_documented_form(client, sent, returned):
    name = unique("tz")
    create_job(client, job_info(name, schedule=Schedule(type="CRON", cron=Cron(start_time=sent, expression=DAILY))))
    assert show_job(client, name).schedule.cron.start_time == returned


@pytest.mark.parametrize("schedule", [
    Schedule(type="RUN_ONCE"),
    Schedule(type="SCHEDULE", cron=Cron(start_time=START, expression=DAILY)),
    Schedule(type="EVENT_TRIGGER", event=Event(event_type="KAFKA", channel="orders")),
    Schedule(type="EVENT", event=Event(event_type="KAFKA", channel="orders", fail_policy="IGNORE", concurrent=4,
                                       read_policy="NEW")),
    Schedule(type="EXECUTE_ONCE"),
], ids=["RUN_ONCE", "SCHEDULE", "EVENT_TRIGGER", "EVENT", "EXECUTE_ONCE"])
def test_schedule_types_and_aliases_are_stored_verbatim(client, schedule):
    name = unique("alias")
    create_job(client, job_info(name, schedule=schedule))
    assert_subset(wire(schedule), wire(show_job(client, name).schedule))


def test_the_schedule_alias_is_scheduled_like_cron(client):
    name = unique("alias")
    create_job(client, job_info(name, schedule=Schedule(type="SCHEDULE", cron=Cron(start_time=START, expression=DAILY))))
    client.start_job(StartJobRequest(job_name=name))
    assert listed_status(client, name) == "SCHEDULING"
    client.stop_job(StopJobRequest(job_name=name))


def test_real_time_node_triggers_round_trip(client):
    name = unique("rtt")
    nodes = [
        node("periodic", cron_trigger=CronTrigger(start_time=START, expression="0 0 * * * ?", period="1 hours",
                                                  expression_time_zone="GMT+8", depend_pre_period=False,
                                                  concurrent=3)),
        node("on_event", pre=["periodic"], event_trigger=Event(event_type="KAFKA", channel="clicks",
                                                              fail_policy="SUSPEND", concurrent=2, read_policy="LAST")),
    ]
    sent = job_info(name, process_type="REAL_TIME", schedule=Schedule(type="EXECUTE_ONCE"), nodes=nodes)
    create_job(client, sent)
    assert_subset(wire(sent), wire(show_job(client, name)))


def test_node_names_accept_slash_and_angle_brackets(client):
    name = unique("nn")
    create_job(client, job_info(name, nodes=[node("in/out"), node("<merge>", pre=["in/out"])]))
    assert [n.name for n in show_job(client, name).nodes] == ["in/out", "<merge>"]


def test_show_and_list_responses_use_the_documented_json_types(server, client, project):
    upstream = create_job(client, unique("up")).name
    name = unique("types")
    create_job(client, rich_job(name, upstream))
    show = raw_request(server, "GET", jobs_path(project, name), project_id=project).json()
    assert isinstance(show["id"], int) and isinstance(show["createTime"], int)
    assert isinstance(show["version"], str)
    assert isinstance(show["singleNodeJobFlag"], bool)
    assert isinstance(show["basicConfig"]["tags"], list)
    assert all(isinstance(n["location"]["x"], str) for n in show["nodes"])
    for obj in [show, show["basicConfig"], show["schedule"], show["schedule"]["cron"], *show["nodes"]]:
        snake = [k for k in obj if "_" in k]
        assert not snake, f"snake_case keys on the wire: {snake}"
    listed = raw_request(server, "GET", jobs_path(project), project_id=project, query=[("jobName", name)]).json()
    (item,) = listed["jobs"]
    assert isinstance(listed["total"], int)
    assert isinstance(item["createTime"], int) and isinstance(item["priority"], int)
    assert isinstance(item["singleNodeJobFlag"], bool)
    assert not [k for k in item if "_" in k]


def test_a_job_saved_with_target_status_saved_has_no_submitted_version(client):
    name = unique("saved")
    create_job(client, job_info(name, target_status="SAVED"))
    assert show_job(client, name).version == "0"
    e = assert_sdk_error(client.start_job, StartJobRequest(job_name=name), 400, "DLF.3051")
    assert "submit" in e.error_msg.lower()
    assert listed_status(client, name) == "STOPPED"
    client.update_job(UpdateJobRequest(job_name=name, body=job_info(name)))
    assert show_job(client, name).version == "1"
    client.start_job(StartJobRequest(job_name=name))
    assert listed_status(client, name) == "SCHEDULING"
    client.stop_job(StopJobRequest(job_name=name))


def test_an_update_saved_only_changes_the_development_state(client):
    name = unique("dev")
    create_job(client, job_info(name, nodes=[node("submitted")]))
    v1 = show_job(client, name).version
    client.update_job(UpdateJobRequest(job_name=name, body=job_info(name, nodes=[node("draft")],
                                                                     target_status="SAVED")))
    assert [n.name for n in show_job(client, name).nodes] == ["draft"]
    submitted = show_job(client, name, get_job_submit_version=True)
    assert [n.name for n in submitted.nodes] == ["submitted"]
    assert submitted.version == v1
    assert [n.name for n in show_job(client, name, version=int(v1)).nodes] == ["submitted"]



def test_numeric_locations_in_raw_json_are_returned_as_strings(server, client, project):
    name = unique("numloc")
    doc = wire(job_info(name))
    doc["nodes"][0]["location"] = {"x": -45.5, "y": 10}
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=doc)
    assert resp.status_code == 204, resp.text
    got = raw_request(server, "GET", jobs_path(project, name), project_id=project).json()
    assert got["nodes"][0]["location"] == {"x": "-45.5", "y": "10"}


def test_depend_jobs_sent_as_a_list_is_read_as_its_first_element(server, client, project):
    upstream = create_job(client, unique("up")).name
    name = unique("deplist")
    doc = wire(job_info(name))
    doc["schedule"]["cron"]["dependJobs"] = [{"jobs": [upstream], "dependPeriod": "SAME_PERIOD"}]
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=doc)
    assert resp.status_code == 204, resp.text
    got = show_job(client, name).schedule.cron.depend_jobs
    assert (got.jobs, got.depend_period) == ([upstream], "SAME_PERIOD")
    assert_sdk_error(client.delete_job, _delete(upstream), 400, "DLF.3051")


def _show(name, **kwargs):
    return ShowJobRequest(job_name=name, **kwargs)


def _delete(name):
    return DeleteJobRequest(job_name=name)
