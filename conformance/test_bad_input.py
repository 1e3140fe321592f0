"""Bad input never hurts (API.md §0.2, §0.3, §0.6, §0.9; ERRORS.md): malformed or mistyped
bodies, unknown enum values, oversized bodies, unknown routes and methods, odd names in the
path. Each gets the documented error JSON (never a 5xx), and the server stays healthy."""

import json

import pytest
import requests
from huaweicloudsdkdgc.v1 import (DeleteJobRequest, ListJobsRequest, ShowJobRequest, StartJobRequest,
                                  StopJobRequest)

from dlfkit import (MSG_JOB_NOT_FOUND, assert_error_json, assert_sdk_error, create_job, job_info, job_total,
                    jobs_path, list_jobs, listed_status, new_project, node, raw_request, sdk_client, show_job,
                    unique, wire)


@pytest.fixture(scope="module")
def project():
    return new_project()


@pytest.fixture(scope="module")
def client(server, project):
    return sdk_client(server, project)


@pytest.fixture(autouse=True)
def still_healthy(server, client):
    """After every test here: /healthz answers 200 and an ordinary SDK call works."""
    yield
    assert server.healthz() == 200, server.log_text()[-4000:]
    assert list_jobs(client).total >= 0


@pytest.fixture(scope="module")
def existing(client):
    """A stored job that the bad requests below must not disturb."""
    name = unique("anchor")
    create_job(client, job_info(name, nodes=[node("anchor_node")]))
    return name


def valid_doc(name=None):
    return wire(job_info(name or unique("raw")))


MALFORMED = [
    ("truncated", b'{"name": "x", "nodes": ['),
    ("trailing-comma", b'{"name": "x",}'),
    ("huawei-misplaced-quote", b'{"name": "x", "nodes": [{"eventTrigger": {"eventType:"DIS", "channel": "c"}}]}'),
    ("not-json", b"name=x&nodes=1"),
    ("binary", b"\xff\xfe\x00\x01garbage"),
]


@pytest.mark.parametrize("body", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_json_is_dlf_3051(server, project, client, existing, body):
    before = job_total(client)
    create = raw_request(server, "POST", jobs_path(project), project_id=project, body=body)
    assert_error_json(create, 400, "DLF.3051")
    update = raw_request(server, "PUT", jobs_path(project, existing), project_id=project, body=body)
    assert_error_json(update, 400, "DLF.3051")
    script = raw_request(server, "POST", f"/v1/{project}/scripts", project_id=project, body=body)
    assert_error_json(script, 400, "DLF.3051")
    start = raw_request(server, "POST", jobs_path(project, existing, "start"), project_id=project, body=body)
    assert_error_json(start, 400, "DLF.3051")
    assert job_total(client) == before
    assert [n.name for n in show_job(client, existing).nodes] == ["anchor_node"]
    assert listed_status(client, existing) == "STOPPED"


@pytest.mark.parametrize("operation", ["CreateJob", "UpdateJob", "StartJob", "CreateScript", "UpdateScript"])
def test_trailing_text_after_the_json_body_is_dlf_3051(server, operation):
    project = new_project()
    client = sdk_client(server, project)
    job = unique("trail")
    create_job(client, job)
    script = unique("trail")
    raw_request(server, "POST", f"/v1/{project}/scripts", project_id=project,
                body={"name": script, "type": "Shell", "content": "echo 1"})
    method, path, doc = {
        "CreateJob": ("POST", jobs_path(project), valid_doc(unique("trail"))),
        "UpdateJob": ("PUT", jobs_path(project, job), wire(job_info(job, nodes=[node("changed")]))),
        "StartJob": ("POST", jobs_path(project, job, "start"), {}),
        "CreateScript": ("POST", f"/v1/{project}/scripts", {"name": unique("s"), "type": "Shell", "content": "x"}),
        "UpdateScript": ("PUT", f"/v1/{project}/scripts/{script}", {"name": script, "type": "Shell", "content": "y"}),
    }[operation]
    body = json.dumps(doc).encode() + b' {"and": "more"}'
    try:
        resp = raw_request(server, method, path, project_id=project, body=body)
        assert_error_json(resp, 400, "DLF.3051")
    finally:
        client.stop_job(StopJobRequest(job_name=job))  # in case the start went through


def _mutate(path, value):
    def build():
        doc = valid_doc()
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return doc
    return build


WRONG_TYPES = [
    ("nodes-is-a-string", _mutate(["nodes"], "x")),
    ("nodes-holds-numbers", _mutate(["nodes"], [1, 2])),
    ("name-is-a-number", _mutate(["name"], 123)),
    ("schedule-is-a-string", _mutate(["schedule"], "daily")),
    ("basicConfig-is-a-list", _mutate(["basicConfig"], ["owner"])),
    ("retryTimes-is-text", _mutate(["nodes", 0, "retryTimes"], "three")),
    ("retryTimes-is-a-fraction", _mutate(["nodes", 0, "retryTimes"], 1.5)),
    ("retryTimes-overflows-int64", _mutate(["nodes", 0, "retryTimes"], 10 ** 23)),
    ("preNodeName-is-an-object", _mutate(["nodes", 0, "preNodeName"], {"a": 1})),
    ("params-is-an-object", _mutate(["params"], {"a": "b"})),
    ("body-is-an-array", lambda: [valid_doc()]),
    ("body-is-a-string", lambda: "a job"),
    ("body-is-null", lambda: None),
]


@pytest.mark.parametrize("build", [w[1] for w in WRONG_TYPES], ids=[w[0] for w in WRONG_TYPES])
def test_wrong_json_types_are_dlf_3051(server, project, client, build):
    before = job_total(client)
    body = json.dumps(build()).encode()
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=body)
    assert_error_json(resp, 400, "DLF.3051")
    assert job_total(client) == before


