"""The approval step over HTTP: move a draft (submit, approve, reject, request changes) at
the version its reviewer saw, the same for several drafts at once, and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from api import cursors
from api.deps import BrandId, DraftId, PrincipalDep, ReviewedVersion, SessionDep
from api.edge import CheckedRoute
from api.errors import error_responses
from api.review_schemas import (
    AuditPage,
    AuditRead,
    BulkOutcome,
    BulkResult,
    BulkReview,
    ReviewMove,
)
from api.schemas import DraftRead
from approval.repository import AuditKey, brand_trail, subject_trail
from approval.service import DRAFT, review_draft
from approval.states import check_role
from storage.access import Principal, check_brand
from storage.drafts import find_visible_draft, visible_drafts
from storage.errors import ErrorCode, PostcraftError
from storage.models import Draft

router = APIRouter(
    prefix="/v1",
    tags=["approval"],
    route_class=CheckedRoute,
    responses=error_responses(401, 404, 422, 503),
)


def _draft(session: Session, principal: Principal, draft_id: str) -> Draft:
    draft = find_visible_draft(session, principal, draft_id)
    if draft is None:
        raise PostcraftError(ErrorCode.DRAFT_NOT_FOUND, f"No draft {draft_id} among your brands")
    return draft


@router.post("/drafts/{draft_id}/review", responses=error_responses(403, 409, 412, 413, 428))
def review(
    draft_id: DraftId,
    move: ReviewMove,
    principal: PrincipalDep,
    session: SessionDep,
    expected: ReviewedVersion,
    response: Response,
) -> DraftRead:
    """Move the draft in the approval step, as the version you reviewed (`If-Match`, required):
    `submit` (to review; a sent-back draft once changed), `approve` (a draft whose checks pass),
    `reject`, or `request_changes` (with a comment). Every move is in the audit trail."""
    draft = _draft(session, principal, draft_id)
    review_draft(session, principal, draft, move.action, expected, move.comment)
    session.commit()
    response.headers["ETag"] = f'"{draft.version}"'
    return DraftRead.of(draft)


@router.post("/brands/{brand_id}/review", responses=error_responses(403, 413))
def review_many(
    brand_id: BrandId, body: BulkReview, principal: PrincipalDep, session: SessionDep
) -> BulkResult:
    """The same move for up to 100 of the brand's drafts, each at the version its reviewer saw.
    Each draft moves or not on its own: the answer says which and why (a stale version, a
    draft that fails its checks, a move its state does not have)."""
    check_brand(session, principal, brand_id)
    check_role(body.action, principal.role)  # the role, not a draft: the whole request
    drafts = visible_drafts(session, principal, brand_id, [item.id for item in body.items])
    outcomes: list[BulkOutcome] = []
    for item in body.items:
        draft = drafts.get(item.id)
        try:
            if draft is None:
                raise PostcraftError(
                    ErrorCode.DRAFT_NOT_FOUND, f"No draft {item.id} in brand {brand_id}"
                )
            review_draft(session, principal, draft, body.action, item.version, body.comment)
        except PostcraftError as exc:  # nothing of this draft was written: see review_draft
            outcomes.append(
                BulkOutcome(id=item.id, moved=False, error=exc.code.value, detail=exc.detail)
            )
            continue
        outcomes.append(
            BulkOutcome(
                id=draft.id, moved=True, review_state=draft.review_state, version=draft.version
            )
        )
    session.commit()
    moved = sum(1 for o in outcomes if o.moved)
    return BulkResult(moved=moved, refused=len(outcomes) - moved, items=outcomes)


@router.get("/drafts/{draft_id}/audit")
def draft_audit(draft_id: DraftId, principal: PrincipalDep, session: SessionDep) -> list[AuditRead]:
    """Every review move of the draft, oldest first."""
    draft = _draft(session, principal, draft_id)
    return [AuditRead.of(e) for e in subject_trail(session, DRAFT, draft.id)]


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
