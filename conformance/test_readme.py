"""The README's promise: its first command starts the server, and its SDK example runs against
it as written.

Runs the README's first shell command verbatim (`cargo run --release -- serve`: no flags, so
127.0.0.1:8460 with its data in `./dlf-data` of the working directory) in a scratch directory
inside this checkout's `target/`, waits for `/healthz`, then runs the README's Python block
unchanged in that directory with the suite's SDK. `.ci/run` builds the release binary first; on
a checkout without one, the command builds it (several minutes).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from conftest import REPO_ROOT

README_PORT = 8460
# The first start may build the release binary.
README_START_TIMEOUT_S = 1200


def _readme_first_command() -> str:
    text = (REPO_ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    assert blocks, "the README has shell commands"
    lines = [line for line in blocks[0].strip().splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) == 1, f"the README's first command is one line: {blocks[0]!r}"
    return lines[0]


def _readme_python() -> str:
    text = (REPO_ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "the README has a Python example"
    return blocks[0]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def readme_dir():
    """A scratch working directory inside the checkout (cargo must find the workspace)."""
    path = REPO_ROOT / "target" / f"readme-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_the_readme_first_command_serves_and_the_sdk_example_runs_as_written(readme_dir: Path):
    command = _readme_first_command()
    assert command == "cargo run --release -- serve", command
    if not _port_is_free(README_PORT):
        pytest.fail(f"port {README_PORT} (the README's default) is taken; cannot run the README example")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLF_")}
    # `cargo run` replaces itself with the server (exec), so the signal below reaches dlf.
    server = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=readme_dir, env=env,
                              stdout=subprocess.DEVNULL, stderr=open(readme_dir / "serve.log", "wb"))
    try:
        deadline = time.monotonic() + README_START_TIMEOUT_S
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{README_PORT}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None, (readme_dir / "serve.log").read_text()
            assert time.monotonic() < deadline, f"`{command}` did not answer /healthz"
            time.sleep(0.1)
        assert (readme_dir / "dlf-data" / "credentials").is_file(), "the first start writes the credentials file"
        assert oct((readme_dir / "dlf-data" / "credentials").stat().st_mode & 0o777) == "0o600"
        example = _readme_python() + (
            "\nimport time\n"
            "for _ in range(200):\n"
            "    detail = client.show_job_instance(ShowJobInstanceRequest(job_name='hello_job', instance_id=str(run.instance_id)))\n"
            "    if detail.status not in ('waiting', 'running'):\n"
            "        break\n"
            "    time.sleep(0.05)\n"
            "print('STATUS', detail.status)\n"
        )
        done = subprocess.run([sys.executable, "-c", example], cwd=readme_dir, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "STATUS success" in done.stdout, done.stdout + done.stderr
        logs = list((readme_dir / "dlf-data" / "logs").glob("*/hello/attempt-1.log"))
        assert any("hello from hello_job" in p.read_text() for p in logs), "the node printed the rendered EL"
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
