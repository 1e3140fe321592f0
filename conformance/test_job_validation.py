"""Job validation (API.md J1/J4, JOBS.md §2, ERRORS.md): each invalid document is refused with
its catalogue code and a message naming the offending field, and a refused request changes
nothing."""

import pytest
from huaweicloudsdkdgc.v1 import (BasicConfig, Condition, CreateJobRequest, Cron, DependJob, Event, JobParam,
                                  Schedule, ShowJobRequest, UpdateJobRequest)

from dlfkit import (DAILY, START, assert_error_json, assert_sdk_error, create_job, job_info, job_total, jobs_path,
                    node, raw_request, show_job, unique, wire)


def cron(**kwargs):
    base = {"start_time": START, "expression": DAILY}
    base.update(kwargs)
    return Schedule(type="CRON", cron=Cron(**base))


def chain(n):
    return [node(f"n{i}", pre=[f"n{i - 1}"] if i else None) for i in range(n)]


# (id, body builder(name) -> JobInfo, code, words the message must name). Every builder keeps
# the name it is given, so the same cases serve CreateJob and UpdateJob.
DEFINITION_CASES = [
    ("no-nodes", lambda n: job_info(n, nodes=[]), "DLF.1006", ["node"]),
    ("unknown-processType", lambda n: job_info(n, process_type="STREAMING"), "DLF.2014", ["processType"]),
    ("cron-expression-4-fields", lambda n: job_info(n, schedule=cron(expression="every day at two")),
     "DLF.3025", ["expression"]),
    ("cron-expression-5-fields", lambda n: job_info(n, schedule=cron(expression="0 2 * * *")),
     "DLF.3025", ["expression"]),
    ("startTime-after-endTime", lambda n: job_info(n, schedule=cron(start_time="2025-06-01T00:00:00+08",
                                                                     end_time="2025-01-01T00:00:00+08")),
     "DLF.3025", ["startTime", "endTime"]),
    ("startTime-equals-endTime", lambda n: job_info(n, schedule=cron(start_time="2025-06-01T00:00:00+08",
                                                                      end_time="2025-06-01T00:00:00+08")),
     "DLF.3025", ["startTime", "endTime"]),
    ("unknown-time-zone", lambda n: job_info(n, schedule=cron(expression_time_zone="Mars/Olympus_Mons")),
     "DLF.3025", ["expressionTimeZone"]),
    ("dependJobs-names-a-missing-job",
     lambda n: job_info(n, schedule=cron(depend_jobs=DependJob(jobs=["no_such_upstream_job"]))),
     "DLF.3025", ["dependJobs", "no_such_upstream_job"]),
    ("unknown-schedule-type", lambda n: job_info(n, schedule=Schedule(type="WEEKLY")), "DLF.3025", ["schedule"]),
    ("duplicate-node-names", lambda n: job_info(n, nodes=[node("twin"), node("twin")]), "DLF.3051", ["twin"]),
    ("unknown-preNodeName", lambda n: job_info(n, nodes=[node("a"), node("b", pre=["ghost"])]),
     "DLF.3051", ["preNodeName", "ghost"]),
    ("node-lists-itself", lambda n: job_info(n, nodes=[node("selfish", pre=["selfish"])]),
     "DLF.3051", ["preNodeName", "selfish"]),
    ("cycle", lambda n: job_info(n, nodes=[node("a_node", pre=["c_node"]), node("b_node", pre=["a_node"]),
                                           node("c_node", pre=["b_node"])]),
     "DLF.3051", ["cycle", "a_node", "b_node", "c_node"]),
    ("201-nodes", lambda n: job_info(n, nodes=chain(201)), "DLF.3051", ["nodes", "200"]),
    ("unknown-failPolicy", lambda n: job_info(n, nodes=[node("a", fail_policy="EXPLODE")]),
     "DLF.3051", ["failPolicy"]),
    ("retryTimes-6", lambda n: job_info(n, nodes=[node("a", retry_times=6)]), "DLF.3051", ["retryTimes"]),
    ("retryInterval-4", lambda n: job_info(n, nodes=[node("a", retry_interval=4)]), "DLF.3051", ["retryInterval"]),
    ("pollingInterval-61", lambda n: job_info(n, nodes=[node("a", polling_interval=61)]),
     "DLF.3051", ["pollingInterval"]),
    ("maxExecutionTime-1441", lambda n: job_info(n, nodes=[node("a", max_execution_time=1441)]),
     "DLF.3051", ["maxExecutionTime"]),
    ("condition-on-a-non-upstream-node",
     lambda n: job_info(n, nodes=[node("a"), node("b"),
                                  node("c", pre=["a"], conditions=[Condition(pre_node_name="b", expression="#{true}")])]),
     "DLF.3051", ["preNodeName"]),
    ("two-conditions-on-one-edge",
     lambda n: job_info(n, nodes=[node("a"), node("b", pre=["a"], conditions=[
         Condition(pre_node_name="a", expression="#{true}"), Condition(pre_node_name="a", expression="#{false}")])]),
     "DLF.3051", ["a"]),
    ("node-name-with-space", lambda n: job_info(n, nodes=[node("bad node")]), "DLF.3051", ["name"]),
    ("duplicate-property", lambda n: job_info(n, nodes=[node("a", type="Shell",
                                                             properties=[("scriptName", "s"), ("scriptName", "t")])]),
     "DLF.3051", ["scriptName"]),
    ("script-node-without-script", lambda n: job_info(n, nodes=[node("q", type="HiveSQL",
                                                                      properties={"database": "db"})]),
     "DLF.3051", ["scriptName"]),
    ("event-schedule-without-event", lambda n: job_info(n, schedule=Schedule(type="EVENT")), "DLF.3025", ["event"]),
    ("event-unknown-eventType", lambda n: job_info(n, schedule=Schedule(type="EVENT", event=Event(
        event_type="FTP", channel="c"))), "DLF.3025", ["eventType"]),
    ("event-without-channel", lambda n: job_info(n, schedule=Schedule(type="EVENT", event=Event(event_type="KAFKA"))),
     "DLF.3025", ["channel"]),
    ("single-node-job-with-two-nodes", lambda n: job_info(n, single_node_job_flag=True,
                                                          nodes=[node("a"), node("b")]),
     "DLF.3051", ["singleNodeJobFlag"]),
    ("emptyRunningJob-2", lambda n: job_info(n, empty_running_job="2"), "DLF.3051", ["emptyRunningJob"]),
    ("duplicate-param", lambda n: job_info(n, params=[JobParam(name="p", value="1"), JobParam(name="p", value="2")]),
     "DLF.3051", ["params"]),
    ("param-name-with-space", lambda n: job_info(n, params=[JobParam(name="my param", value="1")]),
     "DLF.3051", ["params"]),
    ("param-name-65-chars", lambda n: job_info(n, params=[JobParam(name="p" * 65, value="1")]),
     "DLF.3051", ["params"]),
    ("priority-3", lambda n: job_info(n, basic_config=BasicConfig(priority=3)), "DLF.3051", ["priority"]),
    ("instanceTimeout-3", lambda n: job_info(n, basic_config=BasicConfig(instance_timeout=3)),
     "DLF.3051", ["instanceTimeout"]),
    ("customFields-over-2048", lambda n: job_info(n, basic_config=BasicConfig(custom_fields={"k": "v" * 2100})),
     "DLF.3051", ["customFields"]),
    ("directory-11-levels", lambda n: job_info(n, directory="/" + "/".join(f"d{i}" for i in range(11))),
     "DLF.3051", ["directory"]),
]

