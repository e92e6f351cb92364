"""The review page's actions, each a form POST checked for the session's CSRF token, done by
the approval step's own services (the desk, edits, regenerations, job submission) with the
viewer's principal, then answered with a redirect to the page it came from (a refusal shows
that page with what went wrong; a stale edit shows the conflict and keeps the text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from api.deps import DraftId, PlanId, PlanItemId, QueueDep, RuntimeDep
from api.lookups import visible_draft, visible_item, visible_plan
from api.review_schemas import BulkItem, BulkReview
from api.routes.review import review_each
from api.submit import JobSubmitter
from api.web.auth import CSRF_FIELD, Viewer, ViewerDep, check_csrf, form_token
from api.web.pages import draft_view
from api.web.render import WebRoute
from approval.regeneration import redraft_request, regenerate
from approval.service import COMMENT_MAX, Desk, Reviewable
from approval.states import Action, check_role
from brand_voice.profile import BrandProfile
from generators.drafts.edits import DraftEdit, edit_draft
from generators.runtime import Runtime
from storage.access import Principal, get_brand
from storage.enums import JobKind
from storage.errors import ErrorCode, PostcraftError
from storage.plans import items_of_plan
from storage.quotas import QuotaLimits
from worker.queue import JobQueue

router = APIRouter(prefix="/app", route_class=WebRoute, include_in_schema=False)

Csrf = Annotated[str, Form(alias=CSRF_FIELD, max_length=100)]
Version = Annotated[int, Form(ge=1, le=10**9)]
Comment = Annotated[str, Form(max_length=COMMENT_MAX)]


def _checked(request: Request, viewer: Viewer, token: str) -> None:
    check_csrf(viewer.csrf_token, form_token(request, token))


@router.post("/plans/{plan_id}/review")
def review_plan(
    request: Request,
    runtime: RuntimeDep,
    queue: QueueDep,
    viewer: ViewerDep,
    plan_id: PlanId,
    action: Annotated[Action, Form()],
    version: Version,
    csrf_token: Csrf = "",
    comment: Comment = "",
) -> Response:
    """Move the whole plan (submit, approve, reject, send back)."""
    _checked(request, viewer, csrf_token)
    _move(runtime, queue, viewer, visible_plan, plan_id, action, version, comment)
    return RedirectResponse(f"/app/plans/{plan_id}", status_code=303)


def _move(
    runtime: Runtime,
    queue: JobQueue,
    viewer: Viewer,
    find: Callable[[Session, Principal, str], Reviewable],
    subject_id: str,
    action: Action,
    version: int,
    comment: str,
) -> None:
    """One review move by the viewer, in one session, committed with its jobs and webhooks."""
    with runtime.sessions() as session:
        desk = Desk(session, viewer.principal, runtime.store, queue)
        desk.review(find(session, viewer.principal, subject_id), action, version, comment)
        desk.commit()


@router.post("/plans/{plan_id}/items/review")
def review_items(
    request: Request,
    runtime: RuntimeDep,
    queue: QueueDep,
    viewer: ViewerDep,
    plan_id: PlanId,
    action: Annotated[Action, Form()],
    item: Annotated[list[str], Form(max_length=100)],
    csrf_token: Csrf = "",
    comment: Comment = "",
) -> Response:
    """The same move for the items ticked in the calendar, each at the version shown
    (`item` = "<id>:<version>"); those that cannot move are named on the plan page."""
    _checked(request, viewer, csrf_token)
    chosen = [_item_version(value) for value in item]
    body = BulkReview(action=action, comment=comment, items=chosen)
    with runtime.sessions() as session:
        plan = visible_plan(session, viewer.principal, plan_id)
        check_role(action, viewer.principal.role)  # the role, not an item: the whole form
        desk = Desk(session, viewer.principal, runtime.store, queue)
        found = items_of_plan(session, plan.id, [i.id for i in chosen])
        where = f"in plan {plan.id}"
        result = review_each(desk, found, body, where, ErrorCode.PLAN_ITEM_NOT_FOUND)
        desk.commit()
    target = f"/app/plans/{plan_id}?moved={result.moved}&refused={result.refused}"
    return RedirectResponse(target, status_code=303)


def _item_version(value: str) -> BulkItem:
    item_id, _, version = value.partition(":")
    if len(item_id) != 36 or not version.isdigit() or len(version) > 9:
        raise PostcraftError(ErrorCode.INVALID_REQUEST, f"item {value!r}: expected <id>:<version>")
    return BulkItem(id=item_id, version=int(version))


@router.post("/plan-items/{item_id}/review")
def review_item(
    request: Request,
    runtime: RuntimeDep,
    queue: QueueDep,
    viewer: ViewerDep,
    item_id: PlanItemId,
    action: Annotated[Action, Form()],
    version: Version,
    csrf_token: Csrf = "",
    comment: Comment = "",
) -> Response:
    """Move one item; an approval queues its draft job."""
    _checked(request, viewer, csrf_token)
    _move(runtime, queue, viewer, visible_item, item_id, action, version, comment)
    return RedirectResponse(f"/app/plan-items/{item_id}", status_code=303)


@router.post("/plan-items/{item_id}/regenerate")
def regenerate_item(
    request: Request,
    runtime: RuntimeDep,
    viewer: ViewerDep,
    item_id: PlanItemId,
    version: Version,
    csrf_token: Csrf = "",
    guidance: Comment = "",
) -> Response:
    """A new topic and briefs for the item, following the guidance or its send-back comment."""
    _checked(request, viewer, csrf_token)
    with runtime.sessions() as session:
        item = visible_item(session, viewer.principal, item_id)
        regenerate(session, runtime, viewer.principal, item, version, guidance)
        session.commit()
    return RedirectResponse(f"/app/plan-items/{item_id}", status_code=303)


@router.post("/drafts/{draft_id}/review")
def review_draft(
    request: Request,
    runtime: RuntimeDep,
    queue: QueueDep,
    viewer: ViewerDep,
    draft_id: DraftId,
    action: Annotated[Action, Form()],
    version: Version,
    csrf_token: Csrf = "",
    comment: Comment = "",
) -> Response:
    """Move the draft; a refusal (its checks fail, a stale version) shows the draft again."""
    _checked(request, viewer, csrf_token)
    try:
        _move(runtime, queue, viewer, visible_draft, draft_id, action, version, comment)
    except PostcraftError as error:
        if error.code is ErrorCode.DRAFT_NOT_FOUND:
            raise
        return draft_view(request, runtime, viewer, draft_id, None, 409, refusal=error.detail)
    return RedirectResponse(f"/app/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id}/edit")
def edit(
    request: Request,
    runtime: RuntimeDep,
    viewer: ViewerDep,
    draft_id: DraftId,
    version: Version,
    headline: Annotated[str, Form(min_length=1, max_length=500)],
    body: Annotated[str, Form(min_length=1, max_length=70000)],
    csrf_token: Csrf = "",
    call_to_action: Annotated[str, Form(max_length=1000)] = "",
    hashtags: Annotated[str, Form(max_length=3000)] = "",
) -> Response:
    """Save the edit as a new version at the version shown; a stale one shows the conflict,
    the viewer's text kept beside the current one, and overwrites nothing."""
    _checked(request, viewer, csrf_token)
    tags = [tag for tag in hashtags.replace(",", " ").split() if tag.strip("#")]
    change = DraftEdit(headline=headline, body=body, call_to_action=call_to_action, hashtags=tags)
    try:
        with runtime.sessions() as session:
            draft = visible_draft(session, viewer.principal, draft_id)
            brand = get_brand(session, viewer.principal, draft.brand_id)
            profile = BrandProfile.model_validate(brand.profile)
            edit_draft(
                session, draft, change, version, viewer.principal.user_id, profile,
                runtime.rulebook,
            )  # fmt: skip
            session.commit()
    except PostcraftError as error:
        if error.code is ErrorCode.VERSION_CONFLICT:
            mine = {"headline": headline, "body": body, "call_to_action": call_to_action,
                    "hashtags": hashtags}  # fmt: skip
            return draft_view(request, runtime, viewer, draft_id, None, 409, conflict=mine)
        if error.code is ErrorCode.DRAFT_NOT_FOUND:
            raise
        return draft_view(request, runtime, viewer, draft_id, None, 409, refusal=error.detail)
    return RedirectResponse(f"/app/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id}/regenerate")
def regenerate_draft(
    request: Request,
    runtime: RuntimeDep,
    queue: QueueDep,
    viewer: ViewerDep,
    draft_id: DraftId,
    version: Version,
    csrf_token: Csrf = "",
    guidance: Comment = "",
) -> Response:
    """Queue a redraft job; the page shows its status live and the new version when done."""
    _checked(request, viewer, csrf_token)
    with runtime.sessions() as session:
        draft = visible_draft(session, viewer.principal, draft_id)
        brand = get_brand(session, viewer.principal, draft.brand_id)
        asked = redraft_request(session, viewer.principal, draft, version, guidance)
        submit = JobSubmitter(
            viewer.principal, session, queue, Response(), None, QuotaLimits.of(runtime.settings)
        )
        job = submit(brand, JobKind.REDRAFT, asked.model_dump(mode="json"))
    return RedirectResponse(f"/app/drafts/{draft_id}?job={job.id}", status_code=303)
