"""The suite's processes and services: a process tree's memory, a whole process group stopped,
and databases of the run's own, left behind empty or not at all."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis

from bench.suite import stack
from bench.suite.stack import descendants, rss_mb, stop, tree_rss
from tests.e2e.processes import Process
from tests.e2e.services import _unavailable


def test_a_tree_is_the_process_and_all_below_it() -> None:
    script = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); time.sleep(30)"  # noqa: E501
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 10
        while len(descendants(child.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        tree = descendants(child.pid)
        assert tree[0] == child.pid
        assert len(tree) == 2
        assert child.pid in descendants(os.getpid())
        rss = tree_rss(child.pid)
        assert len(rss.processes) == 2
        assert rss.total_mb == pytest.approx(sum(rss.processes))
        assert all(size > 1 for size in rss.processes)
    finally:
        child.kill()
        child.wait()
    assert rss_mb(child.pid) == 0.0  # gone
    assert tree_rss(2**22 + 12345).total_mb == 0.0  # no such process


def test_stop_takes_the_whole_process_group(tmp_path: Path) -> None:
    """A leader that stops on SIGTERM and a child that ignores it: both are gone after `stop`,
    at once (the child by the group's SIGKILL, not after the 15 s grace)."""
    process = Process.__new__(Process)
    process.log = tmp_path / "log"
    process._out = process.log.open("ab")
    process.popen = subprocess.Popen(
        ["bash", "-c", "(trap '' TERM; sleep 60) & wait"],
        start_new_session=True,
        stdout=process._out,
    )
    time.sleep(0.3)
    members = descendants(process.popen.pid)
    assert len(members) >= 2
    started = time.monotonic()
    stop(process)
    assert time.monotonic() - started < 10
    time.sleep(0.2)
    for pid in members:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


@pytest.mark.services
def test_a_database_and_a_redis_database_of_the_run_own() -> None:
    try:
        psycopg.connect(stack.PG_ADMIN, connect_timeout=3).close()
        redis.Redis.from_url(stack.REDIS_URL.format(db=0), socket_connect_timeout=3).ping()
    except (psycopg.OperationalError, redis.RedisError) as exc:
        _unavailable(f"PostgreSQL or Redis is not reachable ({exc})")
    with stack.postgres_database("test") as url, stack.redis_database() as broker:
        assert url.endswith(f"/bench_{os.getpid()}_test")
        with psycopg.connect(url) as db:
            assert db.execute("SELECT 1").fetchone() == (1,)
        client = redis.Redis.from_url(broker)
        assert client.get(stack.REDIS_OWNER) == str(os.getpid()).encode()
        with stack.redis_database() as second:
            assert second != broker, "a second claim takes another database"
        client.set("left-behind", "x")
    assert client.dbsize() == 0
    with psycopg.connect(stack.PG_ADMIN, autocommit=True) as admin:
        names = {r[0] for r in admin.execute("SELECT datname FROM pg_database").fetchall()}
    assert f"bench_{os.getpid()}_test" not in names
