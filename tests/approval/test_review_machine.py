"""Property: no sequence of review moves and edits, by any role, at current or stale
versions, reaches a state the approval step does not have, moves without its audit row, or
lets a copywriter decide. The expected outcome of each call comes from a model written here
(its own table of moves), not from approval/states.py."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from tempfile import TemporaryDirectory

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.app import create_app
from approval.service import Desk as ReviewDesk
from approval.states import Action
from brand_voice.profile import BrandProfile
from generators.drafts.edits import DraftEdit, edit_draft
from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.access import Principal, authenticate
from storage.db import migrate
from storage.enums import ReviewState
from storage.errors import ErrorCode, PostcraftError
from storage.models import AuditEvent, Brand, Draft, Job, new_id
from storage.settings import Settings
from tests.approval.desk import Desk, fresh_drafts, make_desk

# The model's own table: (state, action) -> next state, for a reviewer; copywriters submit only.
MOVES = {
    ("draft", "submit"): "in_review",
    ("changes_requested", "submit"): "in_review",
    ("in_review", "approve"): "approved",
    ("in_review", "reject"): "rejected",
    ("in_review", "request_changes"): "changes_requested",
}
DECIDE = {"approve", "reject", "request_changes"}
FINAL = {"approved", "rejected"}
STATES = {"draft", "in_review", "approved", "rejected", "changes_requested"}

_TMP = TemporaryDirectory(prefix="review-machine-")


def expected_outcome(
    state: str, role: str, action: str, stale: bool, comment: str, changed: bool
) -> str | None:
    """The error code a move should get by the table above (None: it moves). `changed`:
    whether the item changed since it was last sent back."""
    if stale:
        return ErrorCode.VERSION_CONFLICT.value
    if role == "copywriter" and action in DECIDE:
        return ErrorCode.FORBIDDEN.value
    if (state, action) not in MOVES:
        return ErrorCode.REVIEW_NOT_ALLOWED.value
    if action == "request_changes" and not comment:
        return ErrorCode.INVALID_REQUEST.value
    if action == "submit" and state == "changes_requested" and not changed:
        return ErrorCode.REVIEW_NOT_ALLOWED.value
    return None


def assert_trail(events: Sequence[AuditEvent], moves: int) -> None:
    """The trail of one item, in version order: one row per move, a chain of legal moves, and
    no decision by the copywriter (tests/approval/desk.py names her)."""
    assert len(events) == moves, "every move has its row, nothing else has one"
    for before, after in itertools.pairwise(events):
        assert before.to_state == after.from_state, "the trail is a chain"
    for event in events:
        assert (event.from_state.value, event.action) in MOVES
        if event.action in DECIDE:
            assert event.actor_name != "Вера Копирайтер", (
                "a copywriter decided"
            )  # removed when the test process ends


def _world() -> tuple[Runtime, Desk, dict[str, Principal], str]:
    runtime = build_runtime(Settings(data_dir=Path(_TMP.name) / "var"), embedder=E5Embedder())
    migrate(runtime.engine)
    desk = make_desk(runtime)
    with runtime.reads() as session:
        people = {
            "copywriter": authenticate(session, desk.writer),
            "manager": authenticate(session, desk.manager),
            "admin": authenticate(session, desk.admin),
        }
    with TestClient(create_app(runtime.settings, runtime)) as api:
        template = fresh_drafts(api, desk, ["vk"])[0]["id"]
    return runtime, desk, people, template


_WORLD: tuple[Runtime, Desk, dict[str, Principal], str] | None = None


def world() -> tuple[Runtime, Desk, dict[str, Principal], str]:
    """One database and one generated draft for every example (each copies the draft)."""
    global _WORLD
    if _WORLD is None:
        _WORLD = _world()
    return _WORLD


def _columns(row: object, model: type[Draft] | type[Job]) -> dict[str, object]:
    return {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key != "id"}


class Review(RuleBasedStateMachine):
    """One draft (a fresh copy of a generated one) moved at random."""

    @initialize()
    def copy_a_draft(self) -> None:
        self.runtime, self.desk, self.people, template = world()
        with self.runtime.sessions() as session:
            row = session.get(Draft, template)
            assert row is not None
            job = session.get(Job, row.job_id)
            assert job is not None
            # A job has one draft per platform: each copy gets a copy of the job too.
            job_copy = Job(**_columns(job, Job), id=new_id())
            session.add(job_copy)
            session.flush()
            copy = Draft(**_columns(row, Draft), id=new_id())
            copy.job_id = job_copy.id
            copy.review_state, copy.version, copy.sent_back_version = ReviewState.DRAFT, 1, None
            session.add(copy)
            session.flush()
            self.draft_id = copy.id
            session.commit()
        self.state, self.version, self.moves = "draft", 1, 0
        self.changed_since_send_back = True

    def _draft(self, session: Session) -> Draft:
        draft = session.get(Draft, self.draft_id)
        assert draft is not None
        return draft

    @rule(
        role=st.sampled_from(["copywriter", "manager", "admin"]),
        action=st.sampled_from([a.value for a in Action]),
        stale=st.booleans(),
        comment=st.sampled_from(["", "Поправьте заголовок"]),
    )
    def review(self, role: str, action: str, stale: bool, comment: str) -> None:
        sent = self.version - 1 if stale else self.version
        expected = expected_outcome(
            self.state, role, action, stale, comment, self.changed_since_send_back
        )
        with self.runtime.sessions() as session:
            draft = self._draft(session)
            try:
                desk = ReviewDesk(session, self.people[role], self.runtime.store)
                desk.review(draft, Action(action), sent, comment)
                desk.commit()
                outcome: str | None = None
            except PostcraftError as exc:
                session.rollback()
                outcome = exc.code.value
        assert outcome == expected, (self.state, role, action, stale, comment)
        if outcome is None:
            self.state = MOVES[(self.state, action)]
            self.version += 1
            self.moves += 1
            if action == "request_changes":
                self.changed_since_send_back = False

    @rule(role=st.sampled_from(["copywriter", "manager"]), stale=st.booleans())
    def edit(self, role: str, stale: bool) -> None:
        sent = self.version - 1 if stale else self.version
        with self.runtime.sessions() as session:
            draft = self._draft(session)
            brand = session.get(Brand, draft.brand_id)
            assert brand is not None
            profile = BrandProfile.model_validate(brand.profile)
            change = DraftEdit(headline=f"Правка {self.version}")
            try:
                edit_draft(
                    session,
                    draft,
                    change,
                    sent,
                    self.people[role].user_id,
                    profile,
                    self.runtime.rulebook,
                )
                session.commit()
                outcome: str | None = None
            except PostcraftError as exc:
                session.rollback()
                outcome = exc.code.value
        if stale:
            assert outcome == ErrorCode.VERSION_CONFLICT.value
        elif self.state in FINAL:
            assert outcome == ErrorCode.REVIEW_NOT_ALLOWED.value
        else:
            assert outcome is None
            self.version += 1
            self.changed_since_send_back = True

    @invariant()
    def the_row_the_trail_and_the_model_agree(self) -> None:
        if not hasattr(self, "draft_id"):
            return
        with self.runtime.sessions() as session:
            draft = self._draft(session)
            assert draft.review_state.value in STATES
            assert (draft.review_state.value, draft.version) == (self.state, self.version)
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.subject_id == self.draft_id)
                .order_by(AuditEvent.version)
            ).all()
            assert_trail(events, self.moves)


Review.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_review_moves = Review.TestCase
