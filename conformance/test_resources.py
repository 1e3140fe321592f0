"""R1–R5 through the official SDK (API.md §3, §0.10; ERRORS.md DLF.6241/6259/6263/6264/6265),
the delete-in-use refusal, and a RunOnce of a Shell job that reads a resource whose bytes were
uploaded through the signed object store extension (`PUT /x/v1/{project}/objects/{bucket}/{key}`)."""

import ast
from urllib.parse import quote

from huaweicloudsdkdgc.v1 import (
    CreateJobRequest,
    CreateResourceRequest,
    DeleteJobRequest,
    DeleteResourceRequest,
    DependPackage,
    ListResourcesRequest,
    ResourceInfo,
    ShowResourceRequest,
    UpdateResourceRequest,
)

from dlfkit import (
    assert_sdk_error,
    job_info,
    node,
    node_log,
    raw_request,
    run_once,
    wait_instance,
)

MSG_NOT_FOUND = "The resource information does not exist."
MSG_SAME_NAME = "Files of the same name exist in the directory."


def object_path(project, bucket, key):
    return "/".join(["", "x", "v1", project, "objects", bucket, *(quote(s, safe="") for s in key.split("/"))])


def upload(server, project, bucket, key, data: bytes):
    # The SDK's signer covers the body only for a JSON content type (otherwise it signs
    # UNSIGNED-PAYLOAD, which the server refuses by default); the server ignores the type.
    resp = raw_request(server, "PUT", object_path(project, bucket, key), project_id=project, body=data,
                       content_type="application/json")
    assert resp.status_code == 204, resp.text


def create(client, **fields) -> str:
    resp = client.create_resource(CreateResourceRequest(body=ResourceInfo(**fields)))
    assert resp.status_code == 200, resp
    # The SDK models the answer as one string: the str() of the JSON object it received.
    resource_id = ast.literal_eval(resp.body)["resourceId"]
    assert isinstance(resource_id, str) and resource_id
    return resource_id


def show(client, resource_id):
    return client.show_resource(ShowResourceRequest(resource_id=resource_id))


def test_a_resource_round_trips(client):
    rid = create(client, name="mr_jar", type="jar", location="obs://dlf-test/hadoop-examples.jar",
                 depend_files=["obs://dlf-test/depend1.jar"], desc="test", directory="/resource")
    got = show(client, rid)
    assert (got.id, got.name, got.type, got.location) == (rid, "mr_jar", "jar", "obs://dlf-test/hadoop-examples.jar")
    assert (got.depend_files, got.desc, got.directory) == (["obs://dlf-test/depend1.jar"], "test", "/resource")
    assert got.job_relation == []

    pkg = create(client, name="py_helper", type="pyFile", location="obs://dlf-test/helper.py",
                 depend_packages=[DependPackage(type="file", location="obs://dlf-test/conf.ini")])
    assert show(client, pkg).depend_packages[0].location == "obs://dlf-test/conf.ini"

    # R4: replaces what is sent; an update without a body changes nothing.
    resp = client.update_resource(UpdateResourceRequest(resource_id=rid, body=ResourceInfo(
        name="mr_jar_v2", type="jar", location="obs://dlf-test/v2.jar", desc="test v2", directory="/resource")))
    assert resp.status_code == 204
    got = show(client, rid)
    assert (got.name, got.location, got.desc) == ("mr_jar_v2", "obs://dlf-test/v2.jar", "test v2")
    assert client.update_resource(UpdateResourceRequest(resource_id=rid)).status_code == 204
    assert show(client, rid).to_dict() == got.to_dict()

    # R5.
    assert client.delete_resource(DeleteResourceRequest(resource_id=rid)).status_code == 204
    assert_sdk_error(client.show_resource, ShowResourceRequest(resource_id=rid), 400, "DLF.6241",
                     exact_msg=MSG_NOT_FOUND)


