"""Delivering against a local receiver: the signature checks out, a 500 is retried after its
back-off with the very same body, a 4xx fails at once, timeouts and refused connections are
retried, two workers at once deliver once, and the last attempt gives up."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, utcnow
from tests.e2e.processes import free_port
from tests.webhooks.conftest import add_endpoint, later, make_shop, review_event
from tests.webhooks.receiver import Script, receiver
from webhooks.delivery import BACKOFF_S, MAX_ATTEMPTS, DeliveryResult, Outcome, deliver
from webhooks.outbox import announce
from webhooks.repository import deactivate_endpoint, delivery_attempts
from webhooks.signing import verify


def _one_delivery(sessions: sessionmaker[Session], url: str) -> tuple[str, str, str]:
    """An endpoint at `url` and one announced event: (delivery id, event id, secret)."""
    shop = make_shop(sessions)
    endpoint = add_endpoint(sessions, shop, url)
    with transaction(sessions) as session:
        event = review_event(session, shop.brand_id)
        ids = announce(session, event)
    assert len(ids) == 1
    return ids[0], event.id, endpoint.secret


def _row(sessions: sessionmaker[Session], delivery_id: str) -> WebhookDelivery:
    with sessions() as session:
        row = session.get(WebhookDelivery, delivery_id)
    assert row is not None
    return row


def test_a_500_is_retried_after_its_backoff_with_the_same_signed_body(
    sessions: sessionmaker[Session],
) -> None:
    with receiver(script=Script(statuses=[500, 500, 200])) as hook, httpx.Client() as http:
        delivery_id, event_id, secret = _one_delivery(sessions, hook.url)
        hook.secret = secret
        t0 = utcnow()

        first = deliver(sessions, delivery_id, http, now=t0)
        assert (first.outcome, first.status_code, first.retry_in_s) == (Outcome.RETRY, 500, 10)
        row = _row(sessions, delivery_id)
        assert row.status is DeliveryStatus.PENDING
        assert row.attempts == 1
        assert row.last_status_code == 500
        assert row.last_error
        assert "HTTP 500" in row.last_error
        assert row.next_attempt_at is not None
        assert abs((row.next_attempt_at - later(t0, BACKOFF_S[0])).total_seconds()) < 1

        # A message that arrives before the back-off is over sends nothing.
        early = deliver(sessions, delivery_id, http, now=later(t0, 5))
        assert early.outcome is Outcome.SKIPPED
        assert len(hook.received) == 1

        second = deliver(sessions, delivery_id, http, now=later(t0, 11))
        assert (second.outcome, second.retry_in_s) == (Outcome.RETRY, BACKOFF_S[1])
        third = deliver(sessions, delivery_id, http, now=later(t0, 11 + 31))
        assert (third.outcome, third.status_code, third.attempt) == (Outcome.DELIVERED, 200, 3)
        # Done: a redelivered message sends nothing more.
        assert deliver(sessions, delivery_id, http, now=later(t0, 100)).outcome is Outcome.SKIPPED

    assert len(hook.received) == 3
    assert all(r.signature_ok for r in hook.received), "the receiver's own HMAC check"
    assert len({r.body for r in hook.received}) == 1, "every attempt sends the same bytes"
    for r in hook.received:
        assert r.headers["Postcraft-Event-Id"] == event_id
        assert r.headers["Postcraft-Delivery-Id"] == delivery_id
        assert r.headers["Content-Type"] == "application/json"
        assert verify(secret, r.headers["Postcraft-Signature"], r.body, now=r.at)
        assert not verify("whsec_wrong", r.headers["Postcraft-Signature"], r.body, now=r.at)
    stamps = [r.headers["Postcraft-Signature"].split(",")[0] for r in hook.received]
    assert len(set(stamps)) == 3, "each attempt is signed at its own time"
    payload = json.loads(hook.received[0].body)
    assert payload["id"] == event_id
    assert payload["type"] == "review.approved"
    assert payload["subject"]["kind"] == "draft"
    assert payload["to"] == "approved"
    assert payload["comment"] == "Хорошо — «в печать» ✓"  # UTF-8 as is, signed as sent

    row = _row(sessions, delivery_id)
    assert row.status is DeliveryStatus.DELIVERED
    assert row.attempts == 3
    assert row.delivered_at is not None
    assert row.next_attempt_at is None
    assert row.last_status_code == 200
    assert row.last_error is None
    with sessions() as session:
        attempts = delivery_attempts(session, delivery_id)
    assert [(a.number, a.status_code, a.outcome) for a in attempts] == [
        (1, 500, "retry"),
        (2, 500, "retry"),
        (3, 200, "delivered"),
    ]


@pytest.mark.parametrize("code", [400, 401, 404, 410, 422])
def test_a_client_error_fails_at_once_and_says_why(
    sqlite_sessions: sessionmaker[Session], code: int
) -> None:
    sessions = sqlite_sessions
    with receiver(script=Script(statuses=[code])) as hook, httpx.Client() as http:
        delivery_id, _, secret = _one_delivery(sessions, hook.url)
        hook.secret = secret
        result = deliver(sessions, delivery_id, http)
        assert (result.outcome, result.status_code, result.retry_in_s) == (
            Outcome.FAILED,
            code,
            None,
        )
        assert deliver(sessions, delivery_id, http).outcome is Outcome.SKIPPED
    assert len(hook.received) == 1
    row = _row(sessions, delivery_id)
    assert row.status is DeliveryStatus.FAILED
    assert row.attempts == 1
    assert row.next_attempt_at is None
    assert row.last_status_code == code
    assert row.last_error
    assert f"HTTP {code}" in row.last_error
    assert "not retried" in row.last_error
    assert "receiver says no" in row.last_error


@pytest.mark.parametrize("code", [408, 429, 502, 503])
def test_408_429_and_5xx_are_retried(sqlite_sessions: sessionmaker[Session], code: int) -> None:
    with receiver(script=Script(statuses=[code])) as hook, httpx.Client() as http:
        delivery_id, _, _ = _one_delivery(sqlite_sessions, hook.url)
        result = deliver(sqlite_sessions, delivery_id, http)
    assert (result.outcome, result.status_code) == (Outcome.RETRY, code)


def test_retry_after_lengthens_the_wait(sqlite_sessions: sessionmaker[Session]) -> None:
    script = Script(statuses=[429], extra_headers={"Retry-After": "90"})
    with receiver(script=script) as hook, httpx.Client() as http:
        delivery_id, _, _ = _one_delivery(sqlite_sessions, hook.url)
        result = deliver(sqlite_sessions, delivery_id, http)
    assert (result.outcome, result.retry_in_s) == (Outcome.RETRY, 90)


def test_a_timeout_is_retried(sqlite_sessions: sessionmaker[Session]) -> None:
    sessions = sqlite_sessions
    with receiver(script=Script(statuses=[200], delay_s=1.0)) as hook, httpx.Client() as http:
        delivery_id, _, _ = _one_delivery(sessions, hook.url)
        result = deliver(sessions, delivery_id, http, timeout=httpx.Timeout(0.2))
    assert result.outcome is Outcome.RETRY
    assert result.status_code is None
    assert result.error
    assert result.error.startswith("Timed out")
    row = _row(sessions, delivery_id)
    assert row.status is DeliveryStatus.PENDING
    assert row.attempts == 1
    assert row.last_error == result.error
    assert row.claimed_until is None


def test_a_refused_connection_is_retried(sqlite_sessions: sessionmaker[Session]) -> None:
    url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    delivery_id, _, _ = _one_delivery(sqlite_sessions, url)
    with httpx.Client() as http:
        result = deliver(sqlite_sessions, delivery_id, http)
    assert result.outcome is Outcome.RETRY
    assert result.error
    assert "ConnectError" in result.error


def test_the_last_attempt_gives_up(sqlite_sessions: sessionmaker[Session]) -> None:
    sessions = sqlite_sessions
    assert MAX_ATTEMPTS == 8
    with receiver(script=Script(statuses=[500])) as hook, httpx.Client() as http:
        delivery_id, _, _ = _one_delivery(sessions, hook.url)
        outcomes = [
            deliver(sessions, delivery_id, http, now=utcnow(), backoff=(0, 0)).outcome
            for _ in range(4)
        ]
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED, Outcome.SKIPPED]
    assert len(hook.received) == 3
    row = _row(sessions, delivery_id)
    assert row.status is DeliveryStatus.FAILED
    assert row.attempts == 3
    assert row.last_error
    assert row.last_error.startswith("Gave up after 3 attempts")


def test_two_workers_at_once_deliver_once(sessions: sessionmaker[Session]) -> None:
    with receiver(script=Script(statuses=[200], delay_s=0.3)) as hook, httpx.Client() as http:
        delivery_id, _, secret = _one_delivery(sessions, hook.url)
        hook.secret = secret
        start = threading.Barrier(4)
        results: list[DeliveryResult] = []

        def worker() -> None:
            start.wait()
            results.append(deliver(sessions, delivery_id, http))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    outcomes = sorted(r.outcome.value for r in results)
    assert outcomes == ["delivered", "skipped", "skipped", "skipped"]
    assert len(hook.received) == 1
    assert hook.received[0].signature_ok
    row = _row(sessions, delivery_id)
    assert row.status is DeliveryStatus.DELIVERED
    assert row.attempts == 1
    with sessions() as session:
        assert len(delivery_attempts(session, delivery_id)) == 1
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1


def test_a_deactivated_endpoint_gets_nothing(sqlite_sessions: sessionmaker[Session]) -> None:
    sessions = sqlite_sessions
    with receiver() as hook, httpx.Client() as http:
        delivery_id, _, _ = _one_delivery(sessions, hook.url)
        with transaction(sessions) as session:
            row = session.get(WebhookDelivery, delivery_id)
            assert row is not None
            endpoint = session.get(WebhookEndpoint, row.endpoint_id)
            assert endpoint is not None
            deactivate_endpoint(session, endpoint, utcnow())
        assert deliver(sessions, delivery_id, http).outcome is Outcome.SKIPPED
    assert hook.received == []
    row = _row(sessions, delivery_id)
    assert row.status is DeliveryStatus.FAILED
    assert row.last_error
    assert "deactivated" in row.last_error
