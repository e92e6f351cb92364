"""Liveness, readiness (database, broker, vector store) and Prometheus metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text

from api.deps import RuntimeDep
from api.errors import error_responses

router = APIRouter(tags=["operations"])
log = logging.getLogger(__name__)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


class Readiness(BaseModel):
    """Whether every dependency answers, and what each check found."""

    status: Literal["ready", "not_ready"]
    checks: dict[str, str] = Field(description='"ok", or "failed: ..." with the reason')


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A dependency is down"}},
)
def readyz(request: Request, runtime: RuntimeDep) -> JSONResponse:
    """Every dependency answers: database, broker, vector store."""
    checks: dict[str, Callable[[], None]] = {
        "database": lambda: _ping_database(runtime),
        "broker": request.app.state.queue.ping,
        "vector_store": runtime.store.ping,
    }
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # readiness reports, it does not crash
            log.warning("readiness check failed", extra={"check": name, "error": repr(exc)})
            results[name] = f"failed: {type(exc).__name__}: {exc}"[:300]
    ready = all(v == "ok" for v in results.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": results},
        status_code=200 if ready else 503,
    )


def _ping_database(runtime: RuntimeDep) -> None:
    with runtime.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@router.get("/metrics", response_class=Response, responses=error_responses(503))
def metrics(request: Request) -> Response:
    """Prometheus metrics: jobs by status and queue, LLM calls, latency and tokens."""
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)
