"""C1–C5 and the connection test extension (API.md §1, §0.11 ConnectionInfo; ERRORS.md
DLF.6271/6309/6322/6323/6418). The SDK has no connection calls, so these go as raw requests
signed by the SDK's own signer."""

import os
from urllib.parse import quote, urlparse

import pytest
from huaweicloudsdkdgc.v1 import CreateJobRequest

from dlfkit import assert_error_json, job_info, new_project, node, raw_request, sdk_client, unique

MASK = "*********"


def path(project, *segments):
    return "/".join(["", "v1", project, "connections", *(quote(s, safe="") for s in segments)])


def rds(name, password="pw-never-shown", **config):
    base = {"ip": "127.0.0.1", "port": "5432", "userName": "postgres", "password": password,
            "driverName": "org.postgresql.Driver", "kmsKey": "cdm-dlf"}
    base.update(config)
    return {"name": name, "type": "RDS", "config": base, "description": "conformance"}


def create(server, project, body):
    resp = raw_request(server, "POST", path(project), project_id=project, body=body)
    assert resp.status_code == 204, resp.text
    assert resp.content == b""


def show(server, project, name):
    resp = raw_request(server, "GET", path(project, name), project_id=project)
    assert resp.status_code == 200, resp.text
    return resp.json()


def listed(server, project, **query):
    resp = raw_request(server, "GET", path(project), project_id=project, query=list(query.items()))
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_a_connection_round_trips_with_its_password_masked(server):
    project = new_project()
    create(server, project, rds("orders_db"))
    got = show(server, project, "orders_db")
    assert got["name"] == "orders_db" and got["type"] == "RDS" and got["description"] == "conformance"
    assert got["config"]["password"] == MASK
    assert got["config"]["kmsKey"] == "cdm-dlf" and got["config"]["userName"] == "postgres"
    page = listed(server, project)
    assert page["total"] == 2
    assert page["connections"][0] == {"name": "local", "type": "HOST", "config": {}}
    assert page["connections"][1]["config"]["password"] == MASK
    assert "pw-never-shown" not in str(page) and "pw-never-shown" not in server.log_text()


def test_an_update_replaces_the_definition_and_a_masked_password_is_kept(server):
    project = new_project()
    create(server, project, rds("orders_db"))
    body = show(server, project, "orders_db")
    body["description"] = "changed"
    body["config"]["database"] = "analytics"
    resp = raw_request(server, "PUT", path(project, "orders_db"), project_id=project, body=body,
                       query=[("ischeck", "true")])
    assert resp.status_code == 204, resp.text
    got = show(server, project, "orders_db")
    assert got["description"] == "changed" and got["config"]["database"] == "analytics"
    assert got["config"]["password"] == MASK
    body["type"] = "DWS"
    assert_error_json(raw_request(server, "PUT", path(project, "orders_db"), project_id=project, body=body),
                      400, "DLF.6323")


def test_the_catalogue_errors_and_nothing_changes(server):
    project = new_project()
    create(server, project, rds("orders_db"))
    before = listed(server, project)
    cases = [
        (rds("orders_db"), "DLF.6309"),
        ({"name": "local", "type": "HOST", "config": {"ip": "h", "userName": "u", "password": "p"}}, "DLF.6309"),
        ({"name": "dws1", "type": "DWS", "config": {"userName": "u"}}, "DLF.6418"),
        ({"name": "bad name!", "type": "DLI"}, "DLF.3051"),
        ({"name": "t1", "type": "Oracle"}, "DLF.3051"),
        ({"name": "t2"}, "DLF.3051"),
        (rds("p1", port="not-a-port"), "DLF.3051"),
        (b'{"name": "x", "type": "DLI"', "DLF.3051"),
    ]
    for body, code in cases:
        assert_error_json(raw_request(server, "POST", path(project), project_id=project, body=body), 400, code)
    assert listed(server, project) == before
    create(server, project, {"name": "dli_a", "type": "DLI"})
    assert_error_json(raw_request(server, "POST", path(project), project_id=project,
                                  body={"name": "dli_b", "type": "DLI"}), 400, "DLF.6271")
    for method in ("GET", "DELETE"):
        assert_error_json(raw_request(server, method, path(project, "nothing"), project_id=project), 400, "DLF.6322")
    assert_error_json(raw_request(server, "PUT", path(project, "nothing"), project_id=project, body=rds("nothing")),
                      400, "DLF.6322")
    assert_error_json(raw_request(server, "DELETE", path(project, "local"), project_id=project), 400, "DLF.3051")


def test_a_connection_a_job_uses_cannot_be_deleted(server):
    project = new_project()
    client = sdk_client(server, project)
    create(server, project, rds("orders_db"))
    load = node("load", "RDSSQL", properties={"statementOrScript": "STATEMENT", "statement": "SELECT 1",
                                             "connectionName": "orders_db"})
    job = job_info(unique("uses"), nodes=[load])
    client.create_job(CreateJobRequest(body=job))
    resp = raw_request(server, "DELETE", path(project, "orders_db"), project_id=project)
    body = assert_error_json(resp, 400, "DLF.3051")
    assert job.name in body["error_msg"]
    show(server, project, "orders_db")


def test_the_connection_test_reaches_a_real_database(server):
    url = os.environ.get("DLF_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("DLF_TEST_POSTGRES_URL is not set (bash .ci/run sets it)")
    pg = urlparse(url)
    project = new_project()
    create(server, project, rds("live", ip=pg.hostname, port=str(pg.port or 5432), userName=pg.username or "postgres",
                                database=pg.path.lstrip("/")))
    create(server, project, rds("dead", ip="127.0.0.1", port="1"))
    test = lambda name: raw_request(server, "POST", f"/x/v1/{project}/connections/{name}/test", project_id=project)
    ok = test("live").json()
    assert ok["ok"] is True and ok["message"] == "", ok
    failed = test("dead").json()
    assert failed["ok"] is False and "refused" in failed["message"].lower(), failed
    assert "pw-never-shown" not in failed["message"]
    assert_error_json(test("nothing"), 400, "DLF.6322")
