"""Nodes that run elsewhere, through a real `dlf serve` and the SDK: Shell on an SSH host (the
throwaway sshd of `.ci/start-sshd`, DLF_TEST_SSH_*) and SQL on MariaDB (DLF_TEST_MYSQL_URL),
each handing its output to the next node, and a stop that leaves nothing running where the
work ran. `bash .ci/run` sets every variable; without them these tests are skipped."""

from __future__ import annotations

import os
import subprocess
import time
from urllib.parse import urlparse

import pytest
from huaweicloudsdkdgc.v1 import CreateJobRequest, StopJobInstanceRequest

from dlfkit import (job_info, new_project, node, node_instance, node_log, raw_request, run_once, sdk_client,
                    shell_node, show_instance, unique, wait_instance, wait_until)

MASK = "*********"


def ssh_env():
    names = ["DLF_TEST_SSH_HOST", "DLF_TEST_SSH_PORT", "DLF_TEST_SSH_USER", "DLF_TEST_SSH_KEY"]
    if not all(os.environ.get(n) for n in names):
        pytest.skip("DLF_TEST_SSH_* are not set (eval \"$(bash .ci/start-sshd)\"; bash .ci/run does)")
    return {n: os.environ[n] for n in names}


def create_connection(server, project, body):
    resp = raw_request(server, "POST", f"/v1/{project}/connections", project_id=project, body=body)
    assert resp.status_code == 204, resp.text


def remote_processes(user: str, marker: str) -> list[str]:
    found = subprocess.run(["pgrep", "-u", user, "-f", marker], capture_output=True, text=True)
    return found.stdout.split()


def test_a_shell_node_runs_on_an_ssh_host_and_its_stop_leaves_nothing_there(server):
    env = ssh_env()
    project = new_project()
    client = sdk_client(server, project)
    key = open(env["DLF_TEST_SSH_KEY"]).read()
    create_connection(server, project, {"name": "box", "type": "HOST", "config": {
        "ip": env["DLF_TEST_SSH_HOST"], "port": env["DLF_TEST_SSH_PORT"], "userName": env["DLF_TEST_SSH_USER"],
        "privateKey": key}})
    shown = raw_request(server, "GET", f"/v1/{project}/connections/box", project_id=project).json()
    assert shown["config"]["privateKey"] == MASK and "PRIVATE KEY" not in str(shown), shown
    tested = raw_request(server, "POST", f"/x/v1/{project}/connections/box/test", project_id=project).json()
    assert tested["ok"] is True, tested

    on_host = {"connectionName": "box", "statement": 'echo "$(whoami) day=$day"; echo oops >&2'}
    job = unique("remote")
    client.create_job(CreateJobRequest(body=job_info(job, nodes=[
        node("there", "Shell", properties=on_host),
        shell_node("here", "echo 'got #{Job.getNodeOutput(\"there\")}'", pre=["there"]),
    ])))
    iid = run_once(client, job, {"day": "monday"})
    inst = wait_instance(client, job, iid)
    assert inst.status == "success", inst
    there = node_log(server, project, job, iid, "there")
    assert f"{env['DLF_TEST_SSH_USER']} day=monday" in there and "oops" in there, there
    assert f"got {env['DLF_TEST_SSH_USER']} day=monday" in node_log(server, project, job, iid, "here")

    marker = unique("sleepmark")
    slow = unique("slow")
    statement = f"sleep 301 & exec -a {marker} sleep 300"
    client.create_job(CreateJobRequest(body=job_info(slow, nodes=[
        node("wait", "Shell", properties={"connectionName": "box", "statement": statement})])))
    iid = run_once(client, slow)
    wait_until(lambda: remote_processes(env["DLF_TEST_SSH_USER"], marker), timeout=20,
               what="the program to run on the host")
    assert show_instance(client, slow, iid).status == "running"
    client.stop_job_instance(StopJobInstanceRequest(job_name=slow, instance_id=str(iid)))
    inst = wait_instance(client, slow, iid, timeout=20)
    assert inst.status == "manual-stop", inst
    wait_until(lambda: not remote_processes(env["DLF_TEST_SSH_USER"], marker) and
               not remote_processes(env["DLF_TEST_SSH_USER"], "sleep 301"), timeout=10,
               what="the program and its background child to be gone from the host")


def test_sql_nodes_run_on_mariadb_and_a_stop_ends_the_query_there(server):
    url = os.environ.get("DLF_TEST_MYSQL_URL")
    if not url:
        pytest.skip("DLF_TEST_MYSQL_URL is not set (bash .ci/run sets it)")
    my = urlparse(url)
    project = new_project()
    client = sdk_client(server, project)
    config = {"ip": my.hostname, "port": str(my.port or 3306), "userName": my.username or "root",
              "database": my.path.lstrip("/"), "driverName": "org.mariadb.jdbc.Driver"}
    if my.password:
        config["password"] = my.password
    create_connection(server, project, {"name": "maria", "type": "RDS", "config": config})
    table = unique("t").replace("-", "_")
    script = (f"CREATE TEMPORARY TABLE {table} (name varchar(20), n int);\n"
              f"INSERT INTO {table} VALUES ('a;b', 1), (NULL, 2);\n"
              f"SELECT name, n FROM {table} ORDER BY n;")
    job = unique("maria")
    client.create_job(CreateJobRequest(body=job_info(job, nodes=[
        node("q", "RDSSQL", properties={"connectionName": "maria", "statement": script}),
        shell_node("show", "echo 'rows=#{Job.getNodeOutput(\"q\")}'", pre=["q"]),
    ])))
    iid = run_once(client, job)
    inst = wait_instance(client, job, iid)
    assert inst.status == "success", inst
    assert 'rows=[["a;b","1"],[null,"2"]]' in node_log(server, project, job, iid, "show")

    marker = unique("mark").replace("-", "_")
    slow = unique("slowsql")
    client.create_job(CreateJobRequest(body=job_info(slow, nodes=[
        node("q", "RDSSQL", properties={"connectionName": "maria", "statement": f"SELECT SLEEP(60) AS {marker}"})])))
    iid = run_once(client, slow)

    def running():
        out = subprocess.run(["mariadb", "-uroot", "-h", my.hostname, "-P", str(my.port or 3306), "-N", "-e",
                              f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%{marker}%' "
                              f"AND INFO NOT LIKE '%PROCESSLIST%'"], capture_output=True, text=True, check=True)
        return int(out.stdout.strip())

    wait_until(lambda: running() == 1, timeout=20, what="the query to run in MariaDB")
    started = time.monotonic()
    client.stop_job_instance(StopJobInstanceRequest(job_name=slow, instance_id=str(iid)))
    assert wait_instance(client, slow, iid, timeout=20).status == "manual-stop"
    wait_until(lambda: running() == 0, timeout=10, what="the query to end in MariaDB")
    assert time.monotonic() - started < 10
    assert node_instance(show_instance(client, slow, iid), "q").status != "success"
