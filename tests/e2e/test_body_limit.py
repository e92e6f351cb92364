"""A chunked body without Content-Length is refused once its bytes pass the limit, unread."""

from __future__ import annotations

import json
import select
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.processes import cli, environment, served

pytestmark = pytest.mark.slow

CHUNK = 64 * 1024
OFFERED = 50 * 1024 * 1024  # what the client is prepared to send


def _send_chunked(url: str, path: str, key: str) -> tuple[int, bytes]:
    """Stream a chunked JSON body until the server answers; returns (bytes sent, response)."""
    parts = urlsplit(url)
    sent = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {key}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sock.sendall(head.encode())
        chunk = b'{"topic": "' + b"a" * (CHUNK - 11)
        try:
            while sent < OFFERED:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered
        except (BrokenPipeError, ConnectionResetError):
            pass  # it answered and closed while we were still sending
        response = b""
        while b"\r\n\r\n" not in response or not response.rstrip().endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            response += data
    return sent, response


def test_a_chunked_body_over_the_limit_is_cut_off(tmp_path: Path) -> None:
    env = environment(tmp_path / "var", POSTCRAFT_MAX_UPLOAD_MB="1")
    workspace = cli(env, "workspaces", "create", "Limit agency")
    key = cli(env, "keys", "create", "a@limit.test", "--role", "admin", "--workspace", workspace)
    with served(env, tmp_path, "--no-worker") as url:
        sent, response = _send_chunked(url, "/v1/brands", key)
    status_line, _, rest = response.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), response[:300]
    body = json.loads(rest.split(b"\r\n\r\n", 1)[1])
    assert body["error"] == "payload_too_large"
    print(f"sent {sent / 2**20:.1f} MB of a {OFFERED / 2**20:.0f} MB chunked body before the 413")
    # What the client got out before it saw the answer includes the kernel's socket buffers
    # (a few MB on loopback); a server that read the whole body would have taken all 50 MB.
    assert sent < OFFERED / 2, f"the server read {sent} bytes before refusing a 1 MB limit"
