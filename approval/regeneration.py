"""Regenerating what a manager sent back, following their guidance (or the comment it was sent
back with): a plan item at once (a new topic and briefs in the same slot; the item's and its
plan's versions count the change, and the trail records it), a draft as a `redraft` job (the
request checked here; generators/drafts/regenerate.py writes and applies it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from approval.repository import (
    actor_name,
    compare_and_set,
    count_plan_change,
    last_send_back,
    record,
)
from approval.service import check_version, stale
from approval.states import Action, check_role
from generators.drafts.edits import check_open
from generators.drafts.regenerate import RedraftRequest
from generators.plans.regenerate import regenerate_item
from generators.runtime import Runtime
from storage.access import Principal
from storage.enums import REGENERATE, ReviewState, Subject
from storage.errors import ErrorCode, PostcraftError
from storage.models import AuditEvent, Brand, Draft, Plan, PlanItem, utcnow


def regenerate(
    session: Session,
    runtime: Runtime,
    principal: Principal,
    item: PlanItem,
    expected_version: int | None,
    guidance: str,
) -> PlanItem:
    """Rewrite the item's topic and briefs at the version its reader saw, in the caller's
    transaction. Refused without a version (428), at a stale one (412), for a decided item or
    one of a rejected plan (409)."""
    seen = check_version(Subject.PLAN_ITEM, item.version, expected_version, "to regenerate it")
    check_role(Action.SUBMIT, principal.role)  # whoever may write may ask for a new version
    plan = session.get(Plan, item.plan_id)
    if plan is None or plan.review_state is ReviewState.REJECTED:
        raise _closed("of a rejected plan")
    if not item.review_state.is_editable():
        raise _closed(item.review_state.value)
    guidance = guidance.strip() or last_send_back(session, Subject.PLAN_ITEM, item.id)
    brand = session.get(Brand, item.brand_id)
    if brand is None:
        raise PostcraftError(ErrorCode.BRAND_NOT_FOUND, "The item's brand was deleted")
    rewrite = regenerate_item(
        runtime.llm, session, runtime.store, brand, plan, item, guidance, utcnow()
    )
    values = {
        "topic": rewrite.topic,
        "goal": rewrite.goal,
        "copy_brief": rewrite.copy_brief,
        "design_brief": rewrite.design_brief,
    }
    if not compare_and_set(session, item, seen, **values):
        raise stale(Subject.PLAN_ITEM, None, seen)
    count_plan_change(session, plan)
    record(
        session,
        AuditEvent(
            brand_id=item.brand_id,
            subject_kind=Subject.PLAN_ITEM.value,
            subject_id=item.id,
            actor_id=principal.user_id,
            actor_name=actor_name(session, principal.user_id),
            action=REGENERATE,
            from_state=item.review_state,
            to_state=item.review_state,
            version=item.version,
            comment=guidance,
        ),
    )
    return item


def _closed(state: str) -> PostcraftError:
    return PostcraftError(
        ErrorCode.REVIEW_NOT_ALLOWED,
        f"The item is {state}: only an item still open to change can be regenerated",
    )


def redraft_request(
    session: Session,
    principal: Principal,
    draft: Draft,
    expected_version: int | None,
    guidance: str,
) -> RedraftRequest:
    """The `redraft` job's request for the draft at the version its reader saw. Refused
    without a version (428), at a stale one (412), for an approved or rejected draft (409)."""
    seen = check_version(Subject.DRAFT, draft.version, expected_version, "to regenerate it")
    check_role(Action.SUBMIT, principal.role)
    check_open(draft)
    return RedraftRequest(
        draft_id=draft.id,
        version=seen,
        guidance=guidance.strip() or last_send_back(session, Subject.DRAFT, draft.id),
        actor_id=principal.user_id,
        actor_name=actor_name(session, principal.user_id),
    )
