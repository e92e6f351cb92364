"""Redis goes away mid-job and comes back empty: stopped gracefully (SIGTERM) or killed
(SIGKILL). Every accepted job still ends, exactly once, and the worker is still there.

The test starts its own redis-server (no persistence, so a restart loses every queued message),
and runs the scaled topology against it: the API, a supervised worker and the reconciler."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, func, select

from storage.enums import JobStatus
from storage.models import Draft, Job
from storage.settings import Settings
from tests.e2e.processes import (
    Process,
    api_and_worker,
    environment,
    free_port,
    setup_brand,
    wait_job,
)
from tests.e2e.services import _unavailable, postgres_database
from tests.fakes.openai_server import FakeOpenAI

pytestmark = [pytest.mark.slow, pytest.mark.services]

SETTINGS = {
    "POSTCRAFT_JOB_QUEUED_GRACE_S": "2",
    "POSTCRAFT_RECONCILE_EVERY_S": "0.5",
    "POSTCRAFT_JOB_SOFT_TIME_LIMIT_S": "20",
    "POSTCRAFT_JOB_TIME_LIMIT_S": "25",
    "POSTCRAFT_JOB_LEASE_GRACE_S": "1",
}
PLATFORMS = ["vk", "telegram"]


class RedisServer:
    """A redis-server of this test's own, on a free port, keeping nothing across restarts."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._folder = folder
        self._log = (folder / "redis.log").open("ab")
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it answers."""
        self._process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self._folder)),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise AssertionError("redis-server did not start") from None
                time.sleep(0.05)
        client.close()

    def stop(self, signum: int) -> None:
        """Send `signum` (SIGTERM: a graceful shutdown; SIGKILL) and wait for it to end."""
        assert self._process is not None
        self._process.send_signal(signum)
        self._process.wait(timeout=10)

    def close(self) -> None:
        """Stop it for good."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        self._log.close()


@contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    """A started RedisServer, closed afterwards (or a reason to skip)."""
    if shutil.which("redis-server") is None:
        _unavailable("redis-server is not on PATH (Debian: apt-get install redis-server)")
    folder.mkdir(parents=True, exist_ok=True)
    server = RedisServer(folder)
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_every_job_ends_once_when_redis_restarts_mid_job(
    tmp_path: Path, stop: signal.Signals
) -> None:
    with ExitStack() as stack:
        fake = stack.enter_context(FakeOpenAI(latency=0.6))
        database_url = stack.enter_context(postgres_database())
        broker = stack.enter_context(redis_server(tmp_path / "redis"))
        env = environment(
            tmp_path / "var",
            DATABASE_URL=database_url,
            BROKER_URL=broker.url,
            OPENAI_BASE_URL=fake.url,
            OPENAI_API_KEY="test",
            LLM_MODEL="fake-model",
            **SETTINGS,
        )
        brand_id, key = setup_brand(env, "zerno")
        reconciler = Process(env, tmp_path / "reconciler.log", "reconciler")
        stack.callback(reconciler.stop)
        url, worker = api_and_worker(env, tmp_path, stack)
        headers = {"Authorization": f"Bearer {key}"}

        def submit(n: int) -> str:
            request = {"topic": f"Обжарка для эспрессо, выпуск {n}", "platforms": PLATFORMS}
            job = httpx.post(f"{url}/v1/brands/{brand_id}/drafts", json=request, headers=headers)
            assert job.status_code == 202, job.text
            return str(job.json()["id"])

        accepted = [submit(n) for n in range(8)]
        _wait_for(lambda: len(fake.requests) >= 2, 60, "jobs to be running", worker)
        broker.stop(stop)  # mid-job: two are running, six wait in Redis
        accepted += [submit(n) for n in range(8, 10)]  # accepted while the broker is down
        time.sleep(2)
        broker.start()  # empty: every queued message is gone
        accepted += [submit(n) for n in range(10, 12)]

        done = {job_id: wait_job(url, key, job_id, timeout=90) for job_id in accepted}
        time.sleep(3)  # a late duplicate message must find its job finished

        assert {j["status"] for j in done.values()} == {"succeeded"}, _logs(worker, reconciler)
        assert worker.popen.poll() is None, "the supervised worker is still there"
        counts = _drafts_per_job(database_url)
        assert counts == dict.fromkeys(accepted, len(PLATFORMS)), "one set of drafts per job"
        finished = Counter(_job_ids(worker, "job succeeded"))
        assert finished == dict.fromkeys(accepted, 1), "each job succeeded exactly once"
        resent = _job_ids(reconciler, "re-sent job")
        assert resent, "the lost messages were re-sent"
        assert len(resent) <= 2 * len(accepted), f"no flood of copies: {Counter(resent)}"
        assert _open_jobs(database_url) == 0


def _wait_for(condition: object, timeout: float, what: str, process: Process) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{process.output()[-3000:]}")
        time.sleep(0.05)


def _job_ids(process: Process, message: str) -> list[str]:
    ids = []
    for line in process.output().splitlines():
        if line.startswith("{") and f'"msg": "{message}"' in line:
            ids.append(json.loads(line)["job_id"])
    return ids


def _logs(*processes: Process) -> str:
    return "\n".join(p.output()[-2500:] for p in processes)


def _drafts_per_job(database_url: str) -> dict[str, int]:
    engine = create_engine(Settings(DATABASE_URL=database_url).sqlalchemy_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Draft.job_id, func.count()).group_by(Draft.job_id)
            ).all()
    finally:
        engine.dispose()
    return {job_id: count for job_id, count in rows}


def _open_jobs(database_url: str) -> int:
    engine = create_engine(Settings(DATABASE_URL=database_url).sqlalchemy_url)
    try:
        with engine.connect() as connection:
            open_jobs = connection.scalar(
                select(func.count())
                .select_from(Job)
                .where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
            )
    finally:
        engine.dispose()
    return int(open_jobs or 0)
