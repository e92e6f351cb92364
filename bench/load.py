"""An open-loop HTTP load generator: GET requests sent on a fixed schedule (request i at
start + i / rate), whatever the server answers, each timed from its scheduled send time, so a
server that falls behind shows its queueing in the latencies instead of slowing the client
down (no coordinated omission).

    .venv/bin/python -m bench.load --rate 300 --duration 10 --header "Authorization: Bearer K" \
        URL [URL ...]          (URLs are taken in turn; prints one JSON object)

It runs on asyncio (uvloop where installed) with a minimal HTTP/1.1 keep-alive client of its
own: httpx costs about 2 ms of CPU a request, which capped the generator near 100 requests/s on
a shared two-core machine, well below what it had to send; this client costs a few percent of
that. A pool of up to --connections connections is kept; a request that finds none free opens
one, or waits for one (the wait counts in its latency). Like httpx's `keepalive_expiry`, a
connection idle for KEEPALIVE_EXPIRY_S is closed rather than reused: the server closes its side
after its own keep-alive timeout (uvicorn's is 5 s), and a request sent on such a connection
would fail as an IncompleteReadError that no real client shows.

A request counts as an error when it gets a status other than 2xx or the connection fails, and
as a timeout when its answer comes more than --timeout seconds after its send, or when no
connection is free by its scheduled time + --timeout (the server is that far behind); the
latency of each still counts from the schedule. A request once sent is waited for (up to 30 s)
rather than abandoned, so the server never works through orphaned requests after a run: a
run ends once the requests in flight (at most --connections) are answered. The generator
reports its own achieved rate and how late it started each request (`send_lag`): on a busy
machine the client, not the server, may be the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Coroutine, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
TIMEOUT_S = 2.0
ANSWER_LIMIT_S = 30.0  # past this a connection is given up (the answer still counts late)
_FAILURES = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)
MAX_CONNECTIONS = 64  # Little: 1,000 req/s at 50 ms is 50 in flight
KEEPALIVE_EXPIRY_S = 4.0  # below uvicorn's default timeout_keep_alive (5 s)


@dataclass
class LoadResult:
    """What one constant-rate run measured (times in seconds)."""

    rate: float
    duration_s: float
    scheduled: int = 0
    ok: int = 0
    errors: int = 0
    timeouts: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_s: list[float] = field(default_factory=list)
    send_lag_s: list[float] = field(default_factory=list)
    send_window_s: float = 0.0
    elapsed_s: float = 0.0
    response_bytes: int = 0  # bodies of the 2xx answers

    @property
    def achieved_rate(self) -> float:
        """Requests sent per second over the sending window (the generator's own rate)."""
        if self.scheduled <= 1 or self.send_window_s <= 0:
            return float(self.scheduled)
        return (self.scheduled - 1) / self.send_window_s

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict, with the achieved rate."""
        return {**asdict(self), "achieved_rate": self.achieved_rate}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoadResult:
        """The inverse of `to_json`."""
        data = {k: v for k, v in data.items() if k != "achieved_rate"}
        return cls(**data)


class _Pool:
    """Keep-alive connections to one host; at most `size` open at once."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.open = 0
        self.idle: list[tuple[Connection, float]] = []  # with the time each went idle
        self.freed = asyncio.Condition()

    async def take(self) -> Connection:
        """An idle connection not yet expired, a new one, or the next one freed."""
        async with self.freed:
            self._expire()
            while not self.idle and self.open >= self.size:
                await self.freed.wait()
                self._expire()
            if self.idle:
                return self.idle.pop()[0]
            self.open += 1
        try:
            return await asyncio.open_connection(self.host, self.port)
        except BaseException:
            await self._release()
            raise

    async def give(self, connection: Connection) -> None:
        """Put a connection that answered in full back."""
        async with self.freed:
            self.idle.append((connection, asyncio.get_running_loop().time()))
            self.freed.notify()

    def _expire(self) -> None:
        """Close the connections idle for KEEPALIVE_EXPIRY_S (the oldest are first)."""
        oldest_kept = asyncio.get_running_loop().time() - KEEPALIVE_EXPIRY_S
        expired = 0
        while expired < len(self.idle) and self.idle[expired][1] < oldest_kept:
            self.idle[expired][0][1].close()
            expired += 1
        if expired:
            del self.idle[:expired]
            self.open -= expired

    async def drop(self, connection: Connection) -> None:
        """Forget a connection in an unknown state."""
        connection[1].close()
        await self._release()

    async def _release(self) -> None:
        async with self.freed:
            self.open -= 1
            self.freed.notify()

    async def close(self) -> None:
        """Close the idle connections."""
        for (_, writer), _since in self.idle:
            writer.close()
        self.idle.clear()


async def _exchange(connection: Connection, request: bytes) -> tuple[int, int, bool]:
    """Send one request, read its answer: (status, body bytes, whether to keep the connection)."""
    reader, writer = connection
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip().lower()
    size = 0
    if headers.get("transfer-encoding") == "chunked":
        while True:
            chunk = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(chunk + 2)
            size += chunk
            if chunk == 0:
                break
    else:
        size = int(headers.get("content-length", "0"))
        await reader.readexactly(size)
    return status, size, headers.get("connection") != "close"


def _request(url: str, headers: dict[str, str]) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"{url}: only http:// URLs are supported")
    port = parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.hostname}:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return parts.hostname, port, ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _one(
    pool: _Pool, request: bytes, scheduled: float, timeout_s: float, out: LoadResult
) -> None:
    loop = asyncio.get_running_loop()
    out.send_lag_s.append(max(0.0, loop.time() - scheduled))

    def count(kind: str) -> None:
        out.statuses[kind] = out.statuses.get(kind, 0) + 1
        out.latencies_s.append(loop.time() - scheduled)

    try:  # no free connection by the deadline: the server is that far behind
        connection = await asyncio.wait_for(
            pool.take(), max(0.0, scheduled + timeout_s - loop.time())
        )
    except TimeoutError:
        out.timeouts += 1
        count("timeout")
        return
    except _FAILURES as exc:
        out.errors += 1
        count(type(exc).__name__)
        return
    sent = loop.time()
    try:
        status, size, keep = await asyncio.wait_for(_exchange(connection, request), ANSWER_LIMIT_S)
    except TimeoutError:
        out.timeouts += 1
        count("timeout")
        await pool.drop(connection)
        return
    except _FAILURES as exc:
        out.errors += 1
        count(type(exc).__name__)
        await pool.drop(connection)
        return
    if loop.time() - sent > timeout_s:
        out.timeouts += 1
        count("timeout")
    else:
        count(str(status))
        if 200 <= status < 300:
            out.ok += 1
            out.response_bytes += size
        else:
            out.errors += 1
    if keep:
        await pool.give(connection)
    else:
        await pool.drop(connection)


