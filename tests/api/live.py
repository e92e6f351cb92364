"""The app served by a real uvicorn on a thread (real sockets, thread pool and disconnects),
and job rows made and moved without a worker."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.db import migrate, transaction
from storage.enums import JobKind, JobStatus, Queue
from storage.jobs import JobOutcome, NewJob, claim_job, create_job, find_job, finish_job
from storage.settings import Settings
from tests.e2e.services import postgres_database


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app's base URL while uvicorn serves it (lifespan included) on a free port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, access_log=False, timeout_graceful_shutdown=5)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        until(lambda: server.started, 20)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


@contextmanager
def runtime_on(database: str, data_dir: Path, embedder: E5Embedder) -> Iterator[Runtime]:
    """A migrated runtime on SQLite, or on a fresh PostgreSQL database ("postgresql")."""
    if database == "sqlite":
        rt = build_runtime(Settings(data_dir=data_dir), embedder=embedder)
        migrate(rt.engine)
        yield rt
        return
    with postgres_database() as url:
        rt = build_runtime(Settings(data_dir=data_dir, DATABASE_URL=url), embedder=embedder)
        migrate(rt.engine)
        try:
            yield rt
        finally:
            rt.engine.dispose()


BOTH_DATABASES = pytest.mark.parametrize(
    "runtime", ["sqlite", pytest.param("postgresql", marks=pytest.mark.services)], indirect=True
)
"""For a test that runs on SQLite and on PostgreSQL, in a module that imports
`runtime_either` (its `runtime` fixture)."""


@pytest.fixture(name="runtime")
def runtime_either(
    request: pytest.FixtureRequest, tmp_path: Path, embedder: E5Embedder
) -> Iterator[Runtime]:
    """SQLite, or PostgreSQL for the tests marked BOTH_DATABASES. A module imports it to use
    it as its `runtime`."""
    with runtime_on(getattr(request, "param", "sqlite"), tmp_path / "var", embedder) as rt:
        yield rt


def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for `condition` to hold (fails the test after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for a condition"
        time.sleep(0.01)


def queued_job(runtime: Runtime, workspace_id: str, brand_id: str, topic: str = "Тема") -> str:
    """A queued draft job row (nothing is sent to a queue); its id."""
    with runtime.sessions() as session:  # create_job commits
        new = NewJob(
            workspace_id=workspace_id,
            brand_id=brand_id,
            api_key_id=None,
            kind=JobKind.DRAFT,
            queue=Queue.BATCH,
            request={"topic": topic, "platforms": ["vk"]},
            idempotency_key=None,
        )
        return create_job(session, new).job.id


def start(runtime: Runtime, job_id: str) -> int:
    """Claim the job as a worker would (it is then running); the attempt."""
    with transaction(runtime.sessions) as session:
        job = claim_job(session, job_id, timedelta(minutes=5), max_attempts=5)
        assert job is not None
        return job.attempts


def finish(runtime: Runtime, job_id: str) -> None:
    """Mark the job succeeded (no drafts), claiming it first if it is queued, in one
    transaction: a reader sees it queued (or running) and then succeeded, nothing between."""
    with transaction(runtime.sessions) as session:
        job = find_job(session, job_id)
        assert job is not None
        if job.status != JobStatus.RUNNING:
            job = claim_job(session, job_id, timedelta(minutes=5), max_attempts=5)
            assert job is not None
        assert finish_job(session, job_id, job.attempts, JobOutcome(rows=[])) is not None


def later(seconds: float, action: Callable[[], object]) -> threading.Thread:
    """Run `action` on a thread after `seconds`."""

    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread
