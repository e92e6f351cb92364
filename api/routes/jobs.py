"""Draft jobs: submit (idempotently), read or wait for, and list drafts; all scoped to the
caller's brands.

Reading a job may wait (`?wait=`, or the event stream). Those routes are `async` and use no
request-scoped session: they authenticate and read in a short session on a worker thread,
close it, and then wait on the process's JobWatcher, holding neither a thread nor a database
connection while they wait.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api import cursors
from api.deps import (
    _UUID,
    BrandId,
    JobId,
    PrincipalDep,
    ReaderDep,
    RuntimeDep,
    SessionDep,
)
from api.edge import CheckedRoute
from api.errors import body as error_body
from api.errors import error_responses
from api.schemas import DraftPage, DraftSummary, JobRead
from api.submit import SUBMIT_RESPONSES, SubmitDep
from api.waiting import JobWatcher, WatcherFullError, unless_disconnected
from brand_voice.profile import BrandProfile
from generators.drafts.gate import unlabelled_ad
from generators.drafts.schemas import DraftRequest
from generators.hashtags.schemas import HashtagRequest
from generators.runtime import Runtime
from storage.access import Principal, check_brand, get_brand
from storage.drafts import DraftKey, DraftListing, brand_drafts, job_drafts
from storage.enums import JobKind, JobStatus, Platform, ReviewState
from storage.errors import ErrorCode, PostcraftError
from storage.jobs import find_job, find_visible_job

router = APIRouter(
    prefix="/v1",
    tags=["drafts and jobs"],
    route_class=CheckedRoute,
    responses=error_responses(401, 404, 422, 503),
)

MAX_WAIT_S = 60
"""The longest a request is held: `?wait=` and one event stream (a client then asks again).
It also bounds how long a shutdown waits for requests in flight."""
HEARTBEAT_S = 15.0
"""A comment line on an idle event stream this often, so proxies keep the connection."""
RETRY_MS = 1000
"""What an event stream asks EventSource to wait before it reconnects."""
_STATUSES = {s.value for s in JobStatus}


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
    """Queue a draft job: one draft per platform. Wait for it with `GET /v1/jobs/{id}?wait=30`
    or follow `GET /v1/jobs/{id}/events`."""
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


@dataclass(frozen=True)
class Waiting:
    """What the waiting routes use: short sessions and the process's watcher."""

    reads: sessionmaker[Session]
    watcher: JobWatcher

    def again(self, job_id: str) -> JobRead:
        """The job as stored now (its brand was checked before the wait)."""
        with self.reads() as session:
            job = find_job(session, job_id)
            if job is None:
                raise _not_found(job_id)
            return JobRead.of(job, job_drafts(session, job))


async def _waiting(request: Request) -> Waiting:
    runtime: Runtime = request.app.state.runtime
    watcher: JobWatcher = request.app.state.watcher
    return Waiting(runtime.reads, watcher)


WaitingDep = Annotated[Waiting, Depends(_waiting)]


@router.get("/jobs/{job_id}")
async def read_job(
    job_id: JobId,
    request: Request,
    reader: ReaderDep,
    waiting: WaitingDep,
    wait: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_WAIT_S,
            description="Seconds to hold the answer until the job succeeds or fails (0: answer "
            "now). The answer is the job either way: its `status` says which",
        ),
    ] = 0,
) -> JobRead:
    """A job's status, usage, error and drafts, read from the database; with `?wait=N`, as
    soon as it is finished, or after N seconds as it is then."""
    job = await reader.read(partial(_job_read, job_id=job_id))
    if wait == 0 or job.status.is_terminal() or not waiting.watcher.has_room:
        return job  # past the process's cap of waiters: at once, as without `wait`
    until = until_finished(waiting.watcher, job_id, job.status, wait)
    if await unless_disconnected(request.receive, until) is None:
        return job  # the client left; nobody reads this
    return await run_in_threadpool(waiting.again, job_id)


