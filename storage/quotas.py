"""Per-brand quotas, checked when a job is submitted: jobs open at once, jobs submitted in any
60 s, and model tokens of the jobs finished in the last 24 h.

Every figure is counted from the jobs table, so a limit holds across API processes (scaled mode
runs several) and survives restarts; nothing is kept in memory. What counts:

- **Open jobs**: the brand's jobs queued or running, of every kind. An ingest job calls no model,
  but it takes a worker slot like any other and is the kind that keeps a worker's cores busy
  (it embeds the file's text), so a brand's bulk upload would otherwise fill the worker pool:
  the very thing this limit is for.
- **Jobs a minute**: the brand's submissions whose row was created in the last 60 s, every kind
  (each is a message, a row and a worker slot). An idempotent replay creates nothing and counts
  nothing.
- **Tokens a day**: prompt + completion tokens recorded on the brand's jobs that finished in the
  last 24 h. The offline composer's jobs are left out: it calls no model and costs nothing, and
  counting its estimated tokens would lock an embedded or demo install out of its own composer.

A submission is refused while a figure is at its limit (0 means unlimited), so a brand may pass
the token limit by what its running jobs and the last admitted one use: tokens are only known
once a job has finished.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select, text, update
from sqlalchemy.orm import Session

from storage.enums import JobStatus, Queue
from storage.errors import ErrorCode, PostcraftError
from storage.models import Brand, Job, utcnow
from storage.settings import Settings

MINUTE = timedelta(seconds=60)
DAY = timedelta(hours=24)
ACTIVE_RETRY_AFTER_S = 5
"""What a refusal for open jobs asks the caller to wait: when one finishes is not known, and a
draft job takes seconds."""
OFFLINE_GENERATOR = "offline-composer"
"""The `generator` the offline composer records on its jobs (generators/llm/offline.py; storage
cannot import it, tests/api/test_quotas.py checks the two agree)."""

_OPEN = (JobStatus.QUEUED, JobStatus.RUNNING)
_FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Quota(StrEnum):
    """The three limits of a brand."""

    ACTIVE_JOBS = "active_jobs"
    JOBS_PER_MINUTE = "jobs_per_minute"
    TOKENS_PER_DAY = "tokens_per_day"

    @property
    def setting(self) -> str:
        """The environment variable that sets it."""
        return _SETTINGS[self]


_SETTINGS = {
    Quota.ACTIVE_JOBS: "POSTCRAFT_BRAND_MAX_ACTIVE_JOBS",
    Quota.JOBS_PER_MINUTE: "POSTCRAFT_BRAND_JOBS_PER_MINUTE",
    Quota.TOKENS_PER_DAY: "POSTCRAFT_BRAND_TOKENS_PER_DAY",
}


@dataclass(frozen=True)
class QuotaLimits:
    """The configured limits; 0 is unlimited."""

    active_jobs: int
    jobs_per_minute: int
    tokens_per_day: int

    @classmethod
    def of(cls, settings: Settings) -> QuotaLimits:
        """From POSTCRAFT_BRAND_MAX_ACTIVE_JOBS, _JOBS_PER_MINUTE and _TOKENS_PER_DAY."""
        return cls(
            settings.brand_max_active_jobs,
            settings.brand_jobs_per_minute,
            settings.brand_tokens_per_day,
        )

    def limit(self, quota: Quota) -> int:
        """The limit of one quota."""
        limit: int = getattr(self, quota.value)
        return limit

    @property
    def unlimited(self) -> bool:
        """True when no quota is set: nothing needs counting."""
        return not (self.active_jobs or self.jobs_per_minute or self.tokens_per_day)


@dataclass(frozen=True)
class BrandUsage:
    """A brand's figures at `at`, with when each full window frees up (for the given limits)."""

    at: datetime
    active_jobs: int
    jobs_last_minute: int
    tokens_last_day: int
    minute_frees_at: datetime | None = None
    """When the last minute's submissions have dropped below the limit (None: they are below)."""
    day_frees_at: datetime | None = None
    """When enough of the last 24 h's tokens are 24 h old to be below the limit, counting only
    the jobs finished by `at` (None: they are below)."""


