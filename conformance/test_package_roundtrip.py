"""Export → delete → import is the identity (issue "Move in from DataArts Studio", JOBS.md §7):
for every job shape the suites create, ShowJob after the round trip equals ShowJob before it,
field for field (the fields that describe one job's life on the server aside). Driven through the
official SDK: ExportJob's bytes come back in `raw_content`, ImportJob returns a system task read
with ListSystemTasks."""

import copy
import json
from urllib.parse import quote

import pytest
from huaweicloudsdkdgc.v1 import (Cron, CronTrigger, DeleteJobRequest, Event, ExportJobReq, ExportJobRequest,
                                  ImportFileReq, ImportJobRequest, Schedule)

from dlfkit import (START, create_job, job_info, jobs_path, load_real_job, node, raw_request, unique, wait_task, wire)
from test_job_roundtrip import rich_job

#: ShowJob fields that describe the job's life on this server, not its definition: a new id and
#: times, the importing user, a fresh version count (JOBS.md §2.1).
SERVER_LIFE = ("id", "createTime", "lastUpdateTime", "lastUpdateUser", "createUser", "version")


def show_raw(server, project, name):
    resp = raw_request(server, "GET", jobs_path(project, name), project_id=project)
    assert resp.status_code == 200, resp.text
    return resp.json()


def definition(doc):
    doc = copy.deepcopy(doc)
    for key in SERVER_LIFE:
        doc.pop(key, None)
    return doc


def upload(server, project, bucket, key, data: bytes):
    path = f"/x/v1/{quote(project, safe='')}/objects/{bucket}/{key}"
    # the SDK signer signs the body of JSON requests only (octet-stream goes UNSIGNED-PAYLOAD)
    resp = raw_request(server, "PUT", path, project_id=project, body=data, content_type="application/json")
    assert resp.status_code in (200, 204), resp.text
    return f"obs://{bucket}/{key}"



def round_trip(server, project, client, name):
    before = show_raw(server, project, name)
    exported = client.export_job(ExportJobRequest(job_name=name, body=ExportJobReq(export_depend=True)))
    data = exported.raw_content
    assert data[:2] == b"PK", "ExportJob returns a zip"
    client.delete_job(DeleteJobRequest(job_name=name))
    path = upload(server, project, "roundtrip", f"{name}.zip", data)
    task_id = client.import_job(ImportJobRequest(body=ImportFileReq(path=path))).task_id
    task = wait_task(client, task_id)
    assert task.status == "SUCCESSFUL", wire(task)
    after = show_raw(server, project, name)
    assert definition(after) == definition(before)
    return before, after


def post_raw(server, project, doc):
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=json.dumps(doc).encode())
    assert resp.status_code == 204, resp.text


def test_the_richest_sdk_job_round_trips(server, project, client):
    upstream = create_job(client, unique("up")).name
    job = rich_job(unique("rich"), upstream)
    create_job(client, job)
    round_trip(server, project, client, job.name)


@pytest.mark.parametrize("filename", ["01-hivesql-myjob-create.json", "02-hivesql-myjob-update.json",
                                      "04-realtime-dis-cs-dli-chain.json"])
def test_huaweis_published_documents_round_trip_with_cloud_only_nodes(server, project, client, filename):
    raw, doc = load_real_job(filename)
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=raw)
    assert resp.status_code == 204, resp.text
    before, after = round_trip(server, project, client, doc["name"])
    assert [n["type"] for n in after["nodes"]] == [n["type"] for n in doc["nodes"]]


def test_unknown_fields_at_every_level_survive(server, project, client):
    name = unique("unknown")
    doc = {
        "name": name, "processType": "BATCH", "consoleOnly": {"panel": [1, 2, {"deep": True}]},
        "schedule": {"type": "CRON", "futureKey": "kept",
                     "cron": {"startTime": START, "expression": "0 0 2 * * ?", "cronExtra": 7}},
        "basicConfig": {"owner": "o", "priority": 0, "basicExtra": "b"},
        "nodes": [{"name": "n", "type": "Shell", "location": {"x": "1", "y": "2"}, "nodeExtra": {"a": None},
                   "properties": [{"name": "statement", "value": "echo hi"}, {"name": "consoleKey", "value": "v"}]}],
    }
    post_raw(server, project, doc)
    _, after = round_trip(server, project, client, name)
    assert after["consoleOnly"] == {"panel": [1, 2, {"deep": True}]}
    assert after["nodes"][0]["nodeExtra"] == {"a": None}


def test_real_time_and_event_shapes_round_trip(server, project, client):
    name = unique("rtt")
    nodes = [
        node("periodic", cron_trigger=CronTrigger(start_time=START, expression="0 0 * * * ?", period="1 hours",
                                                  expression_time_zone="GMT+8", depend_pre_period=False,
                                                  concurrent=3)),
        node("on_event", pre=["periodic"], event_trigger=Event(event_type="KAFKA", channel="clicks",
                                                              fail_policy="SUSPEND", concurrent=2, read_policy="LAST")),
    ]
    create_job(client, job_info(name, process_type="REAL_TIME", schedule=Schedule(type="EXECUTE_ONCE"), nodes=nodes))
    round_trip(server, project, client, name)

    event = unique("event")
    create_job(client, job_info(event, schedule=Schedule(type="EVENT", event=Event(
        event_type="KAFKA", channel="orders", fail_policy="IGNORE", concurrent=1, read_policy="LAST"))))
    round_trip(server, project, client, event)


def test_orchestration_and_sql_nodes_round_trip(server, project, client):
    child = create_job(client, unique("child")).name
    name = unique("orchestra")
    nodes = [
        node("sub", "SubJob", properties={"subJobName": child, "jobParams": '[{"name":"k","value":"v"}]'}),
        node("each", "ForEach", pre=["sub"], properties={"subJobName": child, "dataset": "[[1],[2]]", "concurrent": "2",
                                                         "jobParams": '[{"name":"row","value":"#{Loop.current[0]}"}]'}),
        node("call", "RESTAPI", pre=["each"], properties={"method": "GET", "url": "http://127.0.0.1:9/x"}),
        node("wait", "HttpTrigger", pre=["call"], properties={"maxWaitHours": "2"}),
        node("query", "RDSSQL", pre=["wait"], properties={"statementOrScript": "STATEMENT",
                                                          "statement": "SELECT 1", "connectionName": "nowhere"}),
    ]
    create_job(client, job_info(name, nodes=nodes, schedule=Schedule(type="CRON", cron=Cron(
        start_time=START, expression="0 15 * * * ?"))))
    round_trip(server, project, client, name)


def test_a_development_state_that_differs_from_the_submitted_one_round_trips(server, project, client):
    name = unique("saved")
    post_raw(server, project, {"name": name, "processType": "BATCH", "targetStatus": "SAVED",
                               "schedule": {"type": "EXECUTE_ONCE"},
                               "nodes": [{"name": "n", "type": "Dummy", "location": {"x": "0", "y": "0"}}]})
    round_trip(server, project, client, name)
