"""S6–S8 through the SDK: ExecuteScript, ListScriptResults, CancelScript (API.md §2; ERRORS.md
DLF.6201/6205) with Shell and Python scripts on the built-in `local` host, and a SQL script on a
real PostgreSQL when DLF_TEST_POSTGRES_URL is set (bash .ci/run sets it)."""

import os
import time
from urllib.parse import urlparse

import pytest
from huaweicloudsdkdgc.v1 import (CancelScriptRequest, CreateScriptRequest, ExecuteScriptReq, ExecuteScriptRequest,
                                  ListScriptResultsRequest, ScriptInfo)

from dlfkit import assert_sdk_error, new_project, raw_request, sdk_client, unique, wait_until


def create(client, name, type_, content, **kwargs):
    client.create_script(CreateScriptRequest(body=ScriptInfo(name=name, type=type_, content=content, **kwargs)))
    return name


def execute(client, name, params=None):
    body = ExecuteScriptReq(params=params) if params is not None else None
    resp = client.execute_script(ExecuteScriptRequest(script_name=name, body=body))
    assert resp.instance_id and isinstance(resp.instance_id, str)
    return resp.instance_id


def results(client, name, run):
    return client.list_script_results(ListScriptResultsRequest(script_name=name, instance_id=run))


def ended(client, name, run, timeout=30):
    return wait_until(lambda: (r := results(client, name, run)).status in ("FINISHED", "FAILED") and r,
                      timeout=timeout, what=f"script run {run} to end")


def test_a_shell_script_runs_with_params_and_returns_its_output(client):
    name = create(client, unique("sh"), "Shell", "echo \"table=${tableVar}\"\necho second")
    run = execute(client, name, {"tableVar": "citys"})
    r = ended(client, name, run)
    assert r.status == "FINISHED", r
    assert len(r.results) == 1
    out = r.results[0]
    assert out.rows == [["table=citys"], ["second"]]
    assert out.row_count == 2 and out.schema == [{"output": "string"}]
    assert isinstance(out.duration, float)


def test_a_python_script_that_fails_is_failed_with_its_reason(client):
    name = create(client, unique("py"), "PYTHON", "print('partial')\nraise SystemExit(4)\n")
    r = ended(client, name, execute(client, name))
    assert r.status == "FAILED" and "4" in r.message, r
    assert r.results[0].rows == [["partial"]]


def test_cancel_stops_a_running_script(client):
    name = create(client, unique("slow"), "Shell", "echo begun; sleep 30")
    run = execute(client, name)
    wait_until(lambda: results(client, name, run).status == "RUNNING", what="the run to start")
    started = time.monotonic()
    assert client.cancel_script(CancelScriptRequest(script_name=name, instance_id=run)).status_code == 204
    r = ended(client, name, run, timeout=10)
    assert time.monotonic() - started < 5
    assert (r.status, r.message) == ("FAILED", "Canceled.")
    # A second cancel of an ended run is a no-op.
    assert client.cancel_script(CancelScriptRequest(script_name=name, instance_id=run)).status_code == 204


def test_unknown_scripts_and_runs(client):
    name = create(client, unique("sh"), "Shell", "echo a")
    assert_sdk_error(client.execute_script, ExecuteScriptRequest(script_name="no_such_script"), 400, "DLF.6201")
    assert_sdk_error(client.list_script_results, ListScriptResultsRequest(script_name=name, instance_id="nope"),
                     400, "DLF.6205")
    assert_sdk_error(client.cancel_script, CancelScriptRequest(script_name=name, instance_id="nope"), 400, "DLF.6205")


def test_a_sql_script_runs_on_a_real_postgresql(server):
    url = os.environ.get("DLF_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("DLF_TEST_POSTGRES_URL is not set (bash .ci/run sets it)")
    pg = urlparse(url)
    project = new_project()
    client = sdk_client(server, project)
    conn = {"name": "pg", "type": "DWS", "config": {"ip": pg.hostname, "port": str(pg.port or 5432),
                                                     "userName": pg.username or "postgres",
                                                     "database": pg.path.lstrip("/")}}
    resp = raw_request(server, "POST", f"/v1/{project}/connections", project_id=project, body=conn)
    assert resp.status_code == 204, resp.text
    name = create(client, unique("sql"), "DWSSQL",
                  "SELECT 1 AS one, NULL::text AS nothing, '${word}' AS word;\nSELECT generate_series(1, 3) AS n;",
                  connection_name="pg")
    r = ended(client, name, execute(client, name, {"word": "hi"}))
    assert r.status == "FINISHED", r
    assert [res.rows for res in r.results] == [[["1", None, "hi"]], [["1"], ["2"], ["3"]]]
    assert r.results[0].schema[0].keys() == {"one"}
    assert r.results[1].row_count == 3


def test_bad_params_are_refused_before_anything_runs(server):
    project = new_project()
    client = sdk_client(server, project)
    marker = unique("never")
    name = create(client, unique("sh"), "Shell", f"mkdir /tmp/{marker}")
    for body in ('{"params": [1]}', '{"params": {"a": {"b": 1}}}', '[1]', '{"params": '):
        resp = raw_request(server, "POST", f"/v1/{project}/scripts/{name}/execute", project_id=project, body=body)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["error_code"] == "DLF.3051", (body, resp.text)
    time.sleep(0.5)
    assert not os.path.exists(f"/tmp/{marker}"), "a refused run ran"
