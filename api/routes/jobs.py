"""Draft jobs: submit (idempotently), poll, and read drafts; all scoped to the caller's brands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status
from sqlalchemy import select

from api.deps import PrincipalDep, QueueDep, RuntimeDep, SessionDep
from api.schemas import DraftRead, JobRead
from generators.drafts.schemas import DraftRequest
from storage.access import Principal, get_brand
from storage.enums import JobKind, Queue
from storage.errors import ErrorCode, PostcraftError
from storage.jobs import NewJob, create_job
from storage.models import Draft, Job

router = APIRouter(prefix="/v1", tags=["drafts and jobs"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retry-safe submission: the same key and body return the same job",
    ),
]


@router.post("/brands/{brand_id}/drafts", status_code=status.HTTP_202_ACCEPTED)
def submit_draft(
    brand_id: str,
    body: DraftRequest,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    queue: QueueDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> JobRead:
    """Queue a draft job: one draft per platform. Poll `GET /v1/jobs/{id}` for the result."""
    brand = get_brand(session, principal, brand_id)
    submitted = create_job(
        runtime.sessions,
        NewJob(
            workspace_id=principal.workspace_id,
            brand_id=brand.id,
            api_key_id=principal.api_key_id,
            kind=JobKind.DRAFT,
            queue=Queue.BATCH,
            request=body.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        ),
    )
    if submitted.created:
        queue.send(submitted.job)  # only after the row is committed
    else:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/v1/jobs/{submitted.job.id}"
    return JobRead.of(submitted.job, _drafts(session, submitted.job.id))


@router.get("/jobs/{job_id}")
def read_job(job_id: str, principal: PrincipalDep, session: SessionDep) -> JobRead:
    """A job's status, usage, error and drafts, read from the database."""
    job = _job(session, principal, job_id)
    return JobRead.of(job, _drafts(session, job.id))


@router.get("/drafts/{draft_id}")
def read_draft(draft_id: str, principal: PrincipalDep, session: SessionDep) -> DraftRead:
    """One draft."""
    draft = session.get(Draft, draft_id)
    if draft is None or not _visible(session, principal, draft.brand_id):
        raise PostcraftError(ErrorCode.DRAFT_NOT_FOUND, f"No draft {draft_id} among your brands")
    return DraftRead.of(draft)


@router.get("/brands/{brand_id}/drafts")
def list_drafts(
    brand_id: str, principal: PrincipalDep, session: SessionDep, limit: int = 50
) -> list[DraftRead]:
    """The brand's latest drafts, newest first."""
    brand = get_brand(session, principal, brand_id)
    rows = session.scalars(
        select(Draft)
        .where(Draft.brand_id == brand.id)
        .order_by(Draft.created_at.desc())
        .limit(max(1, min(limit, 200)))
    )
    return [DraftRead.of(d) for d in rows]


def _job(session: SessionDep, principal: Principal, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None or not _visible(session, principal, job.brand_id):
        raise PostcraftError(ErrorCode.JOB_NOT_FOUND, f"No job {job_id} among your brands")
    return job


def _visible(session: SessionDep, principal: Principal, brand_id: str) -> bool:
    try:
        get_brand(session, principal, brand_id)
    except PostcraftError:
        return False
    return True


def _drafts(session: SessionDep, job_id: str) -> list[Draft]:
    return list(
        session.scalars(select(Draft).where(Draft.job_id == job_id).order_by(Draft.platform))
    )
