"""Dependencies of the routes: the runtime, a database session and the calling principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from generators.runtime import Runtime
from storage.access import Principal, authenticate
from storage.errors import ErrorCode, PostcraftError
from worker.queue import JobQueue

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


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """A session for one request (routes that write use their own transaction)."""
    with runtime.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> Principal:
    """Who is calling, from their API key."""
    secret = bearer.credentials if bearer else header_key
    if not secret:
        raise PostcraftError(
            ErrorCode.UNAUTHORIZED,
            "Send an API key: `Authorization: Bearer pc_...` "
            "(create one with `postcraft keys create`)",
        )
    return authenticate(session, secret)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            pattern=r'^((W/)?"?[0-9]{1,9}"?)?$',
            description='The version you edited, e.g. "3"; stale gets 412 (empty: no condition)',
        ),
    ] = None,
) -> int | None:
    """The version named in If-Match (`"3"`, `3` or `W/"3"`), or None when absent."""
    if if_match is None:
        return None
    return int(if_match.strip().removeprefix("W/").strip('"'))  # the pattern made it digits


ExpectedVersion = Annotated[int | None, Depends(get_expected_version)]
