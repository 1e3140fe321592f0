"""J10 ExportJob and J11 ExportJobList through the official SDK (`export_job`, `export_job_list`:
the SDK hands the zip back as `response.raw_content`), and C6 ExportConnections as a signed raw
request (the SDK has no connection calls). The zips are opened and their entries read
(API.md J10, J11, C6; JOBS.md §7.1)."""

import io
import json
import zipfile
from urllib.parse import quote

from huaweicloudsdkdgc.v1 import (
    CreateScriptRequest,
    ExportJobListRequest,
    ExportJobReq,
    ExportJobRequest,
    ExportJobsReq,
    ScriptInfo,
    UpdateJobRequest,
)

from dlfkit import (
    MSG_JOB_NOT_FOUND,
    assert_error_json,
    assert_sdk_error,
    create_job,
    job_info,
    jobs_path,
    node,
    raw_request,
    sdk_client,
    unique,
)

#: What ShowJob adds that only the server sets; a `.job` leaves these out.
SERVER_SET = ("id", "createTime", "lastUpdateUser")


def entries(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def entry_json(data: bytes, name: str):
    found = entries(data)
    assert name in found, f"{name} not in {sorted(found)}"
    return json.loads(found[name].decode("utf-8"))


def shown_raw(server, project, name, **query):
    resp = raw_request(server, "GET", jobs_path(project, name), project_id=project, query=list(query.items()))
    assert resp.status_code == 200, resp.text
    return resp.json()


def without_server_fields(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in SERVER_SET}


def create_script(client, name, content):
    resp = client.create_script(CreateScriptRequest(body=ScriptInfo(name=name, type="Shell", content=content)))
    assert resp.status_code == 204


def shell_job(name, script, **kwargs):
    return job_info(name, nodes=[node("run", "Shell", properties={"scriptName": script})], **kwargs)


def test_export_job_answers_the_zip_in_raw_content(server, client, project):
    script, name = unique("sc"), unique("exp")
    create_script(client, script, "echo exported")
    body = {
        "name": name, "processType": "BATCH",
        "schedule": {"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+08", "expression": "0 0 2 * * ?"}},
        "nodes": [{"name": "run", "type": "Shell", "location": {"x": "1", "y": "2"},
                   "properties": [{"name": "scriptName", "value": script}], "futureNodeField": {"kept": True}}],
        "someFutureField": [1, "two"],
    }
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=body)
    assert resp.status_code == 204, resp.text

    exported = client.export_job(ExportJobRequest(job_name=name, body=ExportJobReq(export_depend=True,
                                                                                   export_status="DEVELOP")))
    assert exported.status_code == 200
    zip_bytes = exported.raw_content
    assert sorted(entries(zip_bytes)) == [f"jobs/{name}.job", f"scripts/{script}.script"]

    job_file = entry_json(zip_bytes, f"jobs/{name}.job")
    shown = shown_raw(server, project, name)
    assert job_file == without_server_fields(shown), "every stored field, as ShowJob shows it"
    assert job_file["someFutureField"] == [1, "two"]
    assert job_file["nodes"][0]["futureNodeField"] == {"kept": True}
    for key in SERVER_SET:
        assert key not in job_file
    script_file = entry_json(zip_bytes, f"scripts/{script}.script")
    assert (script_file["name"], script_file["type"], script_file["content"]) == (script, "Shell", "echo exported")

    # Without a body: the defaults, and the same bytes (exports are deterministic).
    again = client.export_job(ExportJobRequest(job_name=name))
    assert again.raw_content == zip_bytes
    lean = client.export_job(ExportJobRequest(job_name=name, body=ExportJobReq(export_depend=False)))
    assert sorted(entries(lean.raw_content)) == [f"jobs/{name}.job"]


def test_an_exported_job_file_recreates_the_job(server, client, project):
    script, name = unique("sc"), unique("exp")
    create_script(client, script, "echo again")
    create_job(client, shell_job(name, script, directory="/exports/daily", log_path="obs://logs/x"))
    before = shown_raw(server, project, name)
    zip_bytes = client.export_job(ExportJobRequest(job_name=name)).raw_content
    job_bytes = entries(zip_bytes)[f"jobs/{name}.job"]

    resp = raw_request(server, "DELETE", jobs_path(project, name), project_id=project)
    assert resp.status_code == 204, resp.text
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=job_bytes)
    assert resp.status_code == 204, resp.text
    after = shown_raw(server, project, name)
    assert without_server_fields(after) == without_server_fields(before)