NAME_CASES = [
    ("empty-name", "", "DLF.3004", ["name"]),
    ("name-with-space", "has space", "DLF.3018", ["name"]),
    ("name-with-punctuation", "bad*name!", "DLF.3018", ["name"]),
    ("name-with-slash", "dir/name", "DLF.3018", ["name"]),
    ("name-129-chars", "n" * 129, "DLF.3018", ["name"]),
]


def totals(client):
    return job_total(client, "BATCH"), job_total(client, "REAL_TIME")


@pytest.mark.parametrize("build,code,words", [c[1:] for c in DEFINITION_CASES], ids=[c[0] for c in DEFINITION_CASES])
def test_create_job_refuses_an_invalid_definition_and_stores_nothing(client, build, code, words):
    create_job(client, unique("existing"))
    before = totals(client)
    name = unique("bad")
    assert_sdk_error(client.create_job, CreateJobRequest(body=build(name)), 400, code, mentions=words)
    assert totals(client) == before
    assert_sdk_error(client.show_job, ShowJobRequest(job_name=name), 400, "DLF.0100")


@pytest.mark.parametrize("name,code,words", [c[1:] for c in NAME_CASES], ids=[c[0] for c in NAME_CASES])
def test_create_job_refuses_an_invalid_name_and_stores_nothing(client, name, code, words):
    create_job(client, unique("existing"))
    before = totals(client)
    assert_sdk_error(client.create_job, CreateJobRequest(body=job_info(name)), 400, code, mentions=words)
    assert totals(client) == before


