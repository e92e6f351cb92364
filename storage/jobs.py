"""Job rows: create idempotently, claim with a lease, finish fenced by attempt, find stuck."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.access import Principal, in_scope
from storage.db import add_in_order
from storage.drafts import job_drafts
from storage.enums import JobKind, JobStatus, Queue
from storage.errors import ErrorCode, PostcraftError
from storage.models import Base, Draft, Job, new_id, utcnow


def request_fingerprint(kind: JobKind, brand_id: str, request: dict[str, Any]) -> str:
    """A stable hash of what was asked, to tell a retried request from a different one."""
    canonical = json.dumps([kind.value, brand_id, request], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class NewJob:
    """What a route asks to be done."""

    workspace_id: str
    brand_id: str
    api_key_id: str | None
    kind: JobKind
    queue: Queue
    request: dict[str, Any]
    idempotency_key: str | None


@dataclass(frozen=True)
class Submitted:
    """The job row, and whether it was created now (False: an idempotent replay)."""

    job: Job
    created: bool


def create_job(session: Session, new: NewJob) -> Submitted:
    """Commit a queued job row in the caller's session; the same idempotency key and request
    return the existing job. The caller's earlier work in the session is committed with it."""
    fingerprint = request_fingerprint(new.kind, new.brand_id, new.request)
    key = new.idempotency_key or None  # an empty key is no key
    if key is not None:
        existing = _by_idempotency_key(session, new.workspace_id, key)
        if existing is not None:
            return Submitted(_same_request(existing, fingerprint), created=False)
    job = queued_job(session, new)
    try:
        session.commit()
    except IntegrityError:
        # Two requests with one key raced; the first committed, this one replays it.
        session.rollback()
        existing = _by_idempotency_key(session, new.workspace_id, key) if key else None
        if existing is None:
            raise
        return Submitted(_same_request(existing, fingerprint), created=False)
    return Submitted(job, created=True)


def queued_job(session: Session, new: NewJob) -> Job:
    """Add a queued job row to the caller's transaction, uncommitted (a job another action
    queues, as an approved plan item queues its draft job). Send it once committed."""
    job = Job(
        id=new_id(),  # known before the flush: the caller may point at it at once
        workspace_id=new.workspace_id,
        brand_id=new.brand_id,
        api_key_id=new.api_key_id,
        kind=new.kind,
        queue=new.queue,
        status=JobStatus.QUEUED,
        request=new.request,
        request_hash=request_fingerprint(new.kind, new.brand_id, new.request),
        idempotency_key=new.idempotency_key or None,
        enqueued_at=utcnow(),  # the reconciler re-sends it after the grace if the send is lost
    )
    session.add(job)
    return job


def _by_idempotency_key(session: Session, workspace_id: str, key: str) -> Job | None:
    return session.scalars(
        select(Job).where(Job.workspace_id == workspace_id, Job.idempotency_key == key)
    ).one_or_none()


def _same_request(job: Job, fingerprint: str) -> Job:
    if job.request_hash != fingerprint:
        raise PostcraftError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "This Idempotency-Key was already used with a different request; use a new key "
            "for a new request",
        )
    return job


def find_job(session: Session, job_id: str) -> Job | None:
    """The job row, or None."""
    return session.get(Job, job_id)


def find_visible_job(
    session: Session, principal: Principal, job_id: str
) -> tuple[Job, list[Draft]] | None:
    """The job row and its drafts in platform order, if the job belongs to a brand this caller
    may see, else None: one query (the job's polled reads are most of the API's traffic)."""
    rows = session.execute(
        select(Job, Draft)
        .outerjoin(Draft, Draft.job_id == Job.id)
        .where(Job.id == job_id, in_scope(principal, Job.brand_id))
        .order_by(Draft.platform)
    ).all()
    if not rows:
        return None
    job = rows[0][0]
    if job.kind is JobKind.REDRAFT:  # its draft is an older job's: looked up by id
        return job, job_drafts(session, job)
    return job, [draft for _, draft in rows if draft is not None]