@dataclass(frozen=True)
class Standing:
    """One quota's figure against its limit."""

    quota: Quota
    limit: int
    used: int
    retry_after_s: int | None
    """Seconds until a submission may pass this quota; None while it has room (or no limit)."""

    @property
    def exceeded(self) -> bool:
        """True when a new submission would be refused for this quota."""
        return self.retry_after_s is not None


def standings(usage: BrandUsage, limits: QuotaLimits) -> tuple[Standing, Standing, Standing]:
    """Each quota's figure, limit and wait (pure: the decision, given the counts)."""

    def wait(until: datetime | None) -> int:
        seconds = (until - usage.at).total_seconds() if until is not None else 0
        return max(1, math.ceil(seconds))

    def standing(quota: Quota, used: int, retry_after_s: int) -> Standing:
        limit = limits.limit(quota)
        full = limit > 0 and used >= limit
        return Standing(quota, limit, used, retry_after_s if full else None)

    return (
        standing(Quota.ACTIVE_JOBS, usage.active_jobs, ACTIVE_RETRY_AFTER_S),
        standing(Quota.JOBS_PER_MINUTE, usage.jobs_last_minute, wait(usage.minute_frees_at)),
        standing(Quota.TOKENS_PER_DAY, usage.tokens_last_day, wait(usage.day_frees_at)),
    )


def refusal(usage: BrandUsage, limits: QuotaLimits) -> Standing | None:
    """The quota that refuses a new submission, or None to admit it. With several at their
    limit, the one with the longest wait: retrying sooner would be refused again."""
    exceeded = [s for s in standings(usage, limits) if s.retry_after_s is not None]
    return max(exceeded, key=lambda s: s.retry_after_s or 0, default=None)


def quota_error(refused: Standing) -> PostcraftError:
    """The 429 for a refusal: which limit, its value, the figure and when to retry."""
    s = refused
    after = f"{s.retry_after_s:,} s"
    if s.quota is Quota.ACTIVE_JOBS:
        said = (
            f"This brand has {s.used:,} jobs queued or running, the most {s.quota.setting} "
            f"allows ({s.limit:,}): retry after {after}, once one has finished"
        )
    elif s.quota is Quota.JOBS_PER_MINUTE:
        said = (
            f"This brand submitted {s.used:,} jobs in the last 60 s, the most "
            f"{s.quota.setting} allows ({s.limit:,}): retry after {after}, when the oldest of "
            "them leaves the window"
        )
    else:
        said = (
            f"This brand's jobs used {s.used:,} model tokens in the last 24 h, the most "
            f"{s.quota.setting} allows ({s.limit:,}): retry after about {after}, when enough "
            "of that usage is 24 h old (an estimate: jobs still running add theirs)"
        )
    said += "; GET /v1/brands/{brand_id}/usage shows every figure"
    return PostcraftError(ErrorCode.QUOTA_EXCEEDED, said, retry_after_s=s.retry_after_s)


def brand_usage(
    session: Session,
    brand_id: str,
    limits: QuotaLimits,
    now: datetime | None = None,
    queue: Queue = Queue.BATCH,
) -> BrandUsage:
    """The brand's figures now; the windows' free-up times are computed for `limits`, and only
    for a window that is at its limit. Jobs and submissions count per queue: reply suggestions
    (interactive) never wait for a brand's batch of drafts to leave room, nor the other way;
    tokens count across both."""
    at = now or utcnow()
    active = _count(session, Job.brand_id == brand_id, Job.queue == queue, Job.status.in_(_OPEN))
    minute = _count(session, *_in_last_minute(brand_id, at, queue))
    tokens = int(
        session.scalar(
            select(func.coalesce(func.sum(Job.prompt_tokens + Job.completion_tokens), 0)).where(
                *_tokens_counted(brand_id, at)
            )
        )
        or 0
    )
    minute_frees_at = day_frees_at = None
    if 0 < limits.jobs_per_minute <= minute:
        over = minute - limits.jobs_per_minute
        minute_frees_at = _minute_frees_at(session, brand_id, at, over, queue)
    if 0 < limits.tokens_per_day <= tokens:
        day_frees_at = _day_frees_at(session, brand_id, at, tokens - limits.tokens_per_day)
    return BrandUsage(at, active, minute, tokens, minute_frees_at, day_frees_at)


