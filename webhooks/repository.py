"""The webhooks' queries: endpoints of a brand, deliveries recorded once per event and
endpoint, the claim of a delivery (compare-and-set), its attempts, and the due ones."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)

SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)


def new_secret() -> str:
    """A signing secret: 256 random bits, URL-safe, with a prefix that says what it is."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def create_endpoint(
    session: Session,
    workspace_id: str,
    brand_id: str,
    url: str,
    description: str,
    created_by: str | None,
) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret, in the caller's transaction (flushed)."""
    endpoint = WebhookEndpoint(
        workspace_id=workspace_id,
        brand_id=brand_id,
        url=url,
        secret=new_secret(),
        description=description,
        active=True,
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def brand_endpoints(session: Session, brand_id: str) -> list[WebhookEndpoint]:
    """The brand's endpoints, active and not, newest first."""
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.brand_id == brand_id)
            .order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id.desc())
        )
    )


def active_endpoints(session: Session, brand_id: str) -> list[WebhookEndpoint]:
    """The brand's endpoints that receive events, oldest first."""
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.brand_id == brand_id, WebhookEndpoint.active.is_(True))
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
    )


def find_endpoint(session: Session, brand_id: str, endpoint_id: str) -> WebhookEndpoint | None:
    """The brand's endpoint, or None (another brand's endpoint is None too)."""
    return session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.brand_id == brand_id
        )
    ).one_or_none()


def deactivate_endpoint(session: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Stop sending to the endpoint; its pending deliveries fail with the reason."""
    if endpoint.active:
        endpoint.active = False
        endpoint.deactivated_at = now
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            last_error="The endpoint was deactivated before this delivery succeeded",
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.flush()


def event_deliveries(session: Session, event_id: str) -> dict[str, str]:
    """The deliveries already recorded for an event: endpoint id to delivery id."""
    rows = session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.id).where(
            WebhookDelivery.event_id == event_id
        )
    )
    return {endpoint_id: delivery_id for endpoint_id, delivery_id in rows}


def endpoint_deliveries(session: Session, endpoint_id: str, limit: int) -> list[WebhookDelivery]:
    """Up to `limit` of the endpoint's deliveries, newest first."""
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def delivery_attempts(session: Session, delivery_id: str) -> list[WebhookAttempt]:
    """Every attempt of a delivery, in order."""
    return list(
        session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.number)
        )
    )


@dataclass(frozen=True)
class Claim:
    """One attempt of a delivery, taken by one worker: what it sends, and where."""

    delivery_id: str
    attempt: int
    event_id: str
    event_type: str
    body: str
    url: str
    secret: str
    endpoint_active: bool


def claim_delivery(
    session: Session,
    delivery_id: str,
    now: datetime,
    lease: timedelta,
    early: timedelta = timedelta(0),
) -> Claim | None:
    """Take the delivery for one attempt if it is pending, due (up to `early` ahead: clocks
    of machines differ) and held by no other worker (one UPDATE, so two workers never both
    take it); None otherwise."""
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now + early,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
        )
        .values(
            attempts=WebhookDelivery.attempts + 1,
            claimed_until=now + lease,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    delivery, endpoint = session.execute(
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id == delivery_id)
        .execution_options(populate_existing=True)
    ).one()
    return Claim(
        delivery_id=delivery.id,
        attempt=delivery.attempts,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        body=delivery.body,
        url=endpoint.url,
        secret=endpoint.secret,
        endpoint_active=endpoint.active,
    )


@dataclass(frozen=True)
class AttemptRecord:
    """What one attempt found and decided."""

    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    status: DeliveryStatus
    """The delivery's status after it: still pending (a retry), delivered or failed."""
    next_attempt_at: datetime | None


def record_attempt(session: Session, claim: Claim, record: AttemptRecord) -> bool:
    """Keep the attempt and, if this attempt still owns the delivery, its new status; False
    when another attempt took over (the attempt row is kept all the same: it was sent)."""
    if record.status is DeliveryStatus.DELIVERED:
        outcome = "delivered"
    else:
        outcome = "retry" if record.status is DeliveryStatus.PENDING else "failed"
    session.add(
        WebhookAttempt(
            delivery_id=claim.delivery_id,
            number=claim.attempt,
            at=record.at,
            status_code=record.status_code,
            error=record.error,
            duration_ms=record.duration_ms,
            outcome=outcome,
        )
    )
    delivered = record.status is DeliveryStatus.DELIVERED
    owned = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == claim.delivery_id,
            WebhookDelivery.attempts == claim.attempt,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(
            status=record.status,
            claimed_until=None,
            next_attempt_at=record.next_attempt_at,
            # A retry's message goes out right after this commit (see worker.app).
            **({"sent_at": record.at} if record.status is DeliveryStatus.PENDING else {}),
            last_status_code=record.status_code,
            last_error=record.error,
            delivered_at=record.at if delivered else None,
            updated_at=record.at,
        )
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return bool(owned.rowcount == 1)  # type: ignore[attr-defined]


def due_deliveries(
    session: Session, now: datetime, grace: timedelta, limit: int = 500
) -> list[str]:
    """Pending deliveries whose message is taken for lost: due for `grace` already, sent
    (or re-sent) at least `grace` ago, and held by no worker. Oldest due first."""
    cutoff = now - grace
    return list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= cutoff,
                or_(WebhookDelivery.sent_at.is_(None), WebhookDelivery.sent_at <= cutoff),
                or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        )
    )


def mark_delivery_sent(session: Session, delivery_id: str, at: datetime) -> None:
    """Record that the delivery's message was sent again at `at`."""
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(sent_at=at)
        .execution_options(synchronize_session=False)
    )
