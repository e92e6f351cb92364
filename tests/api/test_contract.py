"""Contract fuzzing: schemathesis against a real `postcraft serve` on PostgreSQL and Redis.

The schema comes from the live server's /openapi.json, every call carries an admin key, and all
of schemathesis' checks run in all of its phases (examples, coverage, fuzzing, stateful). The run
is derandomized with a fixed seed, so a red run is the same red run on every machine; the failure
message lists each failing operation and check once, with a curl command that reproduces it.

Run it alone: `.venv/bin/pytest tests/api/test_contract.py` (about a minute; `-s` prints stats).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from schemathesis.engine import Status, StopReason, events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder

from tests.e2e.processes import environment, served, setup_brand
from tests.e2e.services import postgres_database, redis_database

pytestmark = [pytest.mark.slow, pytest.mark.services]

# Fixed seed plus `deterministic` (Hypothesis' derandomize): the same inputs on every run.
SEED = 20_240_601
# Examples per operation in the fuzzing phase (the coverage phase adds its own systematic cases,
# a few dozen per operation). 30 keeps the whole test near a minute on a 2-core machine.
MAX_EXAMPLES = 30
# Multipart file upload: every case uploads a file the server parses before answering; a handful
# of cases exercise the form fields without making it the slowest operation of the run.
UPLOAD_MAX_EXAMPLES = 5
# Steps per stateful scenario (schemathesis' default is 6); links are inferred by schemathesis
# from the schema and from responses (e.g. POST /v1/brands -> GET /v1/brands/{brand_id}).
STATEFUL_MAX_STEPS = 6
# Share of generated brand_id path parameters that use the imported demo brand, so most requests
# reach a real brand instead of stopping at 404; the rest stay generated (404 / 422 paths).
REAL_BRAND_PROBABILITY = 0.9
# A safety net, not a budget: a run that hits it fails with the stop reason instead of hanging.
MAX_TIME_S = 600
EXCERPT = 300


def test_http_api_conforms_to_its_openapi_schema(tmp_path: Path) -> None:
    with postgres_database() as database_url, redis_database() as broker_url:
        env = environment(tmp_path / "var", DATABASE_URL=database_url, BROKER_URL=broker_url)
        brand_id, key = setup_brand(env, "northwind")
        # No worker: submitted jobs stay queued, which the API answers the same way.
        with served(env, tmp_path, "--no-worker") as url:
            schema = schemathesis.openapi.from_url(
                f"{url}/openapi.json", config=_config(brand_id, key), timeout=30
            )
            report = _fuzz(schema)
    print(report.stats())
    assert report.ok(), report.summary(tmp_path / "serve.log")


def _config(brand_id: str, key: str) -> schemathesis.Config:
    """The same settings a `schemathesis.toml` would hold, without depending on the CWD."""
    generation = {
        # Positive and negative (schema-violating) data, so both data acceptance checks apply.
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        # No Hypothesis example database: replaying old failures would make runs differ.
        "database": "none",
    }
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # No persistent per-project state between runs (same reason as the database).
            "cache": {"enabled": False},
            # One worker: operations run in a fixed order, so server state evolves the same way.
            "workers": 1,
            "request-timeout": 30,
            "max-time": MAX_TIME_S,
            # The bearer scheme the schema declares; ignored_auth also uses it to try without.
            "auth": {"openapi": {"HTTPBearer": {"bearer": key}}},
            "dictionaries": {"demo_brand": {"values": [brand_id]}},
            "parameters": {
                "path.brand_id": {
                    "dictionary": "demo_brand",
                    "probability": REAL_BRAND_PROBABILITY,
                }
            },
            "generation": generation,
            # Every built-in check. max_response_time stays off: it needs a limit and timing on
            # a shared CI machine is not a contract.
            "checks": {"enabled": True},
            "phases": {"stateful": {"max-steps": STATEFUL_MAX_STEPS}},
            "operations": [
                {
                    "include-method": "POST",
                    "include-path": "/v1/brands/{brand_id}/sources",
                    "generation": {**generation, "max-examples": UPLOAD_MAX_EXAMPLES},
                }
            ],
        }
    )


@dataclass
class Finding:
    """One failing (operation, check, title, status), with its first reproduction."""

    operation: str
    check: str
    title: str
    status: int | None
    message: str
    body: str
    reproduction: str
    phases: set[str] = field(default_factory=set)
    count: int = 0


FindingKey = tuple[str, str, str, int | None]


@dataclass
class Report:
    findings: dict[FindingKey, Finding] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    cases: Counter[str] = field(default_factory=Counter)
    checks: Counter[str] = field(default_factory=Counter)
    stop_reason: StopReason | None = None
    elapsed_s: float = 0.0

    def ok(self) -> bool:
        return not self.findings and not self.errors and self.stop_reason == StopReason.COMPLETED

    def stats(self) -> str:
        phases = ", ".join(f"{phase} {n}" for phase, n in sorted(self.cases.items()))
        checks = ", ".join(f"{name} {n}" for name, n in sorted(self.checks.items()))
        lines = [
            f"schemathesis {schemathesis.__version__}, seed {SEED}: {self.elapsed_s:.0f} s, "
            f"stop reason {self.stop_reason}",
            f"cases by phase: {phases}",
            f"checks run: {checks}",
        ]
        lines += [f"skipped: {reason}" for reason in self.skipped]
        return "\n".join(lines)

    def summary(self, server_log: Path) -> str:
        ordered = sorted(self.findings.values(), key=_finding_order)
        lines = [
            f"{len(ordered)} contract failure(s) in "
            f"{len({f.operation for f in ordered})} operation(s); "
            "curl commands mask the key as [Filtered]: use `Authorization: Bearer <admin key>`.",
            "",
        ]
        for n, finding in enumerate(ordered, 1):
            status = finding.status if finding.status is not None else "no response"
            lines += [
                f"{n}. {finding.operation} | {finding.check} | {finding.title} | {status} "
                f"(x{finding.count}, {'/'.join(sorted(finding.phases))})",
                _indent(finding.message),
                f"   response: {finding.body}",
                _indent(finding.reproduction),
                "",
            ]
        if self.errors:
            lines += ["Errors (operations that could not be tested):", *self.errors, ""]
        if self.stop_reason != StopReason.COMPLETED:
            lines.append(f"The run stopped early: {self.stop_reason}")
        lines += [self.stats(), f"server log: {server_log}"]
        if any(f.status is not None and f.status >= 500 for f in ordered):
            lines += ["server log tail:", server_log.read_text(errors="replace")[-3000:]]
        return "\n".join(lines)


def _fuzz(schema: schemathesis.BaseSchema) -> Report:
    report = Report()
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _record(report, event)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"- {event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            report.errors.append(f"- fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            report.stop_reason = event.stop_reason
    report.elapsed_s = time.monotonic() - started
    return report


def _record(report: Report, event: events.ScenarioFinished) -> None:
    recorder = event.recorder
    phase = event.phase.value
    report.cases[phase] += len(recorder.cases)
    if event.status == Status.SKIP and event.skip_reason:
        report.skipped.append(f"{recorder.label} ({phase}): {event.skip_reason}")
    for case_id, checks in recorder.checks.items():
        for check in checks:
            report.checks[check.name] += 1
            info = check.failure_info
            if info is None:
                continue
            failure = info.failure
            status, body = _response(recorder, failure.case_id or case_id)
            operation = failure.operation or recorder.label
            key = (operation, check.name, failure.title, status)
            finding = report.findings.setdefault(
                key,
                Finding(
                    operation=operation,
                    check=check.name,
                    title=failure.title,
                    status=status,
                    message=failure.message.strip(),
                    body=body,
                    reproduction=info.code_sample,
                ),
            )
            finding.count += 1
            finding.phases.add(phase)


def _response(recorder: ScenarioRecorder, case_id: str) -> tuple[int | None, str]:
    interaction = recorder.interactions.get(case_id)
    if interaction is None or interaction.response is None:
        return None, ""
    response = interaction.response
    body = response.content.decode(errors="replace")
    if len(body) > EXCERPT:
        body = body[:EXCERPT] + "..."
    return response.status_code, body


def _finding_order(finding: Finding) -> tuple[str, str, str, int]:
    # "POST /v1/brands" -> by path, then method, then check and status.
    method, _, path = finding.operation.partition(" ")
    return (path or method, method, finding.check, finding.status or 0)


def _indent(text: str) -> str:
    return "\n".join(f"   {line}" for line in text.splitlines())
