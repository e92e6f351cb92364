"""What a caller may see, found or refused with 404 in the same words everywhere (the API's
routes and the review page): a plan, a plan item, a draft, and their read models."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.plan_schemas import PlanItemRead, PlanRead, PlanSummary
from storage.access import Principal
from storage.drafts import find_visible_draft
from storage.errors import ErrorCode, PostcraftError
from storage.models import Draft, Plan, PlanItem
from storage.plans import (
    PlanKey,
    brand_plans,
    find_visible_item,
    find_visible_plan,
    item_counts,
    item_drafts,
    plan_items,
)


def visible_plan(session: Session, principal: Principal, plan_id: str) -> Plan:
    """The plan if it is of the caller's brands, else PLAN_NOT_FOUND."""
    plan = find_visible_plan(session, principal, plan_id)
    if plan is None:
        raise PostcraftError(ErrorCode.PLAN_NOT_FOUND, f"No plan {plan_id} among your brands")
    return plan


def visible_item(session: Session, principal: Principal, item_id: str) -> PlanItem:
    """The plan item if it is of the caller's brands, else PLAN_ITEM_NOT_FOUND."""
    item = find_visible_item(session, principal, item_id)
    if item is None:
        raise PostcraftError(
            ErrorCode.PLAN_ITEM_NOT_FOUND, f"No plan item {item_id} among your brands"
        )
    return item


def visible_draft(session: Session, principal: Principal, draft_id: str) -> Draft:
    """The draft if it is of the caller's brands, else DRAFT_NOT_FOUND."""
    draft = find_visible_draft(session, principal, draft_id)
    if draft is None:
        raise PostcraftError(ErrorCode.DRAFT_NOT_FOUND, f"No draft {draft_id} among your brands")
    return draft


def plan_read(session: Session, plan: Plan) -> PlanRead:
    """The plan with its items in publishing order and their drafts."""
    items = plan_items(session, plan.id)
    drafts = item_drafts(session, [i.draft_job_id for i in items if i.draft_job_id])
    return PlanRead.full(plan, items, drafts)


def item_read(session: Session, item: PlanItem) -> PlanItemRead:
    """The item with the drafts its approval's job wrote."""
    drafts = item_drafts(session, [item.draft_job_id] if item.draft_job_id else [])
    return PlanItemRead.of(item, drafts.get(item.draft_job_id or "", []))


def plan_summaries(
    session: Session, principal: Principal, brand_id: str, limit: int, after: PlanKey | None
) -> list[PlanSummary]:
    """Up to `limit` of the brand's plans, newest first from just after `after`, each with
    its items counted by state."""
    rows = brand_plans(session, principal, brand_id, limit, after)
    counts = item_counts(session, [p.id for p in rows])
    return [PlanSummary.of(p, counts[p.id]) for p in rows]
