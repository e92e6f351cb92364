"""From the raw figures of a run to the summary lines (beside the peer, with ratios and targets)
and the detail tables of RESULTS.md."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from bench.suite.report import Figure, Results, number, pct
from bench.suite.tokens import CACHE_MIN_TOKENS, JobTokens

P1_RATIO = 2.0  # issue 9: P1 p50 within 2x the peer's
P1_P50_MS, P1_P99_MS = 50.0, 250.0  # quality.md, Redis mode
P2_RATIO = 1.3  # 11 platforms within 1.3x one model call
P3_JOBS_PER_S, P3_SUBMIT_P99_MS = 25.0, 100.0
P6_SHARE = 0.85
P8_P99_MS = 50.0
R8_RATIO = 1.10


def _ms(values: Sequence[float], q: float) -> float | None:
    return pct(values, q) * 1000 if values else None


def _s(values: Sequence[float], q: float) -> float | None:
    return pct(values, q) if values else None


def _met(*checks: bool | None) -> bool | None:
    known = [c for c in checks if c is not None]
    return all(known) if known else None


def _le(value: float | None, limit: float | None) -> bool | None:
    return None if value is None or limit is None else value <= limit


def _column(runs: Sequence[dict[str, Any]], key: str) -> list[float]:
    return [float(r[key]) for r in runs if r.get(key) is not None]


def _times(values: Sequence[float]) -> str:
    """p50 / p99 in ms."""
    if not values:
        return "–"
    return f"{pct(values, 50) * 1000:.1f} / {pct(values, 99) * 1000:.1f}"


def p1(results: Results) -> None:
    """P1 lines and details."""
    raw, peer = results.raw, results.raw.get("peer", {})
    peer_times = list(peer.get("p1_s", []))
    lines = results.section("P1: overhead around a zero-latency model")
    lines += [
        "One job at a time, one platform, demo brand zerno; Postcraft end to end is the POST",
        "to the moment the client sees the job succeeded; the peer's is one chain call.",
        "",
        "| topology | jobs | end to end p50 / p99 ms | server created→finished p50 / p99 ms"
        " | POST p50 / p99 ms | model time p50 ms | waiting |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode in ("embedded", "scaled"):
        runs = raw.get(mode, {}).get("p1", [])
        e2e = _column(runs, "e2e_s")
        waiting = raw.get(mode, {}).get("wait")
        how = f"`?wait=` (≤ {waiting['max_s']:g} s)" if waiting else "polling every 10 ms"
        model = _column(runs, "llm_s")
        lines.append(
            f"| {mode} | {len(runs)} | {_times(e2e)} | {_times(_column(runs, 'server_s'))} | "
            f"{_times(_column(runs, 'submit_s'))} | "
            f"{number(_ms(model, 50), 'ms')} | {how} |"
        )
        target = f"≤ {P1_RATIO:g}× peer" + (f", ≤ {P1_P50_MS:g} ms" if mode == "scaled" else "")
        p50, peer50 = _ms(e2e, 50), _ms(peer_times, 50)
        limit = P1_RATIO * peer50 if peer50 is not None else None
        checks = [_le(p50, limit)] + ([_le(p50, P1_P50_MS)] if mode == "scaled" else [])
        results.add(
            Figure("P1", f"{mode}: draft job end to end, p50", "ms", p50, peer50, target,
                   _met(*checks) if e2e else None)
        )  # fmt: skip
        p99 = _ms(e2e, 99)
        results.add(
            Figure("P1", f"{mode}: draft job end to end, p99", "ms", p99, _ms(peer_times, 99),
                   f"≤ {P1_P99_MS:g} ms" if mode == "scaled" else "",
                   _le(p99, P1_P99_MS) if mode == "scaled" else None)
        )  # fmt: skip
    lines.append(f"| peer chain | {len(peer_times)} | {_times(peer_times)} | – | – | – | – |")


def p2(results: Results) -> None:
    """P2 lines and details."""
    scaled, peer = results.raw.get("scaled", {}), results.raw.get("peer", {})
    one_call = _s(peer.get("one_call_s", []), 50)
    lines = results.section("P2: job wall time with a 1 s model")
    lines += [
        f"One model call (a bare `ChatOpenAI.invoke` against the 1 s fake): "
        f"{number(one_call, 's')}. Postcraft: scaled topology, one worker (concurrency 1); the",
        "job's platform calls run at once up to POSTCRAFT_LLM_CONCURRENCY. Peer: `chain.batch`"
        " (LangChain's default thread pool) and, in a full run, one `invoke` after another.",
        "",
        "| brand / platforms | runs | Postcraft end to end p50 s | server p50 s | model calls"
        " | peer batch p50 s | peer sequential p50 s |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in sorted(scaled.get("p2", {}) | peer.get("p2", {}), key=_cell_order):
        ours = scaled.get("p2", {}).get(key, {}).get("runs", [])
        theirs = peer.get("p2", {}).get(key, {})
        e2e = _column(ours, "e2e_s")
        calls = sorted({int(r["usage"].get("llm_calls") or 0) for r in ours})
        lines.append(
            f"| {key} | {len(ours)} | {number(_s(e2e, 50), 's')} | "
            f"{number(_s(_column(ours, 'server_s'), 50), 's')} | {calls or '–'} | "
            f"{number(_s(theirs.get('batch', []), 50), 's')} | "
            f"{number(_s(theirs.get('sequential', []), 50), 's')} |"
        )
        eleven = key.endswith("/11")
        limit = P2_RATIO * one_call if one_call is not None else None
        results.add(
            Figure("P2", f"{key.replace('/', ', ')} platform(s): job wall time p50", "s",
                   _s(e2e, 50),
                   _s(theirs.get("batch", []), 50),
                   f"≤ {P2_RATIO:g}× one call ({number(limit, 's')})" if eleven else "",
                   _le(_s(e2e, 50), limit) if eleven and e2e else None)
        )  # fmt: skip


def _cell_order(key: str) -> tuple[str, int]:
    slug, _, count = key.partition("/")
    return slug, int(count or 0)


def _tokens(cells: dict[str, Any], count: int) -> list[JobTokens]:
    return [
        JobTokens(**t)
        for key, cell in cells.items()
        if key.endswith(f"/{count}")
        for t in cell.get("tokens", [])
    ]


def p6(results: Results) -> None:
    """P6 lines and details."""
    ours_cells = results.raw.get("scaled", {}).get("p2", {})
    peer_cells = results.raw.get("peer", {}).get("p2", {})
    lines = results.section("P6: prompt tokens (tiktoken o200k_base on the prompts received)")
    lines += [
        "Per job: its calls in the order the fake received them; a call's shared prefix is the",
        "longest token prefix it has in common with an earlier call of the same job.",
        f"'cacheable' counts later calls whose shared prefix is ≥ {CACHE_MIN_TOKENS:,} tokens.",
        "",
        "| who / platforms | jobs | tokens per call (mean) | uncached per job (mean) | "
        "shared share, later calls | smallest single call | cacheable | usage's own share |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for count in (1, 4, 11):
        for who, cells in (("Postcraft", ours_cells), ("peer", peer_cells)):
            jobs = _tokens(cells, count)
            if not jobs:
                continue
            per_call = [t for j in jobs for t in j.tokens]
            shares = [j.later_share for j in jobs if j.later_share is not None]
            lowest = [j.min_share for j in jobs if j.min_share is not None]
            own = _usage_shares(ours_cells, count) if who == "Postcraft" else []
            lines.append(
                f"| {who} / {count} | {len(jobs)} | {statistics.mean(per_call):,.0f} | "
                f"{statistics.mean(j.uncached for j in jobs):,.0f} | "
                f"{number(statistics.mean(shares) if shares else None, '%')} | "
                f"{number(min(lowest) if lowest else None, '%')} | "
                f"{sum(j.cacheable_calls for j in jobs)}/{sum(j.calls - 1 for j in jobs)} | "
                f"{number(statistics.mean(own) if own else None, '%')} |"
            )
    ours, peer = _tokens(ours_cells, 11), _tokens(peer_cells, 11)

    def mean_call(jobs: list[JobTokens]) -> float | None:
        calls = [t for j in jobs for t in j.tokens]
        return statistics.mean(calls) if calls else None

    def uncached(jobs: list[JobTokens]) -> float | None:
        return statistics.mean(j.uncached for j in jobs) if jobs else None

    def smallest(jobs: list[JobTokens]) -> float | None:
        shares = [j.min_share for j in jobs if j.min_share is not None]
        return min(shares) if shares else None

    results.add(Figure("P6", "prompt tokens per call (11 platforms)", "tokens",
                       mean_call(ours), mean_call(peer)))  # fmt: skip
    results.add(Figure("P6", "uncached prompt tokens per job (11 platforms)", "tokens",
                       uncached(ours), uncached(peer)))  # fmt: skip
    share = smallest(ours)
    results.add(
        Figure("P6", "shared prefix, smallest share of any call after a job's first", "%",
               share, smallest(peer), f"≥ {P6_SHARE * 100:g} %",
               None if share is None else share >= P6_SHARE)
    )  # fmt: skip


def _usage_shares(cells: dict[str, Any], count: int) -> list[float]:
    """The jobs' own `usage.shared_prefix_share`, where the API reports it."""
    out = []
    for key, cell in cells.items():
        if key.endswith(f"/{count}"):
            for run in cell.get("runs", []):
                share = run.get("usage", {}).get("shared_prefix_share")
                if isinstance(share, int | float):
                    out.append(float(share))
    return out


