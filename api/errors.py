"""The one place errors become HTTP: a stable code and a message in `{"error", "detail"}`,
and the one description of that shape in the OpenAPI spec."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from storage.errors import ErrorCode, PostcraftError

log = logging.getLogger(__name__)

STATUS: dict[ErrorCode, int] = {
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.BRAND_NOT_FOUND: 404,
    ErrorCode.JOB_NOT_FOUND: 404,
    ErrorCode.DRAFT_NOT_FOUND: 404,
    ErrorCode.WEBHOOK_NOT_FOUND: 404,
    ErrorCode.PLAN_NOT_FOUND: 404,
    ErrorCode.PLAN_ITEM_NOT_FOUND: 404,
    ErrorCode.USER_NOT_FOUND: 404,
    ErrorCode.WORKSPACE_NOT_FOUND: 404,
    ErrorCode.ALREADY_EXISTS: 409,
    ErrorCode.IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.VERSION_CONFLICT: 412,
    ErrorCode.VERSION_REQUIRED: 428,
    ErrorCode.REVIEW_NOT_ALLOWED: 409,
    ErrorCode.NOT_APPROVABLE: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.INVALID_REQUEST: 422,
    ErrorCode.INVALID_INPUT_FILE: 422,
    ErrorCode.NO_BRAND_KNOWLEDGE: 422,
    ErrorCode.QUOTA_EXCEEDED: 429,
    ErrorCode.DATABASE_BUSY: 503,
    ErrorCode.DATABASE_UNAVAILABLE: 503,
    ErrorCode.LLM_UNAVAILABLE: 503,
    ErrorCode.LLM_INVALID_OUTPUT: 502,
    ErrorCode.JOB_ATTEMPTS_EXHAUSTED: 500,
    ErrorCode.JOB_TIMED_OUT: 504,
    ErrorCode.INTERNAL: 500,
}

RETRY_AFTER_S = 2  # what a 503 asks the caller to wait: a connection frees up in milliseconds

_HTTP_CODES = {
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


class FieldProblem(BaseModel):
    """One offending field of a request."""

    field: str = Field(description="Where: body.topic, query.k, header.Idempotency-Key, ...")
    problem: str = Field(description="What is wrong with it")


class ErrorBody(BaseModel):
    """Every error answer: a stable code to branch on and a sentence that says what to do."""

    error: str = Field(description="A stable code, e.g. brand_not_found or invalid_request")
    detail: str = Field(description="What went wrong and what to do about it")
    fields: list[FieldProblem] | None = Field(
        default=None, description="422 only: each offending field and its problem"
    )


_MEANING = {
    401: "The API key is missing, unknown or revoked",
    403: "Your key's role may not do this",
    404: "No such object among your brands (the API never says which)",
    409: "Conflict: the Idempotency-Key was used with another body, the name is taken, or the "
    "review move is not possible from the item's state (`detail` lists the moves that are)",
    412: "The object changed since the version in If-Match: reload it and apply your change",
    428: "Send If-Match with the version you reviewed (the item's `version` or its ETag)",
    413: "The body is larger than POSTCRAFT_MAX_UPLOAD_MB",
    422: "Invalid input: `fields` lists each offending field",
    429: "A quota of the brand is used up (jobs open at once, jobs a minute or model tokens a "
    "day; `detail` says which): retry after `Retry-After` seconds. "
    "`GET /v1/brands/{brand_id}/usage` shows the figures",
    503: "The service is busy or a dependency is down: retry after `Retry-After` seconds",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for these error statuses, all with the one error body."""
    responses: dict[int | str, dict[str, Any]] = {}
    for code in statuses:
        responses[code] = {"model": ErrorBody, "description": _MEANING[code]}
        if code in (429, 503):
            retry_after: dict[str, Any] = {
                "description": "Seconds to wait",
                "schema": {"type": "integer", "minimum": 1},
            }
            if code == 429:  # every quota refusal computes its wait
                retry_after["required"] = True
            responses[code]["headers"] = {"Retry-After": retry_after}
    return responses


def body(code: str, detail: str, **extra: object) -> dict[str, object]:
    """The error body every 4xx/5xx answer has."""
    return {"error": code, "detail": detail, **extra}


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors, validation errors and framework errors to the one body shape."""

    @app.exception_handler(PostcraftError)
    async def _domain(_: Request, exc: PostcraftError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.code is ErrorCode.UNAUTHORIZED else None
        if exc.retry_after_s is not None:  # the error knows its wait (429: a quota's window)
            headers = {"Retry-After": str(exc.retry_after_s)}
        elif STATUS[exc.code] == 503:
            headers = {"Retry-After": str(RETRY_AFTER_S)}
        return JSONResponse(
            body(exc.code.value, exc.detail), status_code=STATUS[exc.code], headers=headers
        )

    @app.exception_handler(PoolTimeout)
    async def _busy(request: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("no database connection in time", extra={"path": request.url.path})
        return await _domain(
            request,
            PostcraftError(
                ErrorCode.DATABASE_BUSY,
                "Every database connection is in use: retry after the Retry-After seconds "
                "(operators: see POSTCRAFT_DB_POOL_SIZE and POSTCRAFT_DB_MAX_OVERFLOW)",
            ),
        )

    @app.exception_handler(OperationalError)
    async def _down(request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable", extra={"path": request.url.path, "error": repr(exc)})
        return await _domain(
            request,
            PostcraftError(
                ErrorCode.DATABASE_UNAVAILABLE,
                "The database did not answer: retry after the Retry-After seconds",
            ),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()
        ]
        summary = "; ".join(f"{f['field']}: {f['problem']}" for f in fields[:5])
        return JSONResponse(
            body(ErrorCode.INVALID_REQUEST.value, summary, fields=fields), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body that cannot be parsed is bad input, like the rest
            return await _invalid(request, RequestValidationError([_unparsable(exc)]))
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        headers = exc.headers
        if exc.status_code == 405:  # Starlette names only the first route's methods
            headers = {"Allow": ", ".join(_allowed_methods(request))}
        return JSONResponse(
            body(code, str(exc.detail)), status_code=exc.status_code, headers=headers
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return JSONResponse(
            body(ErrorCode.INTERNAL.value, "Unexpected server error; it was logged"),
            status_code=500,
        )


def _unparsable(exc: StarletteHTTPException) -> dict[str, Any]:
    return {"type": "body_unparsable", "loc": ("body",), "msg": str(exc.detail), "input": None}


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (one path may have several routes)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if (
            isinstance(route, Route)
            and route.methods
            and route.matches(request.scope)[0] != Match.NONE
        ):
            methods |= route.methods
    return sorted(methods)
