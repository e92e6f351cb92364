"""The approval step over HTTP for drafts: move one (submit, approve, reject, request changes)
at the version its reviewer saw, the same for several at once; the audit trail; and what
approvals taught the brand. Plans and their items: api/routes/plans.py."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from api import cursors
from api.deps import (
    BrandId,
    DeskDep,
    DraftId,
    PrincipalDep,
    ReviewedVersion,
    SessionDep,
)
from api.edge import CheckedRoute
from api.errors import error_responses
from api.lookups import visible_draft
from api.plan_schemas import Learning, PlatformLearning
from api.review_schemas import (
    AuditPage,
    AuditRead,
    BulkOutcome,
    BulkResult,
    BulkReview,
    ReviewMove,
)
from api.schemas import DraftRead
from approval.learning import APPROVED_SOURCE
from approval.repository import (
    AuditKey,
    approved_examples,
    brand_trail,
    edit_figures,
    subject_trail,
)
from approval.service import Desk, Reviewable
from approval.states import check_role
from storage.access import Principal, check_brand
from storage.drafts import visible_drafts
from storage.enums import Platform, Subject
from storage.errors import ErrorCode, PostcraftError
from storage.guidance import brand_guidance
from storage.models import Draft

router = APIRouter(
    prefix="/v1",
    tags=["approval"],
    route_class=CheckedRoute,
    responses=error_responses(401, 404, 422, 503),
)


def _draft(session: Session, principal: Principal, draft_id: str) -> Draft:
    return visible_draft(session, principal, draft_id)


@router.post("/drafts/{draft_id}/review", responses=error_responses(403, 409, 412, 413, 428))
def review(
    draft_id: DraftId,
    move: ReviewMove,
    principal: PrincipalDep,
    session: SessionDep,
    expected: ReviewedVersion,
    response: Response,
    desk: DeskDep,
) -> DraftRead:
    """Move the draft in the approval step, as the version you reviewed (`If-Match`, required):
    `submit` (to review; a sent-back draft once changed), `approve` (a draft whose checks pass),
    `reject`, or `request_changes` (with a comment). Every move is in the audit trail."""
    draft = _draft(session, principal, draft_id)
    desk.review(draft, move.action, expected, move.comment)
    desk.commit()
    response.headers["ETag"] = f'"{draft.version}"'
    return DraftRead.of(draft)


@router.post("/brands/{brand_id}/review", responses=error_responses(403, 413))
def review_many(
    brand_id: BrandId,
    body: BulkReview,
    principal: PrincipalDep,
    session: SessionDep,
    desk: DeskDep,
) -> BulkResult:
    """The same move for up to 100 of the brand's drafts, each at the version its reviewer saw.
    Each draft moves or not on its own: the answer says which and why (a stale version, a
    draft that fails its checks, a move its state does not have)."""
    check_brand(session, principal, brand_id)
    check_role(body.action, principal.role)  # the role, not a draft: the whole request
    drafts = visible_drafts(session, principal, brand_id, [item.id for item in body.items])
    result = review_each(desk, drafts, body, f"in brand {brand_id}", ErrorCode.DRAFT_NOT_FOUND)
    desk.commit()
    return result


def review_each(
    desk: Desk,
    found: Mapping[str, Reviewable],
    body: BulkReview,
    where: str,
    missing: ErrorCode,
) -> BulkResult:
    """Move each of `body.items` found on its own (a refusal writes nothing of that item, see
    Desk.review) and say what became of each, in the order sent."""
    outcomes: list[BulkOutcome] = []
    for item in body.items:
        subject = found.get(item.id)
        try:
            if subject is None:
                raise PostcraftError(missing, f"No {item.id} {where}")
            desk.review(subject, body.action, item.version, body.comment)
        except PostcraftError as exc:
            outcomes.append(
                BulkOutcome(id=item.id, moved=False, error=exc.code.value, detail=exc.detail)
            )
            continue
        outcomes.append(
            BulkOutcome(
                id=subject.id,
                moved=True,
                review_state=subject.review_state,
                version=subject.version,
            )
        )
    moved = sum(1 for o in outcomes if o.moved)
    return BulkResult(moved=moved, refused=len(outcomes) - moved, items=outcomes)


@router.get("/drafts/{draft_id}/audit")
def draft_audit(draft_id: DraftId, principal: PrincipalDep, session: SessionDep) -> list[AuditRead]:
    """Every review move of the draft, oldest first."""
    draft = _draft(session, principal, draft_id)
    return [AuditRead.of(e) for e in subject_trail(session, Subject.DRAFT, draft.id)]


@router.get("/brands/{brand_id}/audit")
def brand_audit(
    brand_id: BrandId,
    principal: PrincipalDep,
    session: SessionDep,
    cursor: cursors.Cursor = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Moves per page")] = 50,
) -> AuditPage:
    """The brand's audit trail, newest first, a page at a time (follow `next_cursor`)."""
    after = AuditKey(*cursors.decode(cursor)) if cursor else None
    rows = brand_trail(session, principal, brand_id, limit + 1, after)
    if not rows:
        check_brand(session, principal, brand_id)
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    return AuditPage(
        items=[AuditRead.of(e) for e in rows[:limit]],
        next_cursor=cursors.encode(last.at, last.id) if last else None,
    )


@router.get("/brands/{brand_id}/learning")
def learning(brand_id: BrandId, principal: PrincipalDep, session: SessionDep) -> Learning:
    """What approvals taught the brand: per platform, how much managers edit drafts before
    approving them (the edit distance between the generated and the approved text); how many
    approved texts joined its examples; the notes from rejections and send-backs that reach
    its next prompts."""
    check_brand(session, principal, brand_id)
    by_platform: dict[Platform, list[tuple[int, float]]] = {}
    for platform, distance, ratio in edit_figures(session, brand_id):
        by_platform.setdefault(platform, []).append((distance, ratio))
    platforms = [
        PlatformLearning(
            platform=platform,
            approved=len(figures),
            unedited=sum(1 for d, _ in figures if d == 0),
            mean_edit_ratio=round(statistics.fmean(r for _, r in figures), 4),
            median_edit_ratio=round(statistics.median(r for _, r in figures), 4),
            mean_edit_distance=round(statistics.fmean(d for d, _ in figures), 1),
        )
        for platform, figures in sorted(by_platform.items())
    ]
    return Learning(
        platforms=platforms,
        approved_examples=approved_examples(session, brand_id, APPROVED_SOURCE),
        guidance=brand_guidance(session, brand_id),
    )
