"""The job row's lifecycle: claims are exclusive, results are fenced by attempt."""

from __future__ import annotations

from datetime import timedelta

from generators.runtime import Runtime
from storage.db import transaction
from storage.enums import JobKind, JobStatus, Platform, Queue
from storage.errors import ErrorCode, PostcraftError
from storage.jobs import JobOutcome, JobUsage, NewJob, claim_job, create_job, fail_job, finish_job
from storage.models import Draft, Job, utcnow
from tests.conftest import World

USAGE = JobUsage("offline-composer", "v1", 10, 5, "tiktoken", 1, 0.01)


def _new(rt: Runtime, world: World) -> str:
    return create_job(
        rt.sessions(),
        NewJob(world.workspace_id, world.brand_a, None, JobKind.DRAFT, Queue.BATCH, {"t": 1}, None),
    ).job.id


def _draft(job_id: str, brand_id: str) -> Draft:
    return Draft(
        job_id=job_id,
        brand_id=brand_id,
        platform=Platform.VK,
        language="ru",
        headline="h",
        body="b",
        generator="g",
        model="m",
    )


def test_a_claimed_job_cannot_be_claimed_again_until_its_lease_ends(
    runtime: Runtime, world: World
) -> None:
    job_id = _new(runtime, world)
    with transaction(runtime.sessions) as session:
        assert claim_job(session, job_id, timedelta(minutes=5), 5) is not None
    with transaction(runtime.sessions) as session:
        assert claim_job(session, job_id, timedelta(minutes=5), 5) is None
    with transaction(runtime.sessions) as session:  # lease expired: a new attempt may take it
        row = session.get(Job, job_id)
        assert row is not None
        row.lease_until = utcnow() - timedelta(seconds=1)
    with transaction(runtime.sessions) as session:
        job = claim_job(session, job_id, timedelta(minutes=5), 5)
        assert job is not None
        assert job.attempts == 2


def test_a_stale_attempt_cannot_store_results(runtime: Runtime, world: World) -> None:
    job_id = _new(runtime, world)
    with transaction(runtime.sessions) as session:
        claim_job(session, job_id, timedelta(seconds=-1), 5)  # attempt 1, lease already over
    with transaction(runtime.sessions) as session:
        claim_job(session, job_id, timedelta(minutes=5), 5)  # attempt 2 takes over
    with transaction(runtime.sessions) as session:
        assert (
            finish_job(session, job_id, 1, JobOutcome([_draft(job_id, world.brand_a)], USAGE))
            is None
        )
    with transaction(runtime.sessions) as session:
        stored = finish_job(session, job_id, 2, JobOutcome([_draft(job_id, world.brand_a)], USAGE))
        assert stored is not None
        assert len(stored) == 1
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.status is JobStatus.SUCCEEDED
        assert session.query(Draft).filter_by(job_id=job_id).count() == 1
    with transaction(runtime.sessions) as session:  # a terminal job is never claimed again
        assert claim_job(session, job_id, timedelta(minutes=5), 5) is None


def test_attempts_are_bounded(runtime: Runtime, world: World) -> None:
    job_id = _new(runtime, world)
    for _ in range(2):
        with transaction(runtime.sessions) as session:
            claim_job(session, job_id, timedelta(seconds=-1), 2)
    with transaction(runtime.sessions) as session:
        assert claim_job(session, job_id, timedelta(minutes=5), 2) is None
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.status is JobStatus.FAILED
        assert job.error_code == ErrorCode.JOB_ATTEMPTS_EXHAUSTED.value


def test_failing_records_the_code(runtime: Runtime, world: World) -> None:
    job_id = _new(runtime, world)
    with transaction(runtime.sessions) as session:
        claim_job(session, job_id, timedelta(minutes=5), 5)
        fail_job(session, job_id, 1, PostcraftError(ErrorCode.LLM_UNAVAILABLE, "later"))
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert (job.status, job.error_code) == (JobStatus.FAILED, "llm_unavailable")