async def until_finished(
    watcher: JobWatcher, job_id: str, seen: JobStatus, timeout: float
) -> JobStatus:
    """The job's last known status once it is terminal or `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while not seen.is_terminal():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            changed = await watcher.changed(job_id, seen, left)
        except (TimeoutError, WatcherFullError):
            break
        if changed is None:  # the row is gone: reading it again answers 404
            break
        seen = changed
    return seen


def _json(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """Error responses of a route whose success is not JSON: its errors still are."""
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    return {
        code: {key: value for key, value in response.items() if key != "model"} | {"content": body}
        for code, response in responses.items()
    }


def _payload(component: str) -> dict[str, Any]:
    return {
        "type": "string",
        "contentMediaType": "application/json",
        "contentSchema": {"$ref": f"#/components/schemas/{component}"},
    }


# One event of the stream (a comment line or a bare `retry:` is no event).
_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "oneOf": [
        {
            "properties": {
                "event": {"const": "status"},
                "id": {"$ref": "#/components/schemas/JobStatus"},
                "data": _payload("JobRead"),
            },
            "required": ["id"],
        },
        {"properties": {"event": {"const": "problem"}, "data": _payload("ErrorBody")}},
    ],
}


class EventStream(StreamingResponse):
    """Server-sent events."""

    media_type = "text/event-stream"


@router.get(
    "/jobs/{job_id}/events",
    response_class=EventStream,
    responses={
        200: {
            "description": "Server-sent events: `event: status` with the job (JobRead JSON) "
            "now and at each change of its status, the last one when it succeeded or failed; "
            f"a comment line every {HEARTBEAT_S:.0f} s; `event: problem` (ErrorBody JSON) if "
            "the job can no longer be read. The stream closes after the last event, or after "
            f"{MAX_WAIT_S} s (reconnect: `Last-Event-ID` skips a state you have seen)",
            "content": {"text/event-stream": {"schema": _EVENT}},
        },
        204: {"description": "`Last-Event-ID` is the job's final status: nothing more to say"},
        **_json(error_responses(401, 404, 422, 503)),
    },
)
async def job_events(
    job_id: JobId,
    reader: ReaderDep,
    waiting: WaitingDep,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            pattern=r"^[a-z]{0,16}$",  # empty: absent (api/edge.py drops it)
            description="The `id` of the last event you got (EventSource sends it itself); "
            "one that is no status is ignored",
        ),
    ] = None,
) -> Response:
    """Follow a job as server-sent events, one per status change, until it is finished."""
    job = await reader.read(partial(_job_read, job_id=job_id))
    seen = JobStatus(last_event_id) if last_event_id in _STATUSES else None
    if job.status.is_terminal() and seen == job.status:
        return Response(status_code=status.HTTP_204_NO_CONTENT)  # EventSource stops here
    return EventStream(
        _events(waiting, job, seen),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(waiting: Waiting, job: JobRead, seen: JobStatus | None) -> AsyncIterator[str]:
    # Starlette cancels this generator when the client disconnects, which removes its waiter.
    yield f"retry: {RETRY_MS}\n\n"
    if seen != job.status:
        yield _event(job)
    deadline = time.monotonic() + MAX_WAIT_S
    while not job.status.is_terminal():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        try:
            await waiting.watcher.changed(job.id, job.status, min(HEARTBEAT_S, left))
        except TimeoutError:
            yield ": keep-alive\n\n"
            continue
        except WatcherFullError:
            return  # the process is at its cap: the client reconnects after RETRY_MS
        try:
            job = await run_in_threadpool(waiting.again, job.id)
        except PostcraftError as exc:
            yield _problem(exc)
            return
        except SQLAlchemyError:
            yield _problem(
                PostcraftError(
                    ErrorCode.DATABASE_UNAVAILABLE,
                    "The database did not answer: reconnect in a few seconds",
                )
            )
            return
        yield _event(job)


def _event(job: JobRead) -> str:
    return f"id: {job.status.value}\nevent: status\ndata: {job.model_dump_json()}\n\n"


def _problem(error: PostcraftError) -> str:
    data = json.dumps(error_body(error.code.value, error.detail), ensure_ascii=False)
    return f"event: problem\ndata: {data}\n\n"


@router.get("/brands/{brand_id}/drafts")
async def list_drafts(
    brand_id: BrandId,
    reader: ReaderDep,
    cursor: cursors.Cursor = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Drafts per page")] = 20,
    platform: Annotated[Platform | None, Query(description="Only this platform's")] = None,
    job_id: Annotated[
        str | None, Query(pattern=_UUID, description="Only this job's drafts")
    ] = None,
    state: Annotated[
        ReviewState | None, Query(description="Only drafts in this review state")
    ] = None,
) -> DraftPage:
    """The brand's drafts, newest first, a page at a time: each as a summary, the whole draft
    at its `url`. Follow `next_cursor` for the next page; drafts written meanwhile do not
    shift the pages."""
    after = DraftKey(*cursors.decode(cursor)) if cursor else None

    def page(session: Session, principal: Principal) -> list[DraftListing]:
        rows = brand_drafts(
            session, principal, brand_id, limit + 1, after, platform, job_id, state=state
        )
        if not rows:  # nothing to show, or a brand the caller may not see: tell which
            check_brand(session, principal, brand_id)
        return rows

    rows = await reader.read(page)
    more = len(rows) > limit
    return DraftPage(
        items=[DraftSummary.of(row) for row in rows[:limit]],
        next_cursor=cursors.encode(rows[limit - 1].created_at, rows[limit - 1].id)
        if more
        else None,
    )


def _job_read(session: Session, principal: Principal, job_id: str) -> JobRead:
    """The job and its drafts, if the caller may see it."""
    found = find_visible_job(session, principal, job_id)
    if found is None:
        raise _not_found(job_id)
    return JobRead.of(*found)


def _not_found(job_id: str) -> PostcraftError:
    return PostcraftError(ErrorCode.JOB_NOT_FOUND, f"No job {job_id} among your brands")
