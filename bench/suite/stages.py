"""The suite's stages: the peer, the embedded default, the scaled topology and fairness. Each
measures and stores raw figures in `Run.raw`; `bench.suite.summary` turns them into tables."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

from bench.peer import Mode, Peer
from bench.retrieval import progress
from bench.suite.client import Api
from bench.suite.fairness import fairness
from bench.suite.jobs import PLATFORMS, one_at_a_time, throughput, topic, warm_up
from bench.suite.reads import read_figures, reads
from bench.suite.report import Results
from bench.suite.stack import (
    NO_QUOTAS,
    REPO,
    DemoBrands,
    api,
    bench_environment,
    embedded,
    start,
    tree_rss,
    worker,
)
from bench.suite.tokens import job_tokens
from storage.settings import Settings
from tests.fakes.openai_server import FakeOpenAI

DEMO = REPO / "demo" / "brands"
BRANDS = ("zerno", "northwind")  # Russian, English
P1_BRAND = "zerno"
P2_PLATFORMS = (1, 4, 11)
MODEL_LATENCY_S = 1.0  # P2, R8: the fixed-latency model


@dataclass(frozen=True)
class Sizes:
    """How much each figure runs (full or --quick)."""

    p1_jobs: int = 100
    p2_reps: int = 3
    peer_sequential: bool = True
    p3_jobs: int = 300
    p3_concurrency: int = 16  # POSTCRAFT_WORKER_CONCURRENCY's default: threads per worker process
    p7_jobs: int = 16
    p8_rates: tuple[float, ...] = (100.0, 300.0, 1000.0)
    p8_seconds: float = 10.0
    p8_api_workers: tuple[int, ...] = (1, 2)  # API processes (`serve --workers`) per P8 run
    r8_jobs: int = 24
    r8_interval_s: float = 0.5
    r8_noisy_cap: int = 200
    r8_concurrency: int = 8
    r8_deadline_s: float = 90.0


FULL = Sizes()
QUICK = Sizes(
    p1_jobs=20,
    p2_reps=1,
    peer_sequential=False,
    p3_jobs=60,
    p7_jobs=8,
    p8_seconds=3.0,
    r8_jobs=10,
    r8_noisy_cap=60,
    r8_deadline_s=60.0,
)


@dataclass
class Run:
    """What the stages share: sizes, the two fakes, a scratch folder and the results."""

    sizes: Sizes
    results: Results
    ours: FakeOpenAI  # Postcraft's model
    theirs: FakeOpenAI  # the peer's model
    folder: Path
    console: Console
    bar: Progress = field(default_factory=progress)

    def raw(self, stage: str) -> dict[str, Any]:
        """The raw figures of a stage."""
        value: dict[str, Any] = self.results.raw.setdefault(stage, {})
        return value

    def step(self, name: str, work: Callable[[], None]) -> bool:
        """Run one measure; a failure is recorded with its traceback and the suite goes on."""
        self.console.print(f"[bold]·[/] {name}")
        started = time.monotonic()
        try:
            work()
        except Exception:
            self.results.errors[name] = traceback.format_exc(limit=6)
            self.console.print(f"[red]✗ {name} failed[/] (see RESULTS.md)")
            return False
        self.console.print(f"  done in {time.monotonic() - started:.0f} s")
        return True

    def task(self, label: str, total: int) -> Callable[[], None]:
        """A progress bar line; the returned function advances it by one."""
        task = self.bar.add_task(label, total=total)
        return lambda: self.bar.advance(task)


@contextmanager
def latency(fake: FakeOpenAI, seconds: float) -> Iterator[None]:
    """The fake answers after `seconds` inside the block."""
    before, fake.latency = fake.latency, seconds
    try:
        yield
    finally:
        fake.latency = before


def llm_env(fake: FakeOpenAI) -> dict[str, str]:
    """Settings that point Postcraft at the fake."""
    return {"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "bench", "LLM_MODEL": "fake-model"}


# ---------------------------------------------------------------------------------------------
# The peer.


def peer_probe(run: Run) -> subprocess.Popen[str]:
    """Start the peer's P7 probe: a fresh process that builds the chain, runs a few calls and
    prints its RSS (run while nothing is being timed)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bench.peer", "--rss-probe", run.theirs.url],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def stop_probe(probe: subprocess.Popen[str]) -> None:
    """Kill the probe if it still runs."""
    if probe.poll() is None:
        probe.kill()
        probe.wait(timeout=10)