UNKNOWN_ENUMS = [
    ("processType", _mutate(["processType"], "STREAMING"), "DLF.2014"),
    ("schedule.type", _mutate(["schedule", "type"], "HOURLY"), "DLF.3025"),
    ("failPolicy", _mutate(["nodes", 0, "failPolicy"], "EXPLODE"), "DLF.3051"),
    ("execTimeOutRetry", _mutate(["nodes", 0, "execTimeOutRetry"], "maybe"), "DLF.3051"),
    ("dependPeriod", _mutate(["schedule", "cron", "dependJobs"], {"jobs": [], "dependPeriod": "NEXT_PERIOD"}),
     "DLF.3025"),
]


@pytest.mark.parametrize("build,code", [u[1:] for u in UNKNOWN_ENUMS], ids=[u[0] for u in UNKNOWN_ENUMS])
def test_unknown_enum_values_are_refused_with_their_code(server, project, client, build, code):
    before = job_total(client)
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=build())
    assert_error_json(resp, 400, code)
    assert job_total(client) == before


def test_unknown_script_type_is_dlf_3051(server, project):
    resp = raw_request(server, "POST", f"/v1/{project}/scripts", project_id=project,
                       body={"name": unique("s"), "type": "COBOL", "content": "DISPLAY 'HI'."})
    assert_error_json(resp, 400, "DLF.3051")


BAD_QUERIES = [
    ("jobType-unknown", "jobs", [("jobType", "FOO")]),
    ("limit-not-a-number", "jobs", [("limit", "ten")]),
    ("offset-not-a-number", "jobs", [("offset", "1e3")]),
    ("scripts-limit-not-a-number", "scripts", [("limit", "x")]),
]


@pytest.mark.parametrize("what,query", [b[1:] for b in BAD_QUERIES], ids=[b[0] for b in BAD_QUERIES])
def test_bad_query_parameters_are_dlf_3051(server, project, what, query):
    resp = raw_request(server, "GET", f"/v1/{project}/{what}", project_id=project, query=query)
    assert_error_json(resp, 400, "DLF.3051")


@pytest.mark.parametrize("query", [[("version", "latest")], [("dependencies", "maybe")],
                                   [("getJobSubmitVersion", "1x")]], ids=["version", "dependencies", "submit"])
def test_bad_show_job_query_parameters_are_dlf_3051(server, project, existing, query):
    resp = raw_request(server, "GET", jobs_path(project, existing), project_id=project, query=query)
    assert_error_json(resp, 400, "DLF.3051")


def test_a_13_mb_body_is_413(server, project, client):
    before = job_total(client)
    doc = valid_doc()
    doc["padding"] = "x" * (13 * 1024 * 1024)
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=json.dumps(doc).encode())
    assert_error_json(resp, 413, "APIGW.0201")
    assert job_total(client) == before


def test_a_chunked_body_over_12_mb_is_413(server, project, client):
    token = raw_request(server, "POST", f"/x/v1/{project}/tokens", project_id=project, body={}).json()["token"]
    before = job_total(client)

    def chunks():  # no Content-Length: the limit must hold while reading
        yield b'{"name": "chunked", "padding": "'
        for _ in range(13):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    resp = requests.post(f"{server.base_url}{jobs_path(project)}", data=chunks(), timeout=60,
                         headers={"X-Auth-Token": token, "Content-Type": "application/json;charset=utf-8"})
    assert_error_json(resp, 413, "APIGW.0201")
    assert job_total(client) == before


