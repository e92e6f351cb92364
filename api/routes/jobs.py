"""Draft jobs: submit (idempotently), poll, and read drafts; all scoped to the caller's brands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import BrandId, JobId, PrincipalDep, RuntimeDep, SessionDep
from api.edge import CheckedRoute
from api.errors import error_responses
from api.schemas import DraftRead, JobRead
from api.submit import SUBMIT_RESPONSES, SubmitDep
from brand_voice.profile import BrandProfile
from generators.drafts.gate import unlabelled_ad
from generators.drafts.schemas import DraftRequest
from generators.hashtags.schemas import HashtagRequest
from storage.access import Principal, find_brand, get_brand
from storage.drafts import brand_drafts, job_drafts
from storage.enums import JobKind
from storage.errors import ErrorCode, PostcraftError
from storage.jobs import find_job
from storage.models import Job

router = APIRouter(
    prefix="/v1",
    tags=["drafts and jobs"],
    route_class=CheckedRoute,
    responses=error_responses(401, 404, 422, 503),
)


@router.post(
    "/brands/{brand_id}/drafts", status_code=status.HTTP_202_ACCEPTED, responses=SUBMIT_RESPONSES
)
def submit_draft(
    brand_id: BrandId,
    body: DraftRequest,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    submit: SubmitDep,
) -> JobRead:
    """Queue a draft job: one draft per platform. Poll `GET /v1/jobs/{id}` for the result."""
    brand = get_brand(session, principal, brand_id)
    problem = unlabelled_ad(runtime.rulebook, BrandProfile.model_validate(brand.profile), body)
    if problem:
        raise PostcraftError(ErrorCode.INVALID_REQUEST, f"{problem}, then send the request again")
    return submit(brand, JobKind.DRAFT, body.model_dump(mode="json"))


@router.post(
    "/brands/{brand_id}/hashtags", status_code=status.HTTP_202_ACCEPTED, responses=SUBMIT_RESPONSES
)
def submit_hashtags(
    brand_id: BrandId,
    body: HashtagRequest,
    principal: PrincipalDep,
    session: SessionDep,
    submit: SubmitDep,
) -> JobRead:
    """Queue a hashtag-set job: per platform, branded tags first, then tags ranked from your
    best posts, competitors and suggestions, each with its reason (in the job's `result`)."""
    return submit(
        get_brand(session, principal, brand_id), JobKind.HASHTAGS, body.model_dump(mode="json")
    )


@router.get("/jobs/{job_id}")
def read_job(job_id: JobId, principal: PrincipalDep, session: SessionDep) -> JobRead:
    """A job's status, usage, error and drafts, read from the database."""
    job = _job(session, principal, job_id)
    return JobRead.of(job, job_drafts(session, job.id))


@router.get("/brands/{brand_id}/drafts")
def list_drafts(
    brand_id: BrandId,
    principal: PrincipalDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200, description="How many, newest first")] = 50,
) -> list[DraftRead]:
    """The brand's latest drafts, newest first."""
    brand = get_brand(session, principal, brand_id)
    return [DraftRead.of(d) for d in brand_drafts(session, brand.id, limit)]


def _job(session: SessionDep, principal: Principal, job_id: str) -> Job:
    job = find_job(session, job_id)
    if job is None or find_brand(session, principal, job.brand_id) is None:
        raise PostcraftError(ErrorCode.JOB_NOT_FOUND, f"No job {job_id} among your brands")
    return job
