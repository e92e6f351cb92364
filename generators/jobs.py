"""Running one job attempt: claim it, do the work, store results and status in one transaction."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from brand_voice.profile import BrandProfile
from brand_voice.sources import SourcePayload, competitor_names, prepare_source
from generators.drafts.prompting import SharedPrefix
from generators.drafts.regenerate import RedraftRequest, apply_rewrite, rewrite_draft
from generators.drafts.schemas import DraftRequest
from generators.drafts.service import write_drafts
from generators.hashtags.schemas import HashtagRequest
from generators.hashtags.service import hashtag_sets
from generators.llm.port import Completion
from generators.plans.schemas import PlanRequest
from generators.plans.service import write_plan
from generators.replies.schemas import ReplyRequest
from generators.replies.service import suggest_replies
from generators.runtime import Runtime
from storage.db import transaction
from storage.enums import JobKind, ReviewState, Subject
from storage.errors import ErrorCode, PostcraftError
from storage.guidance import brand_guidance
from storage.jobs import JobOutcome, JobUsage, claim_job, fail_job, find_job, finish_job
from storage.models import AuditEvent, Base, Brand, Draft, Job, utcnow
from storage.plans import approver, item_for_job
from webhooks.outbox import announce

log = logging.getLogger(__name__)


def run_job(rt: Runtime, job_id: str) -> list[str]:
    """Run the job once if it is not finished and no other worker holds it (safe to redeliver).

    Returns the webhook deliveries its stored review moves recorded (drafts that an approved
    plan item's job puts in review), for the caller to send now that they are committed; a
    delivery that is never sent goes out with the reconciler's next pass.
    A job past POSTCRAFT_JOB_SOFT_TIME_LIMIT_S fails with JOB_TIMED_OUT (see `_within`)."""
    lease = timedelta(seconds=rt.settings.job_time_limit_s + rt.settings.job_lease_grace_s)
    with transaction(rt.sessions) as session:
        job = claim_job(session, job_id, lease, rt.settings.job_max_attempts)
    if job is None:
        log.info("job skipped: finished or held by another worker", extra={"job_id": job_id})
        return []
    log.info("job started", extra={"job_id": job_id, "attempt": job.attempts})
    try:
        outcome = _within(rt.settings.job_soft_time_limit_s, HANDLERS[job.kind], rt, job)
    except PostcraftError as error:
        record_failure(rt, job, error)
        return []
    except Exception:
        log.exception("job crashed", extra={"job_id": job_id})
        record_failure(rt, job, PostcraftError(ErrorCode.INTERNAL, "Unexpected error; see logs"))
        return []
    deliveries: list[str] = []
    try:
        with transaction(rt.sessions) as session:
            stored = finish_job(session, job.id, job.attempts, outcome)
            # The moves' webhooks commit with them, as the approval desk's do.
            for row in stored or []:
                if isinstance(row, AuditEvent):
                    deliveries += announce(session, row)
    except PostcraftError as error:  # the outcome's `apply` refused (rolled back)
        record_failure(rt, job, error)
        return []
    log.info(
        "job succeeded" if stored is not None else "job result dropped: another attempt took over",
        extra={"job_id": job_id, "attempt": job.attempts},
    )
    return deliveries


def _within(
    limit_s: float, handler: Callable[[Runtime, Job], JobOutcome], rt: Runtime, job: Job
) -> JobOutcome:
    """The handler's outcome, or JOB_TIMED_OUT once `limit_s` seconds pass.

    Workers run jobs in threads (a job mostly waits on the model), where nothing can interrupt
    a call, so the work runs in a thread of its own and the deadline is kept here. A handler
    past its deadline is abandoned: its model calls end on their own timeouts, and its outcome
    is never stored because only this function's caller stores outcomes."""
    future: Future[JobOutcome] = Future()

    def work() -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(handler(rt, job))
        except BaseException as exc:  # handed to the waiting caller as it is
            future.set_exception(exc)

    threading.Thread(target=work, name=f"job-{job.id[:8]}", daemon=True).start()
    done, _ = wait([future], timeout=limit_s)
    if not done:
        raise PostcraftError(
            ErrorCode.JOB_TIMED_OUT,
            f"The job ran past {limit_s:g} s (POSTCRAFT_JOB_SOFT_TIME_LIMIT_S): the model may be "
            "slow or overloaded; submit it again later or with fewer platforms",
        )
    return future.result()


def record_failure(rt: Runtime, job: Job, error: PostcraftError) -> None:
    """Mark this attempt's job failed with the error's code."""
    with transaction(rt.sessions) as session:
        fail_job(session, job.id, job.attempts, error)
    log.warning(
        "job failed",
        extra={"job_id": job.id, "error_code": error.code.value, "detail": error.detail},
    )


def _brand(rt: Runtime, job: Job) -> Brand:
    with rt.sessions() as session:
        brand = session.get(Brand, job.brand_id)
    if brand is None:
        raise PostcraftError(ErrorCode.BRAND_NOT_FOUND, "The job's brand was deleted")
    return brand


def _draft(rt: Runtime, job: Job) -> JobOutcome:
    brand = _brand(rt, job)
    request = DraftRequest.model_validate(job.request)
    with rt.sessions() as session:
        rivals = tuple(competitor_names(session, brand.id))
        guidance = tuple(brand_guidance(session, brand.id))
        review = _in_review(session, job)
    budget = rt.settings.context_token_budget
    drafts = write_drafts(
        rt.llm,
        rt.store,
        rt.rulebook,
        brand,
        request,
        job.id,
        budget,
        rivals,
        rt.settings.llm_concurrency,
        guidance=guidance,
    )
    usage = _usage(rt, drafts.completions, drafts.shared_prefix)
    rows: list[Base] = [*drafts.drafts, *drafts.versions]
    if review is not None:
        rows += [review.submit(draft) for draft in drafts.drafts]
    return JobOutcome(rows=rows, usage=usage, profile_version=brand.profile_version)


def _redraft(rt: Runtime, job: Job) -> JobOutcome:
    brand = _brand(rt, job)
    request = RedraftRequest.model_validate(job.request)
    with rt.sessions() as session:
        draft = session.get(Draft, request.draft_id)
        written_by = find_job(session, draft.job_id) if draft is not None else None
        if draft is None or written_by is None or draft.brand_id != brand.id:
            raise PostcraftError(ErrorCode.DRAFT_NOT_FOUND, "The draft to write again is gone")
        rivals = tuple(competitor_names(session, brand.id))
        guidance = tuple(brand_guidance(session, brand.id))
    rewrite = rewrite_draft(
        rt.llm,
        rt.store,
        rt.rulebook,
        brand,
        draft,
        DraftRequest.model_validate(written_by.request),
        job.id,
        rt.settings.context_token_budget,
        rivals,
        guidance,
        request.guidance,
    )
    return JobOutcome(
        rows=[],
        usage=_usage(rt, rewrite.checked.completions, None),
        result={"draft_id": draft.id, "version": request.version + 1},
        profile_version=brand.profile_version,
        apply=lambda session: apply_rewrite(session, request, rewrite),
    )


def _reply(rt: Runtime, job: Job) -> JobOutcome:
    brand = _brand(rt, job)
    request = ReplyRequest.model_validate(job.request)
    suggested = suggest_replies(rt.llm, rt.store, rt.rulebook, brand, request)
    calls = suggested.completions
    return JobOutcome(
        rows=[],
        usage=_usage(rt, calls, None) if calls else None,
        result=suggested.outcome.model_dump(mode="json"),
        profile_version=brand.profile_version,
    )


def _usage(rt: Runtime, calls: Sequence[Completion[Any]], shared: SharedPrefix | None) -> JobUsage:
    """What a draft job's model calls used and cost."""
    return JobUsage(
        generator=calls[0].generator,
        model=calls[0].model,
        prompt_tokens=sum(c.usage.prompt_tokens for c in calls),
        completion_tokens=sum(c.usage.completion_tokens for c in calls),
        usage_source="provider" if all(c.usage.source == "provider" for c in calls) else "tiktoken",
        llm_calls=len(calls),
        llm_seconds=round(sum(c.seconds for c in calls), 4),
        cost_usd=_cost(rt, calls),
        prompt_shared_tokens=shared.tokens if shared else None,
        prompt_shared_share=shared.share if shared else None,
    )


@dataclass(frozen=True)
class _Submitter:
    """Who put a plan item's drafts in review: the person who approved the item."""

    actor_id: str | None
    actor_name: str

    def submit(self, draft: Draft) -> AuditEvent:
        """Put the new draft in review, with its row in the trail."""
        draft.review_state = ReviewState.IN_REVIEW
        draft.version = (draft.version or 1) + 1  # version 1 is the generated text
        return AuditEvent(
            brand_id=draft.brand_id,
            subject_kind=Subject.DRAFT.value,
            subject_id=draft.id,
            actor_id=self.actor_id,
            actor_name=self.actor_name,
            action="submit",
            from_state=ReviewState.DRAFT,
            to_state=ReviewState.IN_REVIEW,
            version=draft.version,
            comment="Written for an approved plan item",
        )


def _in_review(session: Session, job: Job) -> _Submitter | None:
    """A job that an approved plan item queued: its drafts go straight to review."""
    item = item_for_job(session, job.id)
    return _Submitter(*approver(session, item.id)) if item is not None else None


def _cost(rt: Runtime, calls: Sequence[Completion[Any]]) -> float | None:
    """What the calls cost at the configured prices; None for the offline composer or no prices."""
    s = rt.settings
    priced = s.llm_prompt_usd_per_mtok or s.llm_completion_usd_per_mtok
    if not priced or not rt.llm.billed:
        return None
    prompt = sum(c.usage.prompt_tokens for c in calls)
    completion = sum(c.usage.completion_tokens for c in calls)
    usd = prompt * s.llm_prompt_usd_per_mtok + completion * s.llm_completion_usd_per_mtok
    return round(usd / 1_000_000, 6)


def _ingest(rt: Runtime, job: Job) -> JobOutcome:
    brand = _brand(rt, job)
    payload = SourcePayload.model_validate(job.request["source"])
    with rt.sessions() as session:
        rows, report = prepare_source(session, rt.store, brand.id, payload)
    return JobOutcome(rows=rows, result=report.as_dict())


def _hashtags(rt: Runtime, job: Job) -> JobOutcome:
    brand = _brand(rt, job)
    request = HashtagRequest.model_validate(job.request)
    profile = BrandProfile.model_validate(brand.profile)
    with rt.sessions() as session:
        rivals = tuple(competitor_names(session, brand.id))
    registry = rt.rulebook.registry
    sets = hashtag_sets(rt.llm, rt.store, registry, brand.id, profile, request, rivals)
    return JobOutcome(rows=[], result={"hashtags": sets}, profile_version=brand.profile_version)


def _plan(rt: Runtime, job: Job) -> JobOutcome:
    brand = _brand(rt, job)
    request = PlanRequest.model_validate(job.request)
    with rt.sessions() as session:
        written = write_plan(rt.llm, session, rt.store, brand, request, job.id, utcnow())
    writer = written.plan.basis["writer"]
    result = {
        "plan_id": written.plan.id,
        "items": len(written.items),
        "passed": written.report.passed,
        "generator": written.plan.generator,
        "fallback": writer["fallback"],
    }
    calls = written.completions
    usage = None
    if calls:  # the model's calls (none for the offline composer)
        usage = JobUsage(
            generator=calls[0].generator,
            model=calls[0].model,
            prompt_tokens=sum(c.usage.prompt_tokens for c in calls),
            completion_tokens=sum(c.usage.completion_tokens for c in calls),
            usage_source=(
                "provider" if all(c.usage.source == "provider" for c in calls) else "tiktoken"
            ),
            llm_calls=len(calls),
            llm_seconds=round(sum(c.seconds for c in calls), 4),
            cost_usd=_cost(rt, calls),
        )
    return JobOutcome(
        rows=[written.plan, *written.items],
        usage=usage,
        result=result,
        profile_version=brand.profile_version,
    )


HANDLERS: dict[JobKind, Callable[[Runtime, Job], JobOutcome]] = {
    JobKind.DRAFT: _draft,
    JobKind.INGEST: _ingest,
    JobKind.HASHTAGS: _hashtags,
    JobKind.PLAN: _plan,
    JobKind.REDRAFT: _redraft,
    JobKind.REPLY: _reply,
}
