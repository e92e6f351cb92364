"""The open-loop load generator: it keeps its schedule when the server falls behind, times each
request from its scheduled send, and counts errors, timeouts and every answer shape."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bench.load import LoadResult, main, run, run_load


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self.server.seen.append(self.headers.get("Authorization", ""))
        if self.path == "/slow":
            time.sleep(1.0)
        with self.server.lock:  # one request at a time: capacity 1 / service_s
            time.sleep(self.server.service_s)
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n")
            return
        code = 500 if self.path == "/bad" else 200
        body = b'{"ok": true}'
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, service_s: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.service_s = service_s
        self.seen: list[str] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that timed out and left is not an error here."""


def _serve(service_s: float) -> Iterator[tuple[str, _Server]]:
    server = _Server(service_s)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def fast() -> Iterator[tuple[str, _Server]]:
    yield from _serve(0.0)


@pytest.fixture
def slow() -> Iterator[tuple[str, _Server]]:
    yield from _serve(0.01)  # 100 requests/s at most


def test_latency_counts_from_the_schedule_when_the_server_falls_behind(
    slow: tuple[str, _Server],
) -> None:
    url, _ = slow
    result = run(run_load([f"{url}/x"], rate=200, duration_s=1.0, timeout_s=5.0))
    assert result.scheduled == 200
    assert result.ok == 200
    assert result.errors == 0
    assert result.timeouts == 0
    # The client kept sending at 200/s although the server answers 100/s ...
    assert result.achieved_rate > 150
    # ... so the last requests waited about a second in the server's queue, and that shows.
    latencies = sorted(result.latencies_s)
    assert latencies[-1] > 0.5, latencies[-5:]
    assert latencies[0] < 0.1


def test_a_saturated_server_gets_no_more_than_the_connections_and_the_run_ends(
    slow: tuple[str, _Server],
) -> None:
    """Requests that find no free connection by their deadline are timeouts, never sent: the
    server sees what it could answer, and nothing is left queued there after the run."""
    url, server = slow
    result = run(run_load([f"{url}/x"], rate=400, duration_s=0.5, timeout_s=0.2, max_connections=2))
    assert result.scheduled == 200
    assert result.ok + result.timeouts == 200
    assert result.timeouts > 100
    # What reached the server: the answers in time, plus at most a late one per connection.
    reached = len(server.seen)
    assert result.ok <= reached <= result.ok + 2
    assert reached < 100  # about 0.7 s of a 100-per-second server
    assert result.elapsed_s < 2.0
    time.sleep(0.1)
    assert len(server.seen) == reached, "nothing was left queued on the server"


def test_errors_timeouts_and_answer_shapes_are_counted(fast: tuple[str, _Server]) -> None:
    url, server = fast
    paths = ["/ok", "/bad", "/slow", "/chunked", "/close"]
    result = run(
        run_load(
            [url + p for p in paths],
            rate=50,
            duration_s=0.2,
            headers={"Authorization": "Bearer k"},
            timeout_s=0.5,
        )
    )
    assert result.scheduled == 10
    assert result.statuses == {"200": 6, "500": 2, "timeout": 2}
    assert (result.ok, result.errors, result.timeouts) == (6, 2, 2)
    assert len(result.latencies_s) == len(result.send_lag_s) == 10
    assert result.response_bytes == 2 * 12 + 2 * 7 + 2 * 12  # 2xx only: ok, chunked, close
    assert set(server.seen) == {"Bearer k"}


def test_refused_connections_are_errors_not_crashes() -> None:
    with _Server(0.0) as server:
        port = server.server_address[1]
    result = run(run_load([f"http://127.0.0.1:{port}/x"], rate=20, duration_s=0.25))
    assert result.errors == result.scheduled == 5
    assert result.ok == 0
    assert set(result.statuses) == {"ConnectionRefusedError"}


@pytest.mark.parametrize(
    ("urls", "rate", "duration"),
    [
        (["http://127.0.0.1:1/x"], 0.0, 1.0),
        (["http://127.0.0.1:1/x"], 10.0, -1.0),
        ([], 10.0, 1.0),
        (["https://127.0.0.1:1/x"], 10.0, 1.0),
        (["http://127.0.0.1:1/x", "http://127.0.0.1:2/x"], 10.0, 1.0),
    ],
)
def test_bad_arguments_are_refused(urls: list[str], rate: float, duration: float) -> None:
    with pytest.raises(ValueError):
        run(run_load(urls, rate, duration))


def test_the_json_round_trip(capsys: pytest.CaptureFixture[str], fast: tuple[str, _Server]) -> None:
    url, server = fast
    main(["--rate", "40", "--duration", "0.1", "--header", "Authorization: Bearer z", f"{url}/a"])
    printed = LoadResult.from_json(json.loads(capsys.readouterr().out))
    assert printed.ok == printed.scheduled == 4
    assert server.seen == ["Bearer z"] * 4


def test_a_header_without_a_colon_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--rate", "1", "--duration", "1", "--header", "nocolon", "http://127.0.0.1:1/"])
    assert "expected 'Name: value'" in capsys.readouterr().err


class _Impatient(_Handler):
    timeout = 0.3  # the server closes a connection idle this long (uvicorn: 5 s)


@pytest.mark.parametrize(("expiry_s", "fails"), [(60.0, True), (0.15, False)])
def test_connections_idle_past_the_servers_keep_alive_are_not_reused(
    monkeypatch: pytest.MonkeyPatch, expiry_s: float, fails: bool
) -> None:
    monkeypatch.setattr("bench.load.KEEPALIVE_EXPIRY_S", expiry_s)
    server = _Server(0.0)
    server.RequestHandlerClass = _Impatient
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/x"
        result = run(run_load([url], rate=2, duration_s=2.0))  # 0.5 s between requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert result.scheduled == 4
    if fails:  # what the generator did before: a stale connection reused, a failed request
        assert result.errors >= 1
    else:
        assert result.errors == 0
        assert result.ok == 4
