"""docs/first-sql-job.md runs as written: its Python blocks, one after the other, against the
suite's server and the PostgreSQL of DLF_TEST_POSTGRES_URL (bash .ci/run sets it).

The guide talks to `127.0.0.1:8460` as project `my-project` with the key in
`dlf-data/credentials`, and to a PostgreSQL on 127.0.0.1:5432 as `postgres`, database `test`.
The test runs it in a scratch directory whose `dlf-data/credentials` holds the suite's key, and
changes only the server's address and the project (a fresh one, so nothing collides)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from urllib.parse import urlparse

import pytest

from conftest import REPO_ROOT
from dlfkit import new_project

GUIDE = REPO_ROOT / "docs" / "first-sql-job.md"


def test_the_first_sql_job_guide_runs_as_written(server, tmp_path):
    url = os.environ.get("DLF_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("DLF_TEST_POSTGRES_URL is not set (bash .ci/run sets it)")
    pg = urlparse(url)
    if (pg.hostname, pg.port or 5432, pg.username, pg.path) != ("127.0.0.1", 5432, "postgres", "/test"):
        pytest.skip(f"the guide expects postgres@127.0.0.1:5432/test, not {url}")
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.S)
    assert len(blocks) >= 3, "the guide has its Python steps"
    program = "\n".join(blocks)
    project = new_project()
    assert 'PROJECT, HOST = "my-project", "127.0.0.1:8460"' in program
    program = program.replace('PROJECT, HOST = "my-project", "127.0.0.1:8460"',
                              f'PROJECT, HOST = "{project}", "{server.host}"')
    (tmp_path / "dlf-data").mkdir()
    (tmp_path / "dlf-data" / "credentials").write_text(
        f"DLF_ACCESS_KEY={server.admin_ak}\nDLF_SECRET_KEY={server.admin_sk}\n")
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "204", done.stdout
    # The connection as shown: the guide's fields, no password.
    assert "'userName': 'postgres'" in lines[1] and "local_pg" in lines[1], done.stdout
    # The job's instance: both nodes succeeded.
    assert lines[2].startswith("success [('count_rows', 'success'), ('report', 'success')]"), done.stdout
    # The script run: its schema and rows.
    assert lines[3].startswith("FINISHED [{'n': 'int4'}, {'square': 'int4'}]"), done.stdout
    assert "[['1', '1'], ['2', '4'], ['3', '9'], ['4', '16'], ['5', '25']]" in lines[3], done.stdout
    # The Shell node got the SQL node's output through Job.getNodeOutput.
    logs = [p.read_text() for p in server.data_dir.glob("logs/**/report/attempt-1.log")]
    assert any(re.search(r'rows: \[\["3","\d{4}-\d\d-\d\d"\]\]', text) for text in logs), logs
