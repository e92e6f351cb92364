"""Submitting a job from a route: commit the row, then send it; replays answer 200."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Response, status

from api.deps import PrincipalDep, QueueDep, RuntimeDep
from storage.enums import JobKind, Queue
from storage.jobs import NewJob, create_job
from storage.models import Brand, Job


@dataclass(frozen=True)
class JobSubmitter:
    """Everything a route needs to submit a job for its caller."""

    principal: PrincipalDep
    runtime: RuntimeDep
    queue: QueueDep
    response: Response
    idempotency_key: str | None

    def __call__(self, brand: Brand, kind: JobKind, request: dict[str, Any]) -> Job:
        """Create the job (or find its idempotent twin), send it once committed, set headers."""
        submitted = create_job(
            self.runtime.sessions,
            NewJob(
                workspace_id=self.principal.workspace_id,
                brand_id=brand.id,
                api_key_id=self.principal.api_key_id,
                kind=kind,
                queue=Queue.BATCH,
                request=request,
                idempotency_key=self.idempotency_key,
            ),
        )
        if submitted.created:
            self.queue.send(submitted.job)  # only after the row is committed
        else:
            self.response.status_code = status.HTTP_200_OK
            self.response.headers["Idempotent-Replayed"] = "true"
        self.response.headers["Location"] = f"/v1/jobs/{submitted.job.id}"
        return submitted.job


def get_submitter(
    principal: PrincipalDep,
    runtime: RuntimeDep,
    queue: QueueDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="Retry-safe submission: the same key and body return the same job",
        ),
    ] = None,
) -> JobSubmitter:
    """The submitter for this request."""
    return JobSubmitter(principal, runtime, queue, response, idempotency_key)


SubmitDep = Annotated[JobSubmitter, Depends(get_submitter)]
