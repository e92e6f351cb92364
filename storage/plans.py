"""Plan queries: one plan or item as its caller may see it, a plan's items, a brand's plans,
the item behind a draft job, and the drafts an item's approval produced."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from storage.access import Principal, in_scope
from storage.enums import ReviewState, Subject
from storage.models import AuditEvent, Draft, Plan, PlanItem


def find_visible_plan(session: Session, principal: Principal, plan_id: str) -> Plan | None:
    """The plan if the caller may see its brand, else None."""
    return session.scalars(
        select(Plan).where(Plan.id == plan_id, in_scope(principal, Plan.brand_id))
    ).one_or_none()


def find_visible_item(session: Session, principal: Principal, item_id: str) -> PlanItem | None:
    """The plan item if the caller may see its brand, else None."""
    return session.scalars(
        select(PlanItem).where(PlanItem.id == item_id, in_scope(principal, PlanItem.brand_id))
    ).one_or_none()


def plan_items(session: Session, plan_id: str) -> list[PlanItem]:
    """The plan's items in publishing order."""
    return list(
        session.scalars(
            select(PlanItem)
            .where(PlanItem.plan_id == plan_id)
            .order_by(PlanItem.at, PlanItem.platform, PlanItem.id)
        )
    )


def items_of_plan(session: Session, plan_id: str, item_ids: Sequence[str]) -> dict[str, PlanItem]:
    """Those of `item_ids` that are items of the plan, by id (one query)."""
    rows = session.scalars(
        select(PlanItem).where(PlanItem.plan_id == plan_id, PlanItem.id.in_(set(item_ids)))
    )
    return {item.id: item for item in rows}


@dataclass(frozen=True)
class PlanKey:
    """A plan's place in a brand's list, newest first."""

    created_at: datetime
    id: str


def brand_plans(
    session: Session, principal: Principal, brand_id: str, limit: int, after: PlanKey | None
) -> list[Plan]:
    """Up to `limit` of the brand's plans, newest first, from just after `after`."""
    where = [Plan.brand_id == brand_id, in_scope(principal, Plan.brand_id)]
    if after is not None:
        where.append(tuple_(Plan.created_at, Plan.id) < (after.created_at, after.id))
    return list(
        session.scalars(
            select(Plan).where(*where).order_by(Plan.created_at.desc(), Plan.id.desc()).limit(limit)
        )
    )


def item_counts(session: Session, plan_ids: Sequence[str]) -> dict[str, dict[ReviewState, int]]:
    """For each plan, how many of its items are in each review state."""
    counts: dict[str, dict[ReviewState, int]] = {pid: {} for pid in plan_ids}
    rows = session.execute(
        select(PlanItem.plan_id, PlanItem.review_state).where(PlanItem.plan_id.in_(plan_ids))
    )
    for plan_id, state in rows:
        counts[plan_id][state] = counts[plan_id].get(state, 0) + 1
    return counts


def item_for_job(session: Session, job_id: str) -> PlanItem | None:
    """The plan item whose approval queued this draft job, if any."""
    return session.scalars(select(PlanItem).where(PlanItem.draft_job_id == job_id)).first()


def approver(session: Session, item_id: str) -> tuple[str | None, str]:
    """Who approved the plan item last (their id and name as the trail keeps them)."""
    event = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.subject_kind == Subject.PLAN_ITEM,
            AuditEvent.subject_id == item_id,
            AuditEvent.to_state == ReviewState.APPROVED,
        )
        .order_by(AuditEvent.at.desc())
        .limit(1)
    ).first()
    return (event.actor_id, event.actor_name) if event else (None, "Postcraft")


def item_drafts(session: Session, job_ids: Sequence[str]) -> dict[str, list[Draft]]:
    """The drafts of these draft jobs, by job id."""
    out: dict[str, list[Draft]] = {job_id: [] for job_id in job_ids}
    if not job_ids:
        return out
    for draft in session.scalars(
        select(Draft).where(Draft.job_id.in_(job_ids)).order_by(Draft.platform)
    ):
        out[draft.job_id].append(draft)
    return out
