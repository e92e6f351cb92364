"""Re-sending jobs whose message was lost: queued too long, or running past their lease."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.jobs import mark_enqueued, stuck_jobs
from storage.models import utcnow
from storage.settings import Settings
from worker.queue import JobQueue

log = logging.getLogger(__name__)


def reconcile_once(settings: Settings, sessions: sessionmaker[Session], queue: JobQueue) -> int:
    """Re-send every stuck job once; returns how many were re-sent."""
    with sessions() as session:
        jobs = stuck_jobs(session, timedelta(seconds=settings.job_queued_grace_s))
    sent = 0
    for job in jobs:
        log.info(
            "re-enqueuing stuck job",
            extra={"job_id": job.id, "status": job.status.value, "attempts": job.attempts},
        )
        if queue.send(job):
            with transaction(sessions) as session:
                mark_enqueued(session, job.id, utcnow())
            sent += 1
    return sent


def reconcile_forever(
    settings: Settings, sessions: sessionmaker[Session], queue: JobQueue, stop: threading.Event
) -> None:
    """Reconcile every `reconcile_every_s` seconds until `stop` is set."""
    while not stop.wait(settings.reconcile_every_s):
        try:
            reconcile_once(settings, sessions, queue)
        except Exception:  # a database hiccup must not end the loop
            log.exception("reconcile pass failed")
