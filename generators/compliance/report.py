"""What the checks found: each problem with its code, severity, place and words to act on."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel


class Severity(StrEnum):
    """An error blocks publishing; a warning is shown to the person approving."""

    ERROR = "error"
    WARNING = "warning"


class Part(StrEnum):
    """Where in the post a problem is."""

    HEADLINE = "headline"
    BODY = "body"
    CALL_TO_ACTION = "call_to_action"
    HASHTAGS = "hashtags"
    POST = "post"  # the post as a whole (its length, its language, a missing phrase)


MENDED_WITHOUT_REWRITING = frozenset(
    {"too_many_hashtags", "missing_ad_label", "missing_disclaimer"}
)
"""Errors that repair mends without touching the post's words (`repair.repair_post`: the
surplus hashtags dropped, branded ones kept first; the ad label and the disclaimers appended):
asking the model again for one of these alone costs a model latency and changes nothing a
reader would miss."""


class Violation(BaseModel):
    """One problem with a draft, in words the copywriter can act on."""

    code: str
    severity: Severity
    message: str
    part: Part = Part.POST
    found: str | None = None  # the offending words, as written, to highlight


class ValidationReport(BaseModel):
    """The checks a draft went through and what they found."""

    passed: bool
    length: int
    limit: int
    violations: list[Violation]

    @classmethod
    def of(cls, length: int, limit: int, violations: list[Violation]) -> ValidationReport:
        """A report that passes when no violation is an error."""
        passed = not any(v.severity is Severity.ERROR for v in violations)
        return cls(passed=passed, length=length, limit=limit, violations=violations)

    def errors(self) -> list[Violation]:
        """The violations that block publishing."""
        return [v for v in self.violations if v.severity is Severity.ERROR]

    def needs_rewriting(self) -> bool:
        """True when an error is one only a rewrite fixes (see MENDED_WITHOUT_REWRITING)."""
        return any(v.code not in MENDED_WITHOUT_REWRITING for v in self.errors())


def stored_of(
    validation: Mapping[str, Any], severity: Severity = Severity.ERROR
) -> list[Mapping[str, Any]]:
    """The violations of one severity in a report as a draft row stores it
    (`ValidationReport.model_dump`), as stored: the one reader of stored reports (a list
    counts them without parsing each)."""
    return [v for v in validation.get("violations", []) if v.get("severity") == severity.value]


def stored_violations(
    validation: Mapping[str, Any], severity: Severity = Severity.ERROR
) -> list[Violation]:
    """The same, as Violation models."""
    return [Violation.model_validate(v) for v in stored_of(validation, severity)]


def error(code: str, message: str, part: Part = Part.POST, found: str | None = None) -> Violation:
    """A problem that blocks publishing."""
    return Violation(code=code, severity=Severity.ERROR, message=message, part=part, found=found)


def warning(code: str, message: str, part: Part = Part.POST, found: str | None = None) -> Violation:
    """A problem for the person approving to judge."""
    return Violation(code=code, severity=Severity.WARNING, message=message, part=part, found=found)
