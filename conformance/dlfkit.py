"""Helpers of the conformance suite: the running server, SDK clients, raw signed requests,
job-document builders, unique names and assertions.

Everything a test sends to the server goes through the official SDK (`huaweicloudsdkdgc` +
`huaweicloudsdkcore` 3.1.219). Raw HTTP (`raw_request`) exists only for what the SDK cannot
express (malformed bodies, unknown routes, documents with fields the SDK models lack, token
auth); it is signed by the SDK's own `Signer`, so a raw request carries exactly the headers and
signature the SDK would produce for it.
"""

from __future__ import annotations

import itertools
import json
import secrets
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable, Optional
from urllib.parse import quote

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkdgc.v1 import (
    CreateJobRequest,
    Cron,
    DeleteJobRequest,
    DgcClient,
    JobInfo,
    ListJobsRequest,
    ListSystemTasksRequest,
    Location,
    ModelProperty,
    Node,
    Schedule,
    ShowJobRequest,
)

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
REAL_JOBS_DIR = DATA_DIR / "real-jobs"

#: Administrator key the suite's server is started with (DLF_ACCESS_KEY / DLF_SECRET_KEY).
ADMIN_AK = "CONFORMANCEADMINKEY01"
ADMIN_SK = "conformance-admin-secret-0123456789abcdef"

#: The catalogue's wire messages that clients match on (ERRORS.md).
MSG_JOB_NOT_FOUND = "The job does not exists."
MSG_SCRIPT_NOT_FOUND = "The script does not exist."
MSG_SCRIPT_TYPE_MISSING = "The script type is not specified."


# --------------------------------------------------------------------------------------------
# The server under test


@dataclass
class DlfServer:
    """A running `dlf serve` (started by the session fixture in conftest.py)."""

    binary: Path
    port: int
    data_dir: Path
    log_path: Path
    env: dict
    proc: Optional[subprocess.Popen] = None
    admin_ak: str = ADMIN_AK
    admin_sk: str = ADMIN_SK

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return "<no log>"

    def healthz(self, timeout: float = 5) -> int:
        return requests.get(f"{self.base_url}/healthz", timeout=timeout).status_code

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """Runs an offline `dlf` subcommand against the server's data directory."""
        cmd = [str(self.binary), *args, "--data-dir", str(self.data_dir)]
        done = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def create_workspace(self, project_id: str, name: Optional[str] = None) -> str:
        """`dlf workspace create`: the new workspace id (the last line of stdout)."""
        done = self.cli("workspace", "create", "--project", project_id, name or unique("ws"))
        lines = [l for l in done.stdout.splitlines() if l.strip()]
        assert lines, f"dlf workspace create printed nothing: {done.stderr}"
        return lines[-1].strip()

    def create_key(self, project_id: str) -> dict:
        """`dlf keys create --output json`: a key bound to `project_id` only."""
        done = self.cli("keys", "create", "--project", project_id, "--output", "json")
        lines = [l for l in done.stdout.splitlines() if l.strip()]
        key = json.loads(lines[-1])
        assert {"access_key", "secret_key", "project_id"} <= set(key), key
        return key


# --------------------------------------------------------------------------------------------
# Names

_counter = itertools.count(1)
_run_tag = secrets.token_hex(2)


def unique(prefix: str = "job") -> str:
    """A name unique within this test run, valid as a job, script or workspace name."""
    return f"{prefix}_{_run_tag}_{next(_counter):04d}"


def new_project() -> str:
    """A fresh project id (32 lowercase hex characters, like Huawei's)."""
    return uuid.uuid4().hex


# --------------------------------------------------------------------------------------------
# SDK clients


class WorkspaceClient:
    """A `DgcClient` whose requests default to one workspace (the SDK sets the `workspace`
    header per request; this only fills `request.workspace` when a test left it unset)."""

    def __init__(self, client: DgcClient, workspace: str):
        self._client = client
        self.workspace = workspace

    def __getattr__(self, name: str):
        attr = getattr(self._client, name)
        if name.startswith("_") or not callable(attr):
            return attr

        def call(request, *args, **kwargs):
            if hasattr(request, "workspace") and request.workspace is None:
                request.workspace = self.workspace
            return attr(request, *args, **kwargs)

        return call


