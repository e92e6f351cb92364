"""P8: the read endpoints under constant-arrival load, each rate in a load generator process of
its own (`python -m bench.load`), so the generator never shares this process's interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bench.load import LoadResult
from bench.suite.report import pct
from bench.suite.stack import REPO


def load(
    urls: Sequence[str], headers: dict[str, str], rate: float, seconds: float, env: dict[str, str]
) -> LoadResult:
    """Run `bench.load` in a process of its own and read its JSON."""
    args = [sys.executable, "-m", "bench.load", "--rate", str(rate), "--duration", str(seconds)]
    for name, value in headers.items():
        args += ["--header", f"{name}: {value}"]
    done = subprocess.run(
        [*args, *urls],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.load failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return LoadResult.from_json(json.loads(done.stdout.strip().splitlines()[-1]))


def settle(
    url: str, headers: dict[str, str], quiet_ms: float = 50.0, limit_s: float = 60.0
) -> float:
    """Wait until the API has worked off what an earlier run left queued: three GETs in a row
    answered within `quiet_ms`. Returns the seconds waited."""
    started = time.monotonic()
    in_a_row = 0
    with httpx.Client(headers=headers, timeout=limit_s) as client:
        while in_a_row < 3 and time.monotonic() - started < limit_s:
            began = time.monotonic()
            try:
                client.get(url)
            except httpx.HTTPError:
                in_a_row = 0
                time.sleep(0.5)
                continue
            in_a_row = in_a_row + 1 if (time.monotonic() - began) * 1000 < quiet_ms else 0
            time.sleep(0.1)
    return time.monotonic() - started


@dataclass(frozen=True)
class ReadRun:
    """One endpoint at one rate, and how long the API took to settle before it."""

    endpoint: str
    result: LoadResult
    settled_s: float


def reads(
    base_url: str,
    headers: dict[str, str],
    job_ids: Sequence[str],
    brand_id: str,
    rates: Sequence[float],
    seconds: float,
    env: dict[str, str],
) -> list[ReadRun]:
    """`GET /v1/jobs/{id}` (taking `job_ids` in turn) and the brand's drafts list at each
    rate (lowest first), for `seconds` each; before each run the API settles (see `settle`)."""
    endpoints = {
        "GET /v1/jobs/{id}": [f"{base_url}/v1/jobs/{job_id}" for job_id in job_ids],
        "GET /v1/brands/{id}/drafts": [f"{base_url}/v1/brands/{brand_id}/drafts"],
    }
    runs = []
    for rate in sorted(rates):
        for endpoint, urls in endpoints.items():
            settled = settle(urls[0], headers)
            runs.append(ReadRun(endpoint, load(urls, headers, rate, seconds, env), settled))
    return runs


def read_figures(run: ReadRun) -> dict[str, Any]:
    """One P8 run without its samples: counts, rates and latency percentiles in ms."""
    result = run.result

    def percentiles(values: list[float]) -> dict[str, float | None]:
        return {
            f"p{q:g}": pct(values, q) * 1000 if values else None for q in (50, 90, 99, 99.9, 100)
        }

    return {
        "endpoint": run.endpoint,
        "settled_s": run.settled_s,
        "rate": result.rate,
        "seconds": result.duration_s,
        "achieved_rate": result.achieved_rate,
        "scheduled": result.scheduled,
        "ok": result.ok,
        "errors": result.errors,
        "timeouts": result.timeouts,
        "statuses": result.statuses,
        "latency_ms": percentiles(result.latencies_s),
        "send_lag_ms": percentiles(result.send_lag_s),
        "mean_response_bytes": result.response_bytes / result.ok if result.ok else None,
    }
