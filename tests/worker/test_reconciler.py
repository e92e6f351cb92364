"""The reconciler re-sends a job whose message never reached a worker."""

from __future__ import annotations

from datetime import timedelta

from generators.runtime import Runtime
from storage.db import transaction
from storage.enums import JobKind, Queue
from storage.jobs import NewJob, create_job
from storage.models import Job, utcnow
from tests.conftest import World
from worker.app import make_celery
from worker.queue import JobQueue
from worker.reconciler import reconcile_once


def _queued_files(runtime: Runtime) -> list[str]:
    return sorted(p.name for p in (runtime.settings.broker_folder / "queue").glob("*.msg"))


def test_a_job_whose_message_was_lost_is_sent_again(runtime: Runtime, world: World) -> None:
    queue = JobQueue(make_celery(runtime.settings), runtime.settings)
    fresh = create_job(
        runtime.sessions(),
        NewJob(world.workspace_id, world.brand_a, None, JobKind.DRAFT, Queue.BATCH, {"a": 1}, None),
    ).job
    lost = create_job(
        runtime.sessions(),
        NewJob(world.workspace_id, world.brand_a, None, JobKind.DRAFT, Queue.BATCH, {"b": 2}, None),
    ).job
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0  # both within grace
    with transaction(runtime.sessions) as session:
        row = session.get(Job, lost.id)
        assert row is not None
        row.enqueued_at = utcnow() - timedelta(seconds=runtime.settings.job_queued_grace_s + 1)
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 1
    files = _queued_files(runtime)
    assert len(files) == 1
    assert files[0].endswith(".batch.msg")
    assert lost.id in (runtime.settings.broker_folder / "queue" / files[0]).read_text()
    assert fresh.id not in (runtime.settings.broker_folder / "queue" / files[0]).read_text()
    assert reconcile_once(runtime.settings, runtime.sessions, queue) == 0  # its timer restarted