def sdk_client(server: DlfServer, project_id: str, workspace: Optional[str] = None,
               ak: Optional[str] = None, sk: Optional[str] = None):
    """The official SDK client pointed at the suite's server."""
    config = HttpConfig.get_default_config()
    config.timeout = (10, 60)
    config.retry_times = 0
    credentials = BasicCredentials(ak or server.admin_ak, sk or server.admin_sk, project_id)
    client = (DgcClient.new_builder()
              .with_http_config(config)
              .with_credentials(credentials)
              .with_endpoint(server.base_url)
              .build())
    return WorkspaceClient(client, workspace) if workspace else client


def wire(model: Any) -> Any:
    """The JSON value the SDK puts on the wire for a model (camelCase keys, no None fields)."""
    return sanitize_for_serialization(model)


def sdk_error(call: Callable, *args, **kwargs) -> ClientRequestException:
    """Runs an SDK call that must fail with a 4xx and returns the exception."""
    with pytest.raises(ClientRequestException) as info:
        call(*args, **kwargs)
    return info.value


def assert_sdk_error(call: Callable, request: Any, status: int, code: str,
                     mentions: Iterable[str] = (), exact_msg: Optional[str] = None) -> ClientRequestException:
    """The SDK call fails with `status`/`code`; the message names every string in `mentions`
    (case-insensitively) or equals `exact_msg`."""
    e = sdk_error(call, request)
    assert (e.status_code, e.error_code) == (status, code), \
        f"expected {status} {code}, got {e.status_code} {e.error_code}: {e.error_msg}"
    assert isinstance(e.error_msg, str) and e.error_msg, "error_msg is empty"
    if exact_msg is not None:
        assert e.error_msg == exact_msg
    for word in mentions:
        assert word.lower() in e.error_msg.lower(), f"{word!r} not named in error_msg {e.error_msg!r}"
    return e


# --------------------------------------------------------------------------------------------
# Raw requests, signed with the SDK's own signer


def raw_request(server: DlfServer, method: str, path: str, *, project_id: Optional[str] = None,
                query: Optional[list] = None, body: Any = None, headers: Optional[dict] = None,
                ak: Optional[str] = None, sk: Optional[str] = None, sign: bool = True,
                x_project_id: Any = "auto", content_type: Optional[str] = "auto",
                timeout: float = 60) -> requests.Response:
    """Sends one HTTP request; `path` is sent as given (already percent-encoded).

    body: bytes/str are sent verbatim, anything else is JSON-encoded the way the SDK does it.
    With `sign` the request is signed by `huaweicloudsdkcore.signer.Signer` with the SDK's
    header set: Content-Type, Host, User-Agent, X-Project-Id (the path's project unless
    `x_project_id` says otherwise; None leaves it out) and X-Sdk-Date.
    """
    if body is None:
        data = b""
    elif isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode("utf-8")
    else:
        data = json.dumps(body).encode("utf-8")
    if content_type == "auto":
        content_type = "application/json;charset=utf-8" if data else "application/json"
    header_params = {}
    if content_type is not None:
        header_params["Content-Type"] = content_type
    header_params["User-Agent"] = "huaweicloud-usdk-python/3.0; conformance"
    if x_project_id == "auto":
        x_project_id = project_id
    if x_project_id is not None:
        header_params["X-Project-Id"] = x_project_id
    for k, v in (headers or {}).items():
        header_params[k] = v
    query_params = list(query or [])
    if sign:
        request = SdkRequest(method=method.upper(), schema="http", host=server.host, resource_path=path,
                             query_params=query_params, header_params=header_params, body=data or None)
        credentials = BasicCredentials(ak or server.admin_ak, sk or server.admin_sk, project_id)
        Signer(credentials).sign(request)
        url = request.url
        send_headers = dict(request.header_params)
    else:
        qs = "&".join(f"{quote(str(k), safe='~')}={quote(str(v), safe='~')}" for k, v in query_params)
        url = f"{server.base_url}{path}" + (f"?{qs}" if qs else "")
        send_headers = {k: (v.encode("utf-8").decode("latin-1") if isinstance(v, str) else v)
                        for k, v in header_params.items()}
    return requests.request(method.upper(), url, data=data or None, headers=send_headers,
                            timeout=timeout, allow_redirects=False)


