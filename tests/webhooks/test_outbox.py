"""The outbox: one pending delivery per active endpoint of the event's brand, in the caller's
transaction; never two for one event and endpoint; the payload and its type."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.enums import ReviewState
from storage.models import AuditEvent, DeliveryStatus, WebhookDelivery, utcnow
from tests.webhooks.conftest import add_endpoint, make_shop, review_event
from webhooks.outbox import announce, event_type
from webhooks.repository import deactivate_endpoint


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0


def test_one_delivery_per_active_endpoint_and_never_two(sessions: sessionmaker[Session]) -> None:
    shop = make_shop(sessions)
    first = add_endpoint(sessions, shop, "https://a.example.com/hook")
    second = add_endpoint(sessions, shop, "https://b.example.com/hook")
    gone = add_endpoint(sessions, shop, "https://c.example.com/hook")
    with transaction(sessions) as session:
        endpoint = session.merge(gone)
        deactivate_endpoint(session, endpoint, utcnow())
    with transaction(sessions) as session:
        event = review_event(session, shop.brand_id)
        ids = announce(session, event)
        again = announce(session, event)  # the same event twice in one transaction
    assert len(ids) == 2
    assert sorted(again) == sorted(ids)
    with transaction(sessions) as session:
        assert sorted(announce(session, event)) == sorted(ids)  # and in a later one
    assert _count(sessions) == 2
    with sessions() as session:
        rows = list(session.scalars(select(WebhookDelivery)))
    assert {r.endpoint_id for r in rows} == {first.id, second.id}
    assert all(r.status is DeliveryStatus.PENDING and r.attempts == 0 for r in rows)
    assert rows[0].body == rows[1].body
    assert rows[0].next_attempt_at is not None


def test_the_database_refuses_a_second_row_for_one_event_and_endpoint(
    sessions: sessionmaker[Session],
) -> None:
    shop = make_shop(sessions)
    add_endpoint(sessions, shop, "https://a.example.com/hook")
    with transaction(sessions) as session:
        event = review_event(session, shop.brand_id)
        (delivery_id,) = announce(session, event)
    with sessions() as session:
        row = session.get(WebhookDelivery, delivery_id)
        assert row is not None
        twin = WebhookDelivery(
            endpoint_id=row.endpoint_id,
            brand_id=row.brand_id,
            event_id=row.event_id,
            event_type=row.event_type,
            body=row.body,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
        )
        session.add(twin)
        with pytest.raises(IntegrityError):
            session.commit()


def test_a_rolled_back_move_announces_nothing(sqlite_sessions: sessionmaker[Session]) -> None:
    shop = make_shop(sqlite_sessions)
    add_endpoint(sqlite_sessions, shop, "https://a.example.com/hook")
    with sqlite_sessions() as session:
        announce(session, review_event(session, shop.brand_id))
        session.rollback()
    assert _count(sqlite_sessions) == 0


def test_no_endpoint_no_delivery(sqlite_sessions: sessionmaker[Session]) -> None:
    shop = make_shop(sqlite_sessions)
    other = make_shop(sqlite_sessions, "other")
    add_endpoint(sqlite_sessions, other, "https://other.example.com/hook")
    with transaction(sqlite_sessions) as session:
        assert announce(session, review_event(session, shop.brand_id)) == []
    assert _count(sqlite_sessions) == 0


def test_the_payload(sqlite_sessions: sessionmaker[Session]) -> None:
    shop = make_shop(sqlite_sessions)
    add_endpoint(sqlite_sessions, shop, "https://a.example.com/hook")
    with transaction(sqlite_sessions) as session:
        event = review_event(session, shop.brand_id, comment="ok")
        (delivery_id,) = announce(session, event)
    with sqlite_sessions() as session:
        row = session.get(WebhookDelivery, delivery_id)
        assert row is not None
    payload = json.loads(row.body)
    assert payload == {
        "id": event.id,
        "type": "review.approved",
        "brand_id": shop.brand_id,
        "subject": {"kind": "draft", "id": event.subject_id},
        "action": "approve",
        "from": "in_review",
        "to": "approved",
        "version": 3,
        "actor": {"id": None, "name": "Мария Менеджер"},
        "comment": "ok",
        "at": event.at.isoformat(timespec="microseconds"),
    }
    assert row.event_type == "review.approved"
    assert row.event_id == event.id


@pytest.mark.parametrize(
    ("action", "to", "expected"),
    [
        ("submit", ReviewState.IN_REVIEW, "review.submitted"),
        ("approve", ReviewState.APPROVED, "review.approved"),
        ("reject", ReviewState.REJECTED, "review.rejected"),
        ("request_changes", ReviewState.CHANGES_REQUESTED, "review.changes_requested"),
        ("reopen", ReviewState.DRAFT, "review.reopen"),
    ],
)
def test_event_types(action: str, to: ReviewState, expected: str) -> None:
    event = AuditEvent(action=action, to_state=to, from_state=ReviewState.IN_REVIEW)
    assert event_type(event) == expected
