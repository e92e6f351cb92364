"""R8's clients: the quiet brand keeps its schedule and retries refusals; the noisy brand
honours Retry-After and stops at its cap."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from bench.suite.client import Api
from bench.suite.fairness import Noisy, noisy_submitter, quiet_phase


class _Brand:
    """An API that refuses the first `refusals` submissions with 429 and ends every job
    `wall_s` after it was created."""

    def __init__(self, refusals: int, retry_after: str = "0.05", wall_s: float = 0.4) -> None:
        self.refusals, self.retry_after, self.wall_s = refusals, retry_after, wall_s
        self.posts: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/openapi.json":
            return httpx.Response(404)
        if request.method == "POST":
            with self.lock:
                self.posts.append(time.monotonic())
                n = len(self.posts)
            if n <= self.refusals:
                return httpx.Response(429, headers={"Retry-After": self.retry_after}, json={})
            return httpx.Response(202, json={"id": f"job-{n}"})
        return httpx.Response(200, json=self._job(request.url.path.rsplit("/", 1)[-1]))

    def _job(self, job_id: str) -> dict[str, Any]:
        wall = self.wall_s if job_id != "job-3" else None  # job-3 never ends
        return {
            "id": job_id,
            "status": "succeeded" if wall else "running",
            "created_at": "2026-01-01T10:00:00Z",
            "finished_at": f"2026-01-01T10:00:00.{int(self.wall_s * 10)}Z" if wall else None,
        }


def test_the_quiet_brand_keeps_its_schedule_and_retries_refusals() -> None:
    brand = _Brand(refusals=1)
    api = Api("http://api.test", "k", transport=httpx.MockTransport(brand))
    started = time.monotonic()
    phase = quiet_phase(api, "northwind", "b", jobs=4, interval_s=0.2, deadline_s=0.3, first=0)
    assert phase.refused == {429: 1}
    assert phase.submitted == 4
    assert phase.unfinished == 1  # job-3 never ended within the deadline
    assert phase.walls_s == [0.4, 0.4, 0.4]
    first = brand.posts[0]  # job 0, refused, then retried after its Retry-After
    assert brand.posts[1] - first >= 0.05
    offsets = [t - first for t in brand.posts[2:]]  # jobs 1..3 keep their schedule
    assert all(abs(o - 0.2 * n) < 0.08 for n, o in enumerate(offsets, 1)), offsets
    assert time.monotonic() - started < 5


def test_the_noisy_brand_honours_retry_after_and_stops_at_its_cap() -> None:
    brand = _Brand(refusals=3, retry_after="0.3")
    api = Api("http://api.test", "k", transport=httpx.MockTransport(brand))
    noisy, stop = Noisy(), threading.Event()
    started = time.monotonic()
    noisy_submitter(api, "zerno", "b", stop, cap=5, noisy=noisy, base=0)
    assert noisy.accepted == 5
    assert noisy.statuses == {"429": 3, "202": 5}
    assert noisy.retry_after == [0.3, 0.3, 0.3]
    assert time.monotonic() - started >= 0.9  # slept each Retry-After


def test_the_noisy_brand_stops_when_told() -> None:
    brand = _Brand(refusals=10**6, retry_after="60")
    api = Api("http://api.test", "k", transport=httpx.MockTransport(brand))
    noisy, stop = Noisy(), threading.Event()
    thread = threading.Thread(target=noisy_submitter, args=(api, "zerno", "b", stop, 5, noisy, 0))
    thread.start()
    time.sleep(0.2)
    stop.set()
    thread.join(timeout=2)
    assert not thread.is_alive(), "a long Retry-After does not outlive the stop"
    assert noisy.accepted == 0
    assert noisy.statuses["429"] >= 1
