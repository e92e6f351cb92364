"""Submitting a job from a route: admit it under the brand's quotas, commit the row in the
request's session, then send it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Response, status

from api.deps import PrincipalDep, QueueDep, RuntimeDep, SessionDep
from api.errors import error_responses
from api.schemas import JobRead
from storage.drafts import job_drafts
from storage.enums import JobKind, Queue
from storage.jobs import NewJob, create_job
from storage.models import Brand
from storage.quotas import QuotaLimits, admit_submission

# Visible ASCII, as header values travel safely; empty is allowed and means no key.
IDEMPOTENCY_KEY = r"^[\x21-\x7e]{0,200}$"

SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": JobRead,
        "description": "A replay (`Idempotent-Replayed: true`): the job this Idempotency-Key "
        "created, with the same body",
    },
    **error_responses(409, 413, 429),
}


@dataclass(frozen=True)
class JobSubmitter:
    """Everything a route needs to submit a job for its caller."""

    principal: PrincipalDep
    session: SessionDep
    queue: QueueDep
    response: Response
    idempotency_key: str | None
    limits: QuotaLimits

    def __call__(self, brand: Brand, kind: JobKind, request: dict[str, Any]) -> JobRead:
        """Create the job (or find its idempotent twin), send it once committed, set headers.

        A brand at one of its quotas gets 429 with Retry-After, unless the request replays an
        existing job (storage/quotas.py). After the commit, a new job touches no database
        connection again: whatever happens next, the caller learns its id."""
        replay = (self.principal.workspace_id, self.idempotency_key)
        admit_submission(self.session, brand.id, self.limits, replay, queue=Queue.of(kind))
        try:
            submitted = create_job(
                self.session,
                NewJob(
                    workspace_id=self.principal.workspace_id,
                    brand_id=brand.id,
                    api_key_id=self.principal.api_key_id,
                    kind=kind,
                    queue=Queue.of(kind),
                    request=request,
                    idempotency_key=self.idempotency_key,
                ),
            )
        finally:
            # A replay or a conflict commits nothing, but the transaction may hold the brand's
            # submission lock: end it here, not at the request's teardown, which needs a
            # thread of the pool that the submissions waiting on that lock are holding.
            if self.session.in_transaction():
                self.session.rollback()
        job = submitted.job
        self.response.headers["Location"] = f"/v1/jobs/{job.id}"
        if submitted.created:
            self.queue.send(job)  # only after the row is committed; the reconciler covers a loss
            return JobRead.of(job, [])
        self.response.status_code = status.HTTP_200_OK
        self.response.headers["Idempotent-Replayed"] = "true"
        return JobRead.of(job, job_drafts(self.session, job))


def get_submitter(
    principal: PrincipalDep,
    session: SessionDep,
    queue: QueueDep,
    runtime: RuntimeDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=IDEMPOTENCY_KEY,
            description="Retry-safe submission: the same key and body return the same job "
            "(1–200 visible ASCII characters; an empty header counts as none)",
        ),
    ] = None,
) -> JobSubmitter:
    """The submitter for this request."""
    limits = QuotaLimits.of(runtime.settings)
    return JobSubmitter(principal, session, queue, response, idempotency_key, limits)


SubmitDep = Annotated[JobSubmitter, Depends(get_submitter)]
