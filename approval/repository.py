"""The approval step's queries: a guarded move of an item's state (compare-and-set on its
version), the audit rows, and reading the trail back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from storage.access import Principal, in_scope
from storage.enums import ReviewState
from storage.models import AuditEvent, Draft, User, utcnow


@dataclass(frozen=True)
class AuditKey:
    """Where a page of a brand's audit trail ends (keyset pagination, newest first)."""

    at: datetime
    id: str


def move_draft(
    session: Session, draft: Draft, expected_version: int, to: ReviewState, **values: Any
) -> bool:
    """Set the draft's state (and `values`) if it is still at `expected_version`, counting the
    change in its version; False when someone changed it first (nothing is written)."""
    changed = session.execute(
        update(Draft)
        .where(Draft.id == draft.id, Draft.version == expected_version)
        .values(review_state=to, version=expected_version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(draft)
    return True


def actor_name(session: Session, user_id: str) -> str:
    """The person's name as the trail keeps it (it outlives the account)."""
    user = session.get(User, user_id)
    return user.name if user is not None else "(deleted user)"


def record(session: Session, event: AuditEvent) -> None:
    """Add one row to the trail (in the caller's transaction, with the move it records)."""
    session.add(event)
    session.flush()


def subject_trail(session: Session, kind: str, subject_id: str) -> list[AuditEvent]:
    """Every move of one item, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_kind == kind, AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def brand_trail(
    session: Session, principal: Principal, brand_id: str, limit: int, after: AuditKey | None
) -> list[AuditEvent]:
    """Up to `limit` moves of the brand's items, newest first, from just after `after`; none
    unless the caller may see the brand."""
    where = [AuditEvent.brand_id == brand_id, in_scope(principal, AuditEvent.brand_id)]
    if after is not None:
        where.append(tuple_(AuditEvent.at, AuditEvent.id) < (after.at, after.id))
    return list(
        session.scalars(
            select(AuditEvent)
            .where(*where)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
