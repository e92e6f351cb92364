"""The Celery app: two queues, late acks, a thread pool; a filesystem broker when embedded.
Two tasks: a job attempt, and a webhook delivery attempt (which sends itself again, with the
back-off as its countdown, while the delivery is retried)."""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlsplit

import httpx
from celery import Celery
from kombu.entity import Queue as KombuQueue

from generators.jobs import run_job
from generators.runtime import Runtime, build_runtime
from storage.enums import Queue
from storage.settings import Settings
from webhooks.delivery import TIMEOUT, USER_AGENT, deliver
from worker.fs_transport import TRANSPORT

TASK_NAME = "postcraft.run_job"
DELIVERY_TASK_NAME = "postcraft.deliver_webhook"
DELIVERY_QUEUE = Queue.BATCH

log = logging.getLogger(__name__)


class LazyRuntime:
    """Builds the runtime on first use, once per process: the pool's threads share it (one
    embedding model, one vector client, one database pool)."""

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


class LazyHttp:
    """One HTTP client per process for webhook deliveries, made on first use (its pool is
    shared by the pool's threads; httpx clients are thread-safe)."""

    def __init__(self) -> None:
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def get(self) -> httpx.Client:
        """The process's client: no redirects followed, the delivery timeouts."""
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": USER_AGENT}
                )
            return self._client


def make_celery(
    settings: Settings, runtime: LazyRuntime | None = None, http: LazyHttp | None = None
) -> Celery:
    """A Celery app configured from the settings, with the job and delivery tasks registered."""
    app = Celery("postcraft", broker=settings.celery_broker_url, set_as_current=False)
    app.conf.update(_config(settings))
    holder = runtime or LazyRuntime(settings)
    client = http or LazyHttp()

    # shared=False: each app keeps its own tasks. A shared task (Celery's default) is added to
    # every app of the process, and the first app's closure (its runtime, its database) would
    # answer for all of them.
    @app.task(name=TASK_NAME, ignore_result=True, shared=False)  # type: ignore[untyped-decorator]
    def run_job_task(job_id: str) -> None:
        """Thin task: a job id in, the job service does the rest; the webhook deliveries its
        committed review moves recorded go to their queue."""
        for delivery_id in run_job(holder.get(), job_id):
            send_delivery(app, settings, delivery_id)

    @app.task(name=DELIVERY_TASK_NAME, ignore_result=True, shared=False)  # type: ignore[untyped-decorator]
    def deliver_webhook_task(delivery_id: str) -> None:
        """One attempt of a webhook delivery; a retry sends the task again after its wait (a
        lost message is re-sent by the reconciler)."""
        result = deliver(holder.get().sessions, delivery_id, client.get())
        if result.retry_in_s is not None:
            send_delivery(app, settings, delivery_id, countdown=result.retry_in_s)

    return app


def send_delivery(app: Celery, settings: Settings, delivery_id: str, countdown: float = 0) -> bool:
    """Send a delivery's id to the batch queue, due in `countdown` seconds; False (logged,
    never raised) when the broker fails: the row is the truth and the reconciler re-sends."""
    return send_id(app, settings, DELIVERY_TASK_NAME, delivery_id, DELIVERY_QUEUE, countdown)


def send_id(
    app: Celery,
    settings: Settings,
    task: str,
    row_id: str,
    queue: Queue,
    countdown: float = 0,
) -> bool:
    """Send a task for a committed row (a job, a webhook delivery) to its queue, due in
    `countdown` seconds, expiring after POSTCRAFT_JOB_MESSAGE_EXPIRES_S. Never raises: on a
    broker failure it logs and answers False; the row is the truth, the reconciler re-sends."""
    try:
        app.send_task(
            task,
            args=[row_id],
            queue=queue.value,
            routing_key=queue.value,
            countdown=countdown or None,
            expires=countdown + settings.job_message_expires_s,
            retry=False,
        )
    except Exception as exc:
        log.warning(
            "broker send failed; the reconciler will re-send",
            extra={"task": task, "row_id": row_id, "error": repr(exc)},
        )
        return False
    return True


def _config(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # No task_time_limit: the thread pool cannot enforce one; the job service keeps the
        # deadline itself (generators.jobs._within) and the lease covers a stuck thread.
        "task_ignore_result": True,
        "task_queues": [KombuQueue(q.value, routing_key=q.value) for q in Queue],  # type: ignore[no-untyped-call]
        "task_default_queue": Queue.BATCH.value,
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        # The broker may go away and come back: a worker waits for it however long it takes
        # (Celery's default gives up after 100 tries and the worker exits), at start and after
        # a loss, and treats a broker protocol error like a lost connection.
        "broker_connection_retry": True,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "broker_channel_error_retry": True,
        "broker_connection_timeout": 5,
        # A job still running when the connection drops keeps running: its result goes to the
        # database, which is the truth; a late ack has nowhere to go and a redelivered message
        # finds the job finished. (Cancelling it would leave the job for the reconciler after
        # its lease.)
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "task_serializer": "json",
        "accept_content": ["json"],
    }
    if settings.celery_broker_url.startswith("filesystem"):
        folder = settings.broker_folder
        for sub in ("queue", "processed"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        config["broker_transport"] = TRANSPORT  # kombu's, with atomic sends (see there)
        config["broker_transport_options"] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            # An idle worker lists the folder this often, so it is what a job waits for the
            # queue hop: 1 s (kombu's default) adds a second to every job, 0.1 s still half of
            # a fast job's time; a listing of an empty folder costs microseconds.
            "polling_interval": 0.01,
        }
        # The filesystem transport has no fanout: no remote control, events or heartbeats.
        config["worker_enable_remote_control"] = False
        config["broker_heartbeat"] = 0
    elif urlsplit(settings.celery_broker_url).scheme in ("redis", "rediss"):
        config["broker_transport_options"] = {
            # Unacked messages come back after this long; the reconciler is faster still.
            "visibility_timeout": settings.job_time_limit_s * 2,
            # A Redis that vanishes without closing the connection (a host down, a failover)
            # must not hang a publish or a consumer: bounded socket waits, and kombu's
            # health checks of its long-lived connections every 10 s.
            "socket_connect_timeout": 5,
            "socket_timeout": 10,
            "socket_keepalive": True,
            "health_check_interval": 10,
            # A publisher whose broker is down learns it at once (kombu would otherwise retry
            # until broker_connection_timeout, holding an API request for ~6 s): the job row is
            # committed and the reconciler sends it later. Workers reconnect on their own terms
            # (broker_connection_max_retries).
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.2,
        }
    return config
