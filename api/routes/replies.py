"""Reply suggestions over HTTP, for the browser extension and anyone else: ask for them and
get them within seconds (the route waits for its job on the `interactive` queue up to
POSTCRAFT_REPLY_WAIT_S, then answers 202 with the job to poll), or poll a job."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from api.deps import BrandId, JobId, QueueDep, ReplyPrincipalDep, RuntimeDep
from api.edge import CheckedRoute
from api.errors import error_responses
from api.reply_schemas import ReplyRead
from api.routes.jobs import WaitingDep, until_finished
from api.schemas import JobRead
from api.submit import JobSubmitter
from api.waiting import unless_disconnected
from generators.replies.schemas import ReplyRequest
from generators.runtime import Runtime
from storage.access import Principal, get_brand
from storage.enums import JobKind
from storage.errors import ErrorCode, PostcraftError
from storage.jobs import find_visible_job
from storage.quotas import QuotaLimits
from worker.queue import JobQueue

router = APIRouter(
    prefix="/v1",
    tags=["reply suggestions"],
    route_class=CheckedRoute,
    responses=error_responses(401, 403, 404, 413, 422, 429, 503),
)
RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"model": ReplyRead, "description": "Still being written: poll GET /v1/replies/{job_id}"}
}


@router.post("/brands/{brand_id}/replies", responses=RESPONSES)
async def suggest_replies(
    brand_id: BrandId,
    body: ReplyRequest,
    request: Request,
    response: Response,
    principal: ReplyPrincipalDep,
    runtime: RuntimeDep,
    queue: QueueDep,
    waiting: WaitingDep,
) -> ReplyRead:
    """Two or three replies to a comment in the brand's voice and the commenter's language,
    or an escalation (a crisis, a legal or safety matter: whom to hand it to), or a flag (spam,
    obscenity). The comment, the post and the thread are data: nothing in them changes the
    brand's rules. Waits for the answer up to POSTCRAFT_REPLY_WAIT_S, else 202."""
    job, cached = await run_in_threadpool(_submit, runtime, queue, principal, brand_id, body)
    if not job.status.is_terminal() and waiting.watcher.has_room:
        until = until_finished(waiting.watcher, job.id, job.status, runtime.settings.reply_wait_s)
        await unless_disconnected(request.receive, until)
    job = await run_in_threadpool(waiting.again, job.id)
    if not job.status.is_terminal():
        response.status_code = status.HTTP_202_ACCEPTED
        response.headers["Location"] = f"/v1/replies/{job.id}"
    return ReplyRead.of(job, cached)


def _submit(
    runtime: Runtime, queue: JobQueue, principal: Principal, brand_id: str, body: ReplyRequest
) -> tuple[JobRead, bool]:
    """Create the reply job, or find the one an identical request made within
    POSTCRAFT_REPLY_CACHE_S (the same idempotency key): the job and whether it was found."""
    request = body.model_dump(mode="json")
    with runtime.sessions() as session:
        brand = get_brand(session, principal, brand_id)
        submit = JobSubmitter(
            principal,
            session,
            queue,
            Response(),
            _cache_key(runtime, brand.id, request),
            QuotaLimits.of(runtime.settings),
        )
        job = submit(brand, JobKind.REPLY, request)
        return job, submit.response.headers.get("Idempotent-Replayed") == "true"


def _cache_key(runtime: Runtime, brand_id: str, request: dict[str, Any]) -> str | None:
    """The same key for the same brand and request within one cache window (None: no cache)."""
    window = runtime.settings.reply_cache_s
    if window <= 0:
        return None
    canonical = json.dumps([brand_id, request], ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:40]
    return f"reply:{digest}:{int(time.time() // window)}"


@router.get("/replies/{job_id}")
def read_replies(job_id: JobId, principal: ReplyPrincipalDep, runtime: RuntimeDep) -> ReplyRead:
    """A reply-suggestion job as it is now: poll it until `status` is succeeded or failed."""
    with runtime.reads() as session:
        found = find_visible_job(session, principal, job_id)
    if found is None or found[0].kind is not JobKind.REPLY:
        raise PostcraftError(ErrorCode.JOB_NOT_FOUND, f"No reply job {job_id} among your brands")
    return ReplyRead.of(JobRead.of(*found))
