"""A local webhook receiver for the tests: a tiny HTTP server in a thread that checks each
request's signature with its own HMAC code (not the product's), and answers from a script."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_ok(secret: str, header: str, body: bytes) -> bool:
    """The receiver's own check: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    message = fields["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    at: float


@dataclass
class Script:
    """What the receiver answers: `statuses[i]` to the i-th request (the last one after
    that); `delay_s` before each answer; `extra_headers` on each."""

    statuses: list[int] = field(default_factory=lambda: [200])
    delay_s: float = 0.0
    extra_headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    """The server's state: the secret it checks with, its script and what it received."""

    def __init__(self, secret: str, script: Script) -> None:
        self.secret = secret
        self.script = script
        self.received: list[Received] = []
        self.url = ""
        self._lock = threading.Lock()

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        """Record the request; the status to answer."""
        signature = headers.get("Postcraft-Signature", "")
        ok = bool(signature) and signature_ok(self.secret, signature, body)
        with self._lock:
            self.received.append(Received(path, headers, body, ok, time.time()))
            n = len(self.received) - 1
        statuses = self.script.statuses
        return statuses[min(n, len(statuses) - 1)]


@contextmanager
def receiver(secret: str = "", script: Script | None = None) -> Iterator[Receiver]:
    """A receiver on a free local port until the block ends (`secret` may be set later)."""
    state = Receiver(secret, script or Script())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            code = state.answer(self.path, dict(self.headers.items()), body)
            if state.script.delay_s:
                time.sleep(state.script.delay_s)
            reply = b'{"ok": true}' if code < 400 else b"receiver says no"
            try:
                self.send_response(code)
                for name, value in state.script.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts)
                pass

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/postcraft"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
