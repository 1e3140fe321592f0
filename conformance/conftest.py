"""Session fixtures: one `dlf serve` for the whole suite, SDK clients on fresh projects.

The server binary comes from the environment variable DLF_BIN; without it the suite uses
`target/debug/dlf` of the checkout it lives in (this file's directory is `<repo>/conformance`,
so the default is `<repo>/target/debug/dlf`). Nothing is built here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

import dlfkit
from dlfkit import DlfServer, new_project, sdk_client

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 30
SHUTDOWN_TIMEOUT_S = 10


def _binary() -> Path:
    env = os.environ.get("DLF_BIN")
    path = Path(env) if env else REPO_ROOT / "target" / "debug" / "dlf"
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.exit(f"dlf binary not found at {path}: build it (cargo build -p dlf) or set DLF_BIN", returncode=2)
    return path.resolve()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(data_dir: Path, webhook: dlfkit.WebhookReceiver) -> dict:
    # Only our own DLF_* settings: a developer's DLF_* variables must not change the server.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLF_")}
    env.update({
        "DLF_ACCESS_KEY": dlfkit.ADMIN_AK,
        "DLF_SECRET_KEY": dlfkit.ADMIN_SK,
        "DLF_DATA_DIR": str(data_dir),
        "DLF_LOG": os.environ.get("DLF_LOG", "info"),
        "NO_COLOR": "1",
        # One webhook notifier, for test_notifications.py; it changes nothing else.
        "DLF_NOTIFIERS": webhook.notifier_setting(),
    })
    return env


@pytest.fixture(scope="session")
def webhook():
    """The webhook receiver the server's notifier `conformance-hook` posts to."""
    receiver = dlfkit.WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory, webhook) -> DlfServer:
    binary = _binary()
    data_dir = tmp_path_factory.mktemp("dlf-data")
    log_path = data_dir.parent / "dlf-serve.log"
    env = _server_env(data_dir, webhook)
    srv = None
    for _attempt in range(3):  # a port taken between probing and binding: try another one
        port = _free_port()
        srv = DlfServer(binary=binary, port=port, data_dir=data_dir, log_path=log_path, env=env)
        log = open(log_path, "ab")
        srv.proc = subprocess.Popen(
            [str(binary), "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", str(data_dir)],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        up = False
        while time.monotonic() < deadline and srv.proc.poll() is None:
            try:
                if requests.get(f"{srv.base_url}/healthz", timeout=1).status_code == 200:
                    up = True
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        if up:
            break
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
            pytest.exit(f"dlf serve did not answer /healthz within {STARTUP_TIMEOUT_S}s; its log:\n{srv.log_text()}",
                        returncode=3)
        if "in use" not in srv.log_text().lower():
            pytest.exit(f"dlf serve exited with {srv.proc.returncode} at start-up; its log:\n{srv.log_text()}",
                        returncode=3)
    else:
        pytest.exit(f"dlf serve could not bind a port; its log:\n{srv.log_text()}", returncode=3)

    yield srv

    srv.proc.send_signal(signal.SIGTERM)
    try:
        code = srv.proc.wait(timeout=SHUTDOWN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        srv.proc.kill()
        srv.proc.wait()
        pytest.fail(f"dlf serve did not exit within {SHUTDOWN_TIMEOUT_S}s of SIGTERM; its log:\n{srv.log_text()}")
    assert code == 0, f"dlf serve exited with {code} after SIGTERM; its log:\n{srv.log_text()}"
    # a handler panic is answered 500 and logged; no request of the suite may cause one
    panics = [line for line in srv.log_text().splitlines() if "panicked" in line]
    assert not panics, "dlf serve logged panics:\n" + "\n".join(panics)


@pytest.fixture
def project() -> str:
    """A project id no other test uses (its default workspace is created on first use)."""
    return new_project()


@pytest.fixture
def client(server, project):
    """The official SDK client with the administrator key, on a fresh project."""
    return sdk_client(server, project)


def pytest_report_header(config):
    return f"dlf binary: {os.environ.get('DLF_BIN') or REPO_ROOT / 'target' / 'debug' / 'dlf'}"
