"""The FastAPI application: built from settings, migrates on start, routes mounted once."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from api.errors import body, install_error_handlers
from api.metrics import make_registry
from api.routes import brands, drafts, health, jobs, knowledge
from generators.runtime import Runtime, build_runtime
from storage.db import migrate
from storage.settings import Settings
from worker.app import make_celery
from worker.queue import JobQueue
from worker.reconciler import reconcile_forever

DESCRIPTION = """
Brand-grounded post drafts through queued jobs.

1. Authenticate with an API key: `Authorization: Bearer pc_...` (`postcraft keys create`).
2. `POST /v1/brands/{brand_id}/drafts` with a topic and platforms: you get a job (202).
3. Poll `GET /v1/jobs/{id}` until `status` is `succeeded` (drafts inside) or `failed`
   (`error.code` says why).

Errors always look like `{"error": "<stable code>", "detail": "<what to do>"}`.
"""


def _limit_body_size(app: FastAPI, limit: int) -> None:
    """Refuse a request whose declared body is too large before reading any of it."""

    @app.middleware("http")
    async def _too_large(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            detail = (
                f"The request body is over {limit // (1024 * 1024)} MB (POSTCRAFT_MAX_UPLOAD_MB)"
            )
            return JSONResponse(body("payload_too_large", detail), status_code=413)
        return await call_next(request)


def create_app(
    settings: Settings, runtime: Runtime | None = None, reconcile: bool = False
) -> FastAPI:
    """The app; `reconcile` also runs the stuck-job reconciler in this process (embedded mode)."""
    rt = runtime or build_runtime(settings)
    queue = JobQueue(make_celery(settings), settings, rt.sessions)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(rt.engine)
        stop = threading.Event()
        if reconcile:
            threading.Thread(
                target=reconcile_forever,
                args=(settings, rt.sessions, queue, stop),
                name="reconciler",
                daemon=True,
            ).start()
        yield
        stop.set()

    app = FastAPI(title="Postcraft", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.runtime = rt
    app.state.queue = queue
    app.state.metrics = make_registry(rt.sessions)
    install_error_handlers(app)
    _limit_body_size(app, settings.max_upload_mb * 1024 * 1024 + 64 * 1024)
    for module in (health, brands, jobs, drafts, knowledge):
        app.include_router(module.router)
    return app
