"""`GET /v1/jobs/{id}?wait=N`: answers as soon as the job is finished or after N seconds, with
the job as stored; bad values are 422, someone else's job is 404 before any wait, the cap of
waiters answers at once, and a database that fails meanwhile costs a 503 at worst."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.client import ApiClient
from api.waiting import JobWatcher
from generators.runtime import Runtime
from tests.api.live import finish, later, queued_job, start, until
from tests.conftest import World, auth

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _watcher(api: TestClient) -> JobWatcher:
    watcher: JobWatcher = api.app.state.watcher  # type: ignore[attr-defined]
    return watcher


def _timed(api: TestClient, url: str, **kwargs: Any) -> tuple[Any, float]:
    """The answer and its seconds. Bounds below are loose (a loaded CI machine adds latency):
    each only tells a wait that ended early from one that ran its full length."""
    began = time.monotonic()
    answer = api.get(url, **kwargs)
    return answer, time.monotonic() - began


def test_wait_answers_as_soon_as_the_job_finishes(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    job_id = queued_job(runtime, world.workspace_id, world.brand_a)
    later(0.3, lambda: finish(runtime, job_id))
    answer, took = _timed(api, f"/v1/jobs/{job_id}", params={"wait": 10}, headers=auth(world.key_a))
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "succeeded"
    assert answer.json()["finished_at"] is not None
    # Far below the 10 s asked for: the finish ended the wait (a loaded CI machine adds latency).
    assert 0.3 <= took < 5, took
    assert _watcher(api).waiting == 0


def test_wait_times_out_with_the_job_as_it_is_then(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    job_id = queued_job(runtime, world.workspace_id, world.brand_a)
    answer, took = _timed(api, f"/v1/jobs/{job_id}", params={"wait": 1}, headers=auth(world.key_a))
    assert answer.status_code == 200
    assert answer.json()["status"] == "queued"
    assert 1.0 <= took < 5, took
    # A change that does not finish the job does not end the wait; the answer shows it.
    later(0.2, lambda: start(runtime, job_id))
    answer, took = _timed(api, f"/v1/jobs/{job_id}", params={"wait": 1}, headers=auth(world.key_a))
    assert answer.json()["status"] == "running"
    assert answer.json()["attempts"] == 1
    assert 1.0 <= took < 5, took


def test_a_finished_job_and_wait_0_answer_at_once(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    job_id = queued_job(runtime, world.workspace_id, world.brand_a)
    answer, took = _timed(api, f"/v1/jobs/{job_id}", params={"wait": 0}, headers=auth(world.key_a))
    assert answer.json()["status"] == "queued"
    assert took < 5
    finish(runtime, job_id)
    answer, took = _timed(api, f"/v1/jobs/{job_id}", params={"wait": 60}, headers=auth(world.key_a))
    assert answer.json()["status"] == "succeeded"
    assert took < 5


@pytest.mark.parametrize(
    "value", ["-1", "61", "abc", "1.5", "", "1e3", "9" * 30, "\x00", "5\x00", " "]
)
def test_bad_wait_values_are_422(
    api: TestClient,
    runtime: Runtime,
    world: World,
    value: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job_id = queued_job(runtime, world.workspace_id, world.brand_a)
    waits: list[float] = []
    watcher = _watcher(api)
    real_changed = watcher.changed

    async def counted(job: str, seen: Any, timeout: float) -> Any:
        waits.append(timeout)
        return await real_changed(job, seen, timeout)

    monkeypatch.setattr(watcher, "changed", counted)
    answer = api.get(f"/v1/jobs/{job_id}", params={"wait": value}, headers=auth(world.key_a))
    assert answer.status_code == 422, (value, answer.text)
    assert answer.json()["error"] == "invalid_request"
    assert "wait" in answer.json()["detail"]
    assert waits == [], "a refused value never starts a wait"


def test_unknown_and_other_brands_jobs_are_404_before_any_wait(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    job_id = queued_job(runtime, world.workspace_id, world.brand_a)
    for url, headers in [
        (f"/v1/jobs/{UNKNOWN}", auth(world.key_a)),
        (f"/v1/jobs/{job_id}", auth(world.key_b)),
    ]:
        answer, took = _timed(api, url, params={"wait": 30}, headers=headers)
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"] == "job_not_found"
        assert took < 5, "far below the 30 s asked for"
    for headers in [{}, auth("pc_wrong"), {"Authorization": "Bearer "}, {"X-API-Key": ""}]:
        answer, took = _timed(api, f"/v1/jobs/{job_id}", params={"wait": 30}, headers=headers)
        assert answer.status_code == 401, headers
        assert took < 5
    answer = api.get(f"/v1/jobs/{job_id}", params={"wait": 1}, headers={"X-API-Key": world.key_a})
    assert answer.status_code == 200


def test_past_the_cap_a_request_answers_at_once(
    runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.waiting.MAX_WAITERS", 2)
    job_id = queued_job(runtime, world.workspace_id, world.brand_a)
    url, headers = f"/v1/jobs/{job_id}", auth(world.key_a)
    with TestClient(create_app(runtime.settings, runtime)) as api:
        answers: list[Any] = []
        waiters = [
            threading.Thread(
                target=lambda: answers.append(api.get(url, params={"wait": 5}, headers=headers))
            )
            for _ in range(2)
        ]
        for waiter in waiters:
            waiter.start()
        until(lambda: _watcher(api).waiting == 2)
        answer, took = _timed(api, url, params={"wait": 5}, headers=headers)
        assert answer.status_code == 200
        assert answer.json()["status"] == "queued"
        assert took < 3, "no room: answered at once, as without wait (5 s)"
        finish(runtime, job_id)
        for waiter in waiters:
            waiter.join(5)
        assert [a.json()["status"] for a in answers] == ["succeeded", "succeeded"]


class _Switch:
    """Sessions that fail, as a database that went away, while `down` is set."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.down = False

    def __call__(self) -> Session:
        if self.down:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        return self.sessions()


