"""The FastAPI application: built from settings, migrates on start, routes mounted once."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import CapacityLimiter
from fastapi import FastAPI

from api.cors import ReplyCors
from api.edge import EdgeMiddleware
from api.errors import install_error_handlers
from api.metrics import make_registry
from api.openapi import truthful_openapi
from api.principals import KeyCache
from api.routes import (
    brands,
    drafts,
    exports,
    health,
    jobs,
    knowledge,
    plans,
    replies,
    review,
)
from api.routes import webhooks as webhook_routes
from api.waiting import JobWatcher
from api.web.mount import mount_review_page
from generators.runtime import Runtime, build_runtime
from storage.db import migrate
from storage.logs import configure_logging
from storage.settings import Settings, load_settings
from worker.app import make_celery
from worker.queue import JobQueue
from worker.reconciler import reconcile_forever

DESCRIPTION = """
Brand-grounded post drafts through queued jobs.

1. Authenticate with an API key: `Authorization: Bearer pc_...` (`postcraft keys create`).
2. `POST /v1/brands/{brand_id}/drafts` with a topic and platforms: you get a job (202).
3. Wait for it: `GET /v1/jobs/{id}?wait=30` answers once `status` is `succeeded` (drafts
   inside) or `failed` (`error.code` says why), or after 30 s as it is then; or follow
   `GET /v1/jobs/{id}/events` (server-sent events).

Errors always look like `{"error": "<stable code>", "detail": "<what to do>"}`.
"""


def app_from_environment() -> FastAPI:
    """The app of one of the processes of `postcraft serve --workers N` (uvicorn's factory):
    settings read from the environment, as the parent read them; no reconciler."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)


def create_app(
    settings: Settings, runtime: Runtime | None = None, reconcile: bool = False
) -> FastAPI:
    """The app; `reconcile` also runs the stuck-job reconciler in this process (embedded mode)."""
    rt = runtime or build_runtime(settings)
    queue = JobQueue(make_celery(settings), settings)
    watcher = JobWatcher(rt.reads)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(rt.engine)
        # Reads hold a connection only inside their one thread call: as many at once as the
        # pool has connections, so a burst never makes the pool open (and close) extra ones.
        app.state.read_limiter = CapacityLimiter(settings.db_pool_size)
        stop = threading.Event()
        if reconcile:
            threading.Thread(
                target=reconcile_forever,
                args=(settings, rt.sessions, queue, stop),
                name="reconciler",
                daemon=True,
            ).start()
        watcher.start()
        yield
        await watcher.stop()
        stop.set()

    app = FastAPI(title="Postcraft", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.runtime = rt
    app.state.queue = queue
    app.state.watcher = watcher
    app.state.keys = KeyCache(settings.auth_cache_s)
    app.state.metrics = make_registry(rt.sessions)
    app.openapi = truthful_openapi(app)  # type: ignore[method-assign]
    install_error_handlers(app)
    # An upload may reach the limit; its multipart envelope gets 64 KiB on top.
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_upload_mb * 1024 * 1024 + 65536)
    if settings.extension_origin_list:
        app.add_middleware(ReplyCors, origins=settings.extension_origin_list)
    for module in (health, brands, jobs, drafts, review, plans, knowledge, replies):
        app.include_router(module.router)
    app.include_router(exports.router)
    app.include_router(webhook_routes.router)
    mount_review_page(app)
    return app
