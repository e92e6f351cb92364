"""Fake OpenAI-compatible HTTP server (stdlib only) for tests, demos and benchmarks.

Chat answers are scripted per request: a fixed reply, a schema-shaped one, an error status, a
delay, a broken body, or a hostile model (`Hostile`, see `tests/fakes/hostile.py`) that writes
drafts breaking the rules on purpose.

Run standalone with ``python -m tests.fakes.openai_server --port 8099 --latency 0.0``.
"""

from __future__ import annotations

import argparse
import base64
import collections
import contextlib
import hashlib
import itertools
import json
import math
import random
import struct
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.hostile import Break, hostile_post
from tests.fakes.prompt_facts import parse_prompt

EMBEDDING_DIM = 384
MALFORMED_BODY = b'{"id": "chatcmpl-x", "choi'
_DEEP = 6  # past this depth prefer empty arrays / null options, so recursive schemas terminate
_CONNECTION_ERRORS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
_FORMATS = {"date-time": "2024-01-01T12:00:00Z", "date": "2024-01-01", "time": "12:00:00"}
_FORMATS |= {"email": "user@example.com", "uri": "https://example.com/"}


@dataclass(frozen=True)
class Reply:
    """Answer 200 with exactly this content; usage omitted when both token counts are None."""

    content: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass(frozen=True)
class SchemaShaped:
    """Answer 200 with JSON content built from the request's json_schema response_format."""

    with_usage: bool = True


@dataclass(frozen=True)
class Status:
    """Answer with this HTTP error status, an OpenAI-style error body and optional Retry-After."""

    code: int
    retry_after: float | None = None


@dataclass(frozen=True)
class Delay:
    """Sleep ``seconds`` then behave as ``then`` (SchemaShaped() when None)."""

    seconds: float
    then: Behaviour | None = None


@dataclass(frozen=True)
class Malformed:
    """Answer 200 application/json with a truncated, unparseable body."""


@dataclass(frozen=True)
class Hostile:
    """Answer 200 with a PostDraft JSON written from the draft prompt, breaking the rules named
    in ``modes`` (no modes: a polite model that follows every rule)."""

    modes: frozenset[Break] = frozenset()
    with_usage: bool = True

    def __post_init__(self) -> None:
        """Normalise the modes to Break members; an unknown name raises ValueError."""
        object.__setattr__(self, "modes", frozenset(Break(m) for m in self.modes))

    @classmethod
    def breaking(cls, *modes: Break | str, with_usage: bool = True) -> Hostile:
        """A Hostile model that breaks these modes (Break members or their names)."""
        return cls(frozenset(Break(m) for m in modes), with_usage)


Behaviour = Reply | SchemaShaped | Status | Delay | Malformed | Hostile
_SCHEMA_SHAPED = SchemaShaped()


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received (path without query, JSON body, lower-cased header names)."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": None}}


def _text_of(message: Any) -> str:
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict)]
        return " ".join(p for p in parts if isinstance(p, str))
    return ""


def _sentence(messages: list[Any]) -> str:
    users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    words = _text_of(users[-1]).split()[:8] if users else []
    return f"Fake text about {' '.join(words)}." if words else "Fake text."


def _resolve(ref: str, root: dict[str, Any]) -> Any:
    node: Any = root
    for part in ref.removeprefix("#").strip("/").split("/"):
        if part:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _fake_number(schema: dict[str, Any], integer: bool) -> int | float:
    lo = schema.get("minimum", schema.get("exclusiveMinimum"))
    hi = schema.get("maximum", schema.get("exclusiveMaximum"))
    value: Any
    if "minimum" in schema:
        value = lo
    elif lo is not None:  # exclusive lower bound
        value = lo + 1 if hi is None or lo + 1 < hi else (lo + hi) / 2
    else:
        value = 1 if hi is None or hi > 1 else hi - 1
    return math.ceil(value) if integer else float(value)


def _fake_string(schema: dict[str, Any], sentence: str, index: int | None) -> str:
    text = _FORMATS.get(schema.get("format", "")) or (
        f"tag{index + 1}" if index is not None else sentence
    )
    while len(text) < schema.get("minLength", 0):
        text += " lorem"
    max_length = schema.get("maxLength")
    return text if max_length is None else text[:max_length]


