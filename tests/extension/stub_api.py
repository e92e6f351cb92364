"""A stub of the Postcraft replies API for the extension's browser tests.

The contract the extension relies on: `POST /v1/brands/{brand}/replies` answers 200 with a
finished job, or 202 with a queued one that `GET /v1/replies/{job_id}` answers until its status
is "succeeded" or "failed"; errors are `{"error": code, "detail": words}`; CORS admits exactly the
extension's origin. Classification is a keyword rule, the two replies quote the comment, and
every request (CORS preflights included) is recorded with its headers and body.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

__all__ = ["Recorded", "ReplyRequest", "StubApi", "classify"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

Platform = Literal["vk", "telegram", "ok", "instagram", "facebook", "x", "linkedin"]

CRISIS_WORDS = ("отравил", "в суд", "suing", "sue you", "made me sick", "poison", "lawyer")
SPAM_WORDS = ("казино", "casino", "заработок", "earn $", "http://", "https://")
PRAISE_WORDS = ("спасибо", "обожаю", "вкусно", "лучш", "thanks", "love", "great", "best")


class ReplyRequest(BaseModel):
    """The body the extension posts."""

    platform: Platform
    comment: str = Field(min_length=1, max_length=4000)
    author: str = Field(default="", max_length=200)
    post: str = Field(default="", max_length=8000)
    thread: list[str] = Field(default_factory=list, max_length=20)


@dataclass(frozen=True)
class Recorded:
    """One request the stub received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def classify(comment: str) -> str:
    """The stub's label for a comment: a keyword rule, first match wins."""
    text = comment.lower()
    if any(word in text for word in CRISIS_WORDS):
        return "crisis"
    if any(word in text for word in SPAM_WORDS):
        return "spam"
    if "?" in text:
        return "question"
    if any(word in text for word in PRAISE_WORDS):
        return "praise"
    return "off_topic"


def _language(text: str) -> str:
    return "ru" if any("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in text) else "en"


def _error(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


class _Recorder:
    """Outermost ASGI middleware: records every HTTP request, then replays its body."""

    def __init__(self, app: ASGIApp, stub: StubApi) -> None:
        self.app = app
        self.stub = stub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body", False))
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope["headers"]
        }
        self.stub.record(Recorded(scope["method"], scope["path"], headers, b"".join(chunks)))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


@dataclass
class StubApi:
    """The stub's state: what it admits, what it answers, and what it received.

    `defer` names the labels whose first request for a comment answers 202 (the job then reads
    "running" on its first poll and "succeeded" on the next), to exercise the polling path.
    """

    origin: str
    token: str
    brand: str
    defer: frozenset[str] = frozenset({"question"})
    requests: list[Recorded] = field(default_factory=list)
    _jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _polls: dict[str, int] = field(default_factory=dict)
    _seen: set[tuple[str, str]] = field(default_factory=set)
    _job_ids: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: Recorded) -> None:
        with self._lock:
            self.requests.append(request)

    def received(self, method: str | None = None, path_prefix: str = "") -> list[Recorded]:
        """The requests so far (a copy), optionally of one method under one path prefix."""
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and r.path.startswith(path_prefix)
            ]

    def posts_for(self, platform: str, comment: str) -> list[Recorded]:
        """The reply requests from one platform whose body carried this comment."""
        return [
            r
            for r in self.received("POST", "/v1/brands/")
            if r.json().get("platform") == platform and r.json().get("comment") == comment
        ]

    def polls_for(self, platform: str, comment: str) -> list[Recorded]:
        """The GET requests for the jobs made for this comment."""
        with self._lock:
            job_ids = list(self._job_ids.get((platform, comment), []))
        return [r for job_id in job_ids for r in self.received("GET", f"/v1/replies/{job_id}")]

    def result(self, body: ReplyRequest, job_id: str) -> dict[str, Any]:
        """The finished job for a request."""
        label = classify(body.comment)
        language = _language(body.comment)
        job: dict[str, Any] = {
            "job_id": job_id,
            "status": "succeeded",
            "outcome": "replies",
            "classification": {"label": label, "language": language, "signals": []},
            "replies": [],
            "escalation": None,
            "flag": None,
            "cached": False,
            "error": None,
        }
        if label == "crisis":
            job["outcome"] = "escalate"
            job["classification"]["signals"] = ["health", "legal threat"]
            job["escalation"] = {
                "to": "the PR lead (Мария, +7 900 000-00-00)",
                "reason": "A health complaint with a threat to sue.",
            }
        elif label == "spam":
            job["outcome"] = "flag"
            job["flag"] = {"reason": "Looks like spam: a link and a money offer."}
        else:
            sources = [{"kind": "voice_guide", "source": "guide.md"}]
            if language == "ru":
                texts = [
                    f"Спасибо, что написали! Вы спросили: «{body.comment}». Ответим в личке.",
                    f"{body.author or 'Друг'}, про «{body.comment}» расскажем подробнее сегодня.",
                ]
            else:
                texts = [
                    f'Thanks for writing! About "{body.comment}": we will DM you the details.',
                    f'{body.author or "Hi"}, great point: "{body.comment}". More soon!',
                ]
            job["replies"] = [{"text": text, "sources": sources} for text in texts]
        return job

    def app(self) -> FastAPI:
        """The ASGI app: CORS for the extension's origin only, every request recorded."""
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.exception_handler(RequestValidationError)
        async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
            return _error(422, "invalid_request", f"The request is not valid: {exc.errors()}")

        def authorized(request: Request) -> bool:
            return request.headers.get("authorization") == f"Bearer {self.token}"

        @app.post("/v1/brands/{brand}/replies")
        def reply(brand: str, body: ReplyRequest, request: Request) -> JSONResponse:
            if not authorized(request):
                return _error(401, "unauthorized", "The API key is missing, revoked or wrong.")
            if brand != self.brand:
                return _error(404, "brand_not_found", f"No brand {brand!r} in this workspace.")
            job_id = uuid.uuid4().hex
            job = self.result(body, job_id)
            key = (body.platform, body.comment)
            label = job["classification"]["label"]
            with self._lock:
                first = key not in self._seen
                self._seen.add(key)
                self._job_ids.setdefault(key, []).append(job_id)
                self._jobs[job_id] = job
                self._polls[job_id] = 0
            if first and label in self.defer:
                queued = {**job, "status": "queued", "outcome": None, "classification": None}
                queued.update(replies=[], escalation=None, flag=None)
                return JSONResponse(queued, status_code=202)
            return JSONResponse(job)

        @app.get("/v1/replies/{job_id}")
        def poll(job_id: str, request: Request) -> JSONResponse:
            if not authorized(request):
                return _error(401, "unauthorized", "The API key is missing, revoked or wrong.")
            with self._lock:
                job = self._jobs.get(job_id)
                if job is None:
                    return _error(404, "job_not_found", f"No reply job {job_id}.")
                self._polls[job_id] += 1
                polls = self._polls[job_id]
            if polls < 2:
                running = {**job, "status": "running", "outcome": None, "classification": None}
                running.update(replies=[], escalation=None, flag=None)
                return JSONResponse(running)
            return JSONResponse(job)

        app.add_middleware(
            CORSMiddleware,
            allow_origins=[self.origin],
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=0,
        )
        app.add_middleware(_Recorder, stub=self)
        return app
