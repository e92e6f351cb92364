"""The outbox: a review move's audit row becomes one pending delivery per active endpoint of
its brand, in the move's own transaction, so an event is announced if and only if the move
commits. The caller sends the returned ids to the queue after the commit."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from sqlalchemy.orm import Session

from storage.enums import ReviewState
from storage.models import AuditEvent, DeliveryStatus, WebhookDelivery, new_id, utcnow
from webhooks.repository import active_endpoints, event_deliveries

# What an event is called, by the state the move led to; a move to another state is named
# after its action (`review.<action>`).
EVENT_TYPES: dict[ReviewState, str] = {
    ReviewState.IN_REVIEW: "review.submitted",
    ReviewState.APPROVED: "review.approved",
    ReviewState.REJECTED: "review.rejected",
    ReviewState.CHANGES_REQUESTED: "review.changes_requested",
}


def event_type(event: AuditEvent) -> str:
    """The event's type: `review.submitted`, `review.approved`, `review.rejected`,
    `review.changes_requested` (else `review.<action>`)."""
    known = EVENT_TYPES.get(ReviewState(event.to_state))
    return known or f"review.{event.action}"


def event_payload(event: AuditEvent) -> dict[str, Any]:
    """The JSON object a receiver gets for an audit row (the row's id is the event's id)."""
    return {
        "id": event.id,
        "type": event_type(event),
        "brand_id": event.brand_id,
        "subject": {"kind": str(event.subject_kind), "id": event.subject_id},
        "action": str(event.action),
        "from": ReviewState(event.from_state).value,
        "to": ReviewState(event.to_state).value,
        "version": event.version,
        "actor": {"id": event.actor_id, "name": event.actor_name},
        "comment": event.comment or "",
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
    }


def encode(payload: dict[str, Any]) -> str:
    """The body as sent: compact JSON, UTF-8 text as is (its bytes are what is signed)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def announce(session: Session, event: AuditEvent) -> list[str]:
    """Record a pending delivery of `event` for each active endpoint of its brand, in the
    caller's transaction (flushed, not committed), and return the delivery ids to send once
    it commits. Idempotent: an event already recorded for an endpoint is not recorded again
    (its existing delivery's id is returned; sending it twice delivers it once). A row that
    records no move (a regeneration: the state stays) is not an event: nothing is recorded."""
    if event.from_state == event.to_state:
        return []
    if event.id is None or event.at is None:  # not flushed yet: its id and time come then
        session.add(event)
        session.flush()
    endpoints = active_endpoints(session, event.brand_id)
    if not endpoints:
        return []
    recorded = event_deliveries(session, event.id)
    body = encode(event_payload(event))
    kind = event_type(event)
    now = utcnow()
    ids: list[str] = []
    for endpoint in endpoints:
        if endpoint.id in recorded:
            ids.append(recorded[endpoint.id])
            continue
        delivery = WebhookDelivery(
            id=new_id(),
            endpoint_id=endpoint.id,
            brand_id=event.brand_id,
            event_id=event.id,
            event_type=kind,
            body=body,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            sent_at=now,  # the caller sends it after the commit; the reconciler covers a loss
            created_at=now,
            updated_at=now,
        )
        session.add(delivery)
        ids.append(delivery.id)
    session.flush()
    return ids
