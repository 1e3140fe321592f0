"""Authentication and authorisation (API.md §0.5, ERRORS.md gateway codes): AK/SK signatures as
the SDK makes them, X-Sdk-Date skew, project-bound keys, X-Project-Id, X-Auth-Token."""

import datetime
import json
import time

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer import signer as signer_module
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkdgc.v1 import CreateJobRequest, ListJobsRequest

from dlfkit import (assert_error_json, assert_sdk_error, create_job, job_info, job_total, jobs_path, list_jobs,
                    new_project, raw_request, sdk_client, unique, wait_until, wire)


def test_a_wrong_secret_key_is_401_apigw_0301(server, project):
    client = sdk_client(server, project, sk=server.admin_sk + "x")
    assert_sdk_error(client.list_jobs, ListJobsRequest(), 401, "APIGW.0301")


def test_an_unknown_access_key_is_401_apigw_0301(server, project):
    client = sdk_client(server, project, ak="NOSUCHACCESSKEY00000", sk="whatever")
    assert_sdk_error(client.list_jobs, ListJobsRequest(), 401, "APIGW.0301")


def _skew_sdk_clock(monkeypatch, minutes):
    real = datetime.datetime

    class SkewedDatetime(real):
        @classmethod
        def utcnow(cls):
            return real.utcnow() + datetime.timedelta(minutes=minutes)

    monkeypatch.setattr(signer_module, "datetime", SkewedDatetime)
    # the SDK's signer really uses the skewed clock
    probe = SdkRequest(method="GET", schema="http", host="h", resource_path="/", query_params=[],
                       header_params={"Content-Type": "application/json"})
    Signer(BasicCredentials("ak", "sk")).sign(probe)
    sent = real.strptime(probe.header_params["X-Sdk-Date"], "%Y%m%dT%H%M%SZ")
    assert abs((sent - real.utcnow()).total_seconds() - minutes * 60) < 60


@pytest.mark.parametrize("minutes", [20, -20])
def test_an_x_sdk_date_20_minutes_off_is_401(server, project, monkeypatch, minutes):
    client = sdk_client(server, project)
    _skew_sdk_clock(monkeypatch, minutes)
    assert_sdk_error(client.list_jobs, ListJobsRequest(), 401, "APIGW.0301")


@pytest.mark.parametrize("minutes", [5, -5])
def test_an_x_sdk_date_5_minutes_off_is_accepted(server, project, monkeypatch, minutes):
    client = sdk_client(server, project)
    _skew_sdk_clock(monkeypatch, minutes)
    assert list_jobs(client).total == 0


def test_a_project_bound_key_works_on_its_project_and_is_403_elsewhere(server):
    p, q = new_project(), new_project()
    key = server.create_key(p)
    assert key["project_id"] == p
    own = sdk_client(server, p, ak=key["access_key"], sk=key["secret_key"])
    name = create_job(own, unique("bound")).name
    assert [j.name for j in list_jobs(own).jobs] == [name]

    foreign = sdk_client(server, q, ak=key["access_key"], sk=key["secret_key"])
    assert_sdk_error(foreign.list_jobs, ListJobsRequest(), 403, "APIGW.0302")
    assert_sdk_error(foreign.create_job, CreateJobRequest(body=job_info(unique("no"))), 403, "APIGW.0302")
    assert job_total(sdk_client(server, q)) == 0
    # the bound key cannot reach the other project's extension endpoints either
    resp = raw_request(server, "POST", f"/x/v1/{q}/tokens", project_id=q, body={},
                       ak=key["access_key"], sk=key["secret_key"])
    assert_error_json(resp, 403, "APIGW.0302")


def test_an_x_project_id_header_other_than_the_path_project_is_403(server, project):
    resp = raw_request(server, "GET", jobs_path(project), project_id=project, x_project_id=new_project())
    assert_error_json(resp, 403, "APIGW.0302")


def test_the_admin_key_works_on_any_project(server):
    for _ in range(2):
        assert list_jobs(sdk_client(server, new_project())).total == 0


def test_a_request_without_credentials_is_401(server, project):
    resp = raw_request(server, "GET", jobs_path(project), project_id=project, sign=False)
    assert_error_json(resp, 401, "APIGW.0301")


