"""The exports' queries: a plan with its items and their approved drafts, and a brand's approved
drafts joined to the plan items that queued them, each scoped to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, load_only

from approval.exports import ExportDraft, ExportItem, ExportPlan, ExportRow
from storage.access import Principal, in_scope
from storage.enums import ReviewState
from storage.models import Brand, Draft, Job, Plan, PlanItem

# A draft belongs to a plan item when the item's approval queued its job: the item names that
# job (`draft_job_id`), and the item is for one platform, so only that platform's draft of the
# job is the item's post.
_ITEM_OF_DRAFT = and_(
    PlanItem.draft_job_id == Draft.job_id,
    PlanItem.platform == Draft.platform,
    PlanItem.brand_id == Draft.brand_id,
)
_DRAFT_COLUMNS = load_only(
    Draft.id,
    Draft.job_id,
    Draft.brand_id,
    Draft.platform,
    Draft.language,
    Draft.headline,
    Draft.body,
    Draft.call_to_action,
    Draft.hashtags,
    Draft.version,
    Draft.updated_at,
    Draft.review_state,
)


@dataclass(frozen=True)
class PlanExport:
    """A plan, the items to show (by time), and their approved drafts by item id."""

    plan: ExportPlan
    items: list[ExportItem]
    drafts_by_item: dict[str, ExportDraft]


def find_plan(session: Session, principal: Principal, plan_id: str) -> ExportPlan | None:
    """The plan with its brand's name, if the caller may see its brand; else None."""
    row = session.execute(
        select(Plan, Brand.name, Brand.slug)
        .join(Brand, Brand.id == Plan.brand_id)
        .where(Plan.id == plan_id, in_scope(principal, Plan.brand_id))
    ).one_or_none()
    if row is None:
        return None
    plan, name, slug = row
    return ExportPlan(
        id=plan.id,
        brand_id=plan.brand_id,
        brand_name=name,
        brand_slug=slug,
        starts_on=plan.starts_on,
        days=plan.days,
        timezone=plan.timezone,
        review_state=plan.review_state,
    )


def plan_export(
    session: Session, principal: Principal, plan_id: str, state: ReviewState | None = None
) -> PlanExport | None:
    """The plan and its items in time order: those in `state`, or (None) every item but the
    rejected ones; with the approved draft of each item that has one. None unless the caller
    may see the plan's brand. Three queries."""
    plan = find_plan(session, principal, plan_id)
    if plan is None:
        return None
    which: ColumnElement[bool] = (
        PlanItem.review_state == state
        if state is not None
        else PlanItem.review_state != ReviewState.REJECTED
    )
    rows = session.scalars(
        select(PlanItem)
        .where(PlanItem.plan_id == plan.id, which)
        .order_by(PlanItem.at, PlanItem.id)
    )
    items = [_item(row) for row in rows]
    drafts = session.execute(
        select(Draft, PlanItem.id)
        .options(_DRAFT_COLUMNS)
        .join(PlanItem, _ITEM_OF_DRAFT)
        .where(
            PlanItem.plan_id == plan.id,
            Draft.review_state == ReviewState.APPROVED,
            in_scope(principal, Draft.brand_id),
        )
    )
    shown = {item.id for item in items}
    by_item = {item_id: _draft(draft, {}) for draft, item_id in drafts if item_id in shown}
    return PlanExport(plan, items, by_item)


def approved_drafts(
    session: Session,
    principal: Principal,
    brand_id: str,
    plan_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[ExportRow]:
    """The brand's approved drafts, each with the plan item that queued it (if any) and its
    plan's time zone; only those of one plan's items when `plan_id` is given. A draft's date is
    its item's scheduled time, or when it was approved when it came from no plan: the rows are
    in that order, and `start` (included) and `end` (excluded), in UTC, bound it. None unless
    the caller may see the brand."""
    when = func.coalesce(PlanItem.at, Draft.updated_at)
    where: list[ColumnElement[bool]] = [
        Draft.brand_id == brand_id,
        in_scope(principal, Draft.brand_id),
        Draft.review_state == ReviewState.APPROVED,
    ]
    if plan_id is not None:
        where.append(PlanItem.plan_id == plan_id)
    if start is not None:
        where.append(when >= start)
    if end is not None:
        where.append(when < end)
    rows = session.execute(
        select(Draft, PlanItem, Plan.timezone, Job.request)
        .options(_DRAFT_COLUMNS)
        .join(Job, Job.id == Draft.job_id)
        .outerjoin(PlanItem, _ITEM_OF_DRAFT)
        .outerjoin(Plan, Plan.id == PlanItem.plan_id)
        .where(*where)
        .order_by(when, Draft.id)
    )
    return [
        ExportRow(_draft(draft, request), _item(item) if item else None, zone)
        for draft, item, zone, request in rows
    ]


def _draft(draft: Draft, request: dict[str, Any]) -> ExportDraft:
    rubric = request.get("rubric")
    return ExportDraft(
        id=draft.id,
        platform=draft.platform,
        language=draft.language,
        headline=draft.headline,
        body=draft.body,
        call_to_action=draft.call_to_action,
        hashtags=tuple(draft.hashtags),
        version=draft.version,
        updated_at=draft.updated_at,
        topic=str(request.get("topic") or ""),
        rubric=str(rubric) if rubric else "",
    )


def _item(item: PlanItem) -> ExportItem:
    return ExportItem(
        id=item.id,
        plan_id=item.plan_id,
        at=item.at,
        platform=item.platform,
        rubric=item.rubric,
        topic=item.topic,
        goal=item.goal,
        copy_brief=item.copy_brief,
        design_brief=item.design_brief,
        event=item.event,
        review_state=item.review_state,
        version=item.version,
        updated_at=item.updated_at,
    )
