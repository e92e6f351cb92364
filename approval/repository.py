"""The approval step's queries: a guarded move of an item's state (compare-and-set on its
version), the audit rows, and reading the trail back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import Session

from approval.states import Action
from storage.access import Principal, in_scope
from storage.enums import DocumentKind, Platform, ReviewState, Subject
from storage.models import AuditEvent, Document, Draft, Plan, PlanItem, User, utcnow


@dataclass(frozen=True)
class AuditKey:
    """Where a page of a brand's audit trail ends (keyset pagination, newest first)."""

    at: datetime
    id: str


def compare_and_set(
    session: Session, row: Draft | Plan | PlanItem, expected_version: int, **values: Any
) -> bool:
    """Set `values` on the row if it is still at `expected_version`, counting the change in
    its version; False when someone changed it first (nothing is written)."""
    model = type(row)
    changed = session.execute(
        update(model)
        .where(model.id == row.id, model.version == expected_version)
        .values(version=expected_version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(row)
    return True


def move(
    session: Session,
    subject: Draft | Plan | PlanItem,
    expected_version: int,
    to: ReviewState,
    **values: Any,
) -> bool:
    """Move the item to state `to` (and set `values`) at `expected_version`: compare_and_set."""
    return compare_and_set(session, subject, expected_version, review_state=to, **values)


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


def edit_figures(session: Session, brand_id: str) -> list[tuple[Platform, int, float]]:
    """Each approved draft's platform, edit distance and edit ratio."""
    rows = session.execute(
        select(Draft.platform, Draft.edit_distance, Draft.edit_ratio).where(
            Draft.brand_id == brand_id,
            Draft.review_state == ReviewState.APPROVED,
            Draft.edit_distance.is_not(None),
        )
    )
    return [(platform, distance or 0, ratio or 0.0) for platform, distance, ratio in rows]


def edit_trend(session: Session, brand_id: str) -> list[tuple[datetime, float]]:
    """When each of the brand's approved drafts was approved, and its edit ratio, oldest first."""
    rows = session.execute(
        select(AuditEvent.at, Draft.edit_ratio)
        .join(Draft, Draft.id == AuditEvent.subject_id)
        .where(
            AuditEvent.brand_id == brand_id,
            AuditEvent.subject_kind == Subject.DRAFT,
            AuditEvent.to_state == ReviewState.APPROVED,
            Draft.edit_ratio.is_not(None),
        )
        .order_by(AuditEvent.at)
    )
    return [(at, ratio or 0.0) for at, ratio in rows]


def approved_examples(session: Session, brand_id: str, source_prefix: str) -> int:
    """How many of the brand's example posts an approval added."""
    return (
        session.scalar(
            select(func.count()).where(
                Document.brand_id == brand_id,
                Document.kind == DocumentKind.POST,
                Document.source.startswith(source_prefix),
            )
        )
        or 0
    )


def count_plan_change(session: Session, plan: Plan) -> None:
    """One of the plan's items changed: so did the plan (its ETag moves on)."""
    session.execute(
        update(Plan)
        .where(Plan.id == plan.id)
        .values(version=Plan.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(plan)


def last_send_back(session: Session, kind: Subject, subject_id: str) -> str:
    """The comment the item (a plan item, a draft) was last sent back with ('' if never)."""
    comment = session.scalar(
        select(AuditEvent.comment)
        .where(
            AuditEvent.subject_kind == kind,
            AuditEvent.subject_id == subject_id,
            AuditEvent.action == Action.REQUEST_CHANGES,
        )
        .order_by(AuditEvent.at.desc())
        .limit(1)
    )
    return comment or ""