def peer_build(run: Run) -> Peer:
    """The LangChain peer over both demo brands."""
    raw = run.raw("peer")
    started = time.monotonic()
    peer = Peer(run.theirs.url, [DEMO / slug for slug in BRANDS], run.folder / "peer")
    raw["build_s"] = time.monotonic() - started
    raw["documents"] = {slug: brand.documents for slug, brand in peer.brands.items()}
    return peer


def peer_stage(run: Run, peer: Peer, probe: subprocess.Popen[str]) -> None:
    """The peer's P7 (from the probe), P1, P2 and P6."""
    raw = run.raw("peer")
    fake, sizes = run.theirs, run.sizes

    def p7() -> None:
        try:
            out, err = probe.communicate(timeout=600)
        finally:
            stop_probe(probe)
        if probe.returncode != 0:
            raise RuntimeError(f"the peer's RSS probe failed:\n{err[-3000:]}")
        raw["rss"] = json.loads(out.strip().splitlines()[-1])

    def p1() -> None:
        for n in range(3):
            peer.write(P1_BRAND, topic(P1_BRAND, 10_000 + n), PLATFORMS[:1])
        times, tick = [], run.task("peer P1", sizes.p1_jobs)
        for n in range(sizes.p1_jobs):
            began = time.perf_counter()
            peer.write(P1_BRAND, topic(P1_BRAND, n), PLATFORMS[:1])
            times.append(time.perf_counter() - began)
            tick()
        raw["p1_s"] = times

    def p2() -> None:
        with latency(fake, MODEL_LATENCY_S):
            one = []
            for n in range(3):
                began = time.perf_counter()
                peer.bare_call(f"Say hello ({n})")
                one.append(time.perf_counter() - began)
            raw["one_call_s"] = one
            modes: list[Mode] = ["batch", "sequential"] if sizes.peer_sequential else ["batch"]
            total = len(BRANDS) * len(P2_PLATFORMS) * sizes.p2_reps * len(modes)
            tick = run.task("peer P2", total)
            p2_raw: dict[str, Any] = {}
            for slug in BRANDS:
                for count in P2_PLATFORMS:
                    cell = p2_raw.setdefault(f"{slug}/{count}", {"tokens": []})
                    for mode in modes:
                        for rep in range(sizes.p2_reps):
                            fake.reset()
                            began = time.perf_counter()
                            subject = topic(slug, 100 * count + rep)
                            peer.write(slug, subject, PLATFORMS[:count], mode)
                            cell.setdefault(mode, []).append(time.perf_counter() - began)
                            if mode == "batch":
                                cell["tokens"].append(asdict(job_tokens(list(fake.requests))))
                            tick()
            raw["p2"] = p2_raw

    run.step("peer: P7 RSS of a fresh process", p7)
    run.step("peer: P1 chain calls, zero-latency model", p1)
    run.step("peer: P2 and P6, 1 s model", p2)


# ---------------------------------------------------------------------------------------------
# Postcraft, embedded default.


