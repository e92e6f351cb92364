"""Contract fuzzing: schemathesis against a real `postcraft serve` on PostgreSQL and Redis.

The schema comes from the live server's /openapi.json, every call carries an admin key, and all
of schemathesis' checks run in its examples, coverage and fuzzing phases (not stateful: see
_config). The run is derandomized with a fixed seed, so a red run is the same red run on every
machine; the failure message lists each failing operation and check once, with up to three
distinct variants, each with the response and a curl command that reproduces it.

Run it alone: `.venv/bin/pytest tests/api/test_contract.py -s` (about 1.5 minutes on 2 cores;
`-s` also prints the run's statistics when it passes).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from schemathesis.engine import Status, StopReason, events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.engine.run import PhaseName

from tests.e2e.processes import environment, served, setup_brand
from tests.e2e.services import postgres_database, redis_database

pytestmark = [pytest.mark.slow, pytest.mark.services]

# Fixed seed plus `deterministic` (Hypothesis' derandomize): the same inputs on every run.
SEED = 20_240_601
# Examples per operation in the fuzzing phase. The coverage phase adds its own systematic cases
# (about 1,900 in all, the largest share of the time) whatever this says. With 30 the engine runs
# about a minute and the whole test about 1.5 minutes on a 2-core machine.
MAX_EXAMPLES = 30
# Multipart file upload: each case sends a file the server reads and parses before answering; a
# handful of fuzzed cases exercise the form fields (coverage adds its own) at a small cost.
UPLOAD_MAX_EXAMPLES = 5
# Share of generated brand_id path parameters that use the imported demo brand, so most requests
# reach a real brand instead of stopping at 404; the rest stay generated (404 / 422 paths).
REAL_BRAND_PROBABILITY = 0.9
# A safety net, not a budget: past it the test stops the engine and fails, instead of hanging.
# (Not schemathesis' own `max-time`: that turns the run into time-boxed cycles that keep fuzzing
# until the time is up, whatever the example counts say.)
GUARD_S = 600
# Response excerpt length, and distinct variants shown per failing (operation, check).
EXCERPT = 300
MAX_VARIANTS = 3
# Operations whose input has rules JSON Schema cannot state, each refused with a 422 that names
# the field, or whose writes are conditional (If-Match: a valid but stale version gets 412):
# rubric shares that add up to 1 and «ты»/«вы» only for Russian (brand profiles); an ad on VK,
# OK or Telegram needs its erid (drafts); a file's contents (uploads: empty, unknown type, rows
# without text); a draft edit against a stale version; a review move (the state machine: 409,
# a stale version 412, none at all 428). For these, and only these, schema-valid input may also
# answer 412, 422 or 428; every other check stays as strict as for the rest.
RULES_BEYOND_THE_SCHEMA = (
    "POST /v1/brands",
    "PUT /v1/brands/{brand_id}/profile",
    "POST /v1/brands/{brand_id}/drafts",
    "POST /v1/brands/{brand_id}/sources/json",
    "PATCH /v1/drafts/{draft_id}",
    "POST /v1/drafts/{draft_id}/review",
    "POST /v1/brands/{brand_id}/plans",  # an event's platforms must be among the plan's
    "POST /v1/plans/{plan_id}/review",  # If-Match, as for drafts
    "POST /v1/plan-items/{item_id}/review",
    "POST /v1/plan-items/{item_id}/regenerate",
    "POST /v1/drafts/{draft_id}/regenerate",
)
BUSINESS_RULES = {
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "428", "429"]
    }
}
# Jobs are real here (schemathesis reuses the ids its submissions got back) and stay queued (no
# worker), so a wait would last its whole length. `GET /v1/jobs/{job_id}` is sent with wait=0
# (waiting answers the same JobRead; tests/api/test_job_wait*.py test it), and the event stream
# is read up to its first event (otherwise it is held 60 s, its limit, on every case).
WAITING = [
    {"include-name": "GET /v1/jobs/{job_id}", "parameters": {"query.wait": 0}},
    {"include-name": "GET /v1/jobs/{job_id}/events", "max-stream-events": 1},
]
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CODE_POINT = re.compile(r"U\+[0-9A-F]{4,6}")
_NUMBER = re.compile(r"\d+")


def test_http_api_conforms_to_its_openapi_schema(tmp_path: Path) -> None:
    with postgres_database() as database_url, redis_database() as broker_url:
        # No worker: submitted jobs stay queued, which the API answers the same way; a reply
        # request answers 202 at once rather than waiting for a job nobody runs.
        env = environment(
            tmp_path / "var",
            DATABASE_URL=database_url,
            BROKER_URL=broker_url,
            POSTCRAFT_REPLY_WAIT_S="0",
        )
        brand_id, key = setup_brand(env, "northwind")
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
            # Mask only the credentials: schemathesis' default markers ("key", "token", ...) also
            # mask Idempotency-Key, which hides the very value a negative case is about.
            "output": {
                "sanitization": {
                    "keys-to-sanitize": ["authorization", "x-api-key"],
                    "sensitive-markers": ["authorization", "api-key"],
                }
            },
            # Keep testing an operation after its first failure, so one bug does not hide the
            # next one in the same operation (still bounded by max-examples).
            "continue-on-failure": True,
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
            # No stateful phase. It works here (schemathesis infers links such as POST /v1/brands
            # -> GET /v1/brands/{brand_id}), but its sequences feed server-made values (random
            # UUIDs, rows that tie in sort order, idempotency replays) back into generation, so
            # its path and findings changed between identical runs (411 vs 251 cases). All it
            # added was the 200 idempotent replay (found below on drafts) on sibling operations.
            # Real brands come from the dictionary.
            "phases": {"stateful": {"enabled": False}},
            "operations": [
                {
                    # By name: include-method and include-path would match either one (OR).
                    "include-name": "POST /v1/brands/{brand_id}/sources",
                    "generation": {**generation, "max-examples": UPLOAD_MAX_EXAMPLES},
                    "checks": BUSINESS_RULES,
                },
                *(
                    {"include-name": name, "checks": BUSINESS_RULES}
                    for name in RULES_BEYOND_THE_SCHEMA
                ),
                *WAITING,
            ],
        }
    )


@dataclass
class Variant:
    """One distinct way a finding shows up: what the check said, the response, a curl command."""

    message: str
    status: int | None
    body: str
    reproduction: str


@dataclass
class Finding:
    """One failing (operation, check, title): its distinct variants and how often it failed."""

    operation: str
    check: str
    title: str
    variants: dict[str, Variant] = field(default_factory=dict)
    phases: set[str] = field(default_factory=set)
    count: int = 0

    def add(self, variant: Variant, phase: str) -> None:
        self.count += 1
        self.phases.add(phase)
        self.variants.setdefault(_shape(variant), variant)


@dataclass
class Report:
    findings: dict[tuple[str, str, str], Finding] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    cases: Counter[str] = field(default_factory=Counter)
    phase_s: dict[str, float] = field(default_factory=dict)
    operation_s: dict[str, float] = field(default_factory=dict)
    checks: Counter[str] = field(default_factory=Counter)
    stop_reason: StopReason | None = None
    elapsed_s: float = 0.0

    def ok(self) -> bool:
        return not self.findings and not self.errors and self.stop_reason == StopReason.COMPLETED

    def stats(self) -> str:
        phases = ", ".join(
            f"{phase} {n} ({self.phase_s.get(phase, 0):.0f} s)"
            for phase, n in sorted(self.cases.items())
        )
        checks = ", ".join(f"{name} {n}" for name, n in sorted(self.checks.items()))
        by_time = sorted(self.operation_s.items(), key=lambda item: -item[1])
        slowest = ", ".join(f"{label} {seconds:.0f} s" for label, seconds in by_time[:4])
        lines = [
            f"schemathesis {schemathesis.__version__}, seed {SEED}: {self.elapsed_s:.0f} s, "
            f"stop reason {self.stop_reason}",
            f"cases (time) by phase: {phases}",
            f"checks run: {checks}",
            f"slowest: {slowest}",
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
            variants = list(finding.variants.values())
            statuses = sorted({v.status for v in variants if v.status is not None})
            lines.append(
                f"{n}. {finding.operation} | {finding.check} | {finding.title} | "
                f"{', '.join(map(str, statuses)) or 'no response'} "
                f"(x{finding.count} in {'/'.join(sorted(finding.phases))}, "
                f"{len(variants)} variant(s))"
            )
            for variant in variants[:MAX_VARIANTS]:
                lines += [
                    _indent(variant.message),
                    f"   -> {variant.status}: {_excerpt(variant.body)}",
                    _indent(variant.reproduction),
                    "",
                ]
            if len(variants) > MAX_VARIANTS:
                lines += [f"   ... and {len(variants) - MAX_VARIANTS} more variant(s)", ""]
        if self.errors:
            lines += ["Errors (operations that could not be tested):", *self.errors, ""]
        if self.stop_reason != StopReason.COMPLETED:
            lines.append(f"The run stopped early ({self.stop_reason}; the guard is {GUARD_S} s)")
        lines += [self.stats(), f"server log: {server_log}"]
        if any(v.status and v.status >= 500 for f in ordered for v in f.variants.values()):
            lines += ["server log tail:", server_log.read_text(errors="replace")[-3000:]]
        return "\n".join(lines)


def _fuzz(schema: schemathesis.BaseSchema) -> Report:
    report = Report()
    started = phase_started = time.monotonic()
    stream = from_schema(schema).execute()
    for event in stream:
        if time.monotonic() - started > GUARD_S:
            stream.stop()
        if isinstance(event, events.PhaseStarted):
            phase_started = time.monotonic()
        elif isinstance(event, events.PhaseFinished):
            name = event.phase.name.value
            report.phase_s[name] = report.phase_s.get(name, 0) + time.monotonic() - phase_started
        elif isinstance(event, events.ScenarioFinished):
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
    report.operation_s[recorder.label] = (
        report.operation_s.get(recorder.label, 0) + event.elapsed_time
    )
    # Most operations have no schema examples; that skip is expected and not worth a line.
    if event.status == Status.SKIP and event.skip_reason and event.phase != PhaseName.EXAMPLES:
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
            finding = report.findings.setdefault(
                (operation, check.name, failure.title),
                Finding(operation=operation, check=check.name, title=failure.title),
            )
            variant = Variant(failure.message.strip(), status, body, info.code_sample)
            finding.add(variant, phase)


def _response(recorder: ScenarioRecorder, case_id: str) -> tuple[int | None, str]:
    interaction = recorder.interactions.get(case_id)
    if interaction is None or interaction.response is None:
        return None, ""
    response = interaction.response
    return response.status_code, response.content.decode(errors="replace")


def _finding_order(finding: Finding) -> tuple[str, str, str]:
    # "POST /v1/brands" -> by path, then method, then check.
    method, _, path = finding.operation.partition(" ")
    return (path or method, method, finding.check)


def _shape(variant: Variant) -> str:
    """What tells two failures of one check apart: the check's message and what the response
    says is wrong (the `problem`s of an error body, not the fields they name), with ids, numbers
    and code points blanked: U+0016 in body.topic and U+0094 in body.brief are the same bug."""
    try:
        data = json.loads(variant.body)
    except ValueError:
        data = variant.body
    if isinstance(data, dict) and isinstance(data.get("fields"), list):
        said = "; ".join(
            sorted({str(f.get("problem")) for f in data["fields"] if isinstance(f, dict)})
        )
    elif isinstance(data, dict):
        said = str(data["detail"]) if "detail" in data else ",".join(sorted(data))
    else:
        said = str(data)[:EXCERPT]
    text = f"{variant.status} {variant.message} {said}"
    text = _UUID.sub("<id>", text)
    text = _CODE_POINT.sub("U+?", text)
    return _NUMBER.sub("N", text)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "..."


def _indent(text: str) -> str:
    return "\n".join(f"   {line}" for line in text.splitlines())
