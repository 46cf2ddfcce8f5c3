"""Background jobs of the REST API: an assessment with its uncertainty analysis runs in the
background, reports its progress, and answers the same result document as the service; the
queue is bounded; a failing job fails alone."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2, not yet released everywhere
    from fastapi.testclient import TestClient

from nqpf.api import create_app
from nqpf.api.jobs import JobQueue, Progress, QueueFullError
from nqpf.errors import InputError
from nqpf.results import Result, frame_from_json, tables_result


@pytest.fixture
def client(tmp_path: Any) -> Iterator[TestClient]:
    with TestClient(create_app(f"sqlite:///{tmp_path / 'nqpf.db'}")) as test_client:
        yield test_client


def _poll(client: TestClient, job_id: str, timeout: float = 900) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    seen: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        state: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
        seen.append(state)
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {seen[-1]}")


def test_assessment_job_reports_progress_and_answers_the_services_result(
    client: TestClient,
) -> None:
    import nqpf

    options = {"weights": "critic", "uncertainty": 16, "seed": 7}
    started = client.post("/api/v1/jobs/assess", json=options)
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] in ("queued", "running", "done")
    assert client.post("/api/v1/jobs/assess", json=options).json()["id"] == job["id"]
    early = client.get(f"/api/v1/jobs/{job['id']}/result")
    assert early.status_code in (200, 409)
    state = _poll(client, job["id"])
    assert state["status"] == "done", state
    assert state["progress"]["done"] == state["progress"]["total"] > 0
    assert state["progress"]["fraction"] == 1.0
    body = client.get(state["result_url"]).json()
    direct = nqpf.assess(weights="critic", uncertainty=16, seed=7)
    assert body["spec_hash"] == state["spec_hash"] == direct.spec_hash
    bands = frame_from_json(body["tables"]["rank_bands"])
    expected = direct.tables()["rank_bands"].reset_index(drop=True)
    pd.testing.assert_frame_equal(bands, expected, check_dtype=False)
    assert [j["id"] for j in client.get("/api/v1/jobs").json()] == [job["id"]]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"uncertainty": -1}, "uncertainty"),
        ({"uncertainty": 10**6}, "uncertainty"),
        ({"normalize": "best"}, "normalize"),
        ({"year": [1800]}, "year"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_job_options_are_422_naming_the_field(
    client: TestClient, options: dict[str, Any], field: str
) -> None:
    answer = client.post("/api/v1/jobs/assess", json=options)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][1] == field


def test_unknown_and_malformed_job_ids(client: TestClient) -> None:
    assert client.get(f"/api/v1/jobs/{'0' * 32}").status_code == 404
    assert client.get(f"/api/v1/jobs/{'0' * 32}/result").status_code == 404
    assert client.get("/api/v1/jobs/../../etc").status_code in (404, 422)
    assert client.get("/api/v1/jobs/XYZ").status_code == 422


def _result(name: str) -> Result:
    return tables_result("test", {"name": name}, {"t": pd.DataFrame({"x": [1.0]})})


def test_queue_is_bounded_and_a_failing_job_fails_alone() -> None:
    queue = JobQueue(workers=1, max_active=2)
    release = threading.Event()

    def blocked(progress: Progress) -> Result:
        progress(1, 2)
        release.wait(30)
        progress(2, 2)
        return _result("blocked")

    def failing(_progress: Progress) -> Result:
        raise InputError("no such indicator", column="indicator")

    encode = lambda r: r.to_json().encode()  # noqa: E731
    first = queue.submit("test", {"n": 1}, blocked, encode)
    second = queue.submit("test", {"n": 2}, failing, encode)
    with pytest.raises(QueueFullError):
        queue.submit("test", {"n": 3}, blocked, encode)
    release.set()
    queue.wait_idle(timeout=30)
    assert first.status == "done" and first.done == first.total == 2
    assert first.result is not None and b'"kind": "test"' in first.result
    assert second.status == "failed" and second.error is not None
    assert "no such indicator" in second.error
    # a failed job may be retried; a finished one is answered again, not rerun
    assert queue.submit("test", {"n": 2}, failing, encode).id != second.id
    assert queue.submit("test", {"n": 1}, blocked, encode) is first
    queue.wait_idle(timeout=30)
    queue.shutdown()
