"""Job notifications (JOBS.md §2.9) through the extension routes and a webhook receiver:
a failure rule set with `PUT /x/v1/{project}/jobs/{job}/notifications`, shown by ListJobs as
`alarms`, a failing RunOnce through the SDK, and the signed notification the receiver gets
(docs/configuration.md, Notifications). The server's notifier `conformance-hook` posts to the
`webhook` fixture (conftest.py)."""

import hashlib
import hmac
import json
import time

from huaweicloudsdkdgc.v1 import ListJobsRequest

from dlfkit import (WEBHOOK_NOTIFIER, WEBHOOK_SECRET, assert_error_json, create_job, delete_job, job_info,
                    node, node_log, node_statuses, raw_request, run_once, shell_node, unique, wait_instance,
                    wait_until)


def rules_path(project: str, job: str) -> str:
    return f"/x/v1/{project}/jobs/{job}/notifications"


def test_a_failing_run_notifies_the_webhook_signed(server, client, project, webhook):
    name = unique("notify")
    create_job(client, job_info(name, nodes=[shell_node("boom", "echo about to fail; exit 3")]))
    topic = f"urn:smn:cn-north-4:{project}:{WEBHOOK_NOTIFIER}"
    rules = {"rules": [{"event": "FAILED", "notifier": topic}]}
    put = raw_request(server, "PUT", rules_path(project, name), project_id=project, body=rules)
    assert put.status_code == 200, put.text
    assert put.json() == rules
    got = raw_request(server, "GET", rules_path(project, name), project_id=project)
    assert (got.status_code, got.json()) == (200, rules)

    # ListJobs shows the rule as the reference's `alarms`
    listed = client.list_jobs(ListJobsRequest(job_name=name)).jobs
    (job,) = [j for j in listed if j.name == name]
    assert [(a.alarm_type, a.topic_urn) for a in job.alarms] == [("FAILED", topic)]

    iid = run_once(client, name)
    assert wait_instance(client, name, iid).status == "fail"

    def mine():
        return webhook.requests_where(lambda n: n.get("jobName") == name)

    (headers, body), = wait_until(mine, timeout=15, what="the failure notification")
    # the receiver's side of docs/configuration.md: HMAC over "timestamp.body" with the secret
    timestamp = headers["x-dlf-timestamp"]
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, headers["x-dlf-signature"])
    assert abs(time.time() - int(timestamp)) < 120
    assert headers["content-type"] == "application/json"
    n = json.loads(body)
    assert (n["event"], n["jobName"], n["instanceId"], n["status"], n["node"]) == ("FAILED", name, iid, "fail", "boom")
    assert n["projectId"] == project
    assert n["links"]["instance"] == f"/v1/{project}/jobs/{name}/instances/{iid}"

    # the deliveries record says it arrived, under the id the receiver saw
    def delivered():
        resp = raw_request(server, "GET", f"/x/v1/{project}/notifications/deliveries", project_id=project,
                           query=[("jobName", name)])
        assert resp.status_code == 200, resp.text
        items = resp.json()["deliveries"]
        return items if items and items[0]["status"] == "sent" else None

    (d,) = wait_until(delivered, timeout=10, what="the delivery recorded as sent")
    assert (d["id"], d["event"], d["notifier"], d["instanceId"]) == (headers["x-dlf-delivery"], "FAILED",
                                                                     WEBHOOK_NOTIFIER, iid)
    assert len(mine()) == 1, "one notification per failure"


def test_bad_rules_are_refused_and_rules_go_with_the_job(server, client, project):
    name = unique("rules")
    create_job(client, job_info(name, nodes=[shell_node("a", "true")]))
    path = rules_path(project, name)
    for bad in ({"rules": [{"event": "FAILED", "notifier": "nobody"}]},
                {"rules": [{"event": "NOT_FINISHED", "notifier": WEBHOOK_NOTIFIER}]},
                {"rules": [{"event": "EXPLODED", "notifier": WEBHOOK_NOTIFIER}]}):
        assert_error_json(raw_request(server, "PUT", path, project_id=project, body=bad), 400, "DLF.3051")
    assert raw_request(server, "GET", path, project_id=project).json() == {"rules": []}, "nothing was kept"
    late = {"rules": [{"event": "NOT_FINISHED", "notifier": WEBHOOK_NOTIFIER, "notFinishedBy": "06:30"}]}
    assert raw_request(server, "PUT", path, project_id=project, body=late).status_code == 200
    delete_job(client, name)
    create_job(client, job_info(name, nodes=[shell_node("a", "true")]))
    assert raw_request(server, "GET", path, project_id=project).json() == {"rules": []}, "deleted with the job"
    assert_error_json(raw_request(server, "GET", rules_path(project, unique("none")), project_id=project), 400,
                      "DLF.0100")


def test_smn_nodes_deliver_to_their_topic_and_an_unknown_topic_fails(server, client, project, webhook):
    """RunOnce of jobs with an SMN node (JOBS.md §3.2): the topic's last part names the notifier;
    the message, rendered with the job's EL, arrives at the receiver and the node succeeds; a
    topic no notifier answers to fails the node."""
    name = unique("smn")
    smn = node("tell", "SMN", pre=["load"], properties={
        "topic": f"urn:smn:cn-north-4:{project}:{WEBHOOK_NOTIFIER}",
        "subject": "orders loaded",
        "messageType": "NORMAL",
        "message": "loaded #{Job.getNodeOutput(\"load\")}",
    })
    create_job(client, job_info(name, nodes=[shell_node("load", "printf 42"), smn]))
    iid = run_once(client, name)
    inst = wait_instance(client, name, iid)
    assert inst.status == "success", node_statuses(inst)

    def mine():
        return webhook.requests_where(lambda n: n.get("jobName") == name)

    (_, body), = wait_until(mine, timeout=15, what="the SMN node's message")
    n = json.loads(body)
    assert (n["event"], n["subject"], n["message"], n["node"]) == ("SMN", "orders loaded", "loaded 42", "tell")

    lost = unique("smn-lost")
    create_job(client, job_info(lost, nodes=[node("tell", "SMN", properties={
        "topic": "urn:smn:cn-north-4:nobody:no-such-topic", "subject": "s", "messageType": "NORMAL",
        "message": "hello"})]))
    iid = run_once(client, lost)
    inst = wait_instance(client, lost, iid)
    assert inst.status == "fail"
    assert node_statuses(inst) == {"tell": "fail"}
    assert "no-such-topic" in node_log(server, project, lost, iid, "tell")
