"""Property, for plan items (the same machine as drafts, tests/approval/test_review_machine.py):
no sequence of review moves and regenerations, by any role, at current or stale versions,
reaches a state the approval step does not have, moves without its audit row, lets a
copywriter decide, or approves an item without queuing its draft job. Expected outcomes come
from the table written here, not from approval/states.py."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select

from api.app import create_app
from approval.regeneration import regenerate
from approval.service import Desk as ReviewDesk
from approval.states import Action
from generators.jobs import run_job
from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.access import Principal, authenticate
from storage.db import migrate
from storage.enums import REGENERATE, ReviewState
from storage.errors import ErrorCode, PostcraftError
from storage.models import AuditEvent, PlanItem, new_id
from storage.settings import Settings
from tests.approval.desk import make_desk
from tests.approval.test_review_machine import (
    FINAL,
    MOVES,
    STATES,
    assert_trail,
    expected_outcome,
)
from tests.conftest import auth

_TMP = TemporaryDirectory(prefix="item-machine-")
_WORLD: tuple[Runtime, dict[str, Principal], str] | None = None


def world() -> tuple[Runtime, dict[str, Principal], str]:
    """One database and one generated plan for every example (each copies an item of it)."""
    global _WORLD
    if _WORLD is None:
        runtime = build_runtime(Settings(data_dir=Path(_TMP.name) / "var"), embedder=E5Embedder())
        migrate(runtime.engine)
        desk = make_desk(runtime)
        with runtime.reads() as session:
            people = {
                "copywriter": authenticate(session, desk.writer),
                "manager": authenticate(session, desk.manager),
            }
        with TestClient(create_app(runtime.settings, runtime)) as api:
            request = {"cadence": [{"platform": "vk", "posts_per_week": 3}], "days": 14}
            job = api.post(
                f"/v1/brands/{desk.brand}/plans", json=request, headers=auth(desk.writer)
            )
            run_job(runtime, job.json()["id"])
            plan_id = api.get(f"/v1/jobs/{job.json()['id']}", headers=auth(desk.writer)).json()[
                "result"
            ]["plan_id"]
        _WORLD = (runtime, people, plan_id)
    return _WORLD


class ItemReview(RuleBasedStateMachine):
    """One item (a fresh copy of a generated plan's first) moved and regenerated at random."""

    @initialize()
    def copy_an_item(self) -> None:
        self.runtime, self.people, plan_id = world()
        with self.runtime.sessions() as session:
            item = session.scalars(select(PlanItem).where(PlanItem.plan_id == plan_id)).first()
            assert item is not None
            copy = PlanItem(
                **{c.key: getattr(item, c.key) for c in PlanItem.__table__.columns},
            )
            copy.id, copy.review_state, copy.version = new_id(), ReviewState.DRAFT, 1
            copy.sent_back_version, copy.draft_job_id = None, None
            session.add(copy)
            session.commit()
            self.item_id = copy.id
        self.state, self.version, self.moves, self.changed = "draft", 1, 0, True

    @rule(
        role=st.sampled_from(["copywriter", "manager"]),
        action=st.sampled_from([a.value for a in Action]),
        stale=st.booleans(),
        comment=st.sampled_from(["", "Другая тема"]),
    )
    def review(self, role: str, action: str, stale: bool, comment: str) -> None:
        sent = self.version - 1 if stale else self.version
        with self.runtime.sessions() as session:
            item = session.get(PlanItem, self.item_id)
            assert item is not None
            desk = ReviewDesk(session, self.people[role], self.runtime.store)
            try:
                desk.review(item, Action(action), sent, comment)
                desk.commit()
                outcome: str | None = None
            except PostcraftError as exc:
                session.rollback()
                outcome = exc.code.value
        assert outcome == expected_outcome(
            self.state, role, action, stale, comment, self.changed
        ), (self.state, role, action)
        if outcome is None:
            self.state = MOVES[(self.state, action)]
            self.version += 1
            self.moves += 1
            if action == "request_changes":
                self.changed = False

    @rule(role=st.sampled_from(["copywriter", "manager"]), stale=st.booleans())
    def regenerate(self, role: str, stale: bool) -> None:
        sent = self.version - 1 if stale else self.version
        with self.runtime.sessions() as session:
            item = session.get(PlanItem, self.item_id)
            assert item is not None
            try:
                regenerate(session, self.runtime, self.people[role], item, sent, "короче")
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
            self.changed = True

    @invariant()
    def the_row_the_trail_and_the_table_agree(self) -> None:
        if not hasattr(self, "item_id"):
            return
        with self.runtime.sessions() as session:
            item = session.get(PlanItem, self.item_id)
            assert item is not None
            assert item.review_state.value in STATES
            assert (item.review_state.value, item.version) == (self.state, self.version)
            assert (item.draft_job_id is not None) == (self.state == "approved")
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.subject_id == self.item_id, AuditEvent.action != REGENERATE)
                .order_by(AuditEvent.version)
            ).all()
            assert_trail(events, self.moves)


ItemReview.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_item_moves = ItemReview.TestCase
