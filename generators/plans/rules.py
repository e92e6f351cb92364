"""The rules every content plan must keep, checked in code on the plan as it would be shown
(whatever wrote it: the model, the offline composer or a manager's edit). Each rule is one
function; `check_plan` runs them all. The figures are stated here, once:

- rubric shares: each rubric's count within SHARE_TOLERANCE of its target (at least one item
  either way, or a tenth of the plan);
- the commercial share at most COMMERCIAL_CAP[community format], never only commercial, and in
  an interest or mixed community no two commercial posts in a row on a platform;
- cadence: each platform gets its posts a week (± 1 over the period), no gap between posts (or
  from the period's start, or to its end) longer than `gap_limit` of the interval (GAP_FACTOR ×
  the interval, or the interval plus a weekend, whichever is longer: five posts a week on
  weekdays is an even cadence), and no more than half its posts (+ 1) in the first half;
- no two items of one rubric back to back on a platform, unless the request allows it;
- no topic repeated in the plan, or too close to one of the brand's recent posts (by meaning:
  cosine similarity of their e5 query embeddings at or over TOPIC_SIMILARITY; a recent post
  by its opening line);
- every item inside the period and on one of its platform's slots (an event's post keeps the
  slot's time but may fall on another weekday: the event's date); each event on its date.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from brand_voice.profile import CommunityFormat
from generators.compliance.report import Severity
from generators.plans.schemas import PlanEvent, PlanItem
from storage.enums import Platform, Rubric

SHARE_TOLERANCE = 0.10
COMMERCIAL_CAP = {
    CommunityFormat.INTEREST: 0.15,  # ads «little by little»
    CommunityFormat.MIXED: 0.35,  # «periodically diluted»
    CommunityFormat.COMMERCIAL: 0.70,  # only-commercial content «causes boredom and negativity»
}
GAP_FACTOR = 1.5
WEEKEND = timedelta(days=2)
TOPIC_SIMILARITY = 0.93  # e5-small query vectors: see generators/plans/topics.py

Similar = Callable[[Sequence[str], Sequence[str]], list[list[float]]]
"""Cosine similarities of every text on the left to every text on the right."""


class PlanViolation(BaseModel):
    """One broken rule, with the items (by index) it concerns."""

    code: str
    severity: Severity = Severity.ERROR
    message: str
    items: list[int] = []


class PlanReport(BaseModel):
    """What the plan's checks found, shown like a draft's validation."""

    passed: bool
    violations: list[PlanViolation]

    @classmethod
    def of(cls, violations: list[PlanViolation]) -> PlanReport:
        """Passes when no violation is an error."""
        passed = not any(v.severity is Severity.ERROR for v in violations)
        return cls(passed=passed, violations=violations)


@dataclass(frozen=True)
class Slots:
    """One platform's cadence: posts a week, and the weekdays and times allowed (empty: any)."""

    posts_per_week: int
    days: frozenset[int] = frozenset()
    times: frozenset[time] = frozenset()


@dataclass(frozen=True)
class RubricTarget:
    """A rubric of the profile and its target share."""

    name: str
    category: Rubric
    share: float


@dataclass(frozen=True)
class PlanFrame:
    """Everything a plan is checked against."""

    starts_on: date
    days: int
    tz: ZoneInfo
    cadence: dict[Platform, Slots]
    rubrics: tuple[RubricTarget, ...]
    community: CommunityFormat
    events: tuple[PlanEvent, ...] = ()
    same_rubric_in_a_row: bool = False
    recent_topics: tuple[str, ...] = ()

    @property
    def ends_on(self) -> date:
        """The first day after the period."""
        return self.starts_on + timedelta(days=self.days)

    def start(self) -> datetime:
        """The period's first moment, in the brand's time zone."""
        return datetime.combine(self.starts_on, time(0), self.tz)

    def end(self) -> datetime:
        """The moment after the period."""
        return datetime.combine(self.ends_on, time(0), self.tz)

    def expected(self, platform: Platform) -> int:
        """How many posts the platform's cadence asks for over the period."""
        return max(1, round(self.cadence[platform].posts_per_week * self.days / 7))

    def interval(self, platform: Platform) -> timedelta:
        """The time between two posts at the platform's cadence."""
        return timedelta(days=7) / self.cadence[platform].posts_per_week


def gap_limit(interval: timedelta) -> timedelta:
    """The longest stretch without a post that a cadence of this interval allows."""
    return max(interval * GAP_FACTOR, interval + WEEKEND)


