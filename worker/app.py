"""The Celery app: two queues, late acks, time limits; filesystem broker in the embedded default."""

from __future__ import annotations

import threading
from typing import Any

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from kombu.entity import Queue as KombuQueue

from generators.jobs import run_job
from generators.runtime import Runtime, build_runtime
from storage.enums import Queue
from storage.settings import Settings

TASK_NAME = "postcraft.run_job"


class LazyRuntime:
    """Builds the runtime on first use, in the process that uses it (after the pool forks)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._runtime: Runtime | None = None
        self._lock = threading.Lock()

    def get(self) -> Runtime:
        """The process's runtime."""
        with self._lock:
            if self._runtime is None:
                self._runtime = build_runtime(self._settings)
            return self._runtime


def make_celery(settings: Settings, runtime: LazyRuntime | None = None) -> Celery:
    """A Celery app configured from the settings, with the job task registered."""
    app = Celery("postcraft", broker=settings.celery_broker_url, set_as_current=False)
    app.conf.update(_config(settings))
    holder = runtime or LazyRuntime(settings)

    @app.task(name=TASK_NAME, ignore_result=True)  # type: ignore[untyped-decorator]
    def run_job_task(job_id: str) -> None:
        """Thin task: a job id in, the job service does the rest."""
        run_job(holder.get(), job_id, timeout_errors=(SoftTimeLimitExceeded,))

    return app


def _config(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_soft_time_limit": settings.job_soft_time_limit_s,
        "task_time_limit": settings.job_time_limit_s,
        "task_ignore_result": True,
        "task_queues": [KombuQueue(q.value, routing_key=q.value) for q in Queue],  # type: ignore[no-untyped-call]
        "task_default_queue": Queue.BATCH.value,
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 5,
        "task_serializer": "json",
        "accept_content": ["json"],
    }
    if settings.celery_broker_url.startswith("filesystem"):
        folder = settings.broker_folder
        for sub in ("queue", "processed"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        config["broker_transport_options"] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            # An idle worker lists the folder this often; 1 s (kombu's default) adds a second
            # to every interactive job, a directory listing costs microseconds.
            "polling_interval": 0.1,
        }
        # The filesystem transport has no fanout: no remote control, events or heartbeats.
        config["worker_enable_remote_control"] = False
        config["broker_heartbeat"] = 0
    else:
        # Unacked messages come back after this long; the reconciler is faster still.
        config["broker_transport_options"] = {"visibility_timeout": settings.job_time_limit_s * 2}
    return config
