"""Reviewing an item: the checks a move must pass, the move itself and its audit row, in the
caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from approval.repository import actor_name, move_draft, record
from approval.states import Action, next_state
from generators.compliance.report import stored_violations
from storage.access import Principal
from storage.enums import ReviewState
from storage.errors import ErrorCode, PostcraftError
from storage.models import AuditEvent, Draft

DRAFT = "draft"
COMMENT_MAX = 4000


def review_draft(
    session: Session,
    principal: Principal,
    draft: Draft,
    action: Action,
    expected_version: int | None,
    comment: str = "",
) -> Draft:
    """Move the draft by `action`, as the version the reviewer saw (If-Match), and record it.

    Refused: without a version (VERSION_REQUIRED), at a stale one (VERSION_CONFLICT), a move
    the role may not make (FORBIDDEN) or the state does not have (REVIEW_NOT_ALLOWED), an
    approval of a draft whose checks found errors (NOT_APPROVABLE), a send-back without a
    comment, and a resubmission of a sent-back draft nobody changed."""
    if expected_version is None:
        raise PostcraftError(
            ErrorCode.VERSION_REQUIRED,
            f'Send If-Match: "{draft.version}" (the version you reviewed) with a review move',
        )
    if expected_version != draft.version:
        raise _stale(draft.version, expected_version)
    comment = comment.strip()
    target = next_state(draft.review_state, action, principal.role)
    if action is Action.APPROVE:
        _check_approvable(draft)
    if action is Action.REQUEST_CHANGES and not comment:
        raise PostcraftError(
            ErrorCode.INVALID_REQUEST, "Say what to change: a send-back needs a comment"
        )
    if (
        action is Action.SUBMIT
        and draft.review_state is ReviewState.CHANGES_REQUESTED
        and draft.sent_back_version is not None
        and draft.version <= draft.sent_back_version
    ):
        raise PostcraftError(
            ErrorCode.REVIEW_NOT_ALLOWED,
            "The draft was sent back and has not changed since: edit or regenerate it first",
        )
    before = draft.review_state
    sent_back = target is ReviewState.CHANGES_REQUESTED
    extra = {"sent_back_version": expected_version + 1} if sent_back else {}
    moved = move_draft(
        session, draft, expected_version, target, updated_by=principal.user_id, **extra
    )
    if not moved:
        raise _stale(None, expected_version)
    record(
        session,
        AuditEvent(
            brand_id=draft.brand_id,
            subject_kind=DRAFT,
            subject_id=draft.id,
            actor_id=principal.user_id,
            actor_name=actor_name(session, principal.user_id),
            action=action.value,
            from_state=before,
            to_state=target,
            version=draft.version,
            comment=comment,
        ),
    )
    return draft


def _check_approvable(draft: Draft) -> None:
    errors = stored_violations(draft.validation)
    if errors:
        listed = "; ".join(f"{v.code}: {v.message}" for v in errors[:5])
        raise PostcraftError(
            ErrorCode.NOT_APPROVABLE,
            f"The draft fails {len(errors)} check(s) ({listed}): edit it until its validation "
            "passes, or send it back",
        )


def _stale(current: int | None, sent: int) -> PostcraftError:
    now = f"at version {current}" if current is not None else "changed meanwhile"
    return PostcraftError(
        ErrorCode.VERSION_CONFLICT,
        f"The draft is {now}, not version {sent}: reload it and review it again",
    )
