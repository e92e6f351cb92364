"""Fifty clients submit at once: every caller learns the fate of its request, and the jobs
that exist are exactly the ones callers were told about (202), in both modes."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.e2e.processes import cli, environment, served
from tests.e2e.services import postgres_database, redis_database

pytestmark = pytest.mark.slow

CLIENTS = 50
SAME_KEY = "burst-same-key"


def _kind(i: int) -> str:
    """A third of the callers share one key, a third have their own, a third send none."""
    return ("distinct", "same", "none")[i % 3]


def _burst(url: str, key: str, brand_id: str) -> list[tuple[str, httpx.Response]]:
    barrier = threading.Barrier(CLIENTS)
    body = {"topic": "Fifty at once", "platforms": ["x"]}

    def submit(i: int) -> tuple[str, httpx.Response]:
        kind = _kind(i)
        headers = {"Authorization": f"Bearer {key}"}
        if kind == "distinct":
            headers["Idempotency-Key"] = f"burst-{i}"
        elif kind == "same":
            headers["Idempotency-Key"] = SAME_KEY
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            return kind, client.post(
                f"{url}/v1/brands/{brand_id}/drafts", json=body, headers=headers
            )

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(submit, range(CLIENTS)))


def _check(answers: list[tuple[str, httpx.Response]], job_ids_in_db: set[str]) -> Counter[int]:
    """The invariants of a burst; returns the count of each status."""
    statuses: Counter[int] = Counter(r.status_code for _, r in answers)
    assert set(statuses) <= {200, 202, 503}, [(r.status_code, r.text) for _, r in answers]
    for kind, r in answers:
        if r.status_code == 503:
            assert r.headers.get("Retry-After", "").isdigit(), r.headers
            assert r.json()["error"] == "database_busy"
        if r.status_code == 200:
            assert kind == "same"
            assert r.headers["Idempotent-Replayed"] == "true"
    told = {r.json()["id"] for _, r in answers if r.status_code == 202}
    assert len(told) == statuses[202], "each 202 is a job of its own"
    assert job_ids_in_db == told, "the jobs that exist are exactly those callers were told of"
    same = {r.json()["id"] for kind, r in answers if kind == "same" and r.status_code != 503}
    assert len(same) <= 1, "one Idempotency-Key, one job"
    print(f"burst of {CLIENTS}: {dict(statuses)}, {len(job_ids_in_db)} jobs")
    return statuses


def _workspace_brand_key(env: dict[str, str]) -> tuple[str, str]:
    workspace = cli(env, "workspaces", "create", "Burst agency")
    brand_id = cli(
        env, "brands", "create", "Burst", "burst", "--language", "en", "--platform", "x",
        "--workspace", workspace,
    )  # fmt: skip
    key = cli(
        env, "keys", "create", "admin@burst.test", "--role", "admin", "--workspace", workspace
    )
    return brand_id, key


def test_a_burst_on_the_embedded_default(tmp_path: Path) -> None:
    env = environment(tmp_path / "var")
    brand_id, key = _workspace_brand_key(env)
    with served(env, tmp_path, "--no-worker") as url:
        answers = _burst(url, key, brand_id)
    with sqlite3.connect(tmp_path / "var" / "postcraft.db") as db:
        ids = {row[0] for row in db.execute("SELECT id FROM jobs")}
    statuses = _check(answers, ids)
    assert statuses[503] == 0, "SQLite serves fifty short writes without running dry"


@pytest.mark.services
@pytest.mark.parametrize(
    "pool",
    [
        pytest.param({}, id="default-pool"),
        # Two connections and a 50 ms wait: most callers find no connection and must get 503.
        pytest.param(
            {
                "POSTCRAFT_DB_POOL_SIZE": "2",
                "POSTCRAFT_DB_MAX_OVERFLOW": "0",
                "POSTCRAFT_DB_POOL_TIMEOUT_S": "0.05",
            },
            id="starved-pool",
        ),
    ],
)
def test_a_burst_on_postgres_and_redis(tmp_path: Path, pool: dict[str, str]) -> None:
    with postgres_database() as database_url, redis_database() as broker_url:
        env = environment(tmp_path / "var", DATABASE_URL=database_url, BROKER_URL=broker_url)
        brand_id, key = _workspace_brand_key(env)
        with served({**env, **pool}, tmp_path) as url:
            answers = _burst(url, key, brand_id)
        with psycopg.connect(database_url) as db:
            ids = {str(row[0]) for row in db.execute("SELECT id FROM jobs")}
    statuses = _check(answers, ids)
    if pool:
        assert statuses[503] > 0, f"a starved pool must answer 503, not wait: {statuses}"
    else:
        assert statuses[503] == 0, statuses