def check_plan(items: Sequence[PlanItem], frame: PlanFrame, similar: Similar) -> PlanReport:
    """Every rule on the plan; the report lists each problem with the items it concerns."""
    found: list[PlanViolation] = []
    for rule in (_in_period_and_slots, _events, _counts_and_gaps, _in_a_row, _shares):
        found += rule(items, frame)
    found += _topics(items, frame, similar)
    return PlanReport.of(found)


def _local(item: PlanItem, frame: PlanFrame) -> datetime:
    return item.at.astimezone(frame.tz)


def _label(item: PlanItem, frame: PlanFrame) -> str:
    return f"{item.platform.value} {_local(item, frame):%Y-%m-%d %H:%M}"


def _by_platform(items: Sequence[PlanItem]) -> dict[Platform, list[int]]:
    """Item indices per platform, in time order."""
    out: dict[Platform, list[int]] = defaultdict(list)
    for i in sorted(range(len(items)), key=lambda i: items[i].at):
        out[items[i].platform].append(i)
    return out


def _in_period_and_slots(items: Sequence[PlanItem], frame: PlanFrame) -> list[PlanViolation]:
    found = []
    for i, item in enumerate(items):
        local = _local(item, frame)
        slots = frame.cadence.get(item.platform)
        if slots is None:
            found.append(
                _error("unplanned_platform", f"{item.platform.value} is not in the plan", i)
            )
            continue
        if not frame.starts_on <= local.date() < frame.ends_on:
            last = frame.ends_on - timedelta(days=1)
            message = f"{_label(item, frame)} is outside the period {frame.starts_on}–{last}"
            found.append(_error("outside_period", message, i))
        if slots.days and local.isoweekday() not in slots.days and item.event is None:
            days = ", ".join(_DAY_NAMES[d] for d in sorted(slots.days))
            found.append(_error("off_slot", f"{_label(item, frame)} is not on {days}", i))
        if slots.times and local.time().replace(second=0, microsecond=0) not in slots.times:
            times = ", ".join(f"{t:%H:%M}" for t in sorted(slots.times))
            found.append(_error("off_slot", f"{_label(item, frame)} is not at {times}", i))
    return found


def _events(items: Sequence[PlanItem], frame: PlanFrame) -> list[PlanViolation]:
    found = []
    first = next(iter(frame.cadence), None)
    for event in frame.events:
        where = set(event.platforms) or ({first} if first else set())
        hits = [
            i
            for i, item in enumerate(items)
            if item.event == event.title
            and _local(item, frame).date() == event.on
            and item.platform in where
        ]
        if not hits:
            on = ", ".join(sorted(p.value for p in where))
            message = f"«{event.title}» needs a post on {event.on} ({on})"
            found.append(_error("event_missed", message))
    return found


def _counts_and_gaps(items: Sequence[PlanItem], frame: PlanFrame) -> list[PlanViolation]:
    found = []
    by_platform = _by_platform(items)
    for platform in frame.cadence:
        mine = by_platform.get(platform, [])
        expected = frame.expected(platform)
        if abs(len(mine) - expected) > 1:
            message = (
                f"{platform.value}: {len(mine)} posts; its cadence asks for {expected} "
                f"over {frame.days} days"
            )
            found.append(_error("wrong_frequency", message, *mine))
        if not mine:
            continue
        limit = gap_limit(frame.interval(platform))
        stamps = [frame.start(), *(items[i].at for i in mine), frame.end()]
        for k, (a, b) in enumerate(itertools.pairwise(stamps)):
            if b - a > limit:
                around = mine[max(0, k - 1) : k + 1]
                days = (b - a).total_seconds() / 86400
                message = (
                    f"{platform.value}: {days:.1f} days without a post "
                    f"(at most {limit.total_seconds() / 86400:.1f} at its cadence)"
                )
                found.append(_error("gap", message, *around))
        half = frame.start() + (frame.end() - frame.start()) / 2
        early = [i for i in mine if items[i].at < half]
        if len(early) > math.ceil(len(mine) / 2) + 1:
            message = f"{platform.value}: {len(early)} of {len(mine)} posts in the first half"
            found.append(_error("front_loaded", message, *early))
    return found