def p3(results: Results) -> None:
    """P3 lines and details."""
    measured = results.raw.get("scaled", {}).get("p3", [])
    lines = results.section("P3: throughput, zero-latency model, scaled")
    lines += [
        "One-platform jobs submitted by an open-loop client (16 requests in flight), completions",
        "read from the jobs' rows: jobs/s = jobs finished / (first created → last finished);",
        "steady = between the 10th and the 90th percentile of finish times.",
        "",
        "| worker processes × concurrency | jobs | answers | POST p50 / p99 ms | "
        "jobs/s | steady jobs/s | failed | unfinished |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in measured:
        lines.append(
            f"| {m['workers']} × {m['concurrency']} | {m['jobs']} | {m['statuses']} | "
            f"{_times(m['submit_s'])} | {m['jobs_per_s']:.1f} | "
            f"{number(m['steady_per_s'], 'jobs/s')} | {m['failed']} | {m['unfinished']} |"
        )
        two = m["workers"] == 2
        results.add(
            Figure("P3", f"{m['workers']} worker process(es) × {m['concurrency']}: jobs/s",
                   "jobs/s", m["jobs_per_s"], None,
                   f"≥ {P3_JOBS_PER_S:g} jobs/s" if two else "",
                   m["jobs_per_s"] >= P3_JOBS_PER_S if two else None)
        )  # fmt: skip
        if two:
            p99 = _ms(m["submit_s"], 99)
            results.add(
                Figure("P3", "a submission's p99 meanwhile (2 workers)", "ms", p99, None,
                       f"≤ {P3_SUBMIT_P99_MS:g} ms", _le(p99, P3_SUBMIT_P99_MS))
            )  # fmt: skip


def p7(results: Results) -> None:
    """P7 lines and details."""
    scaled, embedded = results.raw.get("scaled", {}), results.raw.get("embedded", {})
    peer_rss = results.raw.get("peer", {}).get("rss", {}).get("rss_mb")
    lines = results.section("P7: memory (VmRSS, process and children summed)")
    lines += [
        "Shared pages count in every process of a tree, so a tree's sum overstates what it",
        "costs the machine. The peer: a fresh process that built the chain and ran 8 calls.",
        "",
        "| process | when | RSS MB | processes |",
        "|---|---|---|---|",
    ]
    rows = [
        ("API (scaled)", "after P1", scaled.get("p7_api_after_p1")),
        ("API (scaled)", "after P8", scaled.get("p7_api_after_p8")),
        ("worker, concurrency 1", "after P1", scaled.get("p7_worker_c1")),
        ("worker, concurrency 8", "after 8-wide jobs", scaled.get("p7_worker_c8")),
        ("embedded serve (API + worker child)", "after P1", embedded.get("p7_serve")),
    ]
    for name, when, tree in rows:
        if tree:
            sizes = ", ".join(f"{s:.0f}" for s in tree["processes"])
            lines.append(f"| {name} | {when} | {tree['total_mb']:.0f} | {sizes} |")
    if peer_rss is not None:
        lines.append(f"| peer (LangChain chain) | after 8 calls | {peer_rss:.0f} | 1 |")

    def total(tree: dict[str, Any] | None) -> float | None:
        return float(tree["total_mb"]) if tree else None

    results.add(Figure("P7", "API process RSS, after P8", "MB",
                       total(scaled.get("p7_api_after_p8"))))  # fmt: skip
    results.add(Figure("P7", "worker RSS, concurrency 1 (with children)", "MB",
                       total(scaled.get("p7_worker_c1")), peer_rss))  # fmt: skip
    results.add(Figure("P7", "worker RSS, concurrency 8 (with children)", "MB",
                       total(scaled.get("p7_worker_c8")), peer_rss))  # fmt: skip


def p8(results: Results) -> None:
    """P8 lines and details."""
    runs = results.raw.get("scaled", {}).get("p8", [])
    listed = results.raw.get("scaled", {}).get("p8_drafts_listed")
    lines = results.section("P8: reads under constant-arrival load (scaled API, PostgreSQL)")
    lines += [
        "Latency counts from each request's scheduled send time; a timeout is an answer more than",
        "2 s after its send, or no free connection (of 64) by 2 s past its scheduled time.",
        f"The drafts list returns its first page ({listed} drafts in this run).",
        "",
        "Each API (`postcraft serve --workers N`, N processes on one port) is started fresh for",
        "its runs, with the load generator and PostgreSQL on the same two cores.",
        "",
        "| API processes | endpoint | target req/s | achieved req/s | p50 ms | p99 ms | max ms | "
        "errors | timeouts | send lag p99 ms | answer KiB | answers |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lat, lag = r["latency_ms"], r["send_lag_ms"]
        size = r.get("mean_response_bytes")
        workers = r.get("api_workers", 1)
        lines.append(
            f"| {workers} | `{r['endpoint']}` | {r['rate']:g} | {r['achieved_rate']:.0f} | "
            f"{number(lat['p50'], 'ms')} | {number(lat['p99'], 'ms')} | "
            f"{number(lat['p100'], 'ms')} | {r['errors']} | {r['timeouts']} | "
            f"{number(lag['p99'], 'ms')} | {size / 1024 if size else 0:.1f} | {r['statuses']} |"
        )
        if r["rate"] in (300, 1000):
            p99 = lat["p99"]
            clean = r["errors"] == 0 and r["timeouts"] == 0
            target = f"p99 < {P8_P99_MS:g} ms, no errors" + (
                " (quality.md: ≥ 1,000 req/s)" if r["rate"] == 1000 else ""
            )
            what = (
                f"{workers} API process{'es' if workers > 1 else ''}: "
                f"`{r['endpoint']}` at {r['rate']:g} req/s (achieved {r['achieved_rate']:.0f}, "
                f"{r['errors']} errors, {r['timeouts']} timeouts): p99"
            )
            results.add(Figure("P8", what, "ms", p99, None, target,
                               _met(_le(p99, P8_P99_MS), clean)))  # fmt: skip


def r8(results: Results) -> None:
    """R8 lines and details."""
    raw = results.raw.get("fairness", {})
    if not raw:
        return
    alone, beside, noisy = raw["alone"], raw["beside_noisy"], raw["noisy"]
    lines = results.section("R8: fairness, quotas at their defaults")
    lines += [
        "Quiet brand northwind: a one-platform job every 0.5 s, 1 s model; noisy brand zerno:",
        f"4 submitters back to back, honouring 429 Retry-After; one worker at concurrency "
        f"{raw.get('concurrency')}. Wall time = the job row's created_at → finished_at.",
        "",
        "| phase | quiet jobs | p50 s | p99 s | refused (status: count) | failed | unfinished |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, phase in (("alone", alone), ("beside the noisy brand", beside)):
        walls = phase["walls_s"]
        lines.append(
            f"| {name} | {len(walls)} | {number(_s(walls, 50), 's')} | "
            f"{number(_s(walls, 99), 's')} | {phase['refused'] or '–'} | {phase['failed']} | "
            f"{phase['unfinished']} |"
        )
    retry = noisy["retry_after"]
    waits = f"median {statistics.median(retry):g} s" if retry else "never sent"
    lines += [
        "",
        f"Noisy brand: {noisy['accepted']} jobs accepted; answers {noisy['statuses']}; "
        f"Retry-After {waits}.",
    ]
    p99_alone, p99_beside = _s(alone["walls_s"], 99), _s(beside["walls_s"], 99)
    results.add(Figure("R8", "quiet brand's job wall time p99, alone", "s", p99_alone))
    results.add(Figure("R8", "… beside a noisy brand", "s", p99_beside))
    ratio = p99_beside / p99_alone if p99_alone and p99_beside is not None else None
    complete = beside["unfinished"] == 0 and alone["unfinished"] == 0
    results.add(
        Figure("R8", "ratio of the two p99s", "×", ratio, None, f"≤ {R8_RATIO:g}",
               None if ratio is None else ratio <= R8_RATIO and complete)
    )  # fmt: skip


def summarise(results: Results) -> None:
    """Fill the summary and the detail sections from `results.raw`."""
    results.figures.clear()
    results.sections.clear()
    for part in (p1, p2, p6, p3, p7, p8, r8):
        part(results)