def test_a_signature_over_another_body_is_401(server, project):
    good = job_info(unique("signed"))
    request = SdkRequest(method="POST", schema="http", host=server.host, resource_path=jobs_path(project),
                         query_params=[], header_params={"Content-Type": "application/json;charset=utf-8",
                                                         "X-Project-Id": project},
                         body=json.dumps(wire(good)).encode())
    Signer(BasicCredentials(server.admin_ak, server.admin_sk, project)).sign(request)
    tampered = json.dumps(wire(job_info(unique("forged")))).encode()
    resp = requests.post(request.url, data=tampered, headers=request.header_params, timeout=30)
    assert_error_json(resp, 401, "APIGW.0301")
    assert job_total(sdk_client(server, project)) == 0


def test_a_signature_over_another_query_is_401(server, project):
    request = SdkRequest(method="GET", schema="http", host=server.host, resource_path=jobs_path(project),
                         query_params=[("limit", 5)], header_params={"Content-Type": "application/json",
                                                                      "X-Project-Id": project})
    Signer(BasicCredentials(server.admin_ak, server.admin_sk, project)).sign(request)
    resp = requests.get(request.url.replace("limit=5", "limit=6"), headers=request.header_params, timeout=30)
    assert_error_json(resp, 401, "APIGW.0301")


def _token(server, project):
    resp = raw_request(server, "POST", f"/x/v1/{project}/tokens", project_id=project, body={})
    assert resp.status_code == 200, resp.text
    token = resp.json()["token"]
    assert isinstance(token, str) and token
    return token


def test_an_x_auth_token_from_the_token_endpoint_authenticates_raw_http(server, project):
    token = _token(server, project)
    name = unique("tok")
    created = raw_request(server, "POST", jobs_path(project), sign=False, headers={"X-Auth-Token": token},
                          body=wire(job_info(name)))
    assert created.status_code == 204, created.text
    listed = raw_request(server, "GET", jobs_path(project), sign=False, headers={"X-Auth-Token": token},
                         query=[("jobName", name)])
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["total"] == 1 and [j["name"] for j in body["jobs"]] == [name]
    # and the SDK sees the job the token created
    assert [j.name for j in list_jobs(sdk_client(server, project)).jobs] == [name]


def test_a_token_is_refused_on_another_project(server, project):
    token = _token(server, project)
    other = new_project()
    resp = raw_request(server, "GET", jobs_path(other), sign=False, headers={"X-Auth-Token": token})
    body = assert_error_json(resp, resp.status_code)
    assert (resp.status_code, body["error_code"]) in {(401, "APIGW.0301"), (403, "APIGW.0302")}, body


def test_an_unknown_token_is_401(server, project):
    resp = raw_request(server, "GET", jobs_path(project), sign=False, headers={"X-Auth-Token": "not-a-token"})
    assert_error_json(resp, 401, "APIGW.0301")


def test_a_signed_request_without_x_sdk_date_is_401(server, project):
    request = SdkRequest(method="GET", schema="http", host=server.host, resource_path=jobs_path(project),
                         query_params=[], header_params={"Content-Type": "application/json", "X-Project-Id": project})
    Signer(BasicCredentials(server.admin_ak, server.admin_sk, project)).sign(request)
    headers = {k: v for k, v in request.header_params.items() if k.lower() != "x-sdk-date"}
    assert_error_json(requests.get(request.url, headers=headers, timeout=30), 401, "APIGW.0301")


@pytest.mark.parametrize("authorization", [
    "Bearer abc",
    "SDK-HMAC-SHA256 garbage",
    "SDK-HMAC-SHA256 Access=" + "A" * 20 + ", SignedHeaders=host, Signature=00",
    "",
], ids=["bearer", "garbage", "unknown-key", "empty"])
def test_a_malformed_authorization_header_is_401(server, project, authorization):
    resp = raw_request(server, "GET", jobs_path(project), sign=False,
                       headers={"Authorization": authorization, "X-Sdk-Date": "20240101T000000Z"})
    assert_error_json(resp, 401, "APIGW.0301")


def test_the_info_extension_answers_signed_requests(server):
    resp = raw_request(server, "GET", "/x/v1/info")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["name"] == "dlf" and body["version"]


