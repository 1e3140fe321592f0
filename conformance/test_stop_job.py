"""J7 StopJob (API.md J7, ERRORS.md DLF.0100)."""

from huaweicloudsdkdgc.v1 import StopJobRequest

from dlfkit import (MSG_JOB_NOT_FOUND, assert_sdk_error, create_job, listed_status, unique)


def test_stop_job_answers_204_and_is_idempotent(client):
    name = unique("stop")
    create_job(client, name)
    first = client.stop_job(StopJobRequest(job_name=name))
    assert first.status_code == 204
    second = client.stop_job(StopJobRequest(job_name=name))
    assert second.status_code == 204
    assert listed_status(client, name) == "STOPPED"


def test_stop_job_of_a_missing_job_is_dlf_0100_with_the_catalogue_message(client):
    e = assert_sdk_error(client.stop_job, StopJobRequest(job_name=unique("missing")), 400, "DLF.0100",
                         exact_msg=MSG_JOB_NOT_FOUND)
    assert e.request_id, "the SDK exception carries no request id (X-Request-Id missing)"