def test_submit_exports_the_submitted_version(server, client, project):
    name = unique("exp")
    create_job(client, name)
    saved = job_info(name, nodes=[node("n1"), node("n2", pre=["n1"])], target_status="SAVED")
    assert client.update_job(UpdateJobRequest(job_name=name, body=saved)).status_code == 204

    develop = client.export_job(ExportJobRequest(job_name=name, body=ExportJobReq(export_status="DEVELOP")))
    assert [n["name"] for n in entry_json(develop.raw_content, f"jobs/{name}.job")["nodes"]] == ["n1", "n2"]
    submit = client.export_job(ExportJobRequest(job_name=name, body=ExportJobReq(export_status="SUBMIT")))
    submitted = entry_json(submit.raw_content, f"jobs/{name}.job")
    assert [n["name"] for n in submitted["nodes"]] == ["n1"]
    assert submitted == without_server_fields(shown_raw(server, project, name, version="1"))

    never = unique("never")
    create_job(client, job_info(never, target_status="SAVED"))
    assert_sdk_error(client.export_job, ExportJobRequest(job_name=never, body=ExportJobReq(export_status="SUBMIT")),
                     400, "DLF.3051", mentions=[never, "not been submitted"])


def test_unknown_jobs_and_bad_paths(client):
    assert_sdk_error(client.export_job, ExportJobRequest(job_name=unique("ghost")), 400, "DLF.0100",
                     exact_msg=MSG_JOB_NOT_FOUND)
    name = unique("exp")
    create_job(client, name)
    assert_sdk_error(client.export_job, ExportJobRequest(job_name=name, body=ExportJobReq(obs_path="/etc/")),
                     400, "DLF.0803")
    ghost = unique("ghost")
    assert_sdk_error(client.export_job_list,
                     ExportJobListRequest(body=ExportJobsReq(job_list=[name, ghost])), 400, "DLF.0100",
                     mentions=[ghost])
    assert_sdk_error(client.export_job_list, ExportJobListRequest(body=ExportJobsReq(job_list=[])), 400, "DLF.3051")
    too_many = [f"j{i}" for i in range(101)]
    assert_sdk_error(client.export_job_list, ExportJobListRequest(body=ExportJobsReq(job_list=too_many)),
                     400, "DLF.3051")


def test_export_job_list_has_one_folder_per_job(client):
    script, a, b = unique("sc"), unique("a"), unique("b")
    create_script(client, script, "echo shared")
    create_job(client, shell_job(a, script))
    create_job(client, b)
    resp = client.export_job_list(ExportJobListRequest(body=ExportJobsReq(job_list=[b, a, b], export_depend=True)))
    assert resp.status_code == 200
    assert sorted(entries(resp.raw_content)) == sorted(
        [f"jobs/{a}/{a}.job", f"jobs/{a}/{script}.script", f"jobs/{b}/{b}.job"])
    assert entry_json(resp.raw_content, f"jobs/{b}/{b}.job")["name"] == b


def test_obs_path_writes_the_zip_to_the_object_store(server, client, project):
    name = unique("exp")
    create_job(client, name)
    download = client.export_job(ExportJobRequest(job_name=name)).raw_content
    written = client.export_job(ExportJobRequest(job_name=name, body=ExportJobReq(obs_path="obs://exports/jobs/")))
    assert written.status_code == 200
    assert written.raw_content == b""
    key = quote(f"DLF_{name}.zip", safe="")
    resp = raw_request(server, "GET", f"/x/v1/{project}/objects/exports/jobs/{key}", project_id=project)
    assert resp.status_code == 200, resp.text
    assert resp.content == download


def test_export_connections_leaves_secrets_out(server, project):
    path = f"/v1/{project}/connections"
    empty = raw_request(server, "POST", f"{path}/export", project_id=project)
    assert_error_json(empty, 400, "DLF.6322")

    password = "pw-conformance-" + unique("s")
    conn = {"name": unique("db"), "type": "RDS", "description": "exported",
            "config": {"ip": "127.0.0.1", "port": "5432", "userName": "etl", "password": password,
                       "driverName": "org.postgresql.Driver"}}
    assert raw_request(server, "POST", path, project_id=project, body=conn).status_code == 204
    resp = raw_request(server, "POST", f"{path}/export", project_id=project)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="DLF_All_DataConnections.zip"'
    found = entries(resp.content)
    assert sorted(found) == [f"connections/{conn['name']}.conn"], "the built-in local is not exported"
    assert password.encode() not in resp.content
    assert all(password.encode() not in data and b"*********" not in data for data in found.values())
    exported = json.loads(found[f"connections/{conn['name']}.conn"])
    expected_config = {k: v for k, v in conn["config"].items() if k != "password"}
    assert exported == {**conn, "config": expected_config}


def test_exports_stay_in_their_workspace(server, client, project):
    name = unique("exp")
    create_job(client, name)
    other = sdk_client(server, project, workspace=server.create_workspace(project))
    assert_sdk_error(other.export_job, ExportJobRequest(job_name=name), 400, "DLF.0100")
    assert_sdk_error(other.export_job_list, ExportJobListRequest(body=ExportJobsReq(job_list=[name])), 400, "DLF.0100")
