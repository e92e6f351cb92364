"""The services and processes of one run: a PostgreSQL database and a Redis database of its own,
the demo brands, the API, workers, the reconciler and the embedded `serve`, each stopped (its
whole process group) when its block ends, fails or is interrupted; and the RSS of a process
tree."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

from tests.e2e.processes import Process, environment, free_port, wait_ready

REPO = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_URL = "postgresql://postgres@127.0.0.1:5432/{name}"
REDIS_URL = "redis://127.0.0.1:6379/{db}"
REDIS_DBS = (14, 13, 12, 15, 10, 9, 8, 7)  # the tests use 11; take the first empty one
REDIS_OWNER = "postcraft-bench:owner"
# Per-brand quotas off (0 = unlimited) for every figure but R8, which keeps the defaults.
NO_QUOTAS = {
    "POSTCRAFT_BRAND_MAX_ACTIVE_JOBS": "0",
    "POSTCRAFT_BRAND_JOBS_PER_MINUTE": "0",
    "POSTCRAFT_BRAND_TOKENS_PER_DAY": "0",
}


class ServiceUnavailableError(RuntimeError):
    """PostgreSQL or Redis is not there: the message says what to start."""


@contextmanager
def postgres_database(tag: str) -> Iterator[str]:
    """A new database `bench_<pid>_<tag>`, dropped afterwards; yields its URL."""
    name = f"bench_{os.getpid()}_{tag}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        raise ServiceUnavailableError(
            f"PostgreSQL is not reachable at 127.0.0.1:5432 ({exc}); start it (README 'Tests')"
        ) from None
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def redis_database() -> Iterator[str]:
    """The first empty Redis database among REDIS_DBS, claimed with a marker key and emptied
    afterwards; yields its URL."""
    for db in REDIS_DBS:
        client = redis.Redis.from_url(REDIS_URL.format(db=db), socket_connect_timeout=3)
        try:
            claimed = client.dbsize() == 0 and client.set(REDIS_OWNER, os.getpid(), nx=True)
            if claimed and client.dbsize() == 1:
                break
            if claimed:  # someone else wrote there at the same moment: leave it to them
                client.delete(REDIS_OWNER)
        except redis.RedisError as exc:
            client.close()
            raise ServiceUnavailableError(
                f"Redis is not reachable at 127.0.0.1:6379 ({exc}); start it (README 'Tests')"
            ) from None
        client.close()
    else:
        raise ServiceUnavailableError(f"no empty Redis database among {REDIS_DBS}")
    try:
        yield REDIS_URL.format(db=db)
    finally:
        client.flushdb()
        client.close()


@dataclass(frozen=True)
class DemoBrands:
    """What `api.demo.setup_demo` created in one target: brand ids by slug and an admin key."""

    brands: dict[str, str]
    key: str


@dataclass(frozen=True)
class Target:
    """Where to set up the demo brands: a data dir and, unless embedded, a database."""

    data_dir: Path
    database_url: str | None = None


class Setup:
    """The demo brands (demo/brands) and an admin key in each target, set up by
    `bench.suite.setup_brands` in a process of its own (so that this one never opens the data
    dirs the servers use), started now and read by `result`."""

    def __init__(self, env: dict[str, str], targets: list[Target], log: Path) -> None:
        spec = [{"data_dir": str(t.data_dir), "database_url": t.database_url} for t in targets]
        self._log = log
        self._stderr = log.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.suite.setup_brands", json.dumps(spec)],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,
        )

    def result(self, timeout: float = 900.0) -> list[DemoBrands]:
        """Wait for the setup; what it set up, per target."""
        try:
            out, _ = self._process.communicate(timeout=timeout)
        finally:
            self.kill()
        if self._process.returncode != 0:
            raise RuntimeError(
                f"setting up the demo brands failed:\n{self._log.read_text()[-3000:]}"
            )
        answer = json.loads(out.decode().strip().splitlines()[-1])
        return [DemoBrands(one["brands"], one["key"]) for one in answer]

    def kill(self) -> None:
        """Stop the setup if it still runs."""
        if self._process.poll() is None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)
        self._stderr.close()


def bench_environment(data_dir: Path, **overrides: str) -> dict[str, str]:
    """This machine's environment less its Postcraft configuration, plus `overrides`; the repo
    is on PYTHONPATH so `python -m bench...` and `-m api.cli` resolve from any working dir."""
    env = environment(data_dir, **overrides)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def stop(process: Process) -> None:
    """SIGTERM the process group (SIGKILL after 15 s), then SIGKILL whatever is left of it."""
    try:
        process.stop()
    finally:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.popen.pid, signal.SIGKILL)


def start(stack: ExitStack, env: dict[str, str], log: Path, *args: str) -> Process:
    """`postcraft ARGS` in its own process group, stopped when `stack` closes."""
    log.parent.mkdir(parents=True, exist_ok=True)
    process = Process(env, log, *args)
    stack.callback(stop, process)
    return process


def api(stack: ExitStack, env: dict[str, str], folder: Path, name: str = "api") -> ApiProcess:
    """`postcraft serve --no-worker` on a free port, ready; stopped when `stack` closes."""
    port = free_port()
    process = start(stack, env, folder / f"{name}.log", "serve", "--no-worker", "--port", str(port))
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, process, timeout=120)
    return ApiProcess(url, process)


def embedded(stack: ExitStack, env: dict[str, str], folder: Path, concurrency: int) -> ApiProcess:
    """`postcraft serve` on the embedded default: the API, a worker child and the reconciler."""
    port = free_port()
    args = ("serve", "--port", str(port), "--concurrency", str(concurrency))
    process = start(stack, env, folder / "serve.log", *args)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, process, timeout=120)
    return ApiProcess(url, process)


def worker(stack: ExitStack, env: dict[str, str], log: Path, concurrency: int) -> Process:
    """`postcraft worker --queues interactive,batch --concurrency N` (supervised)."""
    args = ("worker", "--queues", "interactive,batch", "--concurrency", str(concurrency))
    return start(stack, env, log, *args)


@dataclass(frozen=True)
class ApiProcess:
    """A started API (or embedded `serve`) and its URL."""

    url: str
    process: Process


# ---------------------------------------------------------------------------------------------
# Memory of a process tree, from /proc.


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _ppid(int(entry.name))
            if parent is not None:
                parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    """VmRSS of one process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass(frozen=True)
class TreeRss:
    """The RSS of a process and all its children, summed, and of each."""

    total_mb: float
    processes: list[float]


def tree_rss(pid: int) -> TreeRss:
    """The RSS of `pid` and its descendants (shared pages are counted in each)."""
    sizes = [rss_mb(p) for p in descendants(pid)]
    sizes = [s for s in sizes if s > 0]
    return TreeRss(sum(sizes), sizes)
