"""Every response carries an `X-Request-Id` (API.md §0.3; the SDK copies it into its
exceptions' `request_id`)."""

from huaweicloudsdkdgc.v1 import ShowJobRequest

from dlfkit import job_info, jobs_path, raw_request, sdk_error, unique, wire


def request_ids(responses):
    ids = [r.headers.get("X-Request-Id") for r in responses]
    for r, rid in zip(responses, ids):
        assert rid, f"HTTP {r.status_code} {r.request.method} {r.request.path_url} has no X-Request-Id"
    return ids


def test_every_kind_of_response_has_an_x_request_id(server, project):
    name = unique("rid")
    responses = [
        raw_request(server, "GET", "/healthz", sign=False),                                     # 200 unauthenticated
        raw_request(server, "POST", jobs_path(project), project_id=project, body=wire(job_info(name))),  # 204
        raw_request(server, "GET", jobs_path(project), project_id=project),                    # 200 JSON
        raw_request(server, "GET", jobs_path(project, unique("missing")), project_id=project),  # 400
        raw_request(server, "GET", jobs_path(project), sign=False),                             # 401
        raw_request(server, "GET", jobs_path(project), project_id=project, x_project_id="other"),  # 403
        raw_request(server, "GET", f"/v1/{project}/unknown", project_id=project),              # 404
    ]
    assert [r.status_code for r in responses] == [200, 204, 200, 400, 401, 403, 404]
    ids = request_ids(responses)
    assert len(set(ids)) == len(ids), f"request ids repeat: {ids}"


def test_the_sdk_exception_carries_the_request_id(client):
    e = sdk_error(client.show_job, ShowJobRequest(job_name=unique("missing")))
    assert e.status_code == 400 and e.request_id


def test_a_413_has_an_x_request_id(server, project):
    resp = raw_request(server, "POST", jobs_path(project), project_id=project, body=b"x" * (13 * 1024 * 1024))
    assert resp.status_code == 413
    request_ids([resp])
