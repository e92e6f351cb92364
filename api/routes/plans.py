"""Content plans over HTTP: ask for one (a plan job), read it with its items, list a brand's;
review the plan, an item or several items (the same approval step as drafts); regenerate a
sent-back item with the manager's comment; each one's audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.orm import Session

from api import cursors
from api.deps import (
    BrandId,
    DeskDep,
    PlanId,
    PlanItemId,
    PrincipalDep,
    ReviewedVersion,
    RuntimeDep,
    SessionDep,
)
from api.edge import CheckedRoute
from api.errors import error_responses
from api.lookups import item_read, plan_read, plan_summaries, visible_item, visible_plan
from api.plan_schemas import PlanItemRead, PlanPage, PlanRead
from api.review_schemas import AuditRead, BulkResult, BulkReview, Regeneration, ReviewMove
from api.routes.review import review_each
from api.schemas import JobRead
from api.submit import SUBMIT_RESPONSES, SubmitDep
from approval.regeneration import regenerate
from approval.repository import subject_trail
from approval.states import check_role
from generators.plans.schemas import PlanRequest
from storage.access import Principal, get_brand
from storage.enums import JobKind, Subject
from storage.errors import ErrorCode
from storage.models import Plan, PlanItem
from storage.plans import (
    PlanKey,
    items_of_plan,
)

router = APIRouter(
    prefix="/v1",
    tags=["content plans"],
    route_class=CheckedRoute,
    responses=error_responses(401, 404, 422, 503),
)


def _plan(session: Session, principal: Principal, plan_id: str) -> Plan:
    return visible_plan(session, principal, plan_id)


def _item(session: Session, principal: Principal, item_id: str) -> PlanItem:
    return visible_item(session, principal, item_id)


def _read(session: Session, plan: Plan, response: Response) -> PlanRead:
    response.headers["ETag"] = f'"{plan.version}"'
    return plan_read(session, plan)


def _item_read(session: Session, item: PlanItem, response: Response) -> PlanItemRead:
    response.headers["ETag"] = f'"{item.version}"'
    return item_read(session, item)


@router.post(
    "/brands/{brand_id}/plans", status_code=status.HTTP_202_ACCEPTED, responses=SUBMIT_RESPONSES
)
def submit_plan(
    brand_id: BrandId,
    body: PlanRequest,
    principal: PrincipalDep,
    session: SessionDep,
    submit: SubmitDep,
) -> JobRead:
    """Queue a plan job: items (date and time, platform, rubric, topic, goal, briefs) that
    meet the plan rules (docs/plans.md). Its `result.plan_id` names the plan once it is done;
    wait with `GET /v1/jobs/{id}?wait=30`."""
    brand = get_brand(session, principal, brand_id)
    return submit(brand, JobKind.PLAN, body.model_dump(mode="json"))


@router.get("/brands/{brand_id}/plans")
def list_plans(
    brand_id: BrandId,
    principal: PrincipalDep,
    session: SessionDep,
    cursor: cursors.Cursor = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Plans per page")] = 20,
) -> PlanPage:
    """The brand's plans, newest first, with how many items are in each review state."""
    get_brand(session, principal, brand_id)
    after = PlanKey(*cursors.decode(cursor)) if cursor else None
    rows = plan_summaries(session, principal, brand_id, limit + 1, after)
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    return PlanPage(
        items=rows,
        next_cursor=cursors.encode(last.created_at, last.id) if last else None,
    )


@router.get("/plans/{plan_id}")
def read_plan(
    plan_id: PlanId, principal: PrincipalDep, session: SessionDep, response: Response
) -> PlanRead:
    """The plan with its items in publishing order, its check report and basis; its ETag is
    the version to send as If-Match."""
    return _read(session, _plan(session, principal, plan_id), response)


@router.post("/plans/{plan_id}/review", responses=error_responses(403, 409, 412, 413, 428))
def review_plan(
    plan_id: PlanId,
    move: ReviewMove,
    principal: PrincipalDep,
    session: SessionDep,
    desk: DeskDep,
    expected: ReviewedVersion,
    response: Response,
) -> PlanRead:
    """Move the whole plan, as the version you reviewed (`If-Match`, required). `submit`
    takes its draft items to review too; `approve` approves the items still in review and
    queues a draft job for each; `reject` rejects those; `request_changes` leaves the items
    as they are. Items sent back keep their own state."""
    plan = _plan(session, principal, plan_id)
    desk.review(plan, move.action, expected, move.comment)
    desk.commit()
    return _read(session, plan, response)


@router.post("/plan-items/{item_id}/review", responses=error_responses(403, 409, 412, 413, 428))
def review_item(
    item_id: PlanItemId,
    move: ReviewMove,
    principal: PrincipalDep,
    session: SessionDep,
    desk: DeskDep,
    expected: ReviewedVersion,
    response: Response,
) -> PlanItemRead:
    """Move one item, as the version you reviewed (`If-Match`, required). An approved item
    queues a draft job; its drafts arrive in review."""
    item = _item(session, principal, item_id)
    desk.review(item, move.action, expected, move.comment)
    desk.commit()
    return _item_read(session, item, response)


@router.post("/plans/{plan_id}/items/review", responses=error_responses(403, 413))
def review_items(
    plan_id: PlanId,
    body: BulkReview,
    principal: PrincipalDep,
    session: SessionDep,
    desk: DeskDep,
) -> BulkResult:
    """The same move for up to 100 items of the plan, each at the version its reviewer saw;
    each moves or not on its own, and the answer says which and why."""
    plan = _plan(session, principal, plan_id)
    check_role(body.action, principal.role)
    items = items_of_plan(session, plan.id, [i.id for i in body.items])
    result = review_each(desk, items, body, f"in plan {plan.id}", ErrorCode.PLAN_ITEM_NOT_FOUND)
    desk.commit()
    return result


@router.post("/plan-items/{item_id}/regenerate", responses=error_responses(403, 409, 412, 413, 428))
def regenerate_item(
    item_id: PlanItemId,
    body: Regeneration,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    expected: ReviewedVersion,
    response: Response,
) -> PlanItemRead:
    """A new topic and briefs for the item in the same slot, following your guidance (or the
    comment it was sent back with), as the version you saw (`If-Match`, required). The item
    keeps its state; a sent-back item may then be submitted again."""
    item = _item(session, principal, item_id)
    regenerate(session, runtime, principal, item, expected, body.guidance)
    session.commit()
    return _item_read(session, item, response)


@router.get("/plans/{plan_id}/audit")
def plan_audit(plan_id: PlanId, principal: PrincipalDep, session: SessionDep) -> list[AuditRead]:
    """Every review move of the plan itself, oldest first (its items have their own)."""
    plan = _plan(session, principal, plan_id)
    return [AuditRead.of(e) for e in subject_trail(session, Subject.PLAN, plan.id)]


@router.get("/plan-items/{item_id}/audit")
def item_audit(
    item_id: PlanItemId, principal: PrincipalDep, session: SessionDep
) -> list[AuditRead]:
    """Every move of the item (review moves and regenerations), oldest first."""
    item = _item(session, principal, item_id)
    return [AuditRead.of(e) for e in subject_trail(session, Subject.PLAN_ITEM, item.id)]