async def run_load(
    urls: Sequence[str],
    rate: float,
    duration_s: float,
    headers: dict[str, str] | None = None,
    timeout_s: float = TIMEOUT_S,
    max_connections: int = MAX_CONNECTIONS,
) -> LoadResult:
    """GET `urls` (all on one host) in turn at `rate` requests/s for `duration_s` s, open loop."""
    if rate <= 0 or duration_s <= 0 or not urls:
        raise ValueError("rate and duration must be positive and at least one URL given")
    requests = [_request(url, headers or {}) for url in urls]
    if len({(host, port) for host, port, _ in requests}) != 1:
        raise ValueError("all URLs must be on one host and port")
    host, port = requests[0][0], requests[0][1]
    out = LoadResult(rate, duration_s)
    count = max(1, round(rate * duration_s))
    pool = _Pool(host, port, max_connections)
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    tasks: list[asyncio.Task[None]] = []
    first_sent = last_sent = start
    try:
        for i in range(count):
            scheduled = start + i / rate
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                await asyncio.sleep(0)  # let answers in even when behind
            now = loop.time()
            if i == 0:
                first_sent = now
            last_sent = now
            request = requests[i % len(requests)][2]
            tasks.append(asyncio.create_task(_one(pool, request, scheduled, timeout_s, out)))
        await asyncio.gather(*tasks)
    finally:
        await pool.close()
    out.scheduled = count
    out.send_window_s = last_sent - first_sent
    out.elapsed_s = loop.time() - start
    return out


def run(coroutine: Coroutine[Any, Any, LoadResult]) -> LoadResult:
    """Run the coroutine on uvloop when it is installed, else on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


def main(argv: Sequence[str] | None = None) -> None:
    """Run one constant-rate load and print its result as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--duration", type=float, required=True, help="seconds of sending")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S)
    parser.add_argument("--connections", type=int, default=MAX_CONNECTIONS)
    parser.add_argument("--header", action="append", default=[], help='"Name: value"')
    args = parser.parse_args(argv)
    headers = {}
    for header in args.header:
        name, sep, value = header.partition(":")
        if not sep or not name.strip():
            parser.error(f"--header {header!r}: expected 'Name: value'")
        headers[name.strip()] = value.strip()
    result = run(
        run_load(args.urls, args.rate, args.duration, headers, args.timeout, args.connections)
    )
    print(json.dumps(result.to_json()))


if __name__ == "__main__":
    main()
