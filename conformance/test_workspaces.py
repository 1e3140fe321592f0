"""Tenancy: the `workspace` header and the project in the path partition everything
(API.md §0.4, §0.5.5; JOBS.md §1)."""

from huaweicloudsdkdgc.v1 import (CreateJobRequest, CreateScriptRequest, ListJobsRequest, ListScriptsRequest,
                                  ScriptInfo, ShowJobRequest, StartJobRequest, StopJobRequest)

from dlfkit import (assert_sdk_error, create_job, delete_job, job_info, job_total,
                    list_jobs, listed_status, new_project, node, raw_request, sdk_client, show_job, unique)


def test_the_same_job_name_in_two_workspaces_is_two_independent_jobs(server, project):
    workspace = server.create_workspace(project)
    default = sdk_client(server, project)
    other = sdk_client(server, project, workspace=workspace)
    name = unique("twin")
    create_job(default, job_info(name, nodes=[node("in_default")]))
    create_job(other, job_info(name, nodes=[node("in_other")]))

    a, b = show_job(default, name), show_job(other, name)
    assert a.id != b.id
    assert [n.name for n in a.nodes] == ["in_default"]
    assert [n.name for n in b.nodes] == ["in_other"]

    # start/stop in one workspace leaves the other alone
    other.start_job(StartJobRequest(job_name=name))
    assert listed_status(other, name) == "SCHEDULING"
    assert listed_status(default, name) == "STOPPED"
    # and so does delete
    assert delete_job(default, name).status_code == 204
    assert_sdk_error(default.show_job, ShowJobRequest(job_name=name), 400, "DLF.0100")
    assert show_job(other, name).id == b.id
    other.stop_job(StopJobRequest(job_name=name))
    assert listed_status(other, name) == "STOPPED"


def test_a_workspace_lists_only_its_own_jobs_and_scripts(server, project):
    workspace = server.create_workspace(project)
    default = sdk_client(server, project)
    other = sdk_client(server, project, workspace=workspace)
    create_job(default, unique("d"))
    create_job(default, unique("d"))
    only_here = create_job(other, unique("w")).name
    other.create_script(CreateScriptRequest(body=ScriptInfo(name=unique("s"), type="Shell", content="echo ws")))

    assert job_total(default) == 2
    listed = list_jobs(other, limit=100)
    assert [j.name for j in listed.jobs] == [only_here] and listed.total == 1
    assert_sdk_error(default.show_job, ShowJobRequest(job_name=only_here), 400, "DLF.0100")
    assert default.list_scripts(ListScriptsRequest(limit=100)).total == 0
    assert other.list_scripts(ListScriptsRequest(limit=100)).total == 1


def test_the_workspace_header_selects_the_workspace_per_request(server, project):
    workspace = server.create_workspace(project)
    client = sdk_client(server, project)
    name = unique("hdr")
    create_job(client, name, workspace=workspace)
    assert show_job(client, name, workspace=workspace).name == name
    assert_sdk_error(client.show_job, ShowJobRequest(job_name=name), 400, "DLF.0100")


def test_an_unknown_workspace_is_dlf_3051_and_creates_nothing(server, project):
    client = sdk_client(server, project)
    bogus = "0123456789abcdef0123456789abcdef"
    assert_sdk_error(client.list_jobs, ListJobsRequest(workspace=bogus), 400, "DLF.3051", mentions=[bogus])
    assert_sdk_error(client.create_job, CreateJobRequest(workspace=bogus, body=job_info(unique("x"))),
                     400, "DLF.3051")
    assert_sdk_error(client.stop_job, StopJobRequest(workspace=bogus, job_name="x"), 400, "DLF.3051")
    assert job_total(client) == 0


def test_a_non_ascii_unknown_workspace_is_dlf_3051(server, project):
    client = sdk_client(server, project)
    assert_sdk_error(client.list_jobs, ListJobsRequest(workspace="工作区"), 400, "DLF.3051")


def test_a_workspace_of_another_project_is_unknown(server):
    p1, p2 = new_project(), new_project()
    workspace = server.create_workspace(p1)
    assert list_jobs(sdk_client(server, p1, workspace=workspace)).total == 0
    assert_sdk_error(sdk_client(server, p2).list_jobs, ListJobsRequest(workspace=workspace), 400, "DLF.3051")


def test_a_workspace_created_through_the_extension_endpoint_is_usable(server, project):
    resp = raw_request(server, "POST", f"/x/v1/{project}/workspaces", project_id=project,
                       body={"name": unique("xws")})
    assert resp.status_code == 200, resp.text
    workspace = resp.json()["id"]
    client = sdk_client(server, project, workspace=workspace)
    name = create_job(client, unique("ext")).name
    assert show_job(client, name).name == name
    assert job_total(sdk_client(server, project)) == 0


def test_two_projects_are_isolated(server):
    p1, p2 = new_project(), new_project()
    c1, c2 = sdk_client(server, p1), sdk_client(server, p2)
    name = unique("proj")
    create_job(c1, job_info(name, nodes=[node("p1_node")]))
    assert_sdk_error(c2.show_job, ShowJobRequest(job_name=name), 400, "DLF.0100")
    create_job(c2, job_info(name, nodes=[node("p2_node")]))
    assert show_job(c1, name).id != show_job(c2, name).id
    c2.start_job(StartJobRequest(job_name=name))
    assert listed_status(c1, name) == "STOPPED"
    c2.stop_job(StopJobRequest(job_name=name))
    delete_job(c1, name)
    assert [n.name for n in show_job(c2, name).nodes] == ["p2_node"]
    assert job_total(c1) == 0 and job_total(c2) == 1
