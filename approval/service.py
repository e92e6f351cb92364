"""Reviewing an item (a draft, a plan, a plan item): the checks a move must pass, the move and
its audit row, and what the move sets off, all in the caller's transaction.

What a move sets off: a plan's submission, approval or rejection carries its undecided items
along; an approved plan item queues a draft job (its drafts arrive in review); an approved
draft teaches the brand (approval/learning.py). Jobs to send and webhook deliveries are kept
on the `Desk`, which sends them once it has committed (`Desk.commit`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from approval.learning import add_approved_examples, record_edit_distance
from approval.repository import actor_name, move, record
from approval.states import Action, next_state
from generators.compliance.report import stored_of
from generators.drafts.schemas import DraftRequest
from retrieval.store import VectorStore
from storage.access import Principal
from storage.enums import JobKind, Queue, ReviewState, Subject
from storage.errors import ErrorCode, PostcraftError
from storage.jobs import NewJob, queued_job
from storage.models import AuditEvent, Draft, Job, Plan, PlanItem
from storage.plans import plan_items
from webhooks.outbox import announce
from worker.queue import JobQueue

COMMENT_MAX = 4000
Reviewable = Draft | Plan | PlanItem
KINDS: dict[type[Reviewable], Subject] = {
    Draft: Subject.DRAFT,
    Plan: Subject.PLAN,
    PlanItem: Subject.PLAN_ITEM,
}
_NAMES = {Subject.DRAFT: "draft", Subject.PLAN: "plan", Subject.PLAN_ITEM: "plan item"}
# What a plan's move does to those of its items still in the state the plan left.
_CARRIED = {
    Action.SUBMIT: ReviewState.DRAFT,
    Action.APPROVE: ReviewState.IN_REVIEW,
    Action.REJECT: ReviewState.IN_REVIEW,
}


@dataclass
class Desk:
    """One request's review work: who acts, in which transaction, with which vector store,
    and where to send what the moves queued once the transaction has committed."""

    session: Session
    principal: Principal
    store: VectorStore
    queue: JobQueue | None = None  # None: nothing is sent (the reconciler sends it later)
    jobs: list[Job] = field(default_factory=list)
    deliveries: list[str] = field(default_factory=list)
    approved: list[Draft] = field(default_factory=list)

    def review(
        self,
        subject: Reviewable,
        action: Action,
        expected_version: int | None,
        comment: str = "",
    ) -> Reviewable:
        """Move `subject` by `action`, as the version the reviewer saw (If-Match), and record
        it; then what the move sets off.

        Refused: without a version (VERSION_REQUIRED), at a stale one (VERSION_CONFLICT), a
        move the role may not make (FORBIDDEN) or the state does not have (REVIEW_NOT_ALLOWED),
        an approval of an item whose checks found errors (NOT_APPROVABLE), a send-back without
        a comment, a resubmission of a sent-back item nobody changed, and any move of an item
        of a rejected plan. A refusal writes nothing."""
        kind = KINDS[type(subject)]
        check_version(kind, subject.version, expected_version, "with a review move")
        comment = comment.strip()
        target = next_state(subject.review_state, action, self.principal.role)
        self._check(kind, subject, action, comment)
        self._move(kind, subject, action, target, comment)
        self._after(subject, action, comment)
        return subject

    def commit(self) -> None:
        """Add the approved drafts to their brands' examples, commit, then send the jobs the
        moves queued and their webhook deliveries."""
        if self.approved:
            add_approved_examples(self.session, self.store, self.approved)
        self.session.commit()
        if self.queue is not None:
            for job in self.jobs:
                self.queue.send(job)
            for delivery_id in self.deliveries:
                self.queue.send_delivery(delivery_id)
        self.jobs.clear()
        self.deliveries.clear()
        self.approved.clear()

    def _check(self, kind: Subject, subject: Reviewable, action: Action, comment: str) -> None:
        if isinstance(subject, PlanItem):
            plan = self.session.get(Plan, subject.plan_id)
            if plan is not None and plan.review_state is ReviewState.REJECTED:
                raise PostcraftError(
                    ErrorCode.REVIEW_NOT_ALLOWED, "The item's plan was rejected: nothing moves"
                )
            if action is Action.APPROVE and plan is not None:
                _check_approvable(Subject.PLAN, plan)
        if action is Action.APPROVE:
            _check_approvable(kind, subject)
        if action is Action.REQUEST_CHANGES and not comment:
            raise PostcraftError(
                ErrorCode.INVALID_REQUEST, "Say what to change: a send-back needs a comment"
            )
        if (
            action is Action.SUBMIT
            and subject.review_state is ReviewState.CHANGES_REQUESTED
            and subject.sent_back_version is not None
            and subject.version <= subject.sent_back_version
        ):
            raise PostcraftError(
                ErrorCode.REVIEW_NOT_ALLOWED,
                f"The {_NAMES[kind]} was sent back and has not changed since: edit or "
                "regenerate it first",
            )

    def _move(
        self,
        kind: Subject,
        subject: Reviewable,
        action: Action,
        target: ReviewState,
        comment: str,
    ) -> None:
        before, seen = subject.review_state, subject.version
        extra: dict[str, object] = {}
        if target is ReviewState.CHANGES_REQUESTED:
            extra["sent_back_version"] = seen + 1
        if isinstance(subject, Draft):
            extra["updated_by"] = self.principal.user_id
        if not move(self.session, subject, seen, target, **extra):
            raise stale(kind, None, seen)
        event = AuditEvent(
            brand_id=subject.brand_id,
            subject_kind=kind.value,
            subject_id=subject.id,
            actor_id=self.principal.user_id,
            actor_name=actor_name(self.session, self.principal.user_id),
            action=action.value,
            from_state=before,
            to_state=target,
            version=subject.version,
            comment=comment,
        )
        record(self.session, event)
        self.deliveries.extend(announce(self.session, event))

    def _after(self, subject: Reviewable, action: Action, comment: str) -> None:
        if isinstance(subject, Plan) and action in _CARRIED:
            for item in plan_items(self.session, subject.id):
                if item.review_state is _CARRIED[action]:
                    target = next_state(item.review_state, action, self.principal.role)
                    self._move(Subject.PLAN_ITEM, item, action, target, comment)
                    self._after(item, action, comment)
        elif isinstance(subject, PlanItem) and action is Action.APPROVE:
            self._queue_drafts(subject)
        elif isinstance(subject, Draft) and action is Action.APPROVE:
            record_edit_distance(self.session, subject)
            self.approved.append(subject)

    def _queue_drafts(self, item: PlanItem) -> None:
        """The approved item's draft job: its topic and briefs, for its platform."""
        picture = f"Picture: {item.design_brief}" if item.design_brief else ""
        brief = "\n".join(part for part in (item.copy_brief, picture) if part)
        request = DraftRequest(
            topic=item.topic,
            brief=brief[:2000],
            platforms=[item.platform],
            rubric=item.category,
            goal=item.goal,
        ).model_dump(mode="json")
        job = queued_job(
            self.session,
            NewJob(
                workspace_id=self.principal.workspace_id,
                brand_id=item.brand_id,
                api_key_id=self.principal.api_key_id,
                kind=JobKind.DRAFT,
                queue=Queue.BATCH,
                request=request,
                idempotency_key=None,
            ),
        )
        item.draft_job_id = job.id
        self.session.flush()
        self.jobs.append(job)