def test_list_pages_by_name_and_filters(client):
    for name in ["res_c", "res_a", "res_b", "other"]:
        create(client, name=name, type="file", location=f"obs://b/{name}.txt")
    page = client.list_resources(ListResourcesRequest(offset=1, limit=2))
    assert page.total == 4
    assert [r.name for r in page.resources] == ["res_a", "res_b"]
    assert all(r.id for r in page.resources)
    page = client.list_resources(ListResourcesRequest(resource_name="res_"))
    assert (page.total, [r.name for r in page.resources]) == (3, ["res_a", "res_b", "res_c"])
    page = client.list_resources(ListResourcesRequest(offset=10, limit=5))
    assert (page.total, page.resources) == (4, [])
    assert_sdk_error(client.list_resources, ListResourcesRequest(limit=101), 400, "DLF.3051")


def test_errors_have_their_codes_and_change_nothing(client):
    rid = create(client, name="dup", type="file", location="obs://b/dup.txt")
    bad = [
        (dict(name="dup", type="file", location="obs://b/x"), "DLF.6259", MSG_SAME_NAME),
        (dict(name="bad_type", type="exe", location="obs://b/x"), "DLF.6263", None),
        (dict(name="no_location", type="file"), "DLF.6264", None),
        (dict(name="escape", type="file", location="obs://b/../x"), "DLF.6264", None),
        (dict(name="long_desc", type="file", location="obs://b/x", desc="d" * 256), "DLF.6265", None),
        (dict(name="bad name!", type="file", location="obs://b/x"), "DLF.3051", None),
        (dict(name="n" * 33, type="file", location="obs://b/x"), "DLF.3051", None),
    ]
    for fields, code, msg in bad:
        assert_sdk_error(client.create_resource, CreateResourceRequest(body=ResourceInfo(**fields)), 400, code,
                         exact_msg=msg)
    assert client.list_resources(ListResourcesRequest()).total == 1
    for call, request in [
        (client.show_resource, ShowResourceRequest(resource_id="no-such-id")),
        (client.delete_resource, DeleteResourceRequest(resource_id="no-such-id")),
        (client.update_resource, UpdateResourceRequest(resource_id="no-such-id", body=ResourceInfo(desc="x"))),
    ]:
        assert_sdk_error(call, request, 400, "DLF.6241", exact_msg=MSG_NOT_FOUND)
    assert_sdk_error(client.update_resource, UpdateResourceRequest(resource_id=rid, body=ResourceInfo(type="jar")),
                     400, "DLF.3051", mentions=["type"])
    assert show(client, rid).type == "file"


def test_a_resource_in_use_cannot_be_deleted(client):
    rid = create(client, name="used_res", type="file", location="obs://b/used.sh")
    job = "uses_res_job"
    client.create_job(CreateJobRequest(body=job_info(job, nodes=[
        node("sh", "Shell", properties={"statement": "cat used.sh", "resources": "used_res"})])))
    assert_sdk_error(client.delete_resource, DeleteResourceRequest(resource_id=rid), 400, "DLF.3051",
                     mentions=[job, "used_res"])
    got = show(client, rid)
    assert [(r.relation_type, r.task_name) for r in got.job_relation] == [("job", job)]
    client.delete_job(DeleteJobRequest(job_name=job))
    assert client.delete_resource(DeleteResourceRequest(resource_id=rid)).status_code == 204


def test_a_shell_job_reads_an_uploaded_resource(server, client, project):
    upload(server, project, "tools", "lib/greeting.txt", b"hello from an uploaded resource\n")
    got = raw_request(server, "GET", object_path(project, "tools", "lib/greeting.txt"), project_id=project)
    assert got.status_code == 200 and got.content == b"hello from an uploaded resource\n"
    create(client, name="greeting", type="file", location="obs://tools/lib/greeting.txt")
    job = "reads_resource"
    client.create_job(CreateJobRequest(body=job_info(job, nodes=[
        node("read", "Shell", properties={"statement": "cat greeting.txt", "resources": "greeting"})])))
    instance = run_once(client, job)
    inst = wait_instance(client, job, instance)
    log = node_log(server, project, job, instance, "read")
    assert inst.status == "success", log
    assert "hello from an uploaded resource" in log

    # Another project's same address is its own, empty store.
    other = "0" * 31 + "1"
    resp = raw_request(server, "GET", object_path(other, "tools", "lib/greeting.txt"), project_id=other)
    assert resp.status_code == 400 and resp.json()["error_code"] == "DLF.3051", resp.text
