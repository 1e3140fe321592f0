"""The scheduler: cron instances on their fire times, StopJob/StartJob without catch-up,
EXECUTE_ONCE, and what StopJob does to waiting and running instances (API.md J2, J6, J7, I1,
§0.11 JobInstance; JOBS.md §4.1, §4.2 (dlf's sub-minute extension), §4.3, §4.4, §4.8, §5.1).

These tests use second-level cron expressions and poll; each stops its job in a `finally`."""

import time

from huaweicloudsdkdgc.v1 import Schedule, StartJobRequest, StopJobRequest, StopJobInstanceRequest

from dlfkit import (START, create_job, cron_schedule, job_info, list_instances, list_jobs, listed_status,
                    now_ms, shell_node, unique, wait_instance, wait_until)


def floor_second(ms: int) -> int:
    return ms - ms % 1000


def scheduled(client, name):
    """The job's instances sorted by plan time; every one must be a cron instance (type 0)."""
    instances = sorted(list_instances(client, name).instances, key=lambda i: i.plan_time)
    assert all(i.instance_type == 0 for i in instances), [(i.instance_id, i.instance_type) for i in instances]
    return instances


def assert_every_two_seconds(plan_times):
    assert len(plan_times) == len(set(plan_times)), f"duplicated plan times: {plan_times}"
    assert all(t % 2000 == 0 for t in plan_times), f"plan times off the even seconds: {plan_times}"
    gaps = [b - a for a, b in zip(plan_times, plan_times[1:])]
    assert all(g == 2000 for g in gaps), f"plan times not 2 s apart: {plan_times} (gaps {gaps})"


def stop_everything(client, name):
    client.stop_job(StopJobRequest(job_name=name))
    for inst in list_instances(client, name).instances:
        if inst.status in ("waiting", "running", "running-exception"):
            try:
                client.stop_job_instance(StopJobInstanceRequest(job_name=name, instance_id=str(inst.instance_id)))
            except Exception:  # noqa: BLE001 - clean-up only; it may have ended meanwhile
                pass


def test_a_two_second_cron_fires_on_every_even_second_and_restarts_without_catch_up(client):
    name = unique("cron2")
    create_job(client, job_info(name, schedule=cron_schedule("0/2 * * * * ?", START)))
    try:
        started = now_ms()
        assert client.start_job(StartJobRequest(job_name=name)).status_code == 204
        first = wait_until(lambda: (lambda s: s if len(s) >= 4 else None)(scheduled(client, name)),
                           timeout=14, interval=0.2, what="4 cron instances")
        times = [i.plan_time for i in first]
        assert_every_two_seconds(times)
        # no catch-up from the past startTime: the first fire time >= the start, truncated to the second
        assert floor_second(started) <= times[0] <= floor_second(started) + 2000, (started, times)
        # each instance is created on its fire time, not ahead of it
        assert all(t <= now_ms() for t in times)

        assert client.stop_job(StopJobRequest(job_name=name)).status_code == 204
        stopped = now_ms()
        at_stop = [i.plan_time for i in scheduled(client, name)]
        assert_every_two_seconds(at_stop)
        assert max(at_stop) <= stopped, (stopped, at_stop)
        time.sleep(3.2)  # longer than one period: a fire time passes while the job is stopped
        assert [i.plan_time for i in scheduled(client, name)] == at_stop, "an instance appeared after StopJob"

        restarted = now_ms()
        assert client.start_job(StartJobRequest(job_name=name)).status_code == 204
        after = wait_until(lambda: (lambda s: s if len([i for i in s if i.plan_time > max(at_stop)]) >= 2 else None)(
            scheduled(client, name)), timeout=10, interval=0.2, what="2 instances after the restart")
        new = [i.plan_time for i in after if i.plan_time > max(at_stop)]
        assert_every_two_seconds(new)
        # resumed without catch-up: nothing for the stopped period
        assert new[0] >= floor_second(restarted), (restarted, new)
        assert new[0] <= floor_second(restarted) + 2000, (restarted, new)
        assert not [t for t in new if stopped < t < floor_second(restarted)]
    finally:
        stop_everything(client, name)
    # the instances themselves ran (a Dummy node each)
    for inst in scheduled(client, name):
        assert wait_instance(client, name, inst.instance_id, timeout=10).status in ("success", "manual-stop")


def test_an_execute_once_job_runs_once_and_returns_to_stopped(client):
    name = unique("once")
    create_job(client, job_info(name, schedule=Schedule(type="EXECUTE_ONCE"),
                                nodes=[shell_node("work", "sleep 2; echo ran once")]))
    before = now_ms()
    try:
        assert client.start_job(StartJobRequest(job_name=name)).status_code == 204
        assert listed_status(client, name) == "SCHEDULING"  # while its instance runs (JOBS.md §4.3)
        (inst,) = wait_until(lambda: list_instances(client, name).instances, timeout=10, what="the instance")
        assert inst.instance_type == 7
        assert before - 1000 <= inst.plan_time <= now_ms()
        assert wait_instance(client, name, inst.instance_id, timeout=15).status == "success"
        wait_until(lambda: listed_status(client, name) == "STOPPED", timeout=5, what="job status STOPPED")
        (job,) = [j for j in list_jobs(client, job_name=name).jobs if j.name == name]
        assert job.last_instance_status == "success"
        # exactly one run
        assert [i.instance_id for i in list_instances(client, name).instances] == [inst.instance_id]
    finally:
        stop_everything(client, name)


def test_stop_job_cancels_waiting_instances_and_lets_the_running_one_finish(client):
    """Every-second cron, default concurrency 1, each run `sleep 3`: instances queue behind the
    running one; StopJob cancels the queued ones and leaves the running one alone (JOBS.md §4.3
    Stop, §4.8)."""
    name = unique("queue")
    create_job(client, job_info(name, schedule=cron_schedule("* * * * * ?", START),
                                nodes=[shell_node("work", "sleep 3; echo done")]))
    try:
        assert client.start_job(StartJobRequest(job_name=name)).status_code == 204

        def queued():
            instances = list_instances(client, name).instances
            running = [i for i in instances if i.status == "running"]
            waiting = [i for i in instances if i.status == "waiting"]
            assert len(running) <= 1, f"more than one running instance at concurrency 1: {instances}"
            return (running, waiting) if running and waiting else None

        running, waiting = wait_until(queued, timeout=10, interval=0.1, what="one running and one waiting instance")
        # before it starts, an instance reports its plan time as startTime (JOBS.md §5.10)
        assert all(w.start_time == w.plan_time for w in waiting), waiting
        assert client.stop_job(StopJobRequest(job_name=name)).status_code == 204
        stopped = now_ms()

        wait_until(lambda: not [i for i in list_instances(client, name).instances if i.status == "waiting"],
                   timeout=2, interval=0.05, what="no waiting instance after StopJob")
        by_id = {i.instance_id: i for i in list_instances(client, name).instances}
        for w in waiting:
            assert by_id[w.instance_id].status == "manual-stop", by_id[w.instance_id]
        (run,) = running
        assert wait_instance(client, name, run.instance_id, timeout=8).status == "success"
        final = list_instances(client, name).instances
        assert all(i.plan_time <= stopped for i in final), "an instance was created after StopJob"
        assert sorted(i.status for i in final if i.instance_id != run.instance_id) == \
            ["manual-stop"] * (len(final) - 1), final
    finally:
        stop_everything(client, name)
