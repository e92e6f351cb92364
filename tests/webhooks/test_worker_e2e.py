"""A delivery through real worker processes, on the embedded default (SQLite, filesystem
broker) and the scaled topology (PostgreSQL, Redis): a 500, then the retry 10 s later from
the queue's countdown, delivered with the same signed body."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import DeliveryStatus, WebhookDelivery
from storage.settings import Settings
from tests.e2e.processes import api_and_worker, environment, served, setup_brand
from tests.e2e.services import postgres_database, redis_database
from tests.webhooks.conftest import review_event
from tests.webhooks.receiver import Receiver, Script, receiver
from webhooks.delivery import BACKOFF_S
from webhooks.outbox import announce
from worker.app import make_celery
from worker.queue import JobQueue

pytestmark = pytest.mark.slow


def _deliver_through_the_worker(url: str, key: str, brand_id: str, settings: Settings) -> None:
    with receiver(script=Script(statuses=[500, 200])) as hook:
        made = httpx.post(
            f"{url}/v1/brands/{brand_id}/webhooks",
            json={"url": hook.url, "description": "e2e"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert made.status_code == 201, made.text
        hook.secret = made.json()["secret"]
        engine = make_engine(settings)
        sessions = make_sessionmaker(engine)
        with transaction(sessions) as session:  # what the approval step does in a move
            (delivery_id,) = announce(session, review_event(session, brand_id))
        assert JobQueue(make_celery(settings), settings).send_delivery(delivery_id)
        row = _wait_delivered(sessions, delivery_id, hook, timeout=60)
        engine.dispose()
    assert row.status is DeliveryStatus.DELIVERED
    assert row.attempts == 2
    assert [r.signature_ok for r in hook.received] == [True, True]
    assert hook.received[0].body == hook.received[1].body
    gap = hook.received[1].at - hook.received[0].at
    assert BACKOFF_S[0] - 1 <= gap <= BACKOFF_S[0] + 15, gap


def _wait_delivered(
    sessions: sessionmaker[Session], delivery_id: str, hook: Receiver, timeout: float
) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sessions() as session:
            row = session.get(WebhookDelivery, delivery_id)
        if row is not None and row.status is not DeliveryStatus.PENDING:
            return row
        time.sleep(0.25)
    raise AssertionError(f"not delivered in {timeout} s; received {len(hook.received)}")


def test_a_retried_delivery_on_the_embedded_default(tmp_path: Path) -> None:
    env = environment(tmp_path / "var")
    brand_id, key = setup_brand(env, "northwind")
    with served(env, tmp_path, "--concurrency", "2") as url:
        _deliver_through_the_worker(url, key, brand_id, Settings(data_dir=tmp_path / "var"))


@pytest.mark.services
def test_a_retried_delivery_on_postgresql_and_redis(tmp_path: Path) -> None:
    with postgres_database() as database_url, redis_database() as broker_url:
        env = environment(tmp_path / "var", DATABASE_URL=database_url, BROKER_URL=broker_url)
        brand_id, key = setup_brand(env, "northwind")
        settings = Settings(
            data_dir=tmp_path / "var", DATABASE_URL=database_url, BROKER_URL=broker_url
        )
        with ExitStack() as stack:
            url, _ = api_and_worker(env, tmp_path, stack)
            _deliver_through_the_worker(url, key, brand_id, settings)
