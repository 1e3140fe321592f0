"""The README's promise: its SDK example runs as written.

Starts `dlf serve` exactly as the README says — no flags, so on 127.0.0.1:8460 with its data in
`./dlf-data` of the working directory — then runs the README's Python block unchanged in that
directory with the suite's SDK.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import REPO_ROOT, _binary

README_PORT = 8460


def _readme_python() -> str:
    text = (REPO_ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "the README has a Python example"
    return blocks[0]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_the_readme_sdk_example_runs_as_written(tmp_path: Path):
    if not _port_is_free(README_PORT):
        pytest.fail(f"port {README_PORT} (the README's default) is taken; cannot run the README example")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLF_")}
    server = subprocess.Popen([str(_binary()), "serve"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=open(tmp_path / "serve.log", "wb"))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{README_PORT}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "dlf serve (README defaults) did not become healthy"
            time.sleep(0.1)
        assert (tmp_path / "dlf-data" / "credentials").is_file(), "the first start writes the credentials file"
        assert oct((tmp_path / "dlf-data" / "credentials").stat().st_mode & 0o777) == "0o600"
        example = _readme_python() + (
            "\nimport time\n"
            "for _ in range(200):\n"
            "    detail = client.show_job_instance(ShowJobInstanceRequest(job_name='hello_job', instance_id=str(run.instance_id)))\n"
            "    if detail.status not in ('waiting', 'running'):\n"
            "        break\n"
            "    time.sleep(0.05)\n"
            "print('STATUS', detail.status)\n"
        )
        done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "STATUS success" in done.stdout, done.stdout + done.stderr
        logs = list((tmp_path / "dlf-data" / "logs").glob("*/hello/attempt-1.log"))
        assert any("hello from hello_job" in p.read_text() for p in logs), "the node printed the rendered EL"
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
