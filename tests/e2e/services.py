"""PostgreSQL and Redis on this machine (a fresh database per test, or a reason to skip), and a
Chroma server started from the chromadb package."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from tests.e2e.processes import free_port

PG = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/{db}"
REQUIRED = os.environ.get("POSTCRAFT_REQUIRE_SERVICES") == "1"


def _unavailable(reason: str) -> None:
    message = f"{reason}: start it, or see README 'Tests' (CI sets POSTCRAFT_REQUIRE_SERVICES=1)"
    if REQUIRED:
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; yields its URL."""
    name = f"postcraft_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        _unavailable(f"PostgreSQL is not reachable at 127.0.0.1:5432 ({exc})")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def redis_database(db: int = 11) -> Iterator[str]:
    """An emptied Redis database; yields its URL."""
    url = REDIS.format(db=db)
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        _unavailable(f"Redis is not reachable at 127.0.0.1:6379 ({exc})")
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """`chroma run` (the server that ships with the chromadb package) on a free port."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{url}/api/v2/heartbeat"):
            if time.monotonic() > deadline:
                pytest.fail("chroma run did not start in 30 s")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