def fake_instance(
    schema: Any, root: dict[str, Any], sentence: str, depth: int = 0, index: int | None = None
) -> Any:
    """Build a value that satisfies ``schema`` (a JSON schema; ``root`` resolves ``$ref``)."""
    if not isinstance(schema, dict) or depth > 40:
        return sentence if depth <= 40 else None
    if "$ref" in schema:
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return fake_instance(
            {**_resolve(schema["$ref"], root), **rest}, root, sentence, depth + 1, index
        )
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        real = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
        if not real or (depth >= _DEEP and len(real) < len(options)):
            return None
        return fake_instance(real[0], root, sentence, depth + 1, index)
    if schema.get("allOf"):
        parts = [fake_instance(p, root, sentence, depth + 1, index) for p in schema["allOf"]]
        if all(isinstance(p, dict) for p in parts):
            return {k: v for p in parts for k, v in p.items()}
        return parts[0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        props = schema.get("properties", {})
        return {k: fake_instance(v, root, sentence, depth + 1) for k, v in props.items()}
    if kind == "array":
        if schema.get("prefixItems"):
            return [fake_instance(p, root, sentence, depth + 1) for p in schema["prefixItems"]]
        count = schema.get("minItems", 0) if depth >= _DEEP else max(schema.get("minItems", 0), 2)
        if schema.get("maxItems") is not None:
            count = min(count, schema["maxItems"])
        items = schema.get("items", {})
        return [fake_instance(items, root, sentence, depth + 1, i) for i in range(count)]
    if kind in ("integer", "number"):
        return _fake_number(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _fake_string(schema, sentence, index)


def _words(texts: Iterable[str]) -> int:
    return sum(len(t.split()) for t in texts)


def _schema_content(body: dict[str, Any]) -> str:
    messages = body.get("messages") if isinstance(body.get("messages"), list) else []
    sentence = _sentence(messages or [])
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {}
        return json.dumps(fake_instance(schema, schema, sentence), ensure_ascii=False)
    if isinstance(fmt, dict) and fmt.get("type") == "json_object":
        return json.dumps({"text": sentence}, ensure_ascii=False)
    return sentence


# --- Hostile: a scripted model that writes a post from the draft prompt, breaking rules ------


def _hostile_content(body: dict[str, Any], modes: frozenset[Break]) -> str:
    """The Hostile answer to a chat request: its first system and last user message parsed."""
    raw = body.get("messages")
    messages = [m for m in raw if isinstance(m, dict)] if isinstance(raw, list) else []
    system = [_text_of(m) for m in messages if m.get("role") in ("system", "developer")]
    users = [_text_of(m) for m in messages if m.get("role") == "user"]
    facts = parse_prompt(system[0] if system else "", users[-1] if users else "")
    return json.dumps(hostile_post(facts, modes), ensure_ascii=False)


def embed(text: str, dimensions: int = EMBEDDING_DIM) -> list[float]:
    """Deterministic unit-norm vector for ``text`` (values are exactly float32-representable)."""
    rng = random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest(), "big"))
    vec = [rng.gauss(0.0, 1.0) for _ in range(dimensions)]
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    packed = struct.pack(f"<{dimensions}f", *(v / norm for v in vec))
    return list(struct.unpack(f"<{dimensions}f", packed))


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    raw = body.get("input", "")
    if isinstance(raw, list) and raw and all(isinstance(t, int) for t in raw):
        raw = [json.dumps(raw)]  # a single pre-tokenised input
    raw = [raw] if isinstance(raw, str) else raw
    texts = [t if isinstance(t, str) else json.dumps(t) for t in raw]
    dims = body.get("dimensions")
    dims = dims if isinstance(dims, int) and dims > 0 else EMBEDDING_DIM
    data = []
    for i, text in enumerate(texts):
        vec: Any = embed(text, dims)
        if body.get("encoding_format") == "base64":  # the SDK's default; it decodes float32 LE
            vec = base64.b64encode(struct.pack(f"<{dims}f", *vec)).decode("ascii")
        data.append({"object": "embedding", "index": i, "embedding": vec})
    usage = {"prompt_tokens": _words(texts), "total_tokens": _words(texts)}
    return {"object": "list", "data": data, "model": body.get("model"), "usage": usage}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeOpenAI) -> None:
        super().__init__(address, _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: handler errors are client disconnects or already answered with a 500."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Do not log requests to stderr."""

    def _dispatch(self) -> None:
        fake, at = self.server.fake, time.monotonic()
        path = urlsplit(self.path).path.rstrip("/")
        try:
            length = int(self.headers.get("Content-Length") or 0)  # httpx always sends it
            raw = self.rfile.read(length) if length > 0 else b""
            parsed: Any = None
            with contextlib.suppress(ValueError):
                parsed = json.loads(raw or b"{}")
            body = parsed if isinstance(parsed, dict) else {}
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake._record(RecordedRequest(path, body, headers, at))
            route = (self.command, path)
            if route == ("POST", "/v1/chat/completions"):
                self._chat(body)
            elif route == ("POST", "/v1/embeddings"):
                self._send_json(200, _embeddings(body))
            elif route == ("GET", "/v1/models"):
                model = {"id": "fake-model", "object": "model", "created": 0, "owned_by": "fake"}
                self._send_json(200, {"object": "list", "data": [model]})
            else:
                message = f"Unknown endpoint: {self.command} {path}"
                self._send_json(404, _error(message, "invalid_request_error"))
        except _CONNECTION_ERRORS:
            self.close_connection = True
        except Exception as exc:  # a bug in the fake: make it visible to the client as a 500
            self.close_connection = True
            with contextlib.suppress(*_CONNECTION_ERRORS):
                self._send_json(500, _error(f"fake server crashed: {exc!r}", "server_error"))

    def _chat(self, body: dict[str, Any]) -> None:
        fake = self.server.fake
        if body.get("stream"):
            self._send_json(400, _error("stream=true is not supported", "invalid_request_error"))
            return
        behaviour = fake._next_behaviour()
        if fake.latency > 0:
            fake._sleep(fake.latency)
        while isinstance(behaviour, Delay):
            fake._sleep(behaviour.seconds)
            behaviour = behaviour.then if behaviour.then is not None else _SCHEMA_SHAPED
        if isinstance(behaviour, Status):
            kind = "rate_limit_error" if behaviour.code == 429 else "server_error"
            extra = {}
            if behaviour.retry_after is not None:
                extra["Retry-After"] = f"{behaviour.retry_after:g}"
            self._send_json(behaviour.code, _error(f"fake {behaviour.code}", kind), extra)
            return
        if isinstance(behaviour, Malformed):
            self._send_raw(200, MALFORMED_BODY)
            return
        usage: tuple[int, int] | None = None
        if isinstance(behaviour, Reply):
            content = behaviour.content
            if behaviour.prompt_tokens is not None or behaviour.completion_tokens is not None:
                usage = (behaviour.prompt_tokens or 0, behaviour.completion_tokens or 0)
        else:
            if isinstance(behaviour, Hostile):
                content = _hostile_content(body, behaviour.modes)
            else:
                content = _schema_content(body)
            if behaviour.with_usage:
                messages = body.get("messages")
                texts = [_text_of(m) for m in messages] if isinstance(messages, list) else []
                usage = (_words(texts), _words([content]))
        self._send_json(200, fake._completion(body, content, usage))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch  # noqa: N815

    def _send_json(self, code: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send_raw(code, json.dumps(obj).encode(), headers)

    def _send_raw(self, code: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class FakeOpenAI:
    """OpenAI-compatible server on a loopback port whose chat answers are scripted per request."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        default: Behaviour = _SCHEMA_SHAPED,
        latency: float = 0.0,
    ) -> None:
        """Configure (but do not start) the server; ``latency`` delays every chat completion."""
        self.host, self.port = host, port
        self.default: Behaviour = default
        self.latency = latency
        self.requests: list[RecordedRequest] = []
        self._script: collections.deque[Behaviour] = collections.deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL for ``openai.OpenAI(base_url=...)``, including ``/v1``."""
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not started")
        return f"http://{self.host}:{self._server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is None:
            self._stopping.clear()
            self._server = _Server((self.host, self.port), self)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping Delay handlers and close the socket."""
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        self._stopping.set()
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        """Start the server."""
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        """Stop the server."""
        self.stop()

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours consumed one per chat completion (FIFO); ``default`` once empty."""
        with self._lock:
            self._script.extend(behaviours)

    def reset(self) -> None:
        """Clear the script and the recorded requests."""
        with self._lock:
            self._script.clear()
            self.requests.clear()

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_behaviour(self) -> Behaviour:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _completion(
        self, body: dict[str, Any], content: str, usage: tuple[int, int] | None
    ) -> dict[str, Any]:
        message = {"role": "assistant", "content": content, "refusal": None}
        result: dict[str, Any] = {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [
                {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
            ],
        }
        if usage is not None:
            result["usage"] = {
                "prompt_tokens": usage[0],
                "completion_tokens": usage[1],
                "total_tokens": usage[0] + usage[1],
            }
        return result


def main(argv: list[str] | None = None) -> None:
    """Serve in the foreground until Ctrl-C, printing the base URL."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    fake = FakeOpenAI(host=args.host, port=args.port, latency=args.latency).start()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C may come as soon as the URL is out
        print(f"Fake OpenAI server listening on {fake.url}", flush=True)
        while True:
            time.sleep(3600)
    fake.stop()


if __name__ == "__main__":
    main()
