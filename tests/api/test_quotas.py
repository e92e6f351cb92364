"""Per-brand quotas over HTTP: open jobs, jobs a minute and tokens a day answer 429 with
Retry-After, other brands go on, replays pass, and a burst cannot slip past the open-jobs limit
on SQLite or PostgreSQL. Time moves through the rows' created_at and finished_at, not sleeps."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select

from api.app import create_app
from generators.jobs import run_job
from generators.llm.offline import OfflineComposer
from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.db import migrate, transaction
from storage.enums import JobKind, JobStatus, Queue
from storage.models import Job, utcnow
from storage.quotas import (
    OFFLINE_GENERATOR,
    BrandUsage,
    Quota,
    QuotaLimits,
    refusal,
    standings,
)
from storage.settings import Settings
from tests.conftest import World, auth
from tests.e2e.services import postgres_database

REQUEST = {"topic": "Autumn blend", "platforms": ["x"]}
POSTS = {"kind": "post", "posts": [{"text": "Our autumn blend is here.", "platform": "x"}]}


class Answer(Protocol):
    """What the tests read of a response (TestClient's httpx flavour aside)."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    def json(self) -> Any: ...


NO_LIMITS = {"active_jobs": 0, "jobs_per_minute": 0, "tokens_per_day": 0}


@pytest.fixture
def runtime(
    request: pytest.FixtureRequest, tmp_path: Path, embedder: E5Embedder
) -> Iterator[Runtime]:
    """The shared runtime on SQLite, or on a fresh PostgreSQL database when parametrized so."""
    if getattr(request, "param", "sqlite") == "sqlite":
        rt = build_runtime(Settings(data_dir=tmp_path / "var"), embedder=embedder)
        migrate(rt.engine)
        yield rt
        return
    with postgres_database() as url:
        settings = Settings(data_dir=tmp_path / "var", DATABASE_URL=url)
        rt = build_runtime(settings, embedder=embedder)
        migrate(rt.engine)
        try:
            yield rt
        finally:
            rt.engine.dispose()


@contextmanager
def served(runtime: Runtime, **limits: int) -> Iterator[TestClient]:
    """The app with these brand limits (the rest unlimited)."""
    chosen = {f"brand_{'max_' if k == 'active_jobs' else ''}{k}": v for k, v in limits.items()}
    unset = {"brand_max_active_jobs": 0, "brand_jobs_per_minute": 0, "brand_tokens_per_day": 0}
    settings = runtime.settings.model_copy(update=unset | chosen)
    with TestClient(create_app(settings, replace(runtime, settings=settings))) as client:
        yield client


def add_jobs(runtime: Runtime, world: World, n: int, **values: Any) -> None:
    """Insert `n` finished jobs of brand A straight into the table, with these column values."""
    with transaction(runtime.sessions) as session:
        for _ in range(n):
            row = {"status": JobStatus.SUCCEEDED, "created_at": utcnow() - timedelta(hours=2)}
            session.add(
                Job(
                    workspace_id=world.workspace_id,
                    brand_id=world.brand_a,
                    kind=JobKind.DRAFT,
                    queue=Queue.BATCH,
                    request={},
                    request_hash="x",
                    **(row | values),
                )
            )


def draft(api: TestClient, key: str, brand: str, idempotency_key: str | None = None) -> Answer:
    headers = auth(key) | (
        {"Idempotency-Key": idempotency_key} if idempotency_key is not None else {}
    )
    return api.post(f"/v1/brands/{brand}/drafts", json=REQUEST, headers=headers)


def refused(response: Answer, setting: str) -> int:
    """Check a quota refusal naming `setting`; returns its Retry-After."""
    assert response.status_code == 429, response.text
    assert response.json()["error"] == "quota_exceeded"
    assert setting in response.json()["detail"]
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit(), retry_after
    assert int(retry_after) >= 1
    return int(retry_after)


def test_open_jobs_are_limited_per_brand(runtime: Runtime, world: World) -> None:
    with served(runtime, active_jobs=2) as api:
        first = draft(api, world.key_a, world.brand_a)
        ingest = api.post(
            f"/v1/brands/{world.brand_a}/sources/json", json=POSTS, headers=auth(world.key_a)
        )
        assert (first.status_code, ingest.status_code) == (202, 202), "an ingest job counts"
        third = draft(api, world.key_a, world.brand_a)
        assert refused(third, "POSTCRAFT_BRAND_MAX_ACTIVE_JOBS") == 5
        assert "has 2 jobs queued or running" in third.json()["detail"]
        assert "(2)" in third.json()["detail"]
        assert draft(api, world.key_b, world.brand_b).status_code == 202, "brand B goes on"
        run_job(runtime, first.json()["id"])
        assert draft(api, world.key_a, world.brand_a).status_code == 202, "a finished job frees"


def test_jobs_a_minute_slide_with_the_window(runtime: Runtime, world: World) -> None:
    now = utcnow()
    for seconds in (50, 40, 30):
        add_jobs(runtime, world, 1, created_at=now - timedelta(seconds=seconds))
    add_jobs(runtime, world, 5, created_at=now - timedelta(seconds=61))  # out of the window
    with served(runtime, jobs_per_minute=3) as api:
        wait = refused(draft(api, world.key_a, world.brand_a), "POSTCRAFT_BRAND_JOBS_PER_MINUTE")
        assert 9 <= wait <= 10, "the oldest, 50 s old, leaves the window in 10 s"
        with transaction(runtime.sessions) as session:  # 10 s later: it has left
            recent = select(Job).where(Job.created_at > now - timedelta(seconds=60))
            for job in session.scalars(recent):
                job.created_at -= timedelta(seconds=10)
        assert draft(api, world.key_a, world.brand_a).status_code == 202
        again = refused(draft(api, world.key_a, world.brand_a), "JOBS_PER_MINUTE")
        assert 9 <= again <= 10, "now the one that was 40 s old (50 s now) leaves next"
        assert draft(api, world.key_b, world.brand_b).status_code == 202


def test_tokens_a_day_count_finished_model_jobs(runtime: Runtime, world: World) -> None:
    now = utcnow()

    def finished(hours: float, tokens: int, generator: str = "openai-compatible") -> None:
        at = now - timedelta(hours=hours)
        add_jobs(
            runtime, world, 1, created_at=at, finished_at=at, generator=generator,
            prompt_tokens=tokens - tokens // 4, completion_tokens=tokens // 4,
        )  # fmt: skip

    finished(23, 200)
    finished(12, 300)
    finished(1, 600)
    finished(25, 10_000)  # older than a day
    finished(2, 10_000, OFFLINE_GENERATOR)  # costs nothing
    add_jobs(runtime, world, 1, status=JobStatus.FAILED, finished_at=now, prompt_tokens=50)
    with served(runtime, tokens_per_day=700) as api:
        answer = draft(api, world.key_a, world.brand_a)
        wait = refused(answer, "POSTCRAFT_BRAND_TOKENS_PER_DAY")
        assert "used 1,150 model tokens" in answer.json()["detail"]
        assert "(700)" in answer.json()["detail"]
        # Below 700 once 451 have left: the 200 (in 1 h) and the 300 (in 12 h).
        assert 12 * 3600 - 10 <= wait <= 12 * 3600
        assert draft(api, world.key_b, world.brand_b).status_code == 202
    with served(runtime, tokens_per_day=1150) as api:
        assert 3590 <= refused(draft(api, world.key_a, world.brand_a), "TOKENS") <= 3600
    with served(runtime, tokens_per_day=1151) as api:
        assert draft(api, world.key_a, world.brand_a).status_code == 202


def test_zero_means_unlimited(runtime: Runtime, world: World) -> None:
    add_jobs(runtime, world, 20, status=JobStatus.QUEUED, created_at=utcnow())
    add_jobs(runtime, world, 1, finished_at=utcnow(), prompt_tokens=10**9, generator="x")
    with served(runtime, **NO_LIMITS) as api:
        assert draft(api, world.key_a, world.brand_a).status_code == 202
        usage = api.get(f"/v1/brands/{world.brand_a}/usage", headers=auth(world.key_a)).json()
    assert usage["active_jobs"] == {
        "setting": "POSTCRAFT_BRAND_MAX_ACTIVE_JOBS",
        "limit": 0,
        "used": 21,
        "exceeded": False,
        "retry_after_s": None,
    }
    assert usage["jobs_per_minute"]["used"] == 21
    assert usage["tokens_per_day"]["used"] == 10**9


def test_a_replay_over_quota_returns_its_job(runtime: Runtime, world: World) -> None:
    with served(runtime, active_jobs=1, jobs_per_minute=1) as api:
        first = draft(api, world.key_a, world.brand_a, "replay-1")
        assert first.status_code == 202
        refused(draft(api, world.key_a, world.brand_a, "replay-2"), "POSTCRAFT_BRAND_")
        refused(draft(api, world.key_a, world.brand_a, ""), "POSTCRAFT_BRAND_")  # empty: no key
        replay = draft(api, world.key_a, world.brand_a, "replay-1")
        assert replay.status_code == 200, replay.text
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json()["id"] == first.json()["id"]
        other = api.post(
            f"/v1/brands/{world.brand_a}/drafts",
            json={**REQUEST, "topic": "Another topic"},
            headers={**auth(world.key_a), "Idempotency-Key": "replay-1"},
        )
        assert other.status_code == 409, "the key's conflict, not the quota, is the answer"
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 1


@pytest.mark.parametrize(
    "runtime", ["sqlite", pytest.param("postgresql", marks=pytest.mark.services)], indirect=True
)
def test_a_burst_cannot_pass_the_open_jobs_limit(runtime: Runtime, world: World) -> None:
    clients = 30
    barrier = threading.Barrier(clients)

    def submit(i: int) -> Answer:
        barrier.wait()
        return draft(api, world.key_a, world.brand_a, f"burst-{i}")

    with served(runtime, active_jobs=6) as api, ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(submit, range(clients)))
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {202: 6, 429: 24}, [(a.status_code, a.text) for a in answers]
    for answer in answers:
        if answer.status_code == 429:
            refused(answer, "POSTCRAFT_BRAND_MAX_ACTIVE_JOBS")
    with runtime.sessions() as session:
        jobs = set(session.scalars(select(Job.id).where(Job.brand_id == world.brand_a)))
    assert jobs == {a.json()["id"] for a in answers if a.status_code == 202}


