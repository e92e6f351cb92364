"""What the review page shows, computed from the API's own read models: a plan as weeks of
days, its rubric shares against the targets, a draft's text split into highlighted parts, the
word differences between versions, and a brand's edit-distance trend as chart points."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from api.plan_schemas import PlanItemRead, PlanRead

PALETTE = ("#2f6fde", "#d9822b", "#2e9e6a", "#b84fb4", "#c23b3b", "#6b7c93", "#a08400")
"""Rubric colours, in the order of the plan's rubrics (colour-blind-safe enough with labels)."""


@dataclass(frozen=True)
class Share:
    """One rubric's target share of the plan and its actual one."""

    rubric: str
    colour: str
    target: float
    actual: float
    count: int


@dataclass(frozen=True)
class Day:
    """A calendar day and the plan's items on it (in the brand's time zone)."""

    day: date
    in_period: bool
    items: list[tuple[str, PlanItemRead]]  # (local time "HH:MM", item)


def rubric_colours(plan: PlanRead) -> dict[str, str]:
    """Each rubric's colour: the plan's rubrics in their order, then any other an item has."""
    names = [str(r["name"]) for r in plan.basis.get("rubrics", [])]
    names += [i.rubric for i in plan.plan_items if i.rubric not in names]
    return {name: PALETTE[n % len(PALETTE)] for n, name in enumerate(dict.fromkeys(names))}


def shares(plan: PlanRead) -> list[Share]:
    """Every rubric's target (from the plan's basis) and actual share of its items."""
    colours = rubric_colours(plan)
    counts = Counter(i.rubric for i in plan.plan_items)
    total = max(len(plan.plan_items), 1)
    targets = {str(r["name"]): float(r["share"]) for r in plan.basis.get("rubrics", [])}
    return [
        Share(name, colour, targets.get(name, 0.0), counts[name] / total, counts[name])
        for name, colour in colours.items()
    ]


def weeks(plan: PlanRead, view: str) -> list[list[Day]]:
    """The plan's calendar, Monday first: the weeks of its period ("week"), or the whole
    months it touches ("month")."""
    zone = ZoneInfo(plan.timezone)
    first, last = plan.starts_on, plan.starts_on + timedelta(days=plan.days - 1)
    if view == "month":
        start = first.replace(day=1)
        following = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = following - timedelta(days=1)
    else:
        start, end = first, last
    start -= timedelta(days=start.weekday())
    end += timedelta(days=6 - end.weekday())
    by_day: dict[date, list[tuple[str, PlanItemRead]]] = {}
    for item in plan.plan_items:
        local = item.at.astimezone(zone)
        by_day.setdefault(local.date(), []).append((f"{local:%H:%M}", item))
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    cells = [Day(d, first <= d <= last, sorted(by_day.get(d, []), key=_at)) for d in days]
    return [cells[n : n + 7] for n in range(0, len(cells), 7)]


def _at(entry: tuple[str, PlanItemRead]) -> str:
    return entry[0]


@dataclass(frozen=True)
class Segment:
    """A piece of text, marked when a check found a problem in it (`code` says which)."""

    text: str
    code: str = ""


def highlighted(text: str, violations: list[dict[str, object]]) -> list[Segment]:
    """The text cut into pieces, the words each violation `found` marked (case-insensitive,
    every occurrence); the template escapes every piece."""
    marks: list[tuple[int, int, str]] = []
    for violation in violations:
        found = str(violation.get("found") or "").strip()
        if not found:
            continue
        for match in re.finditer(re.escape(found), text, flags=re.IGNORECASE):
            marks.append((match.start(), match.end(), str(violation.get("code", ""))))
    segments: list[Segment] = []
    at = 0
    for start, end, code in sorted(marks):
        if start < at:
            continue  # overlaps a mark already made
        if start > at:
            segments.append(Segment(text[at:start]))
        segments.append(Segment(text[start:end], code or "problem"))
        at = end
    if at < len(text):
        segments.append(Segment(text[at:]))
    return segments


@dataclass(frozen=True)
class Change:
    """A run of words the same, added or removed between two versions."""

    op: str  # "same", "add", "remove"
    text: str


def differences(before: str, after: str) -> list[Change]:
    """Word-level differences from `before` to `after` (whitespace kept with its words)."""
    old, new = re.findall(r"\S+\s*", before), re.findall(r"\S+\s*", after)
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes.append(Change("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            changes.append(Change("remove", "".join(old[i1:i2])))
        if j2 > j1:
            changes.append(Change("add", "".join(new[j1:j2])))
    return changes


@dataclass(frozen=True)
class Trend:
    """Mean edit ratio per week of approval, with the SVG polyline that draws it."""

    weeks: list[tuple[date, float, int]]  # (Monday, mean ratio, approvals)
    points: str
    width: int
    height: int


def trend(approvals: list[tuple[datetime, float]], width: int = 560, height: int = 140) -> Trend:
    """Approvals (when, edit ratio) grouped by ISO week, oldest first, as chart points (the
    ratio 0..1 drawn bottom to top)."""
    by_week: dict[date, list[float]] = {}
    for at, ratio in approvals:
        monday = at.date() - timedelta(days=at.weekday())
        by_week.setdefault(monday, []).append(ratio)
    rows = [(week, sum(r) / len(r), len(r)) for week, r in sorted(by_week.items())]
    step = width / max(len(rows) - 1, 1)
    points = " ".join(
        f"{n * step:.1f},{height - ratio * height:.1f}" for n, (_, ratio, _) in enumerate(rows)
    )
    return Trend(rows, points, width, height)
