"""One state machine for everything a manager reviews (drafts now; plans and plan items use the
same): which action moves which state where, and who may take it. Pure: no database."""

from __future__ import annotations

from enum import StrEnum

from storage.enums import ReviewState, Role
from storage.errors import ErrorCode, PostcraftError


class Action(StrEnum):
    """What a person does to an item under review."""

    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"


TRANSITIONS: dict[tuple[ReviewState, Action], ReviewState] = {
    (ReviewState.DRAFT, Action.SUBMIT): ReviewState.IN_REVIEW,
    (ReviewState.CHANGES_REQUESTED, Action.SUBMIT): ReviewState.IN_REVIEW,  # after a change
    (ReviewState.IN_REVIEW, Action.APPROVE): ReviewState.APPROVED,
    (ReviewState.IN_REVIEW, Action.REJECT): ReviewState.REJECTED,
    (ReviewState.IN_REVIEW, Action.REQUEST_CHANGES): ReviewState.CHANGES_REQUESTED,
}
"""Every legal move; anything else is refused. Approved and rejected are final."""

REVIEWERS = frozenset({Role.ADMIN, Role.MANAGER})
ALLOWED: dict[Action, frozenset[Role]] = {
    Action.SUBMIT: frozenset({Role.ADMIN, Role.MANAGER, Role.COPYWRITER}),
    Action.APPROVE: REVIEWERS,
    Action.REJECT: REVIEWERS,
    Action.REQUEST_CHANGES: REVIEWERS,
}
"""Copywriters submit; managers and admins decide."""


def check_role(action: Action, role: Role) -> None:
    """FORBIDDEN unless someone with `role` may take `action`."""
    if role not in ALLOWED[action]:
        who = " or ".join(sorted(r.value for r in ALLOWED[action]))
        raise PostcraftError(
            ErrorCode.FORBIDDEN, f"Only a {who} may {action.value.replace('_', ' ')}"
        )


def next_state(state: ReviewState, action: Action, role: Role) -> ReviewState:
    """Where `action` by someone with `role` takes an item in `state`; FORBIDDEN for a role
    that may not take it, REVIEW_NOT_ALLOWED for a move the machine does not have."""
    check_role(action, role)
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise PostcraftError(
            ErrorCode.REVIEW_NOT_ALLOWED,
            f"Cannot {action.value.replace('_', ' ')} an item that is {state.value}: "
            f"from {state.value} you can {_choices(state)}",
        )
    return target


def _choices(state: ReviewState) -> str:
    actions = [a.value.replace("_", " ") for (s, a) in TRANSITIONS if s is state]
    return ", ".join(actions) if actions else "do nothing more (the decision is final)"
