"""The review page on the API's app: its routes under /app and its vendored static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.web import actions, pages
from api.web.render import HERE


def mount_review_page(app: FastAPI) -> None:
    """Serve the review page at /app (and send / there)."""
    app.include_router(pages.router)
    app.include_router(actions.router)
    app.mount("/app/static", StaticFiles(directory=HERE / "static"), name="review-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/app", status_code=307)