def _check_approvable(kind: Subject, subject: Reviewable) -> None:
    report = subject.validation if isinstance(subject, Draft) else None
    if isinstance(subject, Plan):
        report = subject.report
    if report is None:
        return
    errors = stored_of(report)
    if errors:
        listed = "; ".join(f"{v.get('code')}: {v.get('message')}" for v in errors[:5])
        fix = (
            "edit it until its validation passes, or send it back"
            if kind is Subject.DRAFT
            else "regenerate the items the report names, or send the plan back"
        )
        raise PostcraftError(
            ErrorCode.NOT_APPROVABLE,
            f"The {_NAMES[kind]} fails {len(errors)} check(s) ({listed}): {fix}",
        )


def check_version(kind: Subject, current: int, expected: int | None, doing: str) -> int:
    """The version sent (If-Match) when it is the current one; VERSION_REQUIRED without one,
    VERSION_CONFLICT at another."""
    if expected is None:
        raise PostcraftError(
            ErrorCode.VERSION_REQUIRED,
            f'Send If-Match: "{current}" (the version you read) {doing}',
        )
    if expected != current:
        raise stale(kind, current, expected)
    return expected


def stale(kind: Subject, current: int | None, sent: int) -> PostcraftError:
    """The 412 of a change made at an old version (`current`: None when it changed meanwhile)."""
    now = f"at version {current}" if current is not None else "changed meanwhile"
    return PostcraftError(
        ErrorCode.VERSION_CONFLICT,
        f"The {_NAMES[kind]} is {now}, not version {sent}: reload it and try again",
    )
