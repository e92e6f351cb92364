"""`python -m bench.suite [--quick]`: run every stage, write bench/RESULTS.md and a raw copy."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from types import FrameType

from rich.console import Console

from bench.retrieval import load_average
from bench.suite.report import Results, render
from bench.suite.stack import (
    REPO,
    DemoBrands,
    ServiceUnavailableError,
    Setup,
    Target,
    bench_environment,
    postgres_database,
    redis_database,
)
from bench.suite.stages import (
    FULL,
    QUICK,
    Run,
    embedded_stage,
    fairness_stage,
    peer_build,
    peer_probe,
    peer_stage,
    scaled_stage,
    stop_probe,
)
from bench.suite.summary import summarise
from storage.settings import Settings
from tests.fakes.openai_server import FakeOpenAI, Hostile

STAGES = ("peer", "embedded", "scaled", "fairness")


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _settings(results: Results, quick: bool) -> None:
    sizes = QUICK if quick else FULL
    defaults = Settings.model_fields
    results.settings = {
        "model": "the fake OpenAI-compatible server of the tests, in the suite's process; "
        "Postcraft's answers come from its polite `Hostile()` model (posts that follow the "
        "brand's rules, so no repair call), the peer's from its plain-text default",
        "latency": "0 s for P1, P3 and P6's tokens of P1; 1 s for P2/P6 and R8; 0.2 s while "
        "P7 fills a concurrency-8 worker",
        "quotas": "POSTCRAFT_BRAND_MAX_ACTIVE_JOBS / _JOBS_PER_MINUTE / _TOKENS_PER_DAY = 0 "
        "(unlimited) everywhere but R8, which keeps the defaults",
        "workers": f"P1/P2: one worker at concurrency 1; P3: 1 and 2 worker processes at "
        f"concurrency {sizes.p3_concurrency}; R8: one at {sizes.r8_concurrency}",
        "POSTCRAFT_LLM_CONCURRENCY": f"{defaults['llm_concurrency'].default} (the default)",
        "Chroma": "embedded (a local persistent directory) in both topologies",
        "sizes": ", ".join(f"{k}={v}" for k, v in vars(sizes).items()),
    }


def run_suite(results: Results, stages: Sequence[str], console: Console) -> None:
    """Every stage in turn on fresh services; what fails is recorded and the rest goes on."""
    sizes = QUICK if results.quick else FULL
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="postcraft-bench-")))
        ours = stack.enter_context(FakeOpenAI(default=Hostile()))
        theirs = stack.enter_context(FakeOpenAI())
        run = Run(sizes, results, ours, theirs, tmp, console)
        stack.enter_context(run.bar)
        started = time.monotonic()
        targets = {"embedded": Target(tmp / "embedded")}
        services: dict[str, tuple[str, str]] = {}
        try:
            for name in ("scaled", "fairness"):
                if name in stages:
                    database = stack.enter_context(postgres_database(name))
                    broker = stack.enter_context(redis_database())
                    services[name] = (database, broker)
                    targets[name] = Target(tmp / name, database)
        except ServiceUnavailableError as exc:
            results.errors["services"] = str(exc)
            console.print(f"[red]{exc}[/]: the scaled and fairness stages are skipped")
        wanted = [n for n in targets if n in stages]
        brands: dict[str, DemoBrands] = {}
        # Nothing is timed yet: the setup, the peer's RSS probe and the peer's build run at once.
        setup = None
        if wanted:
            setup = Setup(bench_environment(tmp), [targets[n] for n in wanted], tmp / "setup.log")
            stack.callback(setup.kill)
        peer, probe = None, peer_probe(run) if "peer" in stages else None
        if probe is not None:
            stack.callback(stop_probe, probe)
            console.print("[bold]·[/] peer: build the LangChain chain")
            try:
                peer = peer_build(run)
            except Exception:
                results.errors["peer: build"] = traceback.format_exc(limit=6)
        if setup is not None:
            console.print(f"[bold]·[/] demo brands for {', '.join(wanted)}")
            try:
                brands = dict(zip(wanted, setup.result(), strict=True))
                results.raw["setup_s"] = time.monotonic() - started
            except Exception:
                results.errors["setup"] = traceback.format_exc(limit=4)
        if peer is not None and probe is not None:
            peer_stage(run, peer, probe)
        if "embedded" in brands:
            demo = brands["embedded"]
            run.step("embedded", lambda: embedded_stage(run, demo, targets["embedded"].data_dir))
        for name, stage in (("scaled", scaled_stage), ("fairness", fairness_stage)):
            if name in brands:
                demo, (database, broker) = brands[name], services[name]
                folder = targets[name].data_dir
                run.step(name, partial(stage, run, demo, folder, database, broker))


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments, run, write RESULTS.md and the raw JSON copy."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (about 3 minutes)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md")
    parser.add_argument("--raw-dir", type=Path, default=REPO / "bench" / "results")
    parser.add_argument(
        "--stages", default=",".join(STAGES), help=f"comma-separated, of {', '.join(STAGES)}"
    )
    parser.add_argument(
        "--render", type=Path, metavar="RAW_JSON", help="only rewrite --out from a raw copy"
    )
    args = parser.parse_args(argv)
    console = Console(stderr=True, highlight=False)
    if args.render:
        data = json.loads(args.render.read_text())
        results = Results(data["command"], data["quick"])
        for key in ("started", "machine", "commit", "load_start", "load_end", "seconds"):
            setattr(results, key, data[key])
        results.settings, results.raw = data["settings"], data["raw"]
        results.errors = data["errors"]
        summarise(results)
        args.out.write_text(render(results))
        return
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stages {sorted(unknown)}; choose among {', '.join(STAGES)}")
    command = "python -m bench.suite" + "".join(f" {a}" for a in (argv or sys.argv[1:]))
    results = Results(command, args.quick)
    _settings(results, args.quick)
    signal.signal(signal.SIGTERM, _interrupted)
    started = time.monotonic()
    for line in (f"{k}: {v}" for k, v in results.machine.items()):
        console.print(line)
    try:
        run_suite(results, stages, console)
    finally:
        results.seconds = time.monotonic() - started
        results.load_end = load_average()
        summarise(results)
        text = render(results)
        args.out.write_text(text)
        args.raw_dir.mkdir(parents=True, exist_ok=True)
        stamp = results.started.replace(" UTC", "").replace(" ", "-").replace(":", "")
        name = f"suite-{stamp}{'-quick' if args.quick else ''}"
        (args.raw_dir / f"{name}.json").write_text(json.dumps(results.to_json(), indent=1))
        (args.raw_dir / f"{name}.md").write_text(text)
        console.print(f"wrote {args.out} and {args.raw_dir / name}.json / .md")
    print(text)
    if results.errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