@pytest.mark.parametrize("body", [
    b"[" * 100_000,
    b'{"name": "deep", "extra": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
    b'{"name": "dup", "name": "dup2"}',
], ids=["100k-open-brackets", "deeply-nested-unknown-field", "duplicate-key"])
def test_pathological_json_is_dlf_3051(server, project, client, body):
    before = job_total(client)
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=body)
    assert_error_json(resp, 400, "DLF.3051")
    assert job_total(client) == before


def test_a_50_kb_uri_is_414_apigw_0201_json(server, project):
    resp = raw_request(server, "GET", jobs_path(project, "n" * 50_000), project_id=project)
    assert resp.headers.get("X-Request-Id"), f"HTTP {resp.status_code} without X-Request-Id"
    assert_error_json(resp, 414, "APIGW.0201")


def test_a_100_kb_uri_is_refused_with_414(server, project):
    # Beyond 64 KiB the HTTP library refuses the request line itself (a bare 414, no JSON body):
    # documented in docs/configuration.md; the server stays healthy.
    resp = raw_request(server, "GET", jobs_path(project, "n" * 100_000), project_id=project)
    assert resp.status_code == 414
    assert server.healthz() == 200


def test_a_20_kb_name_in_the_path_is_job_not_found(server, project):
    resp = raw_request(server, "GET", jobs_path(project, "n" * 20_000), project_id=project)
    assert_error_json(resp, 400, "DLF.0100")


def test_an_11_mb_body_is_read_and_validated(server, project, client):
    doc = valid_doc()
    doc["nodes"] = []
    doc["padding"] = "x" * (11 * 1024 * 1024)
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=json.dumps(doc).encode())
    assert_error_json(resp, 400, "DLF.1006")


UNKNOWN_ROUTES = [
    ("GET", "/v1/{p}/nothing"),
    ("GET", "/v2/{p}/jobs"),
    ("GET", "/"),
    ("GET", "/v1"),
    ("POST", "/v1/{p}/jobs/x/explode"),
    ("GET", "/v1/{p}/jobs/x/status/extra"),
    ("GET", "/x/v1/{p}/nothing"),
]


@pytest.mark.parametrize("method,path", UNKNOWN_ROUTES, ids=[f"{m} {p}" for m, p in UNKNOWN_ROUTES])
def test_an_unknown_route_is_404_apigw_0101(server, project, method, path):
    resp = raw_request(server, method, path.format(p=project), project_id=project)
    body = assert_error_json(resp, 404, "APIGW.0101")
    assert body["error_msg"] == "The API does not exist or has not been published in the environment."


WRONG_METHODS = [
    ("PATCH", "/v1/{p}/jobs"),
    ("DELETE", "/v1/{p}/jobs"),
    ("PUT", "/v1/{p}/jobs"),
    ("POST", "/v1/{p}/jobs/x"),
    ("GET", "/v1/{p}/jobs/x/start"),
    ("PUT", "/v1/{p}/jobs/x/stop"),
    ("POST", "/v1/{p}/jobs/x/status"),
    ("PATCH", "/v1/{p}/scripts/s"),
    ("OPTIONS", "/v1/{p}/jobs"),
]


@pytest.mark.parametrize("method,path", WRONG_METHODS, ids=[f"{m} {p}" for m, p in WRONG_METHODS])
def test_a_wrong_method_on_a_known_path_is_404_apigw_0101(server, project, method, path):
    resp = raw_request(server, method, path.format(p=project), project_id=project)
    assert_error_json(resp, 404, "APIGW.0101")


def test_a_trailing_slash_is_never_redirected(server, project):
    resp = raw_request(server, "GET", f"/v1/{project}/jobs/", project_id=project)
    assert not 300 <= resp.status_code < 400, resp.headers
    assert resp.status_code < 500
    assert resp.headers.get("Content-Type", "").startswith("application/json")


def test_a_job_with_a_chinese_name_round_trips(client):
    name = unique("作业")
    create_job(client, job_info(name, nodes=[node("节点-1"), node("下游.节点", pre=["节点-1"])]))
    got = show_job(client, name)
    assert got.name == name
    assert [(n.name, n.pre_node_name) for n in got.nodes] == [("节点-1", []), ("下游.节点", ["节点-1"])]
    assert [j.name for j in list_jobs(client, job_name="作业", limit=100).jobs] == [name]
    assert client.stop_job(StopJobRequest(job_name=name)).status_code == 204
    assert client.delete_job(DeleteJobRequest(job_name=name)).status_code == 204