def test_the_x_project_id_header_is_optional(server, project):
    resp = raw_request(server, "GET", jobs_path(project), project_id=project, x_project_id=None)
    assert resp.status_code == 200, resp.text
    assert resp.json()["total"] == 0


def test_a_valid_signature_wins_over_a_bogus_token(server, project):
    resp = raw_request(server, "GET", jobs_path(project), project_id=project, headers={"X-Auth-Token": "bogus"})
    assert resp.status_code == 200, resp.text


def test_an_expired_token_is_401(server, project):
    resp = raw_request(server, "POST", f"/x/v1/{project}/tokens", project_id=project, body={"ttlSeconds": 1})
    token = resp.json()["token"]
    use = lambda: raw_request(server, "GET", jobs_path(project), sign=False, headers={"X-Auth-Token": token})
    assert use().status_code == 200
    # (a requests.Response is falsy for 4xx, so poll for a list holding it)
    (expired,) = wait_until(lambda: [r for r in [use()] if r.status_code != 200], timeout=5, interval=0.2,
                            what="the token to expire")
    assert_error_json(expired, 401, "APIGW.0301")


# The headers a signature must cover (docs/security.md): the official SDK's own signer passes
# them all, and a request that adds one after signing, or leaves its body unsigned, is refused.

def _sdk_signed(server, project, headers, body=b""):
    request = SdkRequest(method="GET" if not body else "POST", schema="http", host=server.host,
                         resource_path=jobs_path(project), query_params=[],
                         header_params={"X-Project-Id": project, **headers}, body=body)
    Signer(BasicCredentials(server.admin_ak, server.admin_sk, project)).sign(request)
    return request


def test_the_sdk_signer_covers_the_workspace_header(server, project):
    workspace = server.create_workspace(project)
    request = _sdk_signed(server, project, {"Content-Type": "application/json", "workspace": workspace})
    assert "workspace" in request.header_params["Authorization"], request.header_params["Authorization"]
    resp = requests.get(request.url, headers=request.header_params, timeout=30)
    assert resp.status_code == 200, resp.text


def test_a_workspace_header_added_after_signing_is_401(server, project):
    workspace = server.create_workspace(project)
    request = _sdk_signed(server, project, {"Content-Type": "application/json"})
    resp = requests.get(request.url, headers={**request.header_params, "workspace": workspace}, timeout=30)
    assert_error_json(resp, 401, "APIGW.0301")
    assert "workspace" in resp.json()["error_msg"]


def test_an_unsigned_payload_is_401_by_default(server, project):
    # The SDK signs a non-JSON body as UNSIGNED-PAYLOAD: the body is then anyone's to change.
    request = _sdk_signed(server, project, {"Content-Type": "text/plain"}, body=b"anything")
    assert request.header_params.get("X-Sdk-Content-Sha256") == "UNSIGNED-PAYLOAD"
    resp = requests.post(request.url, data=b"anything", headers=request.header_params, timeout=30)
    assert_error_json(resp, 401, "APIGW.0301")
    assert "UNSIGNED-PAYLOAD" in resp.json()["error_msg"]


def test_a_token_cannot_mint_a_token(server, project):
    token = _token(server, project)
    resp = raw_request(server, "POST", f"/x/v1/{project}/tokens", project_id=project, sign=False,
                       headers={"X-Auth-Token": token}, body={"ttlSeconds": 2592000})
    assert_error_json(resp, 403, "APIGW.0302")


def test_a_revoked_key_is_refused_within_a_second(server, project):
    key = server.create_key(project)
    client = sdk_client(server, project, ak=key["access_key"], sk=key["secret_key"])
    assert list_jobs(client).total == 0
    resp = raw_request(server, "POST", f"/x/v1/{project}/access-keys/{key['access_key']}/disable",
                       project_id=project)
    assert resp.status_code == 204, resp.text
    started = time.monotonic()
    wait_until(lambda: raw_request(server, "GET", jobs_path(project), project_id=project, ak=key["access_key"],
                                   sk=key["secret_key"]).status_code == 401,
               timeout=1, interval=0.05, what="the disabled key to be refused")
    assert time.monotonic() - started < 1