def admit_submission(
    session: Session,
    brand_id: str,
    limits: QuotaLimits,
    replay: tuple[str, str | None],
    now: datetime | None = None,
    queue: Queue = Queue.BATCH,
) -> None:
    """Raise QUOTA_EXCEEDED (429) when the brand may not submit a job now; otherwise return
    holding the brand's submission lock, which the caller's commit of the new job releases.

    `replay` is (workspace id, Idempotency-Key): a request that replays an existing job is
    never refused, as it creates nothing. A brand at its limit is refused without the lock (a
    flood of refused requests never queues on it); one below is counted again under the lock,
    so two submissions cannot both take the last place. A refusal under the lock rolls the
    session back to release it."""
    if limits.unlimited:
        return
    refused = refusal(brand_usage(session, brand_id, limits, now, queue), limits)
    if refused is None:
        lock_brand_submissions(session, brand_id)
        refused = refusal(brand_usage(session, brand_id, limits, now, queue), limits)
    if refused is None or is_replay(session, *replay):
        return
    session.rollback()
    raise quota_error(refused)


def lock_brand_submissions(session: Session, brand_id: str) -> None:
    """Serialise the brand's submissions until the session's transaction ends.

    PostgreSQL: a transaction-level advisory lock keyed on the brand (other brands, and every
    other use of the brand row, go on). SQLite: a write to the brand row, which takes the
    database's one write lock before the counts are read again (pysqlite opens its transaction
    only at a write, so reads alone would not hold anything); it must come before any read in
    that transaction, or SQLite could not wait for the lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"postcraft.submit:{brand_id}"},
        )
        return
    session.execute(
        update(Brand)
        .where(Brand.id == brand_id)
        .values(profile_version=Brand.profile_version)
        .execution_options(synchronize_session=False)
    )


def is_replay(session: Session, workspace_id: str, idempotency_key: str | None) -> bool:
    """True when a job with this Idempotency-Key exists in the workspace (the submission then
    replays it, or is refused for a different body: storage/jobs.py create_job)."""
    if not idempotency_key:
        return False
    found = session.scalar(
        select(Job.id)
        .where(Job.workspace_id == workspace_id, Job.idempotency_key == idempotency_key)
        .limit(1)
    )
    return found is not None


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Job).where(*where)) or 0)


def _in_last_minute(brand_id: str, at: datetime, queue: Queue) -> tuple[ColumnElement[bool], ...]:
    return (Job.brand_id == brand_id, Job.queue == queue, Job.created_at > at - MINUTE)


def _tokens_counted(brand_id: str, at: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Job.brand_id == brand_id,
        Job.status.in_(_FINISHED),
        Job.finished_at > at - DAY,
        Job.generator.is_distinct_from(OFFLINE_GENERATOR),
    )


def _minute_frees_at(
    session: Session, brand_id: str, at: datetime, over: int, queue: Queue
) -> datetime:
    """When the window holds one submission fewer than the limit: the (over + 1)-th oldest of
    its submissions leaves it 60 s after it was made."""
    oldest = session.scalar(
        select(Job.created_at)
        .where(*_in_last_minute(brand_id, at, queue))
        .order_by(Job.created_at, Job.id)
        .offset(over)
        .limit(1)
    )
    return (oldest or at - MINUTE) + MINUTE  # None: the rows went meanwhile, so it is free now


def _day_frees_at(session: Session, brand_id: str, at: datetime, over: int) -> datetime:
    """When the tokens still in the window are below the limit: the first finished job, oldest
    first, by which more than `over` tokens (used - limit) have left it, leaves 24 h after it
    finished."""
    left = func.sum(Job.prompt_tokens + Job.completion_tokens).over(
        order_by=(Job.finished_at, Job.id)
    )
    jobs = (
        select(Job.finished_at.label("finished_at"), left.label("left"))
        .where(*_tokens_counted(brand_id, at))
        .subquery()
    )
    first = session.scalar(select(func.min(jobs.c.finished_at)).where(jobs.c.left > over))
    return (first or at - DAY) + DAY
