"""The re-send rule's queries on PostgreSQL (the other tests run them on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.db import migrate
from storage.enums import JobStatus, Queue
from storage.jobs import ResendReason, stuck_jobs
from storage.settings import Settings
from tests.conftest import World
from tests.e2e.services import postgres_database
from tests.worker.test_reconciler import GRACE, RecordingQueue, _ago, _job, _set
from worker.reconciler import reconcile_once, resend_rule

pytestmark = pytest.mark.services


@pytest.fixture
def runtime(tmp_path: Path, embedder: E5Embedder) -> Iterator[Runtime]:
    """The shared fixtures' runtime, on a fresh PostgreSQL database."""
    with postgres_database() as url:
        settings = Settings(data_dir=tmp_path / "var", DATABASE_URL=url)
        rt = build_runtime(settings, embedder=embedder)
        migrate(rt.engine)
        try:
            yield rt
        finally:
            rt.engine.dispose()


def test_the_rule_runs_on_postgresql(runtime: Runtime, world: World) -> None:
    queue = RecordingQueue(runtime.settings)
    idle = _job(runtime, world, sent_ago=GRACE + 1)
    overtaken = _job(runtime, world, Queue.INTERACTIVE, sent_ago=30)
    later = _job(runtime, world, Queue.INTERACTIVE, sent_ago=20)
    _set(runtime, later, status=JobStatus.RUNNING, started_at=_ago(10))
    with runtime.sessions() as session:
        stuck = {s.job.id: s.reason for s in stuck_jobs(session, resend_rule(runtime.settings))}
    assert stuck == {idle: ResendReason.IDLE, overtaken: ResendReason.OVERTAKEN}
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 2
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0