def jobs_path(project_id: str, *segments: str) -> str:
    """`/v1/{project}/jobs[/seg...]`, each segment percent-encoded like the SDK (no safe chars)."""
    parts = ["", "v1", quote(project_id, safe=""), "jobs", *(quote(s, safe="") for s in segments)]
    return "/".join(parts)


def assert_error_json(resp: requests.Response, status: int, code: Optional[str] = None,
                      code_prefix: Optional[str] = None) -> dict:
    """The response is the documented error JSON: the status, and a body with exactly the
    snake_case keys `error_code` and `error_msg` (API.md §0.6)."""
    assert resp.status_code == status, f"expected HTTP {status}, got {resp.status_code}: {resp.text[:500]}"
    assert resp.headers.get("Content-Type", "").lower().startswith("application/json"), resp.headers
    body = resp.json()
    assert isinstance(body, dict) and {"error_code", "error_msg"} <= set(body), body
    assert "errorCode" not in body and "errorMsg" not in body, body
    assert isinstance(body["error_msg"], str) and body["error_msg"], body
    if code is not None:
        assert body["error_code"] == code, body
    if code_prefix is not None:
        assert str(body["error_code"]).startswith(code_prefix), body
    return body


# --------------------------------------------------------------------------------------------
# Job documents

DAILY = "0 0 2 * * ?"
START = "2024-01-01T00:00:00+08"


def node(name: str, type: str = "Dummy", pre: Optional[list] = None, properties: Any = None,
         x: str = "0", y: str = "0", **kwargs) -> Node:
    """A node; Dummy nodes need no properties, so they are valid anywhere. `properties` is a
    dict or a list of (name, value) pairs."""
    pairs = properties.items() if isinstance(properties, dict) else (properties or [])
    props = [ModelProperty(name=k, value=v) for k, v in pairs]
    return Node(name=name, type=type, location=Location(x=x, y=y), properties=props,
                pre_node_name=pre, **kwargs)


def cron_schedule(expression: str = DAILY, start_time: str = START, **cron_kwargs) -> Schedule:
    return Schedule(type="CRON", cron=Cron(start_time=start_time, expression=expression, **cron_kwargs))


def job_info(name: str, nodes: Optional[list] = None, schedule: Optional[Schedule] = None,
             process_type: str = "BATCH", **kwargs) -> JobInfo:
    """A minimal valid job: one Dummy node, a daily cron schedule, BATCH."""
    return JobInfo(name=name,
                   nodes=nodes if nodes is not None else [node("n1")],
                   schedule=schedule if schedule is not None else cron_schedule(),
                   process_type=process_type, **kwargs)


def create_job(client, info_or_name, workspace: Optional[str] = None, **kwargs) -> JobInfo:
    info = info_or_name if isinstance(info_or_name, JobInfo) else job_info(info_or_name, **kwargs)
    resp = client.create_job(CreateJobRequest(body=info, workspace=workspace))
    assert resp.status_code == 204
    return info


def show_job(client, name: str, workspace: Optional[str] = None, **kwargs):
    return client.show_job(ShowJobRequest(job_name=name, workspace=workspace, **kwargs))


def delete_job(client, name: str, workspace: Optional[str] = None):
    return client.delete_job(DeleteJobRequest(job_name=name, workspace=workspace))


def list_jobs(client, **kwargs):
    return client.list_jobs(ListJobsRequest(**kwargs))


def job_total(client, job_type: Optional[str] = None, workspace: Optional[str] = None) -> int:
    return list_jobs(client, job_type=job_type, workspace=workspace, limit=1).total


def listed_status(client, name: str, job_type: Optional[str] = None, workspace: Optional[str] = None) -> str:
    """The `status` ListJobs reports for the job called `name`."""
    resp = list_jobs(client, job_name=name, job_type=job_type, workspace=workspace, limit=1000)
    matches = [j for j in resp.jobs if j.name == name]
    assert len(matches) == 1, f"ListJobs lists {len(matches)} jobs called {name}"
    return matches[0].status


def load_real_job(filename: str) -> tuple[bytes, dict]:
    """A document of data/real-jobs: its exact bytes and its parsed JSON."""
    raw = (REAL_JOBS_DIR / filename).read_bytes()
    return raw, json.loads(raw)


# --------------------------------------------------------------------------------------------
# Assertions


def assert_subset(sent: Any, got: Any, path: str = "$") -> None:
    """Everything in `sent` is in `got` with an equal value; `got` may carry extra object keys
    (server defaults). Lists must have the same length and match element by element."""
    if isinstance(sent, dict):
        assert isinstance(got, dict), f"{path}: expected an object, got {got!r}"
        for key, value in sent.items():
            assert key in got, f"{path}.{key}: sent {value!r}, missing in the response"
            assert_subset(value, got[key], f"{path}.{key}")
    elif isinstance(sent, list):
        assert isinstance(got, list), f"{path}: expected a list, got {got!r}"
        assert len(sent) == len(got), f"{path}: sent {len(sent)} items, got {len(got)}: {got!r}"
        for i, (s, g) in enumerate(zip(sent, got)):
            assert_subset(s, g, f"{path}[{i}]")
    else:
        assert sent == got and type(sent) is type(got), f"{path}: sent {sent!r}, got {got!r}"


def wait_until(predicate: Callable[[], Any], timeout: float = 10, interval: float = 0.1, what: str = "condition"):
    """Polls `predicate` until it returns a truthy value (returned) or `timeout` passes."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last value {last!r})")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# Job instances (J8, I1–I4) and node logs (the /x/v1 log extension)

#: Instance statuses after which nothing more happens by itself (JOBS.md §5.1).
TERMINAL_INSTANCE_STATUSES = frozenset(
    {"success", "fail", "manual-stop", "ignoreSuccess", "forceSuccess", "skip-by-depend"})
#: The catalogue's message for DLF.0137 (API.md I2/I3).
MSG_INSTANCE_NOT_FOUND = "Job instance does not exist."


def now_ms() -> int:
    return int(time.time() * 1000)


def shell_node(name: str, statement: str, pre: Optional[list] = None, type: str = "Shell", **kwargs) -> Node:
    """A Shell (or, with `type`, Python) node running inline `statement` on the server's host."""
    return node(name, type, pre=pre, properties={"statement": statement}, **kwargs)


def run_once(client, job_name: str, params: Optional[dict] = None) -> int:
    """J8 RunOnce (optionally with `jobParams`): the new instance id, after checking the 200."""
    from huaweicloudsdkdgc.v1 import JobParam, RunOnceRequest, StartJobReq
    body = StartJobReq(job_params=[JobParam(name=k, value=v) for k, v in params.items()]) if params else None
    resp = client.run_once(RunOnceRequest(job_name=job_name, body=body))
    assert resp.status_code == 200, resp
    assert isinstance(resp.instance_id, int) and resp.instance_id > 0, resp
    return resp.instance_id


def show_instance(client, job_name: str, instance_id: int):
    from huaweicloudsdkdgc.v1 import ShowJobInstanceRequest
    return client.show_job_instance(ShowJobInstanceRequest(job_name=job_name, instance_id=str(instance_id)))


def wait_instance(client, job_name: str, instance_id: int, statuses: Iterable[str] = TERMINAL_INSTANCE_STATUSES,
                  timeout: float = 30, interval: float = 0.1):
    """Polls ShowJobInstance until the instance's status is one of `statuses`; returns it."""
    wanted = {statuses} if isinstance(statuses, str) else set(statuses)
    last = {}

    def check():
        last["inst"] = show_instance(client, job_name, instance_id)
        return last["inst"] if last["inst"].status in wanted else None

    try:
        return wait_until(check, timeout=timeout, interval=interval,
                          what=f"instance {instance_id} of {job_name} to reach {sorted(wanted)}")
    except AssertionError as e:
        raise AssertionError(f"{e}; last ShowJobInstance: {last.get('inst')}") from None


