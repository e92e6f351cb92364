"""A job's platform calls run at once, bounded by POSTCRAFT_LLM_CONCURRENCY, with the same
error codes as one call at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generators.jobs import run_job
from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.access import create_workspace
from storage.db import migrate, transaction
from storage.enums import JobKind, JobStatus, Queue
from storage.jobs import NewJob, create_job, find_job
from storage.settings import Settings
from tests.conftest import import_demo_brand
from tests.fakes.openai_server import FakeOpenAI, Hostile, Status

LATENCY = 0.4
PLATFORMS = ["vk", "telegram", "x", "linkedin", "facebook", "threads"]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(default=Hostile(), latency=LATENCY) as server:
        yield server


def _runtime(tmp_path: Path, fake: FakeOpenAI, embedder: E5Embedder, concurrency: int) -> Runtime:
    settings = Settings(
        data_dir=tmp_path,
        OPENAI_BASE_URL=fake.url,
        OPENAI_API_KEY="t",
        LLM_MODEL="fake-model",
        llm_concurrency=concurrency,
    )
    runtime = build_runtime(settings, embedder=embedder)
    migrate(runtime.engine)
    return runtime


def _run(runtime: Runtime) -> str:
    with transaction(runtime.sessions) as session:
        workspace = create_workspace(session, "w").id
    brand = import_demo_brand(runtime, workspace, "zerno")
    request = {"topic": "Осенний лот из Кении", "platforms": PLATFORMS}
    new = NewJob(workspace, brand, None, JobKind.DRAFT, Queue.BATCH, request, None)
    job_id = create_job(runtime.sessions(), new).job.id
    run_job(runtime, job_id)
    return job_id


def _first_calls(fake: FakeOpenAI) -> list[float]:
    chats = [r.at for r in fake.requests if r.path.endswith("/chat/completions")]
    return sorted(chats)[: len(PLATFORMS)]


def test_the_platforms_calls_run_at_once(
    tmp_path: Path, fake: FakeOpenAI, embedder: E5Embedder
) -> None:
    runtime = _runtime(tmp_path, fake, embedder, concurrency=8)
    job_id = _run(runtime)
    with runtime.sessions() as session:
        job = find_job(session, job_id)
        assert job is not None
        assert job.status is JobStatus.SUCCEEDED, job.error_detail
    arrivals = _first_calls(fake)
    assert arrivals[-1] - arrivals[0] < LATENCY, "every call was sent before the first answered"


def test_the_concurrency_setting_bounds_the_calls(
    tmp_path: Path, fake: FakeOpenAI, embedder: E5Embedder
) -> None:
    _run(_runtime(tmp_path, fake, embedder, concurrency=2))
    arrivals = _first_calls(fake)
    assert arrivals[1] - arrivals[0] < LATENCY, "two at once"
    assert arrivals[2] - arrivals[0] >= LATENCY * 0.9, "the third waits for an answer"


def test_a_failing_provider_fails_the_job_with_its_code(
    tmp_path: Path, fake: FakeOpenAI, embedder: E5Embedder
) -> None:
    fake.default = Status(401)
    runtime = _runtime(tmp_path, fake, embedder, concurrency=8)
    job_id = _run(runtime)
    with runtime.sessions() as session:
        job = find_job(session, job_id)
        assert job is not None
        assert job.status is JobStatus.FAILED
        assert job.error_code == "llm_unavailable"