def clash(first: tuple[str, Rubric], then: tuple[str, Rubric], frame: PlanFrame) -> str | None:
    """Why a post of rubric `then` (name, category) may not follow one of `first` on a
    platform: "rubric_in_a_row", "commercial_in_a_row", or None when it may. The one rule the
    checks, the composer and repair all use."""
    if not frame.same_rubric_in_a_row and first[0].casefold() == then[0].casefold():
        return "rubric_in_a_row"
    diluted = frame.community is not CommunityFormat.COMMERCIAL
    if diluted and first[1] is then[1] is Rubric.COMMERCIAL:
        return "commercial_in_a_row"
    return None


def _in_a_row(items: Sequence[PlanItem], frame: PlanFrame) -> list[PlanViolation]:
    found = []
    for platform, mine in _by_platform(items).items():
        for a, b in itertools.pairwise(mine):
            first, second = items[a], items[b]
            code = clash((first.rubric, first.category), (second.rubric, second.category), frame)
            if code == "rubric_in_a_row":
                message = f"{platform.value}: two «{first.rubric}» posts in a row"
                found.append(_error(code, message, a, b))
            elif code == "commercial_in_a_row":
                message = (
                    f"{platform.value}: two commercial posts in a row; a "
                    f"{frame.community.value} community needs them diluted"
                )
                found.append(_error(code, message, a, b))
    return found


def _shares(items: Sequence[PlanItem], frame: PlanFrame) -> list[PlanViolation]:
    found: list[PlanViolation] = []
    total = len(items)
    if total == 0:
        return [_error("empty_plan", "The plan has no items")]
    names = {r.name.casefold(): r for r in frame.rubrics}
    counts = Counter(item.rubric.casefold() for item in items)
    for i, item in enumerate(items):
        if frame.rubrics and item.rubric.casefold() not in names:
            known = ", ".join(f"«{r.name}»" for r in frame.rubrics)
            message = (
                f"{_label(item, frame)}: «{item.rubric}» is not a rubric of the brand ({known})"
            )
            found.append(_error("unknown_rubric", message, i))
    allowed = max(1.0, SHARE_TOLERANCE * total)
    for rubric in frame.rubrics:
        have, want = counts.get(rubric.name.casefold(), 0), rubric.share * total
        if abs(have - want) > allowed:
            message = (
                f"«{rubric.name}»: {have} of {total} posts ({have / total:.0%}); "
                f"its target is {rubric.share:.0%} (± {allowed:.0f})"
            )
            found.append(_error("rubric_share", message))
    commercial = sum(1 for item in items if item.category is Rubric.COMMERCIAL)
    cap = COMMERCIAL_CAP[frame.community]
    if commercial == total:
        found.append(_error("only_commercial", "Every post is commercial: dilute them"))
    elif commercial / total > cap + 1e-9:
        message = (
            f"{commercial} of {total} posts are commercial ({commercial / total:.0%}); a "
            f"{frame.community.value} community takes at most {cap:.0%}"
        )
        found.append(_error("commercial_share", message))
    return found


def is_repeat(a: str, b: str, similarity: float) -> bool:
    """Whether topic `a` repeats `b`: the same words, or close by meaning (`similarity` is
    theirs, from a `Similar`)."""
    return similarity >= TOPIC_SIMILARITY or _words(a) == _words(b)


def repeated(topic: str, others: Sequence[str], similar: Similar) -> int | None:
    """The index of the first of `others` that `topic` repeats, or None."""
    if not others:
        return None
    scores = similar([topic], others)[0]
    return next((j for j, other in enumerate(others) if is_repeat(topic, other, scores[j])), None)


def _topics(items: Sequence[PlanItem], frame: PlanFrame, similar: Similar) -> list[PlanViolation]:
    found: list[PlanViolation] = []
    topics = [item.topic for item in items]
    if not topics:
        return found
    within = similar(topics, topics)
    for a in range(len(topics)):
        for b in range(a + 1, len(topics)):
            if is_repeat(topics[b], topics[a], within[a][b]):
                message = f"«{topics[b]}» repeats «{topics[a]}»"
                found.append(_error("repeated_topic", message, a, b))
    for i, topic in enumerate(topics):
        j = repeated(topic, frame.recent_topics, similar)
        if j is not None:
            recent = frame.recent_topics[j][:120]
            found.append(
                _error("recent_topic", f"«{topic}» is too close to a recent post: «{recent}»", i)
            )
    return found


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in "".join(c if c.isalnum() else " " for c in text.casefold()).split())


def _error(code: str, message: str, *items: int) -> PlanViolation:
    return PlanViolation(code=code, message=message, items=sorted(set(items)))


_DAY_NAMES = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}