def test_the_usage_route_shows_the_figures_in_scope(runtime: Runtime, world: World) -> None:
    add_jobs(runtime, world, 2, status=JobStatus.QUEUED, created_at=utcnow())
    with served(runtime, active_jobs=2, jobs_per_minute=60, tokens_per_day=1000) as api:
        url = f"/v1/brands/{world.brand_a}/usage"
        usage = api.get(url, headers=auth(world.key_a))
        assert usage.status_code == 200, usage.text
        figures = usage.json()
        assert figures["brand_id"] == world.brand_a
        assert figures["active_jobs"] | {"setting": "-"} == {
            "setting": "-", "limit": 2, "used": 2, "exceeded": True, "retry_after_s": 5,
        }  # fmt: skip
        assert figures["jobs_per_minute"]["used"] == 2
        assert not figures["jobs_per_minute"]["exceeded"]
        assert figures["tokens_per_day"] == {
            "setting": "POSTCRAFT_BRAND_TOKENS_PER_DAY", "limit": 1000, "used": 0,
            "exceeded": False, "retry_after_s": None,
        }  # fmt: skip
        assert api.get(url, headers=auth(world.admin_key)).status_code == 200
        other = api.get(url, headers=auth(world.key_b))
        assert other.status_code == 404
        assert other.json()["error"] == "brand_not_found"
        assert api.get(url).status_code == 401
        for bad in ("not-a-uuid", "%00", "a" * 5000, world.brand_a.upper()):
            assert api.get(f"/v1/brands/{bad}/usage", headers=auth(world.key_a)).status_code == 422
        missing = "00000000-0000-4000-8000-000000000000"
        assert (
            api.get(f"/v1/brands/{missing}/usage", headers=auth(world.admin_key)).status_code == 404
        )


