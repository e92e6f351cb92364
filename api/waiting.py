"""Waiting for jobs without a thread or a connection per request.

One `JobWatcher` per API process. A request that waits on a job registers an asyncio future
with it and awaits that. While anyone waits, the watcher reads the status of every awaited job
in one query per tick (on its own thread, in a short session) and resolves the futures of the
jobs whose status changed. With nobody waiting it does nothing at all. It reads the database,
not the broker or this process's memory, because the job may run in another process or
machine: the database row is the truth.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from starlette.types import Receive

from storage.enums import JobStatus
from storage.jobs import job_statuses

log = logging.getLogger(__name__)

TICK_S = 0.02
"""How often the awaited jobs' statuses are read while anyone waits: a finished job is seen
within this (plus one small query; 50 ms added ~40 ms to a fast job's round trip, see
docs/benchmarks.md), and the database sees 50 indexed queries a second at most."""

MAX_WAITERS = 2000
"""Requests one process lets wait at once; past it a request answers at once, as without
`?wait=`. Each waiter is an open connection and a future; the cap keeps every tick's query to
one statement (2,000 ids stay far below SQLite's 32,766 and PostgreSQL's 65,535 bound
parameters) and bounds what a burst of waiting clients can hold. More waiting clients than
this means more API processes."""

MAX_BACKOFF_S = 2.0
"""The longest pause between two tries while the database fails."""

Poll = Callable[[Session, list[str]], dict[str, JobStatus]]
T = TypeVar("T")


class WatcherFullError(Exception):
    """The process already has MAX_WAITERS waiting (or the watcher is not running)."""


@dataclass(eq=False)
class _Waiter:
    seen: JobStatus
    future: asyncio.Future[JobStatus | None]


class JobWatcher:
    """Wakes waiting requests when their job's status changes; start it in the app's lifespan."""

    def __init__(
        self,
        sessions: Callable[[], Session],
        tick_s: float = TICK_S,
        max_waiters: int | None = None,
        poll: Poll = job_statuses,
    ) -> None:
        self._sessions = sessions
        self._tick_s = tick_s
        self._max_waiters = MAX_WAITERS if max_waiters is None else max_waiters
        self._poll = poll
        self._waiters: dict[str, list[_Waiter]] = {}
        self._count = 0
        self._wanted: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self.polls = 0
        """Queries made so far (one per tick while anyone waits)."""

    @property
    def waiting(self) -> int:
        """How many requests wait now."""
        return self._count

    @property
    def has_room(self) -> bool:
        """True when a request may wait now."""
        return self._task is not None and self._count < self._max_waiters

    def start(self) -> None:
        """Begin watching; call from the running event loop (the app's lifespan)."""
        if self._task is not None:
            return
        self._wanted = asyncio.Event()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="job-watcher")
        self._task = asyncio.get_running_loop().create_task(self._run(), name="job-watcher")

    async def stop(self) -> None:
        """Stop watching; whoever still waits times out at once (and reads the job)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        for waiters in self._waiters.values():
            for waiter in waiters:
                if not waiter.future.done():
                    waiter.future.set_exception(TimeoutError())
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def changed(self, job_id: str, seen: JobStatus, timeout: float) -> JobStatus | None:
        """Wait until the job's status is no longer `seen`: the new status, or None when the
        job's row is gone. TimeoutError when `timeout` seconds pass first; WatcherFullError, at
        once, when the process has no room for another waiter."""
        if not self.has_room or self._wanted is None:
            raise WatcherFullError
        waiter = _Waiter(seen, asyncio.get_running_loop().create_future())
        self._waiters.setdefault(job_id, []).append(waiter)
        self._count += 1
        self._wanted.set()
        try:
            async with asyncio.timeout(timeout):
                return await waiter.future
        finally:  # also when the request is cancelled: a client that left stops costing
            self._forget(job_id, waiter)

    def _forget(self, job_id: str, waiter: _Waiter) -> None:
        waiters = self._waiters.get(job_id, [])
        if waiter in waiters:
            waiters.remove(waiter)
            self._count -= 1
        if not waiters:
            self._waiters.pop(job_id, None)

    async def _run(self) -> None:
        assert self._wanted is not None
        loop = asyncio.get_running_loop()
        failures = 0
        while True:
            await self._wanted.wait()
            job_ids = list(self._waiters)
            if not job_ids:
                self._wanted.clear()  # the next waiter sets it again
                continue
            try:
                statuses = await loop.run_in_executor(self._executor, self._read, job_ids)
            except Exception as exc:  # the database is down or busy: keep going, slower
                failures += 1
                pause = min(self._tick_s * 2 ** min(failures, 10), MAX_BACKOFF_S)
                log.warning(
                    "job watcher cannot read job statuses; trying again",
                    extra={"error": repr(exc), "retry_in_s": pause, "waiting": self._count},
                )
                await asyncio.sleep(pause)
                continue
            if failures:
                log.info("job watcher reads job statuses again", extra={"failures": failures})
                failures = 0
            self._wake(statuses, job_ids)
            await asyncio.sleep(self._tick_s)

    def _read(self, job_ids: list[str]) -> dict[str, JobStatus]:
        with self._sessions() as session:
            statuses = self._poll(session, job_ids)
        self.polls += 1
        return statuses

    def _wake(self, statuses: dict[str, JobStatus], job_ids: list[str]) -> None:
        for job_id in job_ids:
            status = statuses.get(job_id)  # None: the row is gone
            for waiter in self._waiters.get(job_id, []):
                if status != waiter.seen and not waiter.future.done():
                    waiter.future.set_result(status)


async def unless_disconnected(receive: Receive, work: Coroutine[Any, Any, T]) -> T | None:
    """The result of `work`, or None as soon as the client disconnects (`work` is cancelled).
    For routes that wait before they answer: uvicorn only tells the app of a disconnect through
    `receive`, and nobody reads it while a plain route waits."""
    task = asyncio.ensure_future(work)
    listener = asyncio.ensure_future(_disconnect(receive))
    try:
        await asyncio.wait({task, listener}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, listener):
            pending.cancel()
        await asyncio.wait({task, listener})  # let `work` clean up before the answer
    return None if task.cancelled() else task.result()


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass  # the request's (empty) body
