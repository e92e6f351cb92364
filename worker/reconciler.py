"""Re-sending jobs whose message is lost, and only those: a message that may still reach a
worker is never doubled, so a long backlog is not flooded with copies.

The rule (see `storage.jobs.stuck_jobs`): a running job is re-sent once its lease has run out;
a queued job (or a re-sent running one) when its message expired, when a job created after its
message was sent has already been claimed (queues are FIFO: the message was overtaken, so it is
lost), or when its queue is idle (nothing of it running, nothing claimed for the grace) and the
job has waited its back-off (grace, 2 x grace, 4 x grace ... capped by the message expiry).

Webhook deliveries the same way: a pending one is re-sent once it has been due for the grace,
its last message is that old too, and no worker holds it (webhooks.repository.due_deliveries);
a doubled message is harmless, the delivery's claim lets one attempt through."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.jobs import ResendRule, mark_enqueued, stuck_jobs
from storage.models import utcnow
from storage.settings import Settings
from webhooks.repository import due_deliveries, mark_delivery_sent
from worker.queue import JobQueue

log = logging.getLogger(__name__)


def resend_rule(settings: Settings) -> ResendRule:
    """The re-send rule for these settings."""
    return ResendRule(
        grace=timedelta(seconds=settings.job_queued_grace_s),
        expires=timedelta(seconds=settings.job_message_expires_s),
    )


def reconcile_once(settings: Settings, sessions: sessionmaker[Session], queue: JobQueue) -> int:
    """Re-send every job whose message is lost, then every overdue webhook delivery; returns
    how many jobs were re-sent. A failed send ends that part of the pass (the broker is down:
    the next pass tries again)."""
    with sessions() as session:
        stuck = stuck_jobs(session, resend_rule(settings))
    sent = 0
    for item in stuck:
        job = item.job
        if not queue.send(job):
            log.warning(
                "broker unreachable; re-sending stops until the next pass",
                extra={"job_id": job.id, "pending": len(stuck) - sent},
            )
            break
        with transaction(sessions) as session:
            mark_enqueued(session, job.id, utcnow())  # after the send: a later time is safe
        sent += 1
        log.info(
            "re-sent job",
            extra={
                "job_id": job.id,
                "reason": item.reason.value,
                "status": job.status.value,
                "sends": job.sends + 1,
                "attempts": job.attempts,
            },
        )
    resend_deliveries(settings, sessions, queue)
    return sent


def resend_deliveries(settings: Settings, sessions: sessionmaker[Session], queue: JobQueue) -> int:
    """Re-send every pending webhook delivery whose message is taken for lost (due for
    `job_queued_grace_s`, sent that long ago, not held); returns how many were re-sent."""
    now = utcnow()
    with sessions() as session:
        due = due_deliveries(session, now, timedelta(seconds=settings.job_queued_grace_s))
    sent = 0
    for delivery_id in due:
        if not queue.send_delivery(delivery_id):
            log.warning(
                "broker unreachable; re-sending deliveries stops until the next pass",
                extra={"delivery": delivery_id, "pending": len(due) - sent},
            )
            break
        with transaction(sessions) as session:
            mark_delivery_sent(session, delivery_id, utcnow())
        sent += 1
        log.info("re-sent webhook delivery", extra={"delivery": delivery_id})
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
