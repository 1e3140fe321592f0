"""S1–S5: CreateScript, ListScripts, ShowScript, UpdateScript, DeleteScript (API.md §2, §0.11
ScriptInfo, §0.7; ERRORS.md DLF.0202/0203/6201/6247)."""

import pytest
from huaweicloudsdkdgc.v1 import (CreateScriptRequest, DeleteJobRequest, DeleteScriptRequest, ListScriptsRequest,
                                  ScriptInfo, ShowScriptRequest, UpdateScriptRequest)

from dlfkit import (MSG_SCRIPT_NOT_FOUND, MSG_SCRIPT_TYPE_MISSING, assert_sdk_error, assert_subset, create_job,
                    job_info, new_project, node, sdk_client, unique, wire)


def shell(name, content="echo hello", **kwargs):
    return ScriptInfo(name=name, type="Shell", content=content, **kwargs)


def create(client, info):
    resp = client.create_script(CreateScriptRequest(body=info))
    assert resp.status_code == 204
    return info


def show(client, name):
    return client.show_script(ShowScriptRequest(script_name=name))


def test_a_shell_script_round_trips(client):
    sent = create(client, shell(unique("sh"), content="#!/bin/sh\necho \"${day}\" | tr a-z A-Z\n",
                                directory="/conf/scripts", description="conformance shell script"))
    got = show(client, sent.name)
    assert_subset(wire(sent), wire(got))
    assert got.id and isinstance(got.id, str)


def test_show_script_fills_the_default_directory(client):
    name = create(client, shell(unique("sh"))).name
    assert show(client, name).directory == "/"


def test_a_sql_script_keeps_connection_database_and_configuration(client):
    sent = create(client, ScriptInfo(name=unique("dli"), type="DLISQL", content="SELECT 1;", connection_name="dli_conn",
                                     database="db1", queue_name="q1", configuration={"spark.sql.shuffle.partitions": "8"}))
    assert_subset(wire(sent), wire(show(client, sent.name)))


def test_list_scripts_filters_by_name_substring(client):
    stem = unique("lst")
    for suffix in ("alpha", "beta", "alphabet"):
        create(client, shell(f"{stem}_{suffix}"))
    create(client, shell(unique("other")))
    resp = client.list_scripts(ListScriptsRequest(script_name="alpha", limit=100))
    assert sorted(s.name for s in resp.scripts) == sorted([f"{stem}_alpha", f"{stem}_alphabet"])
    assert resp.total == 2
    assert client.list_scripts(ListScriptsRequest(script_name=stem)).total == 3
    assert {s.type for s in resp.scripts} == {"Shell"}
    assert all(s.content == "echo hello" for s in resp.scripts)


def test_list_scripts_pages_by_row_offset_with_limits_1_to_100(server):
    client = sdk_client(server, new_project())
    names = sorted(create(client, shell(unique("pg"))).name for _ in range(7))
    everything = client.list_scripts(ListScriptsRequest(limit=100))
    assert everything.total == 7
    order = [s.name for s in everything.scripts]
    assert sorted(order) == names
    for offset, limit in [(0, 3), (3, 3), (6, 3), (2, 4), (7, 1), (20, 5)]:
        page = client.list_scripts(ListScriptsRequest(offset=offset, limit=limit))
        assert [s.name for s in page.scripts] == order[offset:offset + limit], (offset, limit)
        assert page.total == 7
    assert len(client.list_scripts(ListScriptsRequest()).scripts) == 7  # default limit 10
    for bad in (0, 101, -1):
        assert_sdk_error(client.list_scripts, ListScriptsRequest(limit=bad), 400, "DLF.3051", mentions=["limit"])
    assert_sdk_error(client.list_scripts, ListScriptsRequest(offset=-1), 400, "DLF.3051", mentions=["offset"])


def test_update_script_replaces_the_content(client):
    name = create(client, shell(unique("upd"), description="v1")).name
    resp = client.update_script(UpdateScriptRequest(script_name=name, body=shell(name, content="echo v2",
                                                                                   description="v2")))
    assert resp.status_code == 204
    got = show(client, name)
    assert (got.content, got.description, got.type) == ("echo v2", "v2", "Shell")


def test_update_script_cannot_change_the_type(client):
    name = create(client, shell(unique("typ"))).name
    changed = ScriptInfo(name=name, type="PYTHON", content="print('x')")
    assert_sdk_error(client.update_script, UpdateScriptRequest(script_name=name, body=changed), 400, "DLF.0203")
    got = show(client, name)
    assert (got.type, got.content) == ("Shell", "echo hello")


