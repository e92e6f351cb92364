"""Submitting a job from a route: commit the row, then send it; replays answer 200."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Response, status

from api.deps import PrincipalDep, QueueDep, RuntimeDep
from storage.enums import JobKind, Queue
from storage.jobs import NewJob, create_job
from storage.models import Brand, Job

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retry-safe submission: the same key and body return the same job",
    ),
]


def submit_job(
    *,
    brand: Brand,
    kind: JobKind,
    request: dict[str, Any],
    principal: PrincipalDep,
    runtime: RuntimeDep,
    queue: QueueDep,
    response: Response,
    idempotency_key: str | None,
) -> Job:
    """Create the job (or find its idempotent twin), send it once committed, set the headers."""
    submitted = create_job(
        runtime.sessions,
        NewJob(
            workspace_id=principal.workspace_id,
            brand_id=brand.id,
            api_key_id=principal.api_key_id,
            kind=kind,
            queue=Queue.BATCH,
            request=request,
            idempotency_key=idempotency_key,
        ),
    )
    if submitted.created:
        queue.send(submitted.job)  # only after the row is committed
    else:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/v1/jobs/{submitted.job.id}"
    return submitted.job
