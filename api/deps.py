"""Dependencies of the routes: the runtime, a database session and the calling principal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Header, Path, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from api.principals import KeyCache
from approval.service import Desk
from generators.runtime import Runtime
from storage.access import Principal
from storage.enums import Role
from storage.errors import ErrorCode, PostcraftError
from worker.queue import JobQueue

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer pc_...`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Or the key in X-API-Key")


def get_runtime(request: Request) -> Runtime:
    """The process's runtime, built at start."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_queue(request: Request) -> JobQueue:
    """The job queue sender."""
    queue: JobQueue = request.app.state.queue
    return queue


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

QueueDep = Annotated[JobQueue, Depends(get_queue)]

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# Ids are checked by format before any query: a malformed one is a 422 naming the parameter.
BrandId = Annotated[str, Path(pattern=_UUID, description="The brand's id (a UUID)")]
JobId = Annotated[str, Path(pattern=_UUID, description="The job's id (a UUID)")]
DraftId = Annotated[str, Path(pattern=_UUID, description="The draft's id (a UUID)")]
PlanId = Annotated[str, Path(pattern=_UUID, description="The plan's id (a UUID)")]
PlanItemId = Annotated[str, Path(pattern=_UUID, description="The plan item's id (a UUID)")]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """A session for one request (routes that write use their own transaction)."""
    with runtime.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_keys(request: Request) -> KeyCache:
    """The process's API keys checked lately."""
    keys: KeyCache = request.app.state.keys
    return keys


KeysDep = Annotated[KeyCache, Depends(get_keys)]


def principal_of(
    keys: KeyCache,
    reads: sessionmaker[Session],
    bearer: HTTPAuthorizationCredentials | None,
    header_key: str | None,
    replies_route: bool = False,
) -> Principal:
    """Who is calling, from the API key in either header (a key not remembered is read in a
    session of its own, closed before the route takes its own). A responder's key (the browser
    extension's) is refused everywhere but the reply routes (`replies_route`)."""
    secret = bearer.credentials if bearer else header_key
    if not secret:
        raise PostcraftError(
            ErrorCode.UNAUTHORIZED,
            "Send an API key: `Authorization: Bearer pc_...` "
            "(create one with `postcraft keys create`)",
        )
    principal = keys.principal(reads, secret)
    if principal.role is Role.RESPONDER and not replies_route:
        raise PostcraftError(
            ErrorCode.FORBIDDEN,
            "This key may only ask for reply suggestions (POST /v1/brands/{id}/replies): "
            "use a copywriter's, manager's or admin's key here",
        )
    return principal


def get_principal(
    keys: KeysDep,
    runtime: RuntimeDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> Principal:
    """Who is calling, from their API key."""
    return principal_of(keys, runtime.reads, bearer, header_key)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_reply_principal(
    keys: KeysDep,
    runtime: RuntimeDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> Principal:
    """Who is asking for reply suggestions: any role, the extension's responder key included."""
    return principal_of(keys, runtime.reads, bearer, header_key, replies_route=True)


ReplyPrincipalDep = Annotated[Principal, Depends(get_reply_principal)]


@dataclass(frozen=True)
class Reader:
    """What an `async` read route uses instead of PrincipalDep and a session: `read(work)`
    checks the key and runs `work` in one read session, in one call on a worker thread. A
    sync route takes a thread for each of its dependencies, itself, its answer's
    serialization and its teardown; under load those hops cost more than the queries."""

    keys: KeyCache
    reads: sessionmaker[Session]
    bearer: HTTPAuthorizationCredentials | None
    header_key: str | None

    limiter: CapacityLimiter

    async def read(self, work: Callable[[Session, Principal], T]) -> T:
        """`work(session, principal)` on a worker thread."""
        return await to_thread.run_sync(self.now, work, limiter=self.limiter)

    def now(self, work: Callable[[Session, Principal], T]) -> T:
        """`work(session, principal)` on this thread (one already off the event loop)."""
        principal = principal_of(self.keys, self.reads, self.bearer, self.header_key)
        with self.reads() as session:
            return work(session, principal)


async def get_reader(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> Reader:
    """The key as sent, not yet checked (see `Reader`)."""
    runtime: Runtime = request.app.state.runtime
    keys: KeyCache = request.app.state.keys
    return Reader(keys, runtime.reads, bearer, header_key, request.app.state.read_limiter)


ReaderDep = Annotated[Reader, Depends(get_reader)]


_VERSION = r'^((W/)?"?[0-9]{1,9}"?)?$'


def _version(if_match: str | None) -> int | None:
    """The version named in If-Match (`"3"`, `3` or `W/"3"`), or None when absent."""
    if if_match is None:
        return None
    return int(if_match.strip().removeprefix("W/").strip('"'))  # the pattern made it digits


def get_expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            pattern=_VERSION,
            description='The version you edited, e.g. "3"; stale gets 412 (empty: no condition)',
        ),
    ] = None,
) -> int | None:
    """An edit's condition: the version it was made on, if sent."""
    return _version(if_match)


def get_reviewed_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            pattern=_VERSION,
            description='The version you reviewed, e.g. "3" (its ETag). Required: without it '
            "428, at a stale version 412",
        ),
    ] = None,
) -> int | None:
    """A review move's version (None: not sent, which the approval step refuses with 428)."""
    return _version(if_match)


ExpectedVersion = Annotated[int | None, Depends(get_expected_version)]
ReviewedVersion = Annotated[int | None, Depends(get_reviewed_version)]


def get_desk(
    principal: PrincipalDep, session: SessionDep, runtime: RuntimeDep, queue: QueueDep
) -> Desk:
    """The request's review desk: its moves commit together, then their jobs are sent."""
    return Desk(session, principal, runtime.store, queue)


DeskDep = Annotated[Desk, Depends(get_desk)]