def test_update_script_cannot_rename(client):
    name = create(client, shell(unique("ren"))).name
    other = unique("renamed")
    assert_sdk_error(client.update_script, UpdateScriptRequest(script_name=name, body=shell(other, content="x")),
                     400, "DLF.0203")
    assert show(client, name).content == "echo hello"
    assert_sdk_error(client.show_script, ShowScriptRequest(script_name=other), 400, "DLF.6201")


def test_update_of_a_missing_script_is_dlf_6201(client):
    name = unique("none")
    assert_sdk_error(client.update_script, UpdateScriptRequest(script_name=name, body=shell(name)), 400, "DLF.6201",
                     exact_msg=MSG_SCRIPT_NOT_FOUND)


def test_delete_script_removes_it(client):
    name = create(client, shell(unique("del"))).name
    assert client.delete_script(DeleteScriptRequest(script_name=name)).status_code == 204
    assert_sdk_error(client.show_script, ShowScriptRequest(script_name=name), 400, "DLF.6201",
                     exact_msg=MSG_SCRIPT_NOT_FOUND)
    assert client.list_scripts(ListScriptsRequest(script_name=name)).total == 0


def test_delete_of_a_missing_script_is_dlf_6201(client):
    assert_sdk_error(client.delete_script, DeleteScriptRequest(script_name=unique("none")), 400, "DLF.6201",
                     exact_msg=MSG_SCRIPT_NOT_FOUND)


def test_create_script_without_a_type_is_dlf_6247(client):
    name = unique("notype")
    assert_sdk_error(client.create_script, CreateScriptRequest(body=ScriptInfo(name=name, content="echo")), 400,
                     "DLF.6247", exact_msg=MSG_SCRIPT_TYPE_MISSING)
    assert_sdk_error(client.show_script, ShowScriptRequest(script_name=name), 400, "DLF.6201")


def test_a_duplicate_script_name_is_dlf_0202(client):
    name = create(client, shell(unique("dup"))).name
    assert_sdk_error(client.create_script, CreateScriptRequest(body=shell(name, content="echo second")), 400,
                     "DLF.0202")
    assert show(client, name).content == "echo hello"


@pytest.mark.parametrize("script_type", ["HiveSQL", "DLISQL", "DWSSQL", "SparkSQL", "RDSSQL"])
def test_sql_scripts_need_a_connection(client, script_type):
    name = unique("noconn")
    assert_sdk_error(client.create_script,
                     CreateScriptRequest(body=ScriptInfo(name=name, type=script_type, content="SELECT 1;")),
                     400, "DLF.3051", mentions=["connectionName"])
    assert_sdk_error(client.show_script, ShowScriptRequest(script_name=name), 400, "DLF.6201")


def test_a_script_used_by_a_job_node_cannot_be_deleted(client):
    script = create(client, shell(unique("used"))).name
    job = create_job(client, job_info(unique("user"), nodes=[node("run", type="Shell",
                                                                   properties={"scriptName": script})])).name
    assert_sdk_error(client.delete_script, DeleteScriptRequest(script_name=script), 400, "DLF.3051", mentions=[job])
    assert show(client, script).name == script
    client.delete_job(DeleteJobRequest(job_name=job))
    assert client.delete_script(DeleteScriptRequest(script_name=script)).status_code == 204


@pytest.mark.parametrize("info,word", [
    (lambda n: shell(n, description="d" * 256), "description"),
    (lambda n: shell(n, content="x" * (4 * 1024 * 1024 + 1)), "content"),
    (lambda n: ScriptInfo(name=n, type="Shell"), "content"),
], ids=["description-256", "content-over-4MB", "content-missing"])
def test_invalid_script_fields_are_dlf_3051(client, info, word):
    name = unique("inv")
    assert_sdk_error(client.create_script, CreateScriptRequest(body=info(name)), 400, "DLF.3051", mentions=[word])
    assert_sdk_error(client.show_script, ShowScriptRequest(script_name=name), 400, "DLF.6201")


@pytest.mark.parametrize("name", ["has space", "semi;colon", "x" * 129, ""], ids=["space", "semicolon", "129", "empty"])
def test_invalid_script_names_are_dlf_3051(client, name):
    assert_sdk_error(client.create_script, CreateScriptRequest(body=shell(name)), 400, "DLF.3051", mentions=["name"])
    assert client.list_scripts(ListScriptsRequest()).total == 0