@pytest.mark.parametrize("name", ["a/b", "a%2Fb", "a b", "%", "a?b=c", "a#b", "作业/x"])
def test_odd_names_in_the_path_are_job_not_found(client, name):
    assert_sdk_error(client.show_job, ShowJobRequest(job_name=name), 400, "DLF.0100", exact_msg=MSG_JOB_NOT_FOUND)
    assert_sdk_error(client.stop_job, StopJobRequest(job_name=name), 400, "DLF.0100")
    assert_sdk_error(client.start_job, StartJobRequest(job_name=name), 400, "DLF.0100")
    assert_sdk_error(client.delete_job, DeleteJobRequest(job_name=name), 400, "DLF.0100")


def test_an_encoded_slash_in_a_raw_path_is_part_of_the_name(server, project, client):
    create_job(client, "a")
    resp = raw_request(server, "GET", f"/v1/{project}/jobs/a%2Fb", project_id=project)
    assert_error_json(resp, 400, "DLF.0100")
    status = raw_request(server, "GET", f"/v1/{project}/jobs/a%2Fstatus", project_id=project)
    assert_error_json(status, 400, "DLF.0100")


def test_invalid_utf8_in_the_path_is_a_client_error(server, project):
    token = raw_request(server, "POST", f"/x/v1/{project}/tokens", project_id=project, body={}).json()["token"]
    resp = raw_request(server, "GET", f"/v1/{project}/jobs/%FF%FE", sign=False, headers={"X-Auth-Token": token})
    assert_error_json(resp, 400, code_prefix="DLF.")


def test_a_very_long_name_in_the_path_is_a_client_error(client):
    e = assert_sdk_error(client.show_job, ShowJobRequest(job_name="n" * 2000), 400, "DLF.0100")
    assert e.error_msg


def test_special_characters_in_query_values_are_handled(client):
    resp = client.list_jobs(ListJobsRequest(job_name="a%&=*~'()!+ b/c?"))
    assert resp.total == 0 and resp.jobs == []


@pytest.mark.parametrize("content_type", ["application/json", "application/json;charset=UTF-8"])
def test_a_job_is_accepted_whatever_its_json_content_type(server, project, client, content_type):
    name = unique("ctype")
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=valid_doc(name),
                       content_type=content_type)
    assert resp.status_code == 204, resp.text
    assert show_job(client, name).name == name


@pytest.mark.parametrize("content_type", ["text/plain", "Application/JSON;Charset=UTF-8"])
def test_a_body_the_sdk_leaves_unsigned_is_refused_and_changes_nothing(server, project, client, content_type):
    # The SDK's signer marks a body UNSIGNED-PAYLOAD unless its Content-Type starts with
    # `application/json` (case-sensitive) or `application/bson`; dlf refuses an unsigned body
    # unless `--allow-unsigned-payload` (docs/security.md).
    name = unique("ctype")
    before = job_total(client)
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=valid_doc(name),
                       content_type=content_type)
    body = assert_error_json(resp, 401, "APIGW.0301")
    assert "UNSIGNED-PAYLOAD" in body["error_msg"], body
    assert job_total(client) == before


def test_an_empty_create_body_is_a_client_error(server, project, client):
    before = job_total(client)
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=b"")
    body = assert_error_json(resp, 400)
    assert body["error_code"] in {"DLF.3004", "DLF.3051"}, body
    assert job_total(client) == before


def test_an_empty_start_body_is_accepted(server, project, client):
    name = create_job(client, unique("empty")).name
    resp = raw_request(server, "POST", jobs_path(project, name, "start"), project_id=project, body=b"",
                       content_type="application/json;charset=utf-8")
    assert resp.status_code == 204, resp.text
    client.stop_job(StopJobRequest(job_name=name))


def test_unknown_fields_are_accepted_and_preserved(server, project):
    name = unique("extra")
    doc = valid_doc(name)
    doc["useCdmCache"] = False
    doc["nodes"][0]["lineageInfo"] = "[]"
    doc["schedule"]["cron"]["isSkipSelfDepJob"] = "false"
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=doc)
    assert resp.status_code == 204, resp.text
    got = raw_request(server, "GET", jobs_path(project, name), project_id=project).json()
    assert got["useCdmCache"] is False
    assert got["nodes"][0]["lineageInfo"] == "[]"
    assert got["schedule"]["cron"]["isSkipSelfDepJob"] == "false"
