"""From raw figures to RESULTS.md: ratios to the peer, targets met or missed, and a partial run
(a failed stage) still renders."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from bench.suite.__main__ import main
from bench.suite.report import Figure, Results, number, render
from bench.suite.summary import summarise
from bench.suite.tokens import JobTokens


def _run(e2e: float, server: float = 0.04, platforms: int = 1) -> dict[str, Any]:
    return {
        "e2e_s": e2e, "submit_s": 0.01, "server_s": server, "llm_s": 0.005,
        "status": "succeeded", "usage": {"llm_calls": platforms}, "drafts": platforms,
        "job_id": "j",
    }  # fmt: skip


def _tokens(shares: list[int]) -> dict[str, Any]:
    return asdict(JobTokens(len(shares), [2000] * len(shares), shares))


def _load(endpoint: str, rate: float, p99: float, errors: int = 0) -> dict[str, Any]:
    lat = {"p50": p99 / 2, "p90": p99 * 0.8, "p99": p99, "p99.9": p99, "p100": p99}
    return {
        "endpoint": endpoint, "settled_s": 0.3, "rate": rate, "seconds": 3.0,
        "achieved_rate": rate * 0.99, "scheduled": int(rate * 3), "ok": int(rate * 3) - errors,
        "errors": errors, "timeouts": 0, "statuses": {"200": int(rate * 3)},
        "latency_ms": lat, "send_lag_ms": lat, "mean_response_bytes": 4000.0,
    }  # fmt: skip


def _throughput(workers: int, jobs_per_s: float) -> dict[str, Any]:
    return {
        "workers": workers, "concurrency": 2, "jobs": 60, "statuses": {"202": 60},
        "submit_s": [0.02] * 59 + [0.5], "submit_window_s": 2.0, "succeeded": 60, "failed": 0,
        "unfinished": 0, "span_s": 60 / jobs_per_s, "jobs_per_s": jobs_per_s,
        "steady_per_s": jobs_per_s,
    }  # fmt: skip


def _raw() -> dict[str, Any]:
    tree = {"total_mb": 600.0, "processes": [180.0, 420.0]}
    return {
        "peer": {
            "p1_s": [0.040] * 20,
            "one_call_s": [1.0, 1.01, 1.02],
            "p2": {"zerno/11": {"batch": [2.1], "tokens": [_tokens([0, 1900, 1950])]}},
            "rss": {"rss_mb": 340.0},
        },
        "embedded": {"p1": [_run(0.070)] * 20, "wait": {"max_s": 60, "integer": True}},
        "scaled": {
            "p1": [_run(0.060)] * 19 + [_run(0.300)],
            "wait": None,
            "p2": {"zerno/11": {"runs": [_run(1.2, 1.1, 11)], "tokens": [_tokens([0, 1800])]}},
            "p3": [_throughput(1, 8.0), _throughput(2, 30.0)],
            "p7_worker_c1": tree, "p7_worker_c8": tree, "p7_api_after_p8": tree,
            "p8": [_load("GET /v1/jobs/{id}", 300, 20.0),
                   _load("GET /v1/jobs/{id}", 1000, 80.0, 3)],
            "p8_drafts_listed": 50,
        },
        "fairness": {
            "alone": {"walls_s": [1.0] * 10, "submitted": 10, "refused": {}, "unfinished": 0,
                      "failed": 0},
            "beside_noisy": {"walls_s": [1.0] * 9 + [1.5], "submitted": 10, "refused": {"429": 1},
                             "unfinished": 0, "failed": 0},
            "noisy": {"accepted": 30, "statuses": {"202": 30, "429": 12}, "retry_after": [1.0]},
            "concurrency": 8,
        },
    }  # fmt: skip


def _figure(results: Results, what: str) -> Figure:
    return next(f for f in results.figures if what in f.what)


def test_figures_beside_the_peer_with_ratios_and_verdicts() -> None:
    results = Results("python -m bench.suite --quick", quick=True)
    results.raw = _raw()
    summarise(results)
    embedded = _figure(results, "embedded: draft job end to end, p50")
    assert embedded.ours == pytest.approx(70.0)
    assert embedded.peer == pytest.approx(40.0)
    assert embedded.ratio == pytest.approx(1.75)
    assert embedded.met is True
    scaled = _figure(results, "scaled: draft job end to end, p50")
    assert scaled.met is False  # 60 ms: within 2x the peer but above quality.md's 50 ms
    assert _figure(results, "scaled: draft job end to end, p99").met is False  # 300 ms > 250
    eleven = _figure(results, "zerno, 11 platform(s)")
    assert eleven.ours == pytest.approx(1.2)
    assert eleven.peer == pytest.approx(2.1)
    assert eleven.met is True  # 1.2 s <= 1.3 x 1.01 s
    share = _figure(results, "shared prefix")
    assert share.ours == pytest.approx(0.9)
    assert share.peer == pytest.approx(0.95)
    assert share.met is True
    assert _figure(results, "2 worker process(es)").met is True
    assert _figure(results, "submission's p99").met is False  # 0.5 s
    assert _figure(results, "at 300 req/s").met is True
    assert _figure(results, "at 1000 req/s").met is False  # 80 ms and 3 errors
    ratio = _figure(results, "ratio of the two p99s")
    assert ratio.ours == pytest.approx(1.5, rel=0.05)
    assert ratio.met is False
    text = render(results)
    assert "| P1 | embedded: draft job end to end, p50 | 70.0 ms | 40.0 ms | 1.75× |" in text
    assert "**missed**" in text
    assert "| met |" in text
    assert "polling every 10 ms" in text
    assert "`?wait=` (≤ 60 s)" in text


def test_a_partial_run_renders_its_failures() -> None:
    results = Results("python -m bench.suite", quick=False)
    results.raw = {"peer": {"p1_s": [0.05, 0.06]}}
    results.errors = {"scaled": "Traceback ...\nRuntimeError: the API did not start"}
    summarise(results)
    text = render(results)
    assert "## Stages that failed" in text
    assert "the API did not start" in text
    p1 = _figure(results, "scaled: draft job end to end, p50")
    assert p1.ours is None
    assert p1.met is None
    assert p1.ratio is None
    assert "| – | 55.0 ms | – |" in text


def test_rendering_again_from_the_raw_copy(tmp_path: Path) -> None:
    results = Results("python -m bench.suite", quick=False)
    results.raw = _raw()
    summarise(results)
    raw = tmp_path / "raw.json"
    raw.write_text(json.dumps(results.to_json()))
    out = tmp_path / "RESULTS.md"
    main(["--render", str(raw), "--out", str(out)])
    assert out.read_text() == render(results)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [(None, "ms", "–"), (float("nan"), "s", "–"), (0.853, "%", "85.3 %"),
     (1234.4, "ms", "1,234 ms"), (12.34, "ms", "12.3 ms"), (1.234, "s", "1.23 s"),
     (1.1, "×", "1.10×")],
)  # fmt: skip
def test_number(value: float | None, unit: str, shown: str) -> None:
    assert number(value, unit) == shown


def test_unknown_stages_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--stages", "peer,nonsense"])
    assert "unknown stages ['nonsense']" in capsys.readouterr().err
