"""Rest Client (`RESTAPI`) and HTTP Trigger (`HttpTrigger`) nodes through the SDK (JOBS.md §3.2):
a RunOnce of a job whose Rest Client node calls a small HTTP server started by the test, its
answer handed on to a Shell node; a failing answer; the refused metadata address; and an HTTP
Trigger node fired through its extension route
`POST /x/v1/{project_id}/http-triggers/{trigger_id}/fire`."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from dlfkit import (assert_error_json, create_job, job_info, node, node_instance, node_log, node_statuses,
                    raw_request, run_once, shell_node, unique, wait_instance, wait_until)


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, status, body):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        self.server.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        self._answer(200, {"order": {"id": "ord-17", "lines": [{"sku": "A1"}]}, "received": body})

    def do_GET(self):
        self.server.seen.append({"path": self.path, "headers": dict(self.headers), "body": ""})
        self._answer(503, b"service unavailable: maintenance")

    def log_message(self, *args):
        pass


@pytest.fixture
def service():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def base_url(httpd):
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def test_a_rest_client_node_calls_a_service_and_its_answer_flows_downstream(server, client, project, service):
    name = unique("rest")
    create_job(client, job_info(name, nodes=[
        node("call", "RESTAPI", properties=[
            ("method", "POST"),
            ("url", f"{base_url(service)}/orders"),
            ("headers", "X-Order-Source=dlf\nAuthorization=Bearer very-secret"),
            ("body", '{"day": "${day}"}'),
            ("urlParams", "mode=full sync"),
            ("responseParams", "orderId=order.id\nsku=order.lines[0].sku"),
        ]),
        shell_node("use", 'echo "order=${orderId} sku=$sku"; echo \'raw=#{Job.getNodeOutput("call")}\'',
                   pre=["call"]),
    ]))
    iid = run_once(client, name, {"day": "2026-12-07"})
    inst = wait_instance(client, name, iid)
    assert inst.status == "success", inst
    assert node_statuses(inst) == {"call": "success", "use": "success"}
    assert node_instance(inst, "call").type == "RestClient"  # JOBS.md §3.2: reported as RestClient

    (seen,) = service.seen
    assert seen["path"] == "/orders?mode=full+sync"
    assert seen["headers"]["x-order-source"] == "dlf"
    assert seen["headers"]["authorization"] == "Bearer very-secret"
    assert json.loads(seen["body"]) == {"day": "2026-12-07"}

    use_log = node_log(server, project, name, iid, "use")
    assert "order=ord-17 sku=A1" in use_log, use_log
    raw = use_log.split("raw=", 1)[1].strip()
    assert json.loads(raw)["order"]["id"] == "ord-17", "the node's output is the response body"
    call_log = node_log(server, project, name, iid, "call")
    assert "POST " in call_log and "HTTP 200 OK" in call_log, call_log
    assert "very-secret" not in call_log, "a secret header value reached the log"


def test_a_non_2xx_answer_fails_the_node_with_its_status(server, client, project, service):
    name = unique("rest_fail")
    create_job(client, job_info(name, nodes=[
        node("call", "RESTAPI", properties={"method": "GET", "url": f"{base_url(service)}/health"}),
        node("after", "Dummy", pre=["call"]),
    ]))
    iid = run_once(client, name)
    inst = wait_instance(client, name, iid)
    assert inst.status == "fail", inst
    assert node_statuses(inst) == {"call": "fail", "after": "manual-stop"}
    log = node_log(server, project, name, iid, "call")
    assert "HTTP 503" in log and "maintenance" in log, log


def test_the_cloud_metadata_address_is_refused(server, client, project):
    name = unique("rest_meta")
    create_job(client, job_info(name, nodes=[
        node("call", "RESTAPI", properties={"method": "GET", "url": "http://169.254.169.254/latest/meta-data/"}),
    ]))
    iid = run_once(client, name)
    inst = wait_instance(client, name, iid, timeout=10)
    assert inst.status == "fail", inst
    log = node_log(server, project, name, iid, "call")
    assert "169.254.169.254" in log and "rest_allowed_networks" in log, log


def fire_path(project, trigger):
    return f"/x/v1/{project}/http-triggers/{quote(trigger, safe='')}/fire"


def test_an_http_trigger_node_waits_for_its_call(server, client, project):
    name = unique("trigger")
    trigger = unique("orders-ready")
    create_job(client, job_info(name, nodes=[
        node("wait", "HttpTrigger", properties={"triggerId": trigger, "maxWaitHours": "1"}),
        shell_node("after", 'echo "got #{Job.getNodeOutput("wait")}"', pre=["wait"]),
    ]))
    iid = run_once(client, name)
    wait_instance(client, name, iid, statuses={"running"}, timeout=10)

    # Another project's caller reaches nothing; nothing is fired.
    other = "0" * 32
    resp = raw_request(server, "POST", fire_path(other, trigger), project_id=other, body="nope")
    assert_error_json(resp, 400, "DLF.3051")

    def fire():
        resp = raw_request(server, "POST", fire_path(project, trigger), project_id=project, body="batch-7")
        return resp if resp.status_code == 200 else None

    resp = wait_until(fire, timeout=10, what="the trigger node to wait")
    assert resp.json() == {"instances": [str(iid)]}
    inst = wait_instance(client, name, iid)
    assert inst.status == "success", inst
    assert node_statuses(inst) == {"wait": "success", "after": "success"}
    assert "got batch-7" in node_log(server, project, name, iid, "after")

    # Nothing waits any more: a clear error.
    resp = raw_request(server, "POST", fire_path(project, trigger), project_id=project, body="again")
    body = assert_error_json(resp, 400, "DLF.3051")
    assert trigger in body["error_msg"], body


def test_a_trigger_with_a_maximum_wait_outside_1_to_24_hours_is_refused(server, client, project):
    from huaweicloudsdkdgc.v1 import CreateJobRequest
    from dlfkit import assert_sdk_error
    info = job_info(unique("trigger_bad"), nodes=[node("wait", "HttpTrigger", properties={"maxWaitHours": "48"})])
    assert_sdk_error(client.create_job, CreateJobRequest(body=info), 400, "DLF.3051", mentions=["maxWaitHours"])
