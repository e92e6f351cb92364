"""Supervising a worker process: started again with back-off whenever it dies unasked."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

_log = logging.getLogger("postcraft.worker")


class WorkerSupervisor:
    """Runs a worker as a child process and starts it again, after a back-off, whenever it
    exits without being asked to (a crash, a kill, Celery giving up); `stop` ends it with
    SIGTERM (Celery's warm shutdown: running jobs finish), a second `stop` with SIGQUIT (cold),
    and SIGKILL once `stop_timeout` has passed."""

    def __init__(
        self,
        command: list[str],
        log: Path | None = None,
        stop_timeout: float = 15.0,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        stable_after: float = 60.0,
    ) -> None:
        self._command = command
        self._log = log
        self._stop_timeout = stop_timeout
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._stable_after = stable_after
        self._stopping = threading.Event()
        self._stops = 0
        self._lock = threading.RLock()  # stop() may run in a signal handler, in run()'s thread
        self._child: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self.restarts = 0

    def start(self) -> None:
        """Supervise from a background thread (see `run`)."""
        self._thread = threading.Thread(target=self.run, name="worker-supervisor", daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background thread to finish after `stop`."""
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        """Keep a child running until `stop`; returns once the last child has exited."""
        delay = self._first_delay
        while not self._stopping.is_set():
            started = time.monotonic()
            child = self._spawn()
            if child is None:
                break
            code = self._wait(child)
            if self._stopping.is_set():
                break
            ran = time.monotonic() - started
            if ran >= self._stable_after:
                delay = self._first_delay
            self.restarts += 1
            _log.warning(
                "worker exited unexpectedly; restarting it",
                extra={
                    "pid": child.pid,
                    "exit": exit_reason(code),
                    "ran_s": round(ran, 1),
                    "restart_in_s": delay,
                    "restarts": self.restarts,
                },
            )
            if self._stopping.wait(delay):
                break
            delay = min(delay * 2, self._max_delay)

    def stop(self) -> None:
        """Ask the child to stop (safe from a signal handler); a second call asks harder."""
        self._stopping.set()
        self._stops += 1
        with self._lock:
            child = self._child
        if child is not None:
            _signal(child, signal.SIGTERM if self._stops == 1 else signal.SIGQUIT)

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        with self._lock:
            if self._stopping.is_set():
                return None
            out = self._log.open("ab") if self._log else None
            try:
                self._child = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                    self._command, env=os.environ.copy(), stdout=out, stderr=out
                )
            finally:
                if out is not None:
                    out.close()  # the child holds its own descriptor
            _log.info("worker started", extra={"pid": self._child.pid})
            return self._child

    def _wait(self, child: subprocess.Popen[bytes]) -> int:
        while True:
            try:
                return child.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if self._stopping.is_set():
                    break
        _signal(child, signal.SIGTERM)  # in case stop() came while this child was starting
        try:
            return child.wait(timeout=self._stop_timeout)
        except subprocess.TimeoutExpired:
            _log.warning("worker did not stop in time; killing it", extra={"pid": child.pid})
            child.kill()
            return child.wait()


def _signal(child: subprocess.Popen[bytes], signum: int) -> None:
    if child.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)


def exit_reason(code: int) -> str:
    """How a child ended, in words."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def exit_with_parent(parent: int) -> None:
    """Warm-stop this worker if its supervisor disappears (a supervisor killed with SIGKILL
    leaves no worker behind to compete with the next one)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        _log.warning("worker supervisor is gone; stopping", extra={"supervisor_pid": parent})
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()