def mark_enqueued(session: Session, job_id: str, at: datetime) -> None:
    """Record that the job's message was sent again at `at` (taken once the send returned):
    the reconciler's clock for the job restarts, and its back-off doubles."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(enqueued_at=at, sends=Job.sends + 1)
        .execution_options(synchronize_session=False)
    )


def claim_job(session: Session, job_id: str, lease: timedelta, max_attempts: int) -> Job | None:
    """Take the job for one attempt, or None when it is finished or another worker holds it."""
    now = utcnow()
    job = session.get(Job, job_id)
    if job is None or job.status.is_terminal():
        return None
    if job.attempts >= max_attempts and (job.lease_until is None or job.lease_until < now):
        fail_job(
            session,
            job.id,
            job.attempts,
            PostcraftError(
                ErrorCode.JOB_ATTEMPTS_EXHAUSTED,
                f"The job was started {job.attempts} times without finishing; submit it again",
            ),
        )
        return None
    claimed = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            or_(
                Job.status == JobStatus.QUEUED,
                and_(Job.status == JobStatus.RUNNING, Job.lease_until < now),
            ),
        )
        .values(
            status=JobStatus.RUNNING,
            attempts=Job.attempts + 1,
            lease_until=now + lease,
            started_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.refresh(job)
    return job


@dataclass(frozen=True)
class JobUsage:
    """What the LLM work of one attempt cost."""

    generator: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    usage_source: str
    llm_calls: int
    llm_seconds: float
    cost_usd: float | None = None
    # A draft job's first-try prompts: their longest common prefix in tokens and its share of
    # the average prompt (None for one platform, or work that is not a draft job).
    prompt_shared_tokens: int | None = None
    prompt_shared_share: float | None = None


Apply = Callable[[Session], list[Base]]
"""A job's last step inside the transaction that finishes it: a change to rows that exist
(a compare-and-set at the version the job read), returning more rows to store. It raises a
PostcraftError to fail the job instead, and then nothing of the outcome is stored."""


@dataclass(frozen=True)
class JobOutcome:
    """What a successful attempt stores: new rows, usage, a result summary, the profile used,
    and optionally a change to existing rows made in the same transaction (`apply`)."""

    rows: list[Base]
    usage: JobUsage | None = None
    result: dict[str, Any] | None = None
    profile_version: int | None = None
    apply: Apply | None = None


def finish_job(
    session: Session, job_id: str, attempt: int, outcome: JobOutcome
) -> list[Base] | None:
    """Store the outcome and mark the job succeeded, only if this attempt still owns it: the
    rows stored (the outcome's, then its `apply`'s), or None when another attempt took over.
    A PostcraftError from `apply` propagates: the caller rolls back and fails the job."""
    values: dict[str, Any] = {
        "status": JobStatus.SUCCEEDED,
        "finished_at": utcnow(),
        "lease_until": None,
        "error_code": None,
        "error_detail": None,
        "result": outcome.result,
        "profile_version": outcome.profile_version,
    }
    if outcome.usage is not None:
        values.update(outcome.usage.__dict__)
    owned = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.attempts == attempt)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if owned.rowcount != 1:  # type: ignore[attr-defined]
        return None
    rows = [*outcome.rows, *(outcome.apply(session) if outcome.apply else [])]
    add_in_order(session, rows)
    return rows


def fail_job(session: Session, job_id: str, attempt: int, error: PostcraftError) -> bool:
    """Mark the job failed with a stable code, only if this attempt still owns it."""
    failed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempts == attempt, Job.status.in_(_OPEN))
        .values(
            status=JobStatus.FAILED,
            finished_at=utcnow(),
            lease_until=None,
            error_code=error.code.value,
            error_detail=error.detail,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(failed.rowcount == 1)  # type: ignore[attr-defined]


_OPEN = (JobStatus.QUEUED, JobStatus.RUNNING)


def stuck_jobs(
    session: Session, rule: ResendRule, now: datetime | None = None, limit: int = 500
) -> list[StuckJob]:
    """Open jobs that no message can still reach, each with the reason, oldest first.

    A job is re-sent only when no message for it can still be on its way: the lease of its
    running attempt ran out; or its message expired; or, its queue being FIFO, a job created
    after that message was sent has already been claimed (it overtook the message, which was
    therefore lost); or its queue is idle (no job of it running, none claimed for
    `rule.grace`) and it has waited its back-off: grace, 2 x grace, 4 x grace ... after its
    1st, 2nd, 3rd ... send. A backlog being worked through is never re-sent, however long
    it waits."""
    now = now or utcnow()
    found: list[StuckJob] = []
    for queue in Queue:
        found += _stuck_on(session, queue, rule, now, limit)
    return found


def _stuck_on(
    session: Session, queue: Queue, rule: ResendRule, now: datetime, limit: int
) -> list[StuckJob]:
    # Busy: a worker took one of its jobs lately, or is running one. A job waiting behind them
    # has its message still ahead in the queue, or it will be overtaken by a later job.
    last_claim = session.scalar(select(func.max(Job.started_at)).where(Job.queue == queue))
    running = session.scalar(
        select(Job.id)
        .where(Job.status == JobStatus.RUNNING, Job.lease_until > now, Job.queue == queue)
        .limit(1)
    )
    idle = running is None and (last_claim is None or last_claim <= now - rule.grace)
    # The newest job known to have left the queue: claimed long enough ago that a message ahead
    # of it has reached its own claim. Older claims cannot overtake an unexpired message.
    frontier = session.scalar(
        select(func.max(Job.created_at)).where(
            Job.queue == queue,
            Job.started_at > now - rule.expires,
            Job.started_at <= now - rule.claim_slack,
        )
    )
    sent = Job.enqueued_at
    lease_over = and_(
        Job.status == JobStatus.RUNNING,
        Job.lease_until < now,
        or_(sent.is_(None), sent < Job.lease_until),
    )
    lost: list[ColumnElement[bool]] = [sent.is_(None), sent <= now - rule.expires]
    if frontier is not None:
        lost.append(sent < frontier - rule.send_slack)
    if idle:
        lost += _backoff_over(rule, now)
    waiting = or_(
        Job.status == JobStatus.QUEUED,
        and_(Job.status == JobStatus.RUNNING, Job.lease_until < now),
    )
    jobs = session.scalars(
        select(Job)
        .where(Job.queue == queue, or_(lease_over, and_(waiting, or_(*lost))))
        .order_by(Job.created_at)
        .limit(limit)
    )
    return [StuckJob(job, _reason(job, rule, now, frontier)) for job in jobs]


def _backoff_over(rule: ResendRule, now: datetime) -> list[ColumnElement[bool]]:
    """`sends == n and sent <= now - grace * 2**(n-1)` for each n whose wait is below the
    expiry (past it, the expiry clause applies)."""
    clauses: list[ColumnElement[bool]] = []
    for n in range(1, 64):
        wait = rule.grace * 2 ** (n - 1)
        if wait >= rule.expires:
            break
        sends = Job.sends <= 1 if n == 1 else Job.sends == n
        clauses.append(and_(sends, Job.enqueued_at <= now - wait))
    return clauses


def _reason(job: Job, rule: ResendRule, now: datetime, frontier: datetime | None) -> ResendReason:
    sent = job.enqueued_at
    if job.status == JobStatus.RUNNING and (
        sent is None or (job.lease_until is not None and sent < job.lease_until)
    ):
        return ResendReason.LEASE_EXPIRED
    if sent is None or sent <= now - rule.expires:
        return ResendReason.EXPIRED
    if frontier is not None and sent < frontier - rule.send_slack:
        return ResendReason.OVERTAKEN
    return ResendReason.IDLE


@dataclass(frozen=True)
class ResendRule:
    """When the reconciler may send a job's message again."""

    grace: timedelta
    """The first wait after a send while the queue is idle; it doubles with each send."""
    expires: timedelta
    """The message expiry: an older message is certainly gone, so re-sending is always safe."""
    send_slack: timedelta = timedelta(seconds=1)
    """How much later than its recorded time a send may reach the broker (the API records the
    job's creation, then sends), clock skew between machines included."""
    claim_slack: timedelta = timedelta(seconds=5)
    """How long a message taken by a worker may take to reach its claim (a fresh worker process
    builds its runtime first)."""


class ResendReason(StrEnum):
    """Why a job's message is taken for lost."""

    LEASE_EXPIRED = "lease_expired"
    EXPIRED = "message_expired"
    OVERTAKEN = "overtaken"
    IDLE = "queue_idle"


@dataclass(frozen=True)
class StuckJob:
    """A job to send again, and why."""

    job: Job
    reason: ResendReason


def job_statuses(session: Session, job_ids: list[str]) -> dict[str, JobStatus]:
    """The status of each of these jobs that exists, in one query whatever their number (the
    API's job watcher asks this every tick for all the jobs its requests wait on)."""
    if not job_ids:
        return {}
    rows = session.execute(select(Job.id, Job.status).where(Job.id.in_(job_ids)))
    return {job_id: job_status for job_id, job_status in rows}
