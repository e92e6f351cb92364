"""A worker SIGKILLed mid-job: the reconciler re-sends the job and it succeeds exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from storage.models import Draft
from storage.settings import Settings
from tests.e2e.processes import Process, environment, free_port, setup_brand, wait_job, wait_ready
from tests.e2e.services import postgres_database, redis_database
from tests.fakes.openai_server import Delay, FakeOpenAI

pytestmark = pytest.mark.slow

LIMITS = {
    "POSTCRAFT_JOB_SOFT_TIME_LIMIT_S": "7",
    "POSTCRAFT_JOB_TIME_LIMIT_S": "8",
    "POSTCRAFT_JOB_LEASE_GRACE_S": "1",
    "POSTCRAFT_RECONCILE_EVERY_S": "1",
}


@contextmanager
def _mode(name: str) -> Iterator[dict[str, str]]:
    if name == "embedded":
        yield {}
        return
    with postgres_database() as database_url, redis_database(12) as broker_url:
        yield {"DATABASE_URL": database_url, "BROKER_URL": broker_url}


@pytest.mark.parametrize("mode", ["embedded", pytest.param("redis", marks=pytest.mark.services)])
def test_sigkilled_worker_mid_job_still_yields_exactly_one_result(
    tmp_path: Path, mode: str
) -> None:
    with ExitStack() as stack:
        fake = stack.enter_context(FakeOpenAI())
        services = stack.enter_context(_mode(mode))
        env = environment(
            tmp_path / "var",
            OPENAI_BASE_URL=fake.url,
            OPENAI_API_KEY="test",
            LLM_MODEL="fake-model",
            **LIMITS,
            **services,
        )
        brand_id, key = setup_brand(env, "zerno")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        processes = [
            Process(env, tmp_path / "api.log", "serve", "--no-worker", "--port", str(port)),
            Process(env, tmp_path / "reconciler.log", "reconciler"),
        ]
        stack.callback(_stop_all, processes)
        first = Process(env, tmp_path / "worker1.log", "worker", "--concurrency", "1")
        wait_ready(url, processes[0])

        fake.script(Delay(30))  # the first attempt hangs inside the LLM call
        request = {"topic": "Как мы обжариваем зерно для эспрессо", "platforms": ["vk", "telegram"]}
        job = httpx.post(
            f"{url}/v1/brands/{brand_id}/drafts",
            json=request,
            headers={"Authorization": f"Bearer {key}"},
        ).json()
        _wait_until(lambda: len(fake.requests) >= 1, 60, first)
        first.kill9()

        second = Process(env, tmp_path / "worker2.log", "worker", "--concurrency", "1")
        processes.append(second)
        done = wait_job(url, key, job["id"], timeout=90)
        assert done["status"] == "succeeded", (done, second.output()[-3000:])
        assert done["attempts"] == 2
        drafts = done["drafts"]
        assert isinstance(drafts, list)
        assert sorted(d["platform"] for d in drafts) == ["telegram", "vk"]

        time.sleep(3)  # a late redelivery of the first message must not add a second result
        database = (
            services.get("DATABASE_URL") or Settings(data_dir=tmp_path / "var").sqlalchemy_url
        )
        engine = create_engine(Settings(DATABASE_URL=database).sqlalchemy_url)
        with engine.connect() as connection:
            count = connection.scalar(
                select(func.count()).select_from(Draft).where(Draft.job_id == job["id"])
            )
        engine.dispose()
        assert count == 2


def _stop_all(processes: list[Process]) -> None:
    for process in processes:
        process.stop()


def _wait_until(condition: object, timeout: float, process: Process) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; worker output:\n{process.output()[-3000:]}")
        time.sleep(0.1)