@pytest.fixture
def switch(runtime: Runtime) -> Iterator[_Switch]:
    # The waiting route and the watcher read through the runtime's read sessions.
    original = runtime.reads
    runtime.reads = switch = _Switch(original)  # type: ignore[assignment]
    yield switch
    runtime.reads = original


def test_a_database_outage_during_the_wait(runtime: Runtime, world: World, switch: _Switch) -> None:
    job_id = queued_job(runtime, world.workspace_id, world.brand_a)
    url, headers = f"/v1/jobs/{job_id}", auth(world.key_a)
    with TestClient(create_app(runtime.settings, runtime)) as api:
        # Down for a while, back before the wait ends: the answer is the job, as it is then.
        def outage() -> None:
            until(lambda: _watcher(api).waiting == 1)
            switch.down = True
            time.sleep(0.5)
            switch.down = False

        later(0, outage)
        answer, took = _timed(api, url, params={"wait": 2}, headers=headers)
        assert answer.status_code == 200
        assert answer.json()["status"] == "queued"
        assert 2.0 <= took < 4.0

        # The watcher kept going: the next wait still ends when the job finishes.
        next_job = queued_job(runtime, world.workspace_id, world.brand_a)
        later(0.3, lambda: finish(runtime, next_job))
        answer, took = _timed(api, f"/v1/jobs/{next_job}", params={"wait": 5}, headers=headers)
        assert answer.json()["status"] == "succeeded"
        assert took < 4, "the finish ended the 5 s wait"

        # Still down when the wait ends: 503 with Retry-After, never a 500.
        def lasting_outage() -> None:
            until(lambda: _watcher(api).waiting == 1)
            switch.down = True

        later(0, lasting_outage)
        answer = api.get(url, params={"wait": 1}, headers=headers)
        switch.down = False
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"] == "database_unavailable"
        assert answer.headers["Retry-After"].isdigit()


def test_the_client_copes_with_early_answers() -> None:
    """A server that answers at once (at its cap, or without `?wait=`): the client pauses
    between its requests instead of spinning."""
    calls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(time.monotonic())
        done = len(calls) >= 4
        return httpx.Response(200, json={"id": "j", "status": "succeeded" if done else "queued"})

    client = ApiClient("http://server", "pc_x")
    client._http = httpx.Client(base_url="http://server", transport=httpx.MockTransport(handler))
    assert client.wait("j", timeout=10)["status"] == "succeeded"
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert len(calls) == 4
    assert all(gap >= 0.09 for gap in gaps), gaps
