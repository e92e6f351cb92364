"""Draft jobs through the real API and workers: one at a time (P1, P2 and P6's prompts), as
fast as an open-loop client can submit them (P3), and a warm-up for fresh workers."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bench.suite.client import Api, JobRun
from bench.suite.tokens import JobTokens, job_tokens
from storage.db import make_engine
from storage.enums import JobStatus
from storage.models import Job
from storage.settings import Settings
from tests.fakes.openai_server import FakeOpenAI

# In this order: one platform is the first, four the first four, eleven all of them.
PLATFORMS = [
    "telegram", "vk", "instagram", "linkedin", "facebook", "x",
    "ok", "tiktok", "threads", "youtube", "pinterest",
]  # fmt: skip
TOPICS = {
    "zerno": [
        "Новый лот из Кении",
        "Как заварить кофе в воронке",
        "Зимний бленд для эспрессо",
        "Каппинг в субботу",
        "Свежая обжарка к выходным",
    ],
    "northwind": [
        "Month-end close in three days",
        "Why reconciliations break at month end",
        "Audit season without late nights",
        "Catching duplicate invoices before they are paid",
        "Close checklists your CFO can read",
    ],
}
SUBMIT_IN_FLIGHT = 16  # P3: the open-loop client's connections


def topic(slug: str, n: int) -> str:
    """A topic of the brand's world, different for every job."""
    topics = TOPICS.get(slug, TOPICS["northwind"])
    return f"{topics[n % len(topics)]} ({n})"


def draft_request(slug: str, n: int, platforms: int = 1) -> dict[str, Any]:
    """The body of the n-th draft job for `platforms` platforms."""
    return {"topic": topic(slug, n), "platforms": PLATFORMS[:platforms]}


Tick = Callable[[], None]


def _nothing() -> None:
    return None


@dataclass
class Sequential:
    """Jobs run one after another, and the prompts each sent (when a fake was given)."""

    runs: list[JobRun] = field(default_factory=list)
    tokens: list[JobTokens] = field(default_factory=list)


def one_at_a_time(
    api: Api,
    slug: str,
    brand_id: str,
    count: int,
    platforms: int = 1,
    fake: FakeOpenAI | None = None,
    first: int = 0,
    tick: Tick = _nothing,
) -> Sequential:
    """`count` jobs, each submitted once the previous one ended; a failed job raises."""
    out = Sequential()
    for n in range(first, first + count):
        if fake is not None:
            fake.reset()
        run = api.run(brand_id, draft_request(slug, n, platforms))
        if run.status != "succeeded":
            raise RuntimeError(f"job {run.job_id} {run.status}: {run.usage}")
        out.runs.append(run)
        if fake is not None:
            out.tokens.append(job_tokens(list(fake.requests)))
        tick()
    return out


def warm_up(api: Api, slug: str, brand_id: str, at_once: int) -> None:
    """Three jobs in a row (a worker process loads its model on its first job), then `at_once`
    together (so that every pool slot has run one)."""
    one_at_a_time(api, slug, brand_id, 3, first=10_000)
    with ThreadPoolExecutor(max(1, at_once)) as pool:
        runs = list(
            pool.map(
                lambda n: api.run(brand_id, draft_request(slug, n), timeout=300),
                range(20_000, 20_000 + at_once),
            )
        )
    failed = [r for r in runs if r.status != "succeeded"]
    if failed:
        raise RuntimeError(f"{len(failed)} warm-up jobs failed: {failed[0]}")


# ---------------------------------------------------------------------------------------------
# P3: throughput.


@dataclass
class Throughput:
    """P3 for one topology: submissions and how fast the jobs ended."""

    workers: int
    concurrency: int
    jobs: int
    statuses: dict[str, int]
    submit_s: list[float]  # each submission's HTTP latency
    submit_window_s: float  # first POST sent to last answered
    succeeded: int = 0
    failed: int = 0
    unfinished: int = 0
    span_s: float = 0.0  # first job created to last finished
    jobs_per_s: float = 0.0
    steady_per_s: float | None = None  # from the 10th to the 90th percentile of finish times


async def _submit_all(
    url: str, headers: dict[str, str], brand_id: str, bodies: Sequence[dict[str, Any]]
) -> tuple[list[tuple[int, float, str | None]], float]:
    """POST every body with SUBMIT_IN_FLIGHT requests in flight; answers in order."""
    gate = asyncio.Semaphore(SUBMIT_IN_FLIGHT)
    limits = httpx.Limits(max_connections=SUBMIT_IN_FLIGHT)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as client:

        async def one(body: dict[str, Any]) -> tuple[int, float, str | None]:
            async with gate:
                started = time.perf_counter()
                try:
                    answer = await client.post(f"{url}/v1/brands/{brand_id}/drafts", json=body)
                except httpx.HTTPError as exc:
                    return -1, time.perf_counter() - started, type(exc).__name__
                seconds = time.perf_counter() - started
                job_id = answer.json().get("id") if answer.status_code == 202 else None
                return answer.status_code, seconds, job_id

        started = time.perf_counter()
        answers = await asyncio.gather(*(one(b) for b in bodies))
        return list(answers), time.perf_counter() - started


def throughput(
    api: Api,
    database_url: str,
    folder: Path,
    slug: str,
    brand_id: str,
    jobs: int,
    workers: int,
    concurrency: int,
    tick: Callable[[int], None] = lambda done: None,
    timeout_s: float = 300.0,
) -> Throughput:
    """Submit `jobs` one-platform jobs as fast as the client can, then read from the database
    when each was created and finished."""
    bodies = [draft_request(slug, 30_000 + n) for n in range(jobs)]
    answers, window = asyncio.run(_submit_all(api.url, api.headers, brand_id, bodies))
    ids = [job_id for status, _, job_id in answers if status == 202 and job_id]
    out = Throughput(
        workers=workers,
        concurrency=concurrency,
        jobs=jobs,
        statuses=dict(Counter(str(status) for status, _, _ in answers)),
        submit_s=[seconds for _, seconds, _ in answers],
        submit_window_s=window,
    )
    engine = make_engine(Settings(data_dir=folder, DATABASE_URL=database_url))
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            with engine.connect() as db:
                rows = db.execute(
                    select(Job.status, Job.created_at, Job.finished_at).where(Job.id.in_(ids))
                ).all()
            ended = [r for r in rows if r.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)]
            tick(len(ended))
            if len(ended) == len(ids) or time.monotonic() > deadline:
                break
            time.sleep(0.25)
    finally:
        engine.dispose()
    out.succeeded = sum(1 for r in ended if r.status == JobStatus.SUCCEEDED)
    out.failed = len(ended) - out.succeeded
    out.unfinished = len(ids) - len(ended)
    finished = sorted(r.finished_at for r in ended if r.finished_at is not None)
    if finished:
        first = min(r.created_at for r in rows)
        out.span_s = (finished[-1] - first).total_seconds()
        out.jobs_per_s = len(finished) / out.span_s if out.span_s > 0 else 0.0
        low, high = finished[len(finished) // 10], finished[(len(finished) * 9) // 10 - 1]
        steady = (high - low).total_seconds()
        count = (len(finished) * 9) // 10 - 1 - len(finished) // 10
        out.steady_per_s = count / steady if steady > 0 and count > 0 else None
    return out
