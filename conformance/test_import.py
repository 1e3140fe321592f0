"""J12 ImportJob, J13 ShowFileInfo and T1 ListSystemTasks through the official SDK; C7
ImportConnections (missing from the SDK) as a signed raw request. Packages are uploaded through
the object-store extension route (JOBS.md §7, API.md J12/J13/C7/T1)."""

import io
import json
import zipfile

from huaweicloudsdkdgc.v1 import (FilePath, ImportFileReq, ImportJobRequest, JobResourceInfo, ListJobsRequest,
                                  ListSystemTasksRequest, ShowFileInfoRequest, StartJobRequest)

from dlfkit import (assert_sdk_error, create_job, cron_schedule, job_info, node, raw_request, sdk_client,
                   show_job, unique, wait_task)


def zip_bytes(files: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, doc in files.items():
            z.writestr(name, doc if isinstance(doc, (bytes, str)) else json.dumps(doc))
    return buf.getvalue()


def upload(server, project, key: str, data: bytes) -> str:
    resp = raw_request(server, "PUT", f"/x/v1/{project}/objects/pkgs/{key}", project_id=project, body=data,
                       content_type="application/json")  # the SDK signer signs JSON bodies only
    assert resp.status_code == 204, resp.text
    return f"obs://pkgs/{key}"



def job_doc(name: str, params: list, props: list) -> dict:
    return {
        "name": name, "processType": "BATCH", "directory": "/moved",
        "schedule": {"type": "CRON", "cron": {"startTime": "2024-01-01T00:00:00+08", "expression": "0 0 2 * * ?",
                                             "expressionTimeZone": "GMT+8"}},
        "params": params,
        "nodes": [{"name": "n", "type": "Dummy", "location": {"x": "0", "y": "0"}, "preNodeName": [],
                   "properties": props}],
    }


def test_check_file_then_import_with_overrides(server, project, client):
    a, b = unique("imp"), unique("imp")
    script = {"name": unique("s"), "type": "Shell", "content": "echo hi", "directory": "/sc"}
    package = zip_bytes({
        f"jobs/{a}/{a}.job": job_doc(a, [{"name": "env", "value": "dev"}], [{"name": "connectionName", "value": "dws_dev"}]),
        f"jobs/{a}/{script['name']}.script": script,
        f"jobs/{b}/{b}.job": job_doc(b, [{"name": "env", "value": "dev"}], []),
    })
    path = upload(server, project, "jobs.zip", package)

    info = client.show_file_info(ShowFileInfoRequest(body=FilePath(path=path)))
    assert sorted((j.name, j.path, j.params) for j in info.jobs) == \
        sorted([(a, "/moved", {"env": "dev"}), (b, "/moved", {"env": "dev"})])
    assert [(s.name, s.path) for s in info.scripts] == [(script["name"], "/sc")]

    req = ImportFileReq(path=path, params={"env": "prod"}, jobs_param=[{"name": b, "params": {"env": "qa"}}],
                        execute_user="etl",
                        resources=[JobResourceInfo(name="dws_dev", type="DWS_CONNECTION", replace="dws_prod")])
    started = client.import_job(ImportJobRequest(body=req))
    task = wait_task(client, started.task_id)
    assert task.status == "SUCCESSFUL", task
    assert task.name == f"Import the job from {path}."
    assert task.end_time >= task.start_time
    assert [t.status for t in task.subtasks] == ["SUCCESSFUL"] * 3
    assert task.subtasks[0].name == f"Import the {script['name']} script.", "scripts first"

    got_a, got_b = show_job(client, a), show_job(client, b)
    assert got_a.params[0].value == "prod" and got_b.params[0].value == "qa"
    assert got_a.basic_config.execute_user == "etl"
    assert got_a.nodes[0].properties[0].value == "dws_prod"


def test_skip_overwrite_and_a_scheduling_job(server, project, client):
    name, other = unique("imp"), unique("imp")
    for n in (name, other):
        create_job(client, job_info(n, nodes=[node("a")], schedule=cron_schedule()))
    client.start_job(StartJobRequest(job_name=name))
    package = zip_bytes({f"jobs/{n}.job": job_doc(n, [], []) for n in (name, other)})
    path = upload(server, project, "DLF_two.zip", package)

    task = wait_task(client, client.import_job(ImportJobRequest(body=ImportFileReq(path=path))).task_id)
    assert task.status == "SUCCESSFUL"
    assert all("skipped" in t.message for t in task.subtasks)
    assert show_job(client, other).directory != "/moved", "SKIP leaves the job as it was"

    req = ImportFileReq(path=path, same_name_policy="OVERWRITE")
    task = wait_task(client, client.import_job(ImportJobRequest(body=req)).task_id)
    assert task.status == "WARNING"
    by_name = {t.name: t for t in task.subtasks}
    assert by_name[f"Import the {name} job."].status == "FAILED"
    assert "scheduling" in by_name[f"Import the {name} job."].message
    assert by_name[f"Import the {other} job."].status == "SUCCESSFUL"
    assert show_job(client, other).directory == "/moved"
    assert show_job(client, name).directory != "/moved"


def test_hostile_package_fails_the_task_and_changes_nothing(server, project, client):
    before = client.list_jobs(ListJobsRequest(limit=100)).total
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("jobs/ok.job", json.dumps(job_doc(unique("ok"), [], [])))
        z.writestr("../escape.job", json.dumps(job_doc(unique("bad"), [], [])))
    path = upload(server, project, "slip.zip", buf.getvalue())
    task = wait_task(client, client.import_job(ImportJobRequest(body=ImportFileReq(path=path))).task_id)
    assert task.status == "FAILED"
    assert "leaves the package" in task.message
    assert client.list_jobs(ListJobsRequest(limit=100)).total == before
    assert_sdk_error(client.show_file_info, ShowFileInfoRequest(body=FilePath(path=path)), 400, "DLF.3051")


def test_bad_paths_and_unknown_tasks(server, project, client):
    assert_sdk_error(client.import_job, ImportJobRequest(body=ImportFileReq(path="relative.zip")), 400, "DLF.0803")
    assert_sdk_error(client.import_job, ImportJobRequest(body=ImportFileReq(path="obs://none/x.zip")), 400, "DLF.1242")
    upload(server, project, "exists.zip", zip_bytes({}))
    assert_sdk_error(client.show_file_info, ShowFileInfoRequest(body=FilePath(path="obs://pkgs/no.zip")), 400,
                     "DLF.0815")
    assert_sdk_error(client.list_system_tasks, ListSystemTasksRequest(task_id="0" * 32), 400, "DLF.0810")
    task_id = client.import_job(ImportJobRequest(body=ImportFileReq(path="obs://pkgs/exists.zip"))).task_id
    other = sdk_client(server, project, workspace=server.create_workspace(project, unique("ws")))
    assert_sdk_error(other.list_system_tasks, ListSystemTasksRequest(task_id=task_id), 400, "DLF.0810")


def test_import_connections_with_secrets_from_params(server, project, client):
    conn = unique("c")
    package = zip_bytes({
        f"connections/{conn}.conn": {"name": conn, "type": "RDS",
                                     "config": {"ip": "127.0.0.1", "port": "5432", "userName": "etl",
                                                "driverName": "org.postgresql.Driver"}},
        "connections/local.conn": {"name": "local", "type": "HOST", "config": {}},
    })
    path = upload(server, project, "DLF_All_DataConnections.zip", package)
    body = {"path": path, "sameNamePolicy": "SKIP",
            "params": [{"name": conn, "type": "RDS", "params": {"password": "s3cret"}}]}
    resp = raw_request(server, "POST", f"/v1/{project}/connections/import", project_id=project, body=body)
    assert resp.status_code == 200, resp.text
    task = wait_task(client, resp.json()["taskId"])
    assert task.status == "SUCCESSFUL", task
    assert task.name == f"Import the connection from {path}."
    assert [t.name for t in task.subtasks] == [f"Import the {conn} connection."], "local is skipped"
    shown = raw_request(server, "GET", f"/v1/{project}/connections/{conn}", project_id=project).json()
    assert shown["config"]["password"] == "*********"
