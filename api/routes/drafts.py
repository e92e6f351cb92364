"""Drafts: edit as a new version (validated again), regenerate with a comment (a job), list
versions, render the image card."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from api.deps import (
    DraftId,
    ExpectedVersion,
    PrincipalDep,
    ReviewedVersion,
    RuntimeDep,
    SessionDep,
)
from api.edge import CheckedRoute
from api.errors import error_responses
from api.review_schemas import Regeneration
from api.schemas import DraftRead, DraftVersionRead, JobRead
from api.submit import SUBMIT_RESPONSES, SubmitDep
from approval.regeneration import redraft_request
from brand_voice.profile import BrandProfile
from generators.cards import Card, CardFormat, default_format, render_card
from generators.drafts.edits import DraftEdit, edit_draft
from storage.access import Principal, find_brand
from storage.drafts import draft_versions, find_draft
from storage.enums import JobKind
from storage.errors import ErrorCode, PostcraftError
from storage.models import Brand, Draft

router = APIRouter(
    prefix="/v1/drafts",
    tags=["drafts and jobs"],
    route_class=CheckedRoute,
    responses=error_responses(401, 404, 422, 503),
)


def _draft(session: Session, principal: Principal, draft_id: str) -> tuple[Draft, Brand]:
    draft = find_draft(session, draft_id)
    brand = find_brand(session, principal, draft.brand_id) if draft else None
    if draft is None or brand is None:
        raise PostcraftError(ErrorCode.DRAFT_NOT_FOUND, f"No draft {draft_id} among your brands")
    return draft, brand


@router.get("/{draft_id}")
def read_draft(
    draft_id: DraftId, principal: PrincipalDep, session: SessionDep, response: Response
) -> DraftRead:
    """One draft, as its latest version; its ETag is the version to send as If-Match."""
    draft = _draft(session, principal, draft_id)[0]
    response.headers["ETag"] = f'"{draft.version}"'
    return DraftRead.of(draft)


@router.patch("/{draft_id}", responses=error_responses(409, 412, 413))
def edit(
    draft_id: DraftId,
    body: DraftEdit,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
    expected: ExpectedVersion,
) -> DraftRead:
    """Save an edit as a new version with you as its author; validation runs again. Approved
    and rejected drafts are final (409)."""
    draft, brand = _draft(session, principal, draft_id)
    profile = BrandProfile.model_validate(brand.profile)
    edit_draft(session, draft, body, expected, principal.user_id, profile, runtime.rulebook)
    session.commit()
    response.headers["ETag"] = f'"{draft.version}"'
    return DraftRead.of(draft)


@router.post(
    "/{draft_id}/regenerate",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**SUBMIT_RESPONSES, **error_responses(403, 409, 412, 428)},
)
def regenerate(
    draft_id: DraftId,
    body: Regeneration,
    principal: PrincipalDep,
    session: SessionDep,
    submit: SubmitDep,
    expected: ReviewedVersion,
) -> JobRead:
    """Queue a `redraft` job: the draft written again for its platform, following your guidance
    (or the comment it was last sent back with), from the version you saw (`If-Match`,
    required). When the job succeeds, the new text is the draft's next version, checked again;
    the draft keeps its state (submit a sent-back draft again). An edit or a move meanwhile
    fails the job (`version_conflict`) and changes nothing."""
    draft, brand = _draft(session, principal, draft_id)
    request = redraft_request(session, principal, draft, expected, body.guidance)
    return submit(brand, JobKind.REDRAFT, request.model_dump(mode="json"))


@router.get("/{draft_id}/versions")
def versions(
    draft_id: DraftId, principal: PrincipalDep, session: SessionDep
) -> list[DraftVersionRead]:
    """Every version of the draft, newest first."""
    draft, _ = _draft(session, principal, draft_id)
    rows = draft_versions(session, draft.id)
    return [DraftVersionRead.model_validate(r, from_attributes=True) for r in rows]


@router.get(
    "/{draft_id}/card.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The card as PNG"}},
)
def card(
    draft_id: DraftId,
    principal: PrincipalDep,
    session: SessionDep,
    format: CardFormat | None = None,
) -> Response:
    """The draft's headline on the brand's card template, sized for its platform. The header
    X-Text-Share says how much of the picture is text (over 0.2, an ad costs more per click)."""
    draft, brand = _draft(session, principal, draft_id)
    rendered = draft_card(draft, brand, format)
    return Response(
        rendered.png,
        media_type="image/png",
        headers={
            "X-Text-Share": f"{rendered.text_share:.3f}",
            "Cache-Control": "private, max-age=60",
        },
    )


def draft_card(draft: Draft, brand: Brand, fmt: CardFormat | None = None) -> Card:
    """The draft's headline on the brand's card, at `fmt` or its platform's format."""
    design = BrandProfile.model_validate(brand.profile).card_design
    try:
        return render_card(
            draft.headline, design, fmt or default_format(draft.platform), brand.name
        )
    except ValueError as exc:  # e.g. right-to-left scripts the renderer cannot lay out yet
        raise PostcraftError(ErrorCode.INVALID_REQUEST, f"Cannot draw this card: {exc}") from exc
