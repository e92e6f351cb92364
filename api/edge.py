"""Input hygiene at the API's edge, before any route or query sees the request.

- Empty headers count as absent (`Idempotency-Key:` is no key, `If-Match:` no condition).
- A body over the limit gets 413: a declared Content-Length at once, a chunked body as soon as
  the bytes received pass the limit (nothing more is read).
- Control characters (NUL and the rest, tab and line breaks aside) and lone surrogates in any
  JSON body field, query, path or form parameter get 422 naming the field: no text needs one,
  and PostgreSQL cannot store NUL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import body as error_body
from retrieval.text import forbidden_character
from storage.errors import ErrorCode


class BodyTooLarge(HTTPException):
    """The request body passed the limit (mapped to 413 `payload_too_large`)."""

    def __init__(self, limit: int) -> None:
        mb = limit // (1024 * 1024)
        detail = f"The request body is over {mb} MB (POSTCRAFT_MAX_UPLOAD_MB): split it"
        super().__init__(413, detail)


class EdgeMiddleware:
    """Drops empty headers and counts body bytes as they arrive (pure ASGI, no buffering)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.limit = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(name, value) for name, value in scope["headers"] if value.strip()]
        scope = {**scope, "headers": headers}
        declared = dict(headers).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await _send_413(send, BodyTooLarge(self.limit))
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counted, send)


async def _send_413(send: Send, error: BodyTooLarge) -> None:
    body = json.dumps(error_body(ErrorCode.PAYLOAD_TOO_LARGE.value, error.detail)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class CheckedRoute(APIRoute):
    """A route that refuses control characters in its input before FastAPI parses it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def checked(request: Request) -> Response:
            problems = [
                {"type": "control_character", "loc": loc, "msg": _message(char), "input": None}
                for loc, char in await _control_characters(request)
            ]
            if problems:
                raise RequestValidationError(problems)
            return await handle(request)

        return checked


def _message(char: str) -> str:
    return f"contains the control character U+{ord(char):04X}; remove it"


async def _control_characters(request: Request) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    for where, values in (
        ("path", request.path_params.items()),
        ("query", request.query_params.multi_items()),
    ):
        found += [((where, name, *loc), c) for name, value in values for loc, c in _walk(value)]
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        raw = await request.body()
        if not _MAY_HOLD_CONTROL.search(raw):
            return found  # the common case: no second parse of the body
        try:
            body = json.loads(raw)
        except ValueError:
            return found  # FastAPI reports the broken JSON itself
        found += [(("body", *loc), c) for loc, c in _walk(body)]
    elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()  # cached: the route reads this same form
        for name, value in form.multi_items():
            text = value.filename or "" if isinstance(value, UploadFile) else value
            found += [(("body", name, *loc), c) for loc, c in _walk(text)]
    return found


Loc = tuple[str | int, ...]
# In JSON a control character can only be an escape (\u0000-\u009f, DEL included) or a raw DEL
# or C1 character (raw C0 ones are invalid JSON); a lone surrogate is an escape too (\ud800).
_MAY_HOLD_CONTROL = re.compile(rb"\\u00[0-9a-fA-F]{2}|\\u[dD][89a-fA-F]|\x7f|\xc2[\x80-\x9f]")


def _walk(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every string in a JSON value (keys included) that holds a forbidden character."""
    if isinstance(value, str):
        char = forbidden_character(value)
        if char is not None:
            yield loc, char
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(key, loc)
            yield from _walk(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*loc, index))