def embedded_stage(run: Run, brands: DemoBrands, data_dir: Path) -> None:
    """`postcraft serve` with its worker child (concurrency 1): P1 and P7."""
    raw = run.raw("embedded")
    env = bench_environment(data_dir, **llm_env(run.ours), **NO_QUOTAS)
    brand_id = brands.brands[P1_BRAND]
    with ExitStack() as stack:
        server = embedded(stack, env, run.folder / "embedded-logs", concurrency=1)
        client = Api(server.url, brands.key)
        stack.callback(client.close)
        raw["wait"] = asdict(client.wait) if client.wait else None
        run.step("embedded: warm-up", lambda: warm_up(client, P1_BRAND, brand_id, 2))

        def p1() -> None:
            tick = run.task("embedded P1", run.sizes.p1_jobs)
            done = one_at_a_time(client, P1_BRAND, brand_id, run.sizes.p1_jobs, tick=tick)
            raw["p1"] = [asdict(r) for r in done.runs]
            raw["p7_serve"] = asdict(tree_rss(server.process.popen.pid))

        run.step("embedded: P1 one job at a time, zero-latency model", p1)


# ---------------------------------------------------------------------------------------------
# Postcraft, scaled: PostgreSQL + Redis, the API, workers and the reconciler.


def scaled_stage(
    run: Run, brands: DemoBrands, data_dir: Path, database_url: str, broker_url: str
) -> None:
    """P1, P2, P6, P7, P3 and P8 on one PostgreSQL database and one Redis database."""
    raw = run.raw("scaled")
    sizes = run.sizes
    settings = {"DATABASE_URL": database_url, "BROKER_URL": broker_url}
    env = bench_environment(data_dir, **llm_env(run.ours), **NO_QUOTAS, **settings)
    logs = run.folder / "scaled-logs"
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        server = api(stack, env, logs)
        start(stack, env, logs / "reconciler.log", "reconciler")
        client = Api(server.url, brands.key)
        stack.callback(client.close)
        raw["wait"] = asdict(client.wait) if client.wait else None
        p1_brand = brands.brands[P1_BRAND]

        with ExitStack() as workers:
            one = worker(workers, env, logs / "worker-c1.log", 1)
            run.step("scaled: warm-up", lambda: warm_up(client, P1_BRAND, p1_brand, 1))

            def p1() -> None:
                tick = run.task("scaled P1", sizes.p1_jobs)
                done = one_at_a_time(client, P1_BRAND, p1_brand, sizes.p1_jobs, tick=tick)
                raw["p1"] = [asdict(r) for r in done.runs]
                raw["p7_worker_c1"] = asdict(tree_rss(one.popen.pid))
                raw["p7_api_after_p1"] = asdict(tree_rss(server.process.popen.pid))

            def p2() -> None:
                cells: dict[str, Any] = {}
                tick = run.task("scaled P2", len(BRANDS) * len(P2_PLATFORMS) * sizes.p2_reps)
                with latency(run.ours, MODEL_LATENCY_S):
                    for slug in BRANDS:
                        for count in P2_PLATFORMS:
                            done = one_at_a_time(
                                client, slug, brands.brands[slug], sizes.p2_reps, count,
                                fake=run.ours, first=100 * count, tick=tick,
                            )  # fmt: skip
                            cells[f"{slug}/{count}"] = {
                                "runs": [asdict(r) for r in done.runs],
                                "tokens": [asdict(t) for t in done.tokens],
                            }
                raw["p2"] = cells

            run.step("scaled: P1 one job at a time, zero-latency model", p1)
            run.step("scaled: P2 and P6, 1 s model", p2)

        def p7_c8() -> None:
            with ExitStack() as workers, latency(run.ours, 0.2):
                eight = worker(workers, env, logs / "worker-c8.log", 8)
                warm_up(client, P1_BRAND, p1_brand, sizes.p7_jobs)
                raw["p7_worker_c8"] = asdict(tree_rss(eight.popen.pid))

        run.step("scaled: P7 a worker at concurrency 8", p7_c8)

        for count in (1, 2):

            def p3(count: int = count) -> None:
                with ExitStack() as workers:
                    for i in range(count):
                        log = logs / f"worker-p3-{count}-{i}.log"
                        worker(workers, env, log, sizes.p3_concurrency)
                    warm_up(client, P1_BRAND, p1_brand, 2 * count * sizes.p3_concurrency)
                    task = run.bar.add_task(f"P3 {count} worker(s)", total=sizes.p3_jobs)
                    measured = throughput(
                        client, database_url, data_dir, P1_BRAND, p1_brand, sizes.p3_jobs,
                        count, sizes.p3_concurrency,
                        tick=lambda done: run.bar.update(task, completed=done),
                    )  # fmt: skip
                    raw.setdefault("p3", []).append(asdict(measured))

            run.step(f"scaled: P3 throughput, {count} worker process(es)", p3)

        def p8() -> None:
            job_ids = [r["job_id"] for r in raw.get("p1", [])][:200]
            if not job_ids:
                job_ids = [client.run(p1_brand, {"topic": "Для P8", "platforms": ["vk"]}).job_id]
            raw["p8_drafts_listed"] = len(client.drafts(p1_brand))
            raw["p8"] = []
            for count in sizes.p8_api_workers:
                with ExitStack() as readers:
                    # A fresh API of `count` processes on the same database (the main one idles).
                    workers_env = {**env, "POSTCRAFT_API_WORKERS": str(count)}
                    reader = api(readers, workers_env, logs, name=f"api-p8-{count}")
                    runs = reads(
                        reader.url, client.headers, job_ids, p1_brand, sizes.p8_rates,
                        sizes.p8_seconds, env,
                    )  # fmt: skip
                    raw["p8"] += [read_figures(r) | {"api_workers": count} for r in runs]
                    raw["p7_api_after_p8"] = asdict(tree_rss(reader.process.popen.pid))

        run.step("scaled: P8 reads under constant-arrival load", p8)