def test_the_contract_documents_429_with_retry_after(runtime: Runtime) -> None:
    with served(runtime) as api:
        spec = api.get("/openapi.json").json()
    for path in ("/v1/brands/{brand_id}/drafts", "/v1/brands/{brand_id}/sources/json"):
        answer = spec["paths"][path]["post"]["responses"]["429"]
        assert answer["headers"]["Retry-After"]["required"] is True
        assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert "429" not in spec["paths"]["/v1/brands/{brand_id}/usage"]["get"]["responses"]


def test_the_decision_takes_the_longest_wait() -> None:
    at = utcnow()
    limits = QuotaLimits(active_jobs=6, jobs_per_minute=60, tokens_per_day=1000)
    usage = BrandUsage(at, 6, 60, 999, minute_frees_at=at + timedelta(seconds=7.2))
    assert [s.retry_after_s for s in standings(usage, limits)] == [5, 8, None]
    decided = refusal(usage, limits)
    assert decided is not None
    assert decided.quota is Quota.JOBS_PER_MINUTE
    assert refusal(BrandUsage(at, 5, 59, 999), limits) is None, "one below each limit passes"
    stale = BrandUsage(at, 0, 60, 0, minute_frees_at=at - timedelta(seconds=3))
    assert standings(stale, limits)[1].retry_after_s == 1, "never less than a second"
    assert refusal(BrandUsage(at, 10**6, 10**6, 10**12), QuotaLimits(0, 0, 0)) is None


