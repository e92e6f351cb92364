"""`postcraft worker` supervises its Celery worker: a child that dies is started again, with
back-off and a log line that says why; SIGTERM stops the child and the supervisor."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import Process, environment, free_port, setup_brand, wait_job, wait_ready
from worker.supervisor import WorkerSupervisor, exit_reason

PY = sys.executable


def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_dying_child_is_restarted_with_growing_delays(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="postcraft.worker")
    supervisor = WorkerSupervisor(
        [PY, "-c", "raise SystemExit(3)"], first_delay=0.05, max_delay=0.2, stop_timeout=2
    )
    supervisor.start()
    _until(lambda: supervisor.restarts >= 4, 20, "four restarts")
    supervisor.stop()
    supervisor.join(timeout=5)
    restarts = [r for r in caplog.records if r.getMessage().startswith("worker exited")]
    assert len(restarts) >= 4
    assert {r.__dict__["exit"] for r in restarts} == {"exit code 3"}
    delays = [r.__dict__["restart_in_s"] for r in restarts[:4]]
    assert delays == [0.05, 0.1, 0.2, 0.2]


def _child(tmp_path: Path, on_sigterm: str) -> tuple[list[str], Path]:
    """A child that handles SIGTERM with `on_sigterm`, and a file that says it is ready."""
    ready = tmp_path / "ready"
    script = (
        "import signal, sys, time, pathlib\n"
        f"signal.signal(signal.SIGTERM, {on_sigterm})\n"
        f"pathlib.Path({str(ready)!r}).write_text('x')\n"
        "time.sleep(60)\n"
    )
    return [PY, "-c", script], ready


def test_stop_ends_the_child_with_sigterm_and_does_not_restart_it(tmp_path: Path) -> None:
    marker = tmp_path / "got-sigterm"
    command, ready = _child(
        tmp_path, f"lambda *_: (pathlib.Path({str(marker)!r}).write_text('x'), sys.exit(0))"
    )
    supervisor = WorkerSupervisor(command, stop_timeout=5)
    supervisor.start()
    _until(ready.exists, 20, "the child to start")
    started = time.monotonic()
    supervisor.stop()
    supervisor.join(timeout=10)
    assert time.monotonic() - started < 5
    assert marker.exists()
    assert supervisor.restarts == 0


def test_a_child_that_ignores_sigterm_is_killed_after_the_stop_timeout(tmp_path: Path) -> None:
    command, ready = _child(tmp_path, "signal.SIG_IGN")
    supervisor = WorkerSupervisor(command, stop_timeout=0.5)
    supervisor.start()
    _until(ready.exists, 20, "the child to start")
    started = time.monotonic()
    supervisor.stop()
    supervisor.join(timeout=10)
    assert 0.5 <= time.monotonic() - started < 5
    assert supervisor.restarts == 0


def test_exit_reasons_are_readable() -> None:
    assert exit_reason(1) == "exit code 1"
    assert exit_reason(-9) == "killed by SIGKILL"


def _started_pids(process: Process) -> list[int]:
    pids = []
    for line in process.output().splitlines():
        if line.startswith("{") and '"worker started"' in line:
            pids.append(int(json.loads(line)["pid"]))
    return pids


def _alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet counts as gone)."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.parent.parent.is_dir() and Path("/proc/self").exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (FileNotFoundError, ProcessLookupError):
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_postcraft_worker_restarts_a_killed_celery_worker(tmp_path: Path) -> None:
    env = environment(tmp_path / "var")
    brand_id, key = setup_brand(env, "zerno")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    api = Process(env, tmp_path / "api.log", "serve", "--no-worker", "--port", str(port))
    worker = Process(env, tmp_path / "worker.log", "worker", "--concurrency", "1")
    try:
        wait_ready(url, api)
        headers = {"Authorization": f"Bearer {key}"}

        def draft(topic: str) -> None:
            request = {"topic": topic, "platforms": ["vk"]}
            job = httpx.post(f"{url}/v1/brands/{brand_id}/drafts", json=request, headers=headers)
            done = wait_job(url, key, job.json()["id"])
            assert done["status"] == "succeeded", (done, worker.output()[-3000:])

        draft("Как мы обжариваем зерно")
        _until(lambda: len(_started_pids(worker)) == 1, 10, "the first child")
        first = _started_pids(worker)[0]
        os.kill(first, signal.SIGKILL)  # the Celery worker only, not its supervisor
        _until(lambda: len(_started_pids(worker)) == 2, 30, "a restarted child")
        assert "killed by SIGKILL" in worker.output()
        draft("Новый лот из Кении")
        second = _started_pids(worker)[1]

        os.kill(worker.popen.pid, signal.SIGTERM)  # the supervisor alone, as systemd would
        assert worker.popen.wait(timeout=30) == 0
        _until(lambda: not _alive(second), 10, "the child to stop with its supervisor")
    finally:
        worker.stop()
        api.stop()


@pytest.mark.slow
def test_a_worker_whose_supervisor_was_killed_stops_by_itself(tmp_path: Path) -> None:
    env = environment(tmp_path / "var")
    worker = Process(env, tmp_path / "worker.log", "worker", "--concurrency", "1")
    try:
        _until(lambda: "celery@" in worker.output(), 60, "the Celery worker to start")
        child = _started_pids(worker)[0]
        os.kill(worker.popen.pid, signal.SIGKILL)
        worker.popen.wait(timeout=10)
        _until(lambda: not _alive(child), 30, "the orphaned worker to stop")
    finally:
        worker.stop()
