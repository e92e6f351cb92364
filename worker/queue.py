"""Sending job ids and webhook delivery ids to the broker, after their rows are committed."""

from __future__ import annotations

from celery import Celery

from storage.models import Job
from storage.settings import Settings
from worker.app import TASK_NAME, send_delivery, send_id


class JobQueue:
    """Puts committed jobs on their named queue, with an expiry."""

    def __init__(self, app: Celery, settings: Settings) -> None:
        self._app = app
        self._settings = settings

    def send(self, job: Job) -> bool:
        """Send the job's id (no database work: callers record the send in their own session);
        on a broker failure the reconciler re-sends it later."""
        return send_id(self._app, self._settings, TASK_NAME, job.id, job.queue)

    def send_delivery(self, delivery_id: str, countdown: float = 0) -> bool:
        """Send a webhook delivery's id (after the transaction that recorded it commits), due
        in `countdown` seconds. Never raises: on a broker failure it logs and returns False,
        and the reconciler re-sends the delivery once it is overdue."""
        return send_delivery(self._app, self._settings, delivery_id, countdown)

    def ping(self) -> None:
        """Raise when the broker cannot be reached (readiness)."""
        if self._settings.celery_broker_url.startswith("filesystem"):
            folder = self._settings.broker_folder / "queue"
            if not folder.is_dir():
                raise RuntimeError(f"broker folder {folder} is missing")
            return
        with self._app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
