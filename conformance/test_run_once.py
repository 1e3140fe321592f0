"""J8 RunOnce and what a run shows: instance type and outcome, node output through the log
extension and `#{Job.getNodeOutput}`, run-time job parameters, Python nodes, unsupported node
types (API.md J8, I1, I2, §0.11 JobInstance; JOBS.md §3.1, §3.2 Shell/Python/Dummy, §4.3
"Run now", §5.5, §5.7, §6.3, §6.5)."""

import time

from huaweicloudsdkdgc.v1 import JobParam, RunOnceRequest

from dlfkit import (assert_sdk_error, create_job, job_info, list_instances, node, node_instance, node_log,
                    node_log_path, node_statuses, now_ms, raw_request, run_once, shell_node, unique, wait_instance)


def test_run_once_runs_a_shell_job_and_its_output_flows_downstream(server, client, project):
    name = unique("run")
    create_job(client, job_info(name, nodes=[
        shell_node("upstream", "echo upstream-says-${greeting}"),
        shell_node("downstream", 'echo "downstream got: #{Job.getNodeOutput("upstream")}"', pre=["upstream"]),
    ]))
    before = now_ms()
    iid = run_once(client, name)
    inst = wait_instance(client, name, iid)
    assert inst.status == "success", inst
    assert inst.instance_id == iid and inst.job_name == name
    assert inst.instance_type == 2  # manual run (API.md J8, JOBS.md §4.1)
    assert before - 1000 <= inst.plan_time <= now_ms()  # planTime = now (JOBS.md §4.3)
    assert node_statuses(inst) == {"upstream": "success", "downstream": "success"}
    assert inst.total == 2
    assert (inst.force_success, inst.ignore_success) == (False, False)
    assert inst.execute_time == inst.end_time - inst.start_time  # JOBS.md §5.7
    up, down = node_instance(inst, "upstream"), node_instance(inst, "downstream")
    assert (up.type, up.retry_times, up.instance_id, up.plan_time) == ("Shell", 0, iid, inst.plan_time)
    assert up.log_path and down.log_path and up.log_path != down.log_path
    assert up.end_time <= down.start_time  # downstream starts after its upstream ended

    # the job had no parameter `greeting`: ${greeting} stays as written (JOBS.md §6.3)
    up_log = node_log(server, project, name, iid, "upstream")
    assert "upstream-says-" in up_log
    down_log = node_log(server, project, name, iid, "downstream")
    assert "downstream got: upstream-says-" in down_log, down_log

    # the same run as an I1 item
    (item,) = list_instances(client, name).instances
    assert (item.instance_id, item.status, item.instance_type) == (iid, "success", 2)
    assert (item.job_name, item.job_instance_name) == (name, name)
    assert isinstance(item.job_id, int) and isinstance(item.version, int) and item.version >= 1
    assert (item.plan_time, item.start_time, item.end_time) == (inst.plan_time, inst.start_time, inst.end_time)
    assert item.submit_time <= item.plan_time


def test_a_log_can_be_followed_until_the_attempt_ends(server, client, project):
    name = unique("follow")
    create_job(client, job_info(name, nodes=[shell_node("slow", "echo first; sleep 1; echo second")]))
    iid = run_once(client, name)
    wait_instance(client, name, iid, statuses={"running"}, timeout=10)
    started = time.monotonic()
    resp = raw_request(server, "GET", node_log_path(project, name, iid, "slow"), project_id=project,
                       query=[("follow", "true")], timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers.get("Content-Type", "").startswith("text/plain")
    assert resp.text.splitlines() == ["first", "second"], resp.text  # the whole log, up to the end
    assert time.monotonic() - started < 10
    assert wait_instance(client, name, iid).status == "success"


def test_run_once_job_params_override_the_job_parameter_in_text_and_environment(server, client, project):
    name = unique("params")
    create_job(client, job_info(name, params=[JobParam(name="color", value="blue")], nodes=[
        shell_node("show", 'echo "text=${color}"; echo "env=$color"'),
    ]))
    iid = run_once(client, name, {"color": "red"})
    assert wait_instance(client, name, iid).status == "success"
    log = node_log(server, project, name, iid, "show")
    assert "text=red" in log and "env=red" in log, log
    assert "blue" not in log

    # without jobParams the job's own value applies
    iid = run_once(client, name)
    assert wait_instance(client, name, iid).status == "success"
    log = node_log(server, project, name, iid, "show")
    assert "text=blue" in log and "env=blue" in log, log


def test_the_log_holds_stdout_and_stderr_and_the_output_is_stdout_only(server, client, project):
    name = unique("streams")
    create_job(client, job_info(name, nodes=[
        shell_node("talk", "echo to-stdout; echo to-stderr >&2"),
        shell_node("echo", 'echo "[#{Job.getNodeOutput("talk")}]"', pre=["talk"]),
    ]))
    iid = run_once(client, name)
    assert wait_instance(client, name, iid).status == "success"
    log = node_log(server, project, name, iid, "talk")
    assert "to-stdout" in log and "to-stderr" in log, log
    down = node_log(server, project, name, iid, "echo")
    # the node's output is its standard output (JOBS.md §3.2; whether the final newline is kept
    # is not specified, so only the start of the text is checked)
    assert "[to-stdout" in down, down
    assert "to-stderr" not in down


def test_a_python_node_runs_and_logs_its_output(server, client, project):
    name = unique("py")
    create_job(client, job_info(name, nodes=[shell_node("py", 'print("hi from python")', type="Python")]))
    iid = run_once(client, name)
    inst = wait_instance(client, name, iid)
    assert inst.status == "success", inst
    assert node_instance(inst, "py").type == "Python"
    assert "hi from python" in node_log(server, project, name, iid, "py").splitlines()


def test_an_unsupported_node_type_fails_its_node_with_a_clear_message(client):
    name = unique("hive")
    create_job(client, job_info(name, nodes=[
        node("first"),
        node("hive", type="HiveSQL", pre=["first"], properties={"statement": "SELECT 1"}),
        node("after", pre=["hive"]),
    ]))
    iid = run_once(client, name)
    inst = wait_instance(client, name, iid)
    assert inst.status == "fail", inst
    # failPolicy defaults to FAIL: the not-yet-run node is canceled (JOBS.md §5.5)
    assert node_statuses(inst) == {"first": "success", "hive": "fail", "after": "manual-stop"}
    (item,) = list_instances(client, name).instances
    assert item.status == "fail"
    assert "node type HiveSQL is not supported by this server" in (item.error_message or ""), item


def test_run_once_of_a_missing_job_is_dlf_0100(client):
    assert_sdk_error(client.run_once, RunOnceRequest(job_name=unique("ghost")), 400, "DLF.0100")