# ---------------------------------------------------------------------------------------------
# R8: fairness, with the quotas at their defaults (set explicitly: the e2e environment this
# builds on turns the refusing quotas off).
DEFAULT_QUOTAS = {
    f"POSTCRAFT_{name.upper()}": str(Settings.model_fields[name].default)
    for name in ("brand_max_active_jobs", "brand_jobs_per_minute", "brand_tokens_per_day")
}


def fairness_stage(
    run: Run, brands: DemoBrands, data_dir: Path, database_url: str, broker_url: str
) -> None:
    """A fresh database; the API, a worker at r8_concurrency and the reconciler; default
    quotas; the quiet brand northwind, the noisy brand zerno."""
    raw = run.raw("fairness")
    sizes = run.sizes
    settings = {"DATABASE_URL": database_url, "BROKER_URL": broker_url, **DEFAULT_QUOTAS}
    env = bench_environment(data_dir, **llm_env(run.ours), **settings)
    logs = run.folder / "fairness-logs"
    logs.mkdir(parents=True, exist_ok=True)
    quiet_id, noisy_id = brands.brands["northwind"], brands.brands["zerno"]
    with ExitStack() as stack, latency(run.ours, MODEL_LATENCY_S):
        server = api(stack, env, logs)
        start(stack, env, logs / "reconciler.log", "reconciler")
        worker(stack, env, logs / "worker.log", sizes.r8_concurrency)
        clients = [Api(server.url, brands.key) for _ in range(5)]
        for c in clients:
            stack.callback(c.close)
        quiet, noisy = clients[0], clients[1:]
        warm_up(quiet, "northwind", quiet_id, 2)
        measured = fairness(
            quiet, noisy, ("northwind", quiet_id), ("zerno", noisy_id), sizes.r8_jobs,
            sizes.r8_interval_s, sizes.r8_noisy_cap, sizes.r8_deadline_s,
        )  # fmt: skip
        raw["alone"] = asdict(measured.alone)
        raw["beside_noisy"] = asdict(measured.beside_noisy)
        raw["noisy"] = {
            "accepted": measured.noisy.accepted,
            "statuses": dict(measured.noisy.statuses),
            "retry_after": measured.noisy.retry_after,
        }
        raw["concurrency"] = sizes.r8_concurrency