def node_instance(inst, node_name: str):
    """The NodeInstance called `node_name` in a ShowJobInstance response."""
    found = [n for n in inst.nodes if n.node_name == node_name]
    assert len(found) == 1, f"{len(found)} node instances called {node_name} in {inst}"
    return found[0]


def node_statuses(inst) -> dict:
    return {n.node_name: n.status for n in inst.nodes}


def list_instances(client, job_name: Optional[str] = None, precise: Optional[bool] = True,
                   window_ms: int = 3_600_000, **kwargs):
    """I1 ListJobInstances; by default exactly `job_name`, plan times within ±`window_ms` of now
    (an explicit window, so the test does not depend on the default "today 00:00 .. now"), and
    up to 1,000 rows."""
    from huaweicloudsdkdgc.v1 import ListJobInstancesRequest
    now = now_ms()
    kwargs.setdefault("min_plan_time", now - window_ms)
    kwargs.setdefault("max_plan_time", now + window_ms)
    kwargs.setdefault("limit", 1000)
    if job_name is not None:
        kwargs["job_name"] = job_name
        kwargs.setdefault("precise_query", precise)
    return client.list_job_instances(ListJobInstancesRequest(**kwargs))


def node_log_path(project_id: str, job_name: str, instance_id: int, node_name: str) -> str:
    return "/".join(["", "x", "v1", quote(project_id, safe=""), "jobs", quote(job_name, safe=""), "instances",
                     str(instance_id), "nodes", quote(node_name, safe=""), "log"])


def node_log(server: DlfServer, project_id: str, job_name: str, instance_id: int, node_name: str,
             attempt: Optional[int] = None) -> str:
    """The text of a node attempt's log (the latest attempt unless `attempt` is given), read
    through the signed log extension; checks the 200 and the text/plain content type."""
    query = [("attempt", str(attempt))] if attempt is not None else None
    resp = raw_request(server, "GET", node_log_path(project_id, job_name, instance_id, node_name),
                       project_id=project_id, query=query)
    assert resp.status_code == 200, f"node log {job_name}/{instance_id}/{node_name} attempt {attempt}: " \
                                    f"{resp.status_code} {resp.text[:300]}"
    assert resp.headers.get("Content-Type", "").lower().startswith("text/plain"), resp.headers
    return resp.text


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (an orphan reparented to a PID 1 that
    does not reap would otherwise look alive forever)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


# The webhook notifier the suite's server is configured with (conftest.py), and its receiver.
WEBHOOK_NOTIFIER = "conformance-hook"
WEBHOOK_SECRET = "conformance-webhook-secret"


class WebhookReceiver:
    """A webhook receiver on 127.0.0.1 (http.server in a thread): keeps every POST it gets."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/hook"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def notifier_setting(self) -> str:
        """`DLF_NOTIFIERS` naming this receiver."""
        return (f'[{{name="{WEBHOOK_NOTIFIER}", type="webhook", url="{self.url}", '
                f'secret="{WEBHOOK_SECRET}", backoff_ms=200}}]')

    def requests_where(self, predicate: Callable[[dict], bool]) -> list[tuple[dict, bytes]]:
        with self._lock:
            got = list(self.received)
        return [(h, b) for h, b in got if predicate(json.loads(b))]

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()


# --------------------------------------------------------------------------------------------
# System tasks (T1) and the object store


def wait_task(client, task_id: str, timeout: float = 60):
    """Polls ListSystemTasks until the task is no longer RUNNING; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        task = client.list_system_tasks(ListSystemTasksRequest(task_id=task_id))
        if task.status != "RUNNING":
            return task
        assert time.monotonic() < deadline, f"task {task_id} still RUNNING"
        time.sleep(0.05)
