"""J2 ListJobs: row-offset paging, limit bounds, total, name/type/tag filters (API.md J2, §0.7)."""

import pytest
from huaweicloudsdkdgc.v1 import BasicConfig, ListJobsRequest, Schedule

from dlfkit import assert_sdk_error, create_job, job_info, list_jobs, new_project, sdk_client, unique

JOBS = 12


@pytest.fixture(scope="module")
def paged(server):
    """A project holding exactly JOBS batch jobs."""
    client = sdk_client(server, new_project())
    names = [create_job(client, unique("page")).name for _ in range(JOBS)]
    return client, names


def test_total_counts_every_job_and_the_default_page_is_ten(paged):
    client, names = paged
    resp = client.list_jobs(ListJobsRequest())
    assert resp.total == JOBS
    assert len(resp.jobs) == 10


def test_offset_is_a_row_offset(paged):
    client, names = paged
    everything = [j.name for j in list_jobs(client, limit=1000).jobs]
    assert sorted(everything) == sorted(names)
    for offset, limit in [(0, 3), (2, 3), (5, 4), (11, 5), (3, 1)]:
        resp = list_jobs(client, offset=offset, limit=limit)
        assert [j.name for j in resp.jobs] == everything[offset:offset + limit], (offset, limit)
        assert resp.total == JOBS


def test_stepping_offset_by_page_length_visits_every_job_once(paged):
    client, names = paged
    seen, offset = [], 0
    while True:
        page = list_jobs(client, offset=offset, limit=5).jobs
        if not page:
            break
        seen += [j.name for j in page]
        offset += len(page)
    assert sorted(seen) == sorted(names)


def test_offset_past_the_end_is_an_empty_page_with_the_real_total(paged):
    client, _ = paged
    resp = list_jobs(client, offset=JOBS + 5, limit=10)
    assert resp.jobs == [] and resp.total == JOBS


def test_limit_bounds_are_1_to_1000(paged):
    client, _ = paged
    assert len(list_jobs(client, limit=1).jobs) == 1
    assert len(list_jobs(client, limit=1000).jobs) == JOBS
    for bad in (0, 1001, -1):
        assert_sdk_error(client.list_jobs, ListJobsRequest(limit=bad), 400, "DLF.3051", mentions=["limit"])


def test_negative_offset_is_rejected(paged):
    client, _ = paged
    assert_sdk_error(client.list_jobs, ListJobsRequest(offset=-1), 400, "DLF.3051", mentions=["offset"])


def test_job_name_filters_by_substring(client):
    stem = unique("flt")
    for n in (f"{stem}_alpha", f"{stem}_beta", f"x_{stem}_alphabet", f"{stem}_gamma"):
        create_job(client, n)
    resp = list_jobs(client, job_name="alpha", limit=100)
    assert sorted(j.name for j in resp.jobs) == sorted([f"{stem}_alpha", f"x_{stem}_alphabet"])
    assert resp.total == 2
    # paging applies inside the filter; total is the filter's total
    page = list_jobs(client, job_name=stem, limit=1, offset=1)
    assert page.total == 4 and len(page.jobs) == 1
    assert list_jobs(client, job_name="no-such-substring").total == 0


def test_job_type_defaults_to_batch_and_real_time_is_listed_separately(client):
    batch = create_job(client, unique("batch")).name
    realtime = unique("rt")
    create_job(client, job_info(realtime, process_type="REAL_TIME",
                                schedule=Schedule(type="EXECUTE_ONCE")))
    default = list_jobs(client, limit=100)
    assert [j.name for j in default.jobs] == [batch] and default.total == 1
    explicit = list_jobs(client, job_type="BATCH", limit=100)
    assert [j.name for j in explicit.jobs] == [batch]
    rt = list_jobs(client, job_type="REAL_TIME", limit=100)
    assert [(j.name, j.job_type) for j in rt.jobs] == [(realtime, "REAL_TIME")] and rt.total == 1


def test_unknown_job_type_is_rejected(client):
    assert_sdk_error(client.list_jobs, ListJobsRequest(job_type="STREAMING"), 400, "DLF.3051", mentions=["jobType"])


def test_tags_filter_lists_jobs_having_any_of_the_tags(client):
    def tagged(tags):
        name = unique("tag")
        create_job(client, job_info(name, basic_config=BasicConfig(tags=tags)))
        return name

    red = tagged(["red"])
    blue = tagged(["blue"])
    red_green = tagged(["red", "green"])
    tagged([])
    names = lambda resp: sorted(j.name for j in resp.jobs)
    assert names(list_jobs(client, tags="red", limit=100)) == sorted([red, red_green])
    assert list_jobs(client, tags="red", limit=100).total == 2
    assert names(list_jobs(client, tags="blue,green", limit=100)) == sorted([blue, red_green])
    assert list_jobs(client, tags="purple").total == 0
    assert list_jobs(client, limit=100).total == 4