def test_create_job_refuses_a_duplicate_name_and_keeps_the_first_job(client):
    name = unique("dup")
    create_job(client, job_info(name, nodes=[node("first")]))
    before = totals(client)
    assert_sdk_error(client.create_job, CreateJobRequest(body=job_info(name, nodes=[node("second")])), 400,
                     "DLF.0102", mentions=["name"], exact_msg="The job name already exists.")
    assert totals(client) == before
    assert [n.name for n in show_job(client, name).nodes] == ["first"]


def test_job_names_accept_letters_digits_dash_underscore_dot_and_128_chars(client):
    for name in (unique("Ok-name_1.v2"), "x" * 128, unique("作业")):
        create_job(client, name)
        assert show_job(client, name).name == name


@pytest.mark.parametrize("build,code,words", [c[1:] for c in DEFINITION_CASES], ids=[c[0] for c in DEFINITION_CASES])
def test_update_job_refuses_an_invalid_definition_and_keeps_the_old_one(client, build, code, words):
    name = unique("keep")
    create_job(client, job_info(name, nodes=[node("kept", retry_times=1)]))
    before = wire(show_job(client, name))
    assert_sdk_error(client.update_job, UpdateJobRequest(job_name=name, body=build(name)), 400, code, mentions=words)
    after = wire(show_job(client, name))
    assert after == before


def test_update_job_with_an_empty_name_is_dlf_3004_and_keeps_the_old_definition(client):
    name = unique("keep")
    create_job(client, name)
    before = wire(show_job(client, name))
    assert_sdk_error(client.update_job, UpdateJobRequest(job_name=name, body=job_info("")), 400, "DLF.3004",
                     mentions=["name"])
    assert wire(show_job(client, name)) == before


def test_a_description_over_255_characters_is_dlf_3050(server, client, project):
    before = totals(client)
    doc = wire(job_info(unique("desc")))
    doc["description"] = "d" * 256
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=doc)
    body = assert_error_json(resp, 400, "DLF.3050")
    assert "description" in body["error_msg"].lower()
    assert totals(client) == before


def test_a_description_of_255_characters_is_kept(server, client, project):
    name = unique("desc")
    doc = wire(job_info(name))
    doc["description"] = "d" * 255
    assert raw_request(server, "POST", jobs_path(project), project_id=project, body=doc).status_code == 204
    assert show_job(client, name).description == "d" * 255


def test_a_minute_job_cannot_depend_on_a_daily_job(client):
    upstream = unique("daily")
    create_job(client, job_info(upstream, schedule=Schedule(type="CRON", cron=Cron(
        start_time=START, expression=DAILY, interval_type="days"))))
    name = unique("minutely")
    bad = job_info(name, schedule=Schedule(type="CRON", cron=Cron(
        start_time=START, expression="0 */5 * * * ?", interval_type="minutes", depend_jobs=DependJob(jobs=[upstream]))))
    before = totals(client)
    assert_sdk_error(client.create_job, CreateJobRequest(body=bad), 400, "DLF.3025", mentions=["dependJobs"])
    assert totals(client) == before
