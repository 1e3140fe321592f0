"""Huawei's own published job documents (data/real-jobs, see SOURCES.md there) are accepted as
published and read back with their fields preserved (JOBS.md §2.1–§2.3, API.md J1/J3/J4 and
§0.9–§0.10)."""

import copy

import pytest
from huaweicloudsdkdgc.v1 import ListJobsRequest, StartJobRequest

from dlfkit import (assert_sdk_error, assert_subset, jobs_path, load_real_job, raw_request, sdk_client, show_job)

#: Keys the server owns: accepted on input and ignored (JOBS.md §2.1 `id`, `version`;
#: `lastUpdateUser` is overwritten with the caller).
SERVER_OWNED = ("id", "version", "lastUpdateUser")


def expected_readback(doc: dict) -> dict:
    """What ShowJob must return of a document: everything but the server-owned keys, with
    `basicConfig.tags: {}` read as "no tags" and returned as an array (JOBS.md §2.2, API.md J3)."""
    doc = copy.deepcopy(doc)
    for key in SERVER_OWNED:
        doc.pop(key, None)
    tags = doc.get("basicConfig", {}).get("tags")
    if tags == {}:
        doc["basicConfig"]["tags"] = []
    return doc


def raw_show(server, project, name="myJob") -> dict:
    resp = raw_request(server, "GET", jobs_path(project, name), project_id=project)
    assert resp.status_code == 200, resp.text
    return resp.json()


def post_document(server, project, raw: bytes):
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=raw)
    assert resp.status_code == 204, resp.text
    assert resp.content == b""


def put_document(server, project, raw: bytes, name="myJob"):
    resp = raw_request(server, "PUT", jobs_path(project, name), project_id=project, body=raw)
    assert resp.status_code == 204, resp.text


def test_01_create_document_is_accepted_verbatim_and_read_back(server, project):
    raw, doc = load_real_job("01-hivesql-myjob-create.json")
    post_document(server, project, raw)
    got = raw_show(server, project)
    assert_subset(expected_readback(doc), got)
    assert got["schedule"] == {"type": "CRON"}
    assert got["nodes"][0]["location"] == {"x": "-45.5", "y": "-134.5"}
    assert isinstance(got["id"], int)

    # and the SDK reads it
    client = sdk_client(server, project)
    sdk = show_job(client, "myJob")
    assert (sdk.name, sdk.process_type, sdk.directory) == ("myJob", "BATCH", "/myDir")
    assert [(p.name, p.value) for p in sdk.nodes[0].properties] == \
        [(p["name"], p["value"]) for p in doc["nodes"][0]["properties"]]


def test_01_cannot_be_started_because_its_cron_schedule_has_no_cron_block(server, project):
    raw, _ = load_real_job("01-hivesql-myjob-create.json")
    post_document(server, project, raw)
    client = sdk_client(server, project)
    assert_sdk_error(client.start_job, StartJobRequest(job_name="myJob"), 400, "DLF.3025")


def test_02_update_document_with_a_foreign_id_is_accepted_and_the_id_ignored(server, project):
    raw01, _ = load_real_job("01-hivesql-myjob-create.json")
    raw02, doc02 = load_real_job("02-hivesql-myjob-update.json")
    post_document(server, project, raw01)
    before = raw_show(server, project)
    put_document(server, project, raw02)
    got = raw_show(server, project)
    assert_subset(expected_readback(doc02), got)
    assert got["id"] == before["id"] != doc02["id"]
    assert int(got["version"]) == int(before["version"]) + 1


@pytest.mark.parametrize("how", ["update", "create"])
def test_03_show_response_is_accepted_as_a_request_body_and_tags_object_reads_as_empty_list(server, project, how):
    raw03, doc03 = load_real_job("03-hivesql-myjob-show-response.json")
    assert doc03["basicConfig"]["tags"] == {}
    if how == "update":
        post_document(server, project, load_real_job("01-hivesql-myjob-create.json")[0])
        put_document(server, project, raw03)
    else:
        post_document(server, project, raw03)
    got = raw_show(server, project)
    assert_subset(expected_readback(doc03), got)
    assert got["basicConfig"]["tags"] == []
    assert got["id"] != doc03["id"]
    # through the SDK the tags are an empty list, not ["{}"] (API.md §0.9)
    assert show_job(sdk_client(server, project), "myJob").basic_config.tags == []


def test_04_real_time_chain_with_unknown_node_type_is_accepted_and_preserved(server, project):
    raw, doc = load_real_job("04-realtime-dis-cs-dli-chain.json")
    post_document(server, project, raw)
    got = raw_show(server, project)
    assert_subset(expected_readback(doc), got)
    # the quirks survive untouched
    assert [n["type"] for n in got["nodes"]] == ["DISStream", "CSJob", "DISStream", "DLISQL"]
    assert got["nodes"][3]["eventTrigger"] == doc["nodes"][3]["eventTrigger"]
    assert got["resources"] == [] and all(n["resources"] == [] for n in got["nodes"])
    assert got["version"] != "1.0"
    assert [n["location"] for n in got["nodes"]] == [n["location"] for n in doc["nodes"]]

    client = sdk_client(server, project)
    listed = client.list_jobs(ListJobsRequest(job_type="REAL_TIME"))
    assert [(j.name, j.job_type) for j in listed.jobs] == [("myJob", "REAL_TIME")]
    assert client.list_jobs(ListJobsRequest()).total == 0
    sdk = show_job(client, "myJob")
    assert [n.pre_node_name for n in sdk.nodes] == [[], ["DIS_INPUT"], ["CS_PROCESS"], ["DIS_EVENT"]]

