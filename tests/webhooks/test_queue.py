"""The queue side: the delivery task re-sends itself with the back-off as its countdown, the
sender never raises, and the reconciler re-sends a pending delivery that is overdue (and only
such)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
from celery import Celery
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_sessionmaker, migrate, transaction
from storage.models import DeliveryStatus, Job, WebhookDelivery, utcnow
from storage.settings import Settings
from tests.webhooks.conftest import add_endpoint, make_shop, review_event
from tests.webhooks.receiver import Script, receiver
from webhooks.delivery import Outcome, deliver
from webhooks.outbox import announce
from worker.app import DELIVERY_TASK_NAME, LazyHttp, LazyRuntime, make_celery
from worker.queue import JobQueue
from worker.reconciler import reconcile_once


class RecordingQueue(JobQueue):
    """A queue that records what it is asked to send."""

    def __init__(self, settings: Settings, up: bool = True) -> None:
        super().__init__(Celery(set_as_current=False), settings)
        self.up = up
        self.deliveries: list[tuple[str, float]] = []

    def send(self, job: Job) -> bool:
        return self.up

    def send_delivery(self, delivery_id: str, countdown: float = 0) -> bool:
        if self.up:
            self.deliveries.append((delivery_id, countdown))
        return self.up


def _announced(sessions: sessionmaker[Session], url: str) -> str:
    shop = make_shop(sessions)
    add_endpoint(sessions, shop, url)
    with transaction(sessions) as session:
        (delivery_id,) = announce(session, review_event(session, shop.brand_id))
    return delivery_id


def _age(
    sessions: sessionmaker[Session], delivery_id: str, seconds: float, **values: object
) -> None:
    past = utcnow() - timedelta(seconds=seconds)
    with transaction(sessions) as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id)
            .values(next_attempt_at=past, sent_at=past, **values)
        )


def test_the_reconciler_resends_an_overdue_delivery(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", job_queued_grace_s=60)
    engine = make_engine(settings)
    migrate(engine)
    sessions = make_sessionmaker(engine)
    delivery_id = _announced(sessions, "https://hooks.example.com/x")
    queue = RecordingQueue(settings)

    reconcile_once(settings, sessions, queue)
    assert queue.deliveries == [], "just sent: its message may still be on its way"

    _age(sessions, delivery_id, 61)
    reconcile_once(settings, sessions, queue)
    assert queue.deliveries == [(delivery_id, 0)]
    reconcile_once(settings, sessions, queue)
    assert len(queue.deliveries) == 1, "re-sent just now: the grace starts again"

    # Held by a worker (an attempt under way): left alone until its claim runs out.
    _age(sessions, delivery_id, 61, claimed_until=utcnow() + timedelta(seconds=30))
    reconcile_once(settings, sessions, queue)
    assert len(queue.deliveries) == 1
    _age(sessions, delivery_id, 61, claimed_until=utcnow() - timedelta(seconds=1))
    reconcile_once(settings, sessions, queue)
    assert len(queue.deliveries) == 2, "a worker that died mid-attempt"

    # The broker is down: nothing is marked sent, the next pass tries again.
    _age(sessions, delivery_id, 61)
    down = RecordingQueue(settings, up=False)
    reconcile_once(settings, sessions, down)
    reconcile_once(settings, sessions, queue)
    assert len(queue.deliveries) == 3

    for status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
        _age(sessions, delivery_id, 3600, status=status)
        reconcile_once(settings, sessions, queue)
        assert len(queue.deliveries) == 3, status
    engine.dispose()


def test_the_reconciler_resends_what_a_crash_left(sqlite_sessions: sessionmaker[Session]) -> None:
    """A worker died after its claim: once the lease and grace are over the delivery is sent
    again, and the next attempt delivers it."""
    settings = Settings(job_queued_grace_s=1)
    with receiver(script=Script(statuses=[200])) as hook, httpx.Client() as http:
        delivery_id = _announced(sqlite_sessions, hook.url)
        _age(sqlite_sessions, delivery_id, 5, claimed_until=utcnow() - timedelta(seconds=1))
        queue = RecordingQueue(settings)
        reconcile_once(settings, sqlite_sessions, queue)
        assert queue.deliveries == [(delivery_id, 0)]
        assert deliver(sqlite_sessions, delivery_id, http).outcome is Outcome.DELIVERED
    assert len(hook.received) == 1


def test_the_task_sends_itself_again_after_the_backoff(tmp_path: Path) -> None:
    """On the embedded default's filesystem broker: a 500 leaves a message due 10 s later."""
    settings = Settings(data_dir=tmp_path / "var")
    runtime = LazyRuntime(settings)
    app = make_celery(settings, runtime, LazyHttp())
    migrate(runtime.get().engine)
    sessions = runtime.get().sessions
    with receiver(script=Script(statuses=[500])) as hook:
        delivery_id = _announced(sessions, hook.url)
        app.tasks[DELIVERY_TASK_NAME](delivery_id)  # run here, as a worker would
    assert len(hook.received) == 1
    messages = list((settings.broker_folder / "queue").glob("*.batch.msg"))
    assert len(messages) == 1
    message = json.loads(messages[0].read_text())
    headers = message["headers"]
    assert headers["task"] == DELIVERY_TASK_NAME
    assert delivery_id in headers["argsrepr"]
    assert headers["eta"] is not None
    assert headers["expires"] is not None
    with sessions() as session:
        row = session.get(WebhookDelivery, delivery_id)
        assert row is not None
        assert row.status is DeliveryStatus.PENDING
        assert row.attempts == 1


def test_the_sender_never_raises(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", BROKER_URL="redis://127.0.0.1:1/0")
    queue = JobQueue(make_celery(settings), settings)
    assert queue.send_delivery("5f2b0a64-4a7e-4a43-9a53-1f7d2f0c8d11", countdown=10) is False
