"""The job watcher: one query per tick for every waiter, none without waiters, wakes only the
waiters whose job changed, survives database errors, forgets cancelled waiters."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.waiting import JobWatcher, WatcherFullError
from generators.runtime import Runtime
from storage.enums import JobKind, JobStatus, Queue
from storage.jobs import job_statuses
from storage.models import Job
from tests.api.live import (
    BOTH_DATABASES,
    finish,
    runtime_either,  # noqa: F401 - the module's `runtime`
    start,
)
from tests.conftest import World


def _jobs(runtime: Runtime, world: World, n: int) -> list[str]:
    with runtime.sessions() as session:
        jobs = [
            Job(
                workspace_id=world.workspace_id,
                brand_id=world.brand_a,
                kind=JobKind.DRAFT,
                queue=Queue.BATCH,
                status=JobStatus.QUEUED,
                request={"n": i},
                request_hash=str(i),
            )
            for i in range(n)
        ]
        session.add_all(jobs)
        session.commit()
        return [j.id for j in jobs]


@contextmanager
def _statements(runtime: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)


async def _until(condition: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


@BOTH_DATABASES
def test_no_waiters_no_queries_and_one_query_per_tick_for_a_thousand(
    runtime: Runtime, world: World
) -> None:
    ids = _jobs(runtime, world, 1000)

    async def scenario() -> None:
        watcher = JobWatcher(runtime.sessions)
        watcher.start()
        try:
            with _statements(runtime) as idle:
                await asyncio.sleep(0.3)
            assert idle == [], "no waiter, no query"

            waits = [asyncio.create_task(watcher.changed(i, JobStatus.QUEUED, 30)) for i in ids]
            await _until(lambda: watcher.waiting == 1000)
            polls = watcher.polls
            with _statements(runtime) as busy:  # three ticks, however slow the machine is
                await _until(lambda: watcher.polls - polls >= 3, timeout=20)
            ticks = watcher.polls - polls
            # One statement per tick, whatever the number of waiters (not one per waiter).
            assert abs(len(busy) - ticks) <= 1, (len(busy), ticks)
            assert all("FROM jobs" in s and " IN " in s for s in busy), busy[:1]

            # Only the waiters of the jobs that changed wake, with the new status.
            await asyncio.to_thread(start, runtime, ids[0])
            await asyncio.to_thread(finish, runtime, ids[1])
            done, _ = await asyncio.wait(waits[:3], timeout=2)
            assert waits[0] in done
            assert waits[0].result() == JobStatus.RUNNING
            # `finish` claims the job and then finishes it: a tick between sees it running.
            assert waits[1] in done
            assert waits[1].result() != JobStatus.QUEUED
            assert waits[2] not in done
            assert watcher.waiting == 998
            for task in waits:
                task.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
            assert watcher.waiting == 0
            await asyncio.sleep(0.1)  # a tick in flight may finish
            with _statements(runtime) as after:
                await asyncio.sleep(0.3)
            assert after == [], "the last waiter gone, the queries stop"
        finally:
            await watcher.stop()

    asyncio.run(scenario())


def test_many_waiters_on_one_job_share_the_query(runtime: Runtime, world: World) -> None:
    (job_id,) = _jobs(runtime, world, 1)

    async def scenario() -> None:
        watcher = JobWatcher(runtime.sessions)
        watcher.start()
        try:
            waits = [
                asyncio.create_task(watcher.changed(job_id, JobStatus.QUEUED, 30))
                for _ in range(300)
            ]
            await _until(lambda: watcher.waiting == 300)
            polls = watcher.polls
            with _statements(runtime) as busy:
                await asyncio.sleep(0.4)
            assert abs(len(busy) - (watcher.polls - polls)) <= 1
            await asyncio.to_thread(finish, runtime, job_id)
            results = await asyncio.wait_for(asyncio.gather(*waits), 2)
            assert set(results) == {JobStatus.SUCCEEDED}
            assert watcher.waiting == 0
        finally:
            await watcher.stop()

    asyncio.run(scenario())


def test_a_change_before_the_wait_began_is_seen(runtime: Runtime, world: World) -> None:
    (job_id,) = _jobs(runtime, world, 1)
    finish(runtime, job_id)

    async def scenario() -> JobStatus | None:
        watcher = JobWatcher(runtime.sessions)
        watcher.start()
        try:  # the caller read `queued` a moment ago; the job finished since
            return await watcher.changed(job_id, JobStatus.QUEUED, 2)
        finally:
            await watcher.stop()

    assert asyncio.run(scenario()) == JobStatus.SUCCEEDED


@BOTH_DATABASES
def test_timeout_and_a_missing_row(runtime: Runtime, world: World) -> None:
    (job_id,) = _jobs(runtime, world, 1)

    async def scenario() -> None:
        watcher = JobWatcher(runtime.sessions)
        watcher.start()
        try:
            loop = asyncio.get_running_loop()
            began = loop.time()
            with pytest.raises(TimeoutError):
                await watcher.changed(job_id, JobStatus.QUEUED, 0.3)
            assert 0.28 <= loop.time() - began < 1.0
            assert watcher.waiting == 0
            gone = "00000000-0000-4000-8000-000000000000"
            assert await watcher.changed(gone, JobStatus.QUEUED, 2) is None
        finally:
            await watcher.stop()

    asyncio.run(scenario())


def test_the_watcher_survives_database_errors(
    runtime: Runtime, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    (job_id,) = _jobs(runtime, world, 1)
    failures = {"left": 4}

    def flaky(session: Session, ids: list[str]) -> dict[str, JobStatus]:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))
        return job_statuses(session, ids)

    async def scenario() -> JobStatus | None:
        watcher = JobWatcher(runtime.sessions, poll=flaky)
        watcher.start()
        try:
            waiting = asyncio.create_task(watcher.changed(job_id, JobStatus.QUEUED, 10))
            await _until(lambda: failures["left"] == 0)
            await asyncio.to_thread(finish, runtime, job_id)
            return await asyncio.wait_for(waiting, 5)
        finally:
            await watcher.stop()

    with caplog.at_level(logging.WARNING, logger="api.waiting"):
        assert asyncio.run(scenario()) == JobStatus.SUCCEEDED
    warnings = [r for r in caplog.records if "cannot read job statuses" in r.getMessage()]
    assert len(warnings) == 4


def test_the_cap_and_stop(runtime: Runtime, world: World) -> None:
    (job_id,) = _jobs(runtime, world, 1)

    async def scenario() -> None:
        watcher = JobWatcher(runtime.sessions, max_waiters=2)
        with pytest.raises(WatcherFullError):  # not started: nobody may wait
            await watcher.changed(job_id, JobStatus.QUEUED, 1)
        watcher.start()
        waits = [
            asyncio.create_task(watcher.changed(job_id, JobStatus.QUEUED, 30)) for _ in range(2)
        ]
        await _until(lambda: watcher.waiting == 2)
        assert not watcher.has_room
        with pytest.raises(WatcherFullError):
            await watcher.changed(job_id, JobStatus.QUEUED, 1)
        await watcher.stop()  # whoever waits times out at once
        for outcome in await asyncio.gather(*waits, return_exceptions=True):
            assert isinstance(outcome, TimeoutError)
        assert watcher.waiting == 0

    asyncio.run(scenario())
