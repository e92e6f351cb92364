"""The extension's test harness: the unpacked extension, its ID, the seven sites' fixture pages
served over TLS for their real host names, and chromium launched with the extension loaded.

The fixtures are served over HTTPS because most of these hosts are on chromium's HSTS preload
list (plain http://www.facebook.com is upgraded before it is sent); the certificate is a
throwaway self-signed one made with openssl for the test run, and chromium is told to ignore
certificate errors. `--host-resolver-rules` sends the real host names (vk.com, x.com, ...) to
the local server, so the manifest's real match patterns decide where the content scripts run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from tests.api.live import until
from tests.web.browser import LAUNCH_ARGS, REQUIRED

__all__ = [
    "EXTENSION",
    "FIXTURES",
    "FIXTURE_CSP",
    "SITES",
    "Site",
    "extension_args",
    "extension_id",
    "fixture_app",
    "manifest",
    "self_signed_certificate",
    "serving_tls",
]

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "extension"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

FIXTURE_CSP = (
    "default-src 'none'; img-src data:; style-src 'self'; script-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
"""A strict policy like the real sites': no inline styles or scripts of the page's own. The
extension's control must still be styled (its stylesheet is inserted by the content script)."""


@dataclass(frozen=True)
class Site:
    """One supported site: the platform name the API gets, its host, its URL on the fixture."""

    name: str
    host: str
    path: str

    @property
    def pattern(self) -> str:
        return f"*://{self.host}/*"

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}"


SITES = (
    Site("vk", "vk.com", "/wall-1_100"),
    Site("telegram", "web.telegram.org", "/k/#@zerno"),
    Site("ok", "ok.ru", "/group/zerno/topic/100"),
    Site("instagram", "www.instagram.com", "/p/C7zerno/"),
    Site("facebook", "www.facebook.com", "/zerno.coffee/posts/100"),
    Site("x", "x.com", "/zernocoffee/status/1"),
    Site("linkedin", "www.linkedin.com", "/feed/update/urn:li:activity:1/"),
)


def manifest() -> dict[str, object]:
    data: dict[str, object] = json.loads((EXTENSION / "manifest.json").read_text("utf-8"))
    return data


def extension_id(key: str) -> str:
    """Chromium's ID for an extension with this manifest "key" (a base64 DER public key): the
    first 32 hex digits of its SHA-256, each digit 0-f written as a letter a-p."""
    digest = hashlib.sha256(base64.b64decode(key)).hexdigest()[:32]
    return "".join(chr(ord("a") + int(digit, 16)) for digit in digest)


def fixture_app() -> FastAPI:
    """Serves each site's fixture page at any path of its host (picked by the Host header)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    pages = {site.host: (FIXTURES / f"{site.name}.html").read_text("utf-8") for site in SITES}
    css = (FIXTURES / "fixture.css").read_text("utf-8")

    @app.get("/{path:path}")
    def page(path: str, request: Request) -> Response:
        host = (request.headers.get("host") or "").split(":")[0]
        if host not in pages:
            return PlainTextResponse("not found", status_code=404)
        if path == "fixture.css":
            return Response(css, media_type="text/css")
        if path == "favicon.ico":
            return PlainTextResponse("not found", status_code=404)
        return HTMLResponse(pages[host], headers={"Content-Security-Policy": FIXTURE_CSP})

    return app


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate and key for the fixture server (chromium ignores the name)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        message = "no openssl to make the fixture server's certificate"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    cert, key = folder / "fixtures.crt", folder / "fixtures.key"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=postcraft-extension-fixtures",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextmanager
def serving_tls(app: FastAPI, cert: Path, key: str | Path) -> Iterator[int]:
    """The app on uvicorn over TLS at a free 127.0.0.1 port (the port), stopped at exit."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        until(lambda: server.started, 20)
        yield port
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def extension_args(port: int) -> list[str]:
    """Chromium's arguments: the harness's, the unpacked extension, the sites' hosts mapped."""
    rules = ", ".join(f"MAP {site.host} 127.0.0.1:{port}" for site in SITES)
    return [
        *LAUNCH_ARGS,
        f"--disable-extensions-except={EXTENSION}",
        f"--load-extension={EXTENSION}",
        f"--host-resolver-rules={rules}",
        "--ignore-certificate-errors",
    ]
