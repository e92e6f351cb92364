"""R8: a quiet brand's job wall times with and without a noisy brand beside it.

The quiet brand submits a one-platform job every `interval_s` (on a fixed schedule, so a slow
answer does not thin its load) while the model takes its fixed latency. In the noisy phase a
second brand's submitters post one-platform jobs back to back from a few threads, as fast as its
quota allows: a 429 is honoured by sleeping its Retry-After, a 503 by half a second. A cap on
the noisy brand's accepted jobs bounds the backlog where no quota does. A job's wall time is its
row's created_at to finished_at, so the client's own timing on a busy machine does not count.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.suite.client import Api, server_seconds
from bench.suite.jobs import draft_request

NOISY_THREADS = 4
RETRY_AFTER_CAP_S = 5.0


@dataclass
class QuietPhase:
    """The quiet brand's jobs in one phase."""

    walls_s: list[float] = field(default_factory=list)
    submitted: int = 0
    refused: Counter[int] = field(default_factory=Counter)  # status -> count (429, 503, ...)
    unfinished: int = 0
    failed: int = 0


@dataclass
class Noisy:
    """What the noisy brand's submitters got."""

    accepted: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    retry_after: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        """The submitters' lock (not a field: the figures are copied without it)."""
        self.lock = threading.Lock()


def quiet_phase(
    api: Api, slug: str, brand_id: str, jobs: int, interval_s: float, deadline_s: float, first: int
) -> QuietPhase:
    """Submit `jobs` quiet jobs on schedule, then wait for them (each at most `deadline_s` after
    the last submission)."""
    out = QuietPhase()
    ids: list[str] = []
    start = time.monotonic()
    for n in range(jobs):
        delay = start + n * interval_s - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        for _attempt in range(20):
            submitted = api.submit(brand_id, draft_request(slug, first + n))
            if submitted.job_id is not None:
                ids.append(submitted.job_id)
                break
            out.refused[submitted.status] += 1
            time.sleep(min(submitted.retry_after or 0.5, RETRY_AFTER_CAP_S))
    out.submitted = len(ids)
    until = time.monotonic() + deadline_s
    for job_id in ids:
        try:
            job = api.wait_job(job_id, timeout=max(0.1, until - time.monotonic()))
        except TimeoutError:
            out.unfinished += 1
            continue
        if job["status"] != "succeeded":
            out.failed += 1
        wall = server_seconds(job)
        if wall is not None:
            out.walls_s.append(wall)
    return out


def noisy_submitter(
    api: Api, slug: str, brand_id: str, stop: threading.Event, cap: int, noisy: Noisy, base: int
) -> None:
    """Post jobs back to back until `stop` or the cap, honouring 429's Retry-After."""
    n = base
    while not stop.is_set():
        with noisy.lock:
            if noisy.accepted >= cap:
                return
        n += 1
        try:
            submitted = api.submit(brand_id, draft_request(slug, n))
        except Exception as exc:  # a refused connection is an answer here, not a crash
            with noisy.lock:
                noisy.statuses[type(exc).__name__] += 1
            stop.wait(0.5)
            continue
        with noisy.lock:
            noisy.statuses[str(submitted.status)] += 1
            if submitted.job_id is not None:
                noisy.accepted += 1
            if submitted.status == 429 and submitted.retry_after is not None:
                noisy.retry_after.append(submitted.retry_after)
        if submitted.status == 429:
            stop.wait(min(submitted.retry_after or 1.0, RETRY_AFTER_CAP_S))
        elif submitted.job_id is None:
            stop.wait(0.5)


@dataclass(frozen=True)
class Fairness:
    """Both phases."""

    alone: QuietPhase
    beside_noisy: QuietPhase
    noisy: Noisy


def fairness(
    quiet: Api,
    noisy_api: list[Api],
    quiet_brand: tuple[str, str],
    noisy_brand: tuple[str, str],
    jobs: int,
    interval_s: float,
    noisy_cap: int,
    deadline_s: float,
) -> Fairness:
    """The quiet brand alone, then beside the noisy one (which starts two seconds earlier and
    stops once the quiet brand's jobs have ended or their deadline has passed)."""
    alone = quiet_phase(quiet, *quiet_brand, jobs, interval_s, deadline_s, first=40_000)
    noisy = Noisy()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=noisy_submitter,
            args=(api, *noisy_brand, stop, noisy_cap, noisy, 50_000 + 10_000 * i),
            daemon=True,
        )
        for i, api in enumerate(noisy_api)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2.0)
        beside = quiet_phase(quiet, *quiet_brand, jobs, interval_s, deadline_s, first=45_000)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    return Fairness(alone, beside, noisy)
