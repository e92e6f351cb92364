"""Real processes for end-to-end tests: the CLI, the API server, workers and the reconciler."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from tests.conftest import CONFIG_VARS, REPO


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(data_dir: Path, **overrides: str) -> dict[str, str]:
    """The machine's environment without Postcraft configuration, plus `overrides`. These tests
    are about jobs surviving bursts and failures, so the per-brand counts that refuse jobs
    (tests/api/test_quotas.py) are off unless an override sets them; tokens per day stays on,
    so every submission still takes the brand's submission lock, as in production."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CONFIG_VARS and not k.startswith("POSTCRAFT_")
    }
    env.update(
        {
            "POSTCRAFT_DATA_DIR": str(data_dir),
            "POSTCRAFT_LOG_JSON": "true",
            "POSTCRAFT_BRAND_MAX_ACTIVE_JOBS": "0",
            "POSTCRAFT_BRAND_JOBS_PER_MINUTE": "0",
        },
        **overrides,
    )
    return env


def cli(env: dict[str, str], *args: str) -> str:
    """Run `postcraft ARGS` to completion and return its stdout (raises with output on failure)."""
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"postcraft {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


class Process:
    """A background `postcraft` process in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        self._out: IO[bytes] = log.open("ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "api.cli", *args],
            env=env,
            cwd=REPO,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill9(self) -> None:
        """SIGKILL the whole process group (a worker and its pool children), no cleanup."""
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not stop in 15 s."""
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(timeout=15)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._out.close()

    def output(self) -> str:
        """Everything the process printed so far."""
        return self.log.read_text(errors="replace")


def wait_ready(url: str, process: Process, timeout: float = 60.0) -> None:
    """Wait for GET /readyz to answer 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise AssertionError(f"server exited early:\n{process.output()[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server not ready after {timeout} s:\n{process.output()[-3000:]}")


def wait_job(url: str, key: str, job_id: str, timeout: float = 90.0) -> dict[str, Any]:
    """Poll the job until it is terminal."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = httpx.get(
            f"{url}/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {key}"}, timeout=5
        ).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} not finished after {timeout} s: {job}")


@contextmanager
def served(env: dict[str, str], log_dir: Path, *args: str) -> Iterator[str]:
    """`postcraft serve ARGS` on a free port until the block ends; yields its URL."""
    port = free_port()
    server = Process(env, log_dir / "serve.log", "serve", "--port", str(port), *args)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, server)
        yield url
    finally:
        server.stop()


def setup_brand(env: dict[str, str], slug: str) -> tuple[str, str]:
    """Through the CLI: a workspace, a demo brand imported from its folder, an admin key."""
    workspace = cli(env, "workspaces", "create", "E2E agency")
    folder = str(REPO / "demo" / "brands" / slug)
    brand_id = cli(env, "brands", "import", folder, "--workspace", workspace).splitlines()[-1]
    key = cli(env, "keys", "create", "admin@e2e.test", "--role", "admin", "--workspace", workspace)
    return brand_id, key


def api_and_worker(env: dict[str, str], log_dir: Path, stack: ExitStack) -> tuple[str, Process]:
    """The scaled topology on one machine: `postcraft serve --no-worker` on a free port and a
    supervised `postcraft worker --concurrency 2`, both stopped when `stack` closes. Waits for
    the API; returns its URL and the worker."""
    port = free_port()
    api = Process(env, log_dir / "api.log", "serve", "--no-worker", "--port", str(port))
    stack.callback(api.stop)
    worker = Process(env, log_dir / "worker.log", "worker", "--concurrency", "2")
    stack.callback(worker.stop)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, api)
    return url, worker