def test_settings_name_the_quotas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTCRAFT_BRAND_MAX_ACTIVE_JOBS", "3")
    monkeypatch.setenv("POSTCRAFT_BRAND_JOBS_PER_MINUTE", "0")
    monkeypatch.setenv("POSTCRAFT_BRAND_TOKENS_PER_DAY", "5000")
    assert QuotaLimits.of(Settings()) == QuotaLimits(3, 0, 5000)
    assert [q.setting for q in Quota] == [
        "POSTCRAFT_BRAND_MAX_ACTIVE_JOBS",
        "POSTCRAFT_BRAND_JOBS_PER_MINUTE",
        "POSTCRAFT_BRAND_TOKENS_PER_DAY",
    ]
    monkeypatch.setenv("POSTCRAFT_BRAND_MAX_ACTIVE_JOBS", "-1")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.delenv("POSTCRAFT_BRAND_MAX_ACTIVE_JOBS")
    monkeypatch.delenv("POSTCRAFT_BRAND_JOBS_PER_MINUTE")
    monkeypatch.delenv("POSTCRAFT_BRAND_TOKENS_PER_DAY")
    assert QuotaLimits.of(Settings()) == QuotaLimits(6, 60, 2_000_000), "the documented defaults"
    assert OfflineComposer.generator == OFFLINE_GENERATOR


def test_a_burst_of_usage_reads_answers_every_one(runtime: Runtime, world: World) -> None:
    add_jobs(runtime, world, 3, status=JobStatus.QUEUED, created_at=utcnow())
    url = f"/v1/brands/{world.brand_a}/usage"
    with served(runtime, active_jobs=6) as api:
        headers = [auth(world.key_a), auth(world.key_b), {"Authorization": ""}]
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda n: api.get(url, headers=headers[n % 3]), range(60)))
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {200: 20, 404: 20, 401: 20}, statuses
    assert {a.json()["active_jobs"]["used"] for a in answers if a.status_code == 200} == {3}
