"""CORS for the reply routes only: browsers may call them from the origins listed in
POSTCRAFT_EXTENSION_ORIGINS (the Postcraft extension's `chrome-extension://<id>`), and no other
route answers any cross-origin browser request."""

from __future__ import annotations

import re

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

REPLY_PATHS = re.compile(r"^/v1/(brands/[^/]+/replies|replies/[^/]+)$")


class ReplyCors:
    """Starlette's CORS middleware, on the reply routes alone."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and REPLY_PATHS.match(scope["path"]):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
