"""The offline plan composer: a plan that keeps every rule, built from the cadence, the
rubrics and the brand's own material without any model. Also what repair falls back on.

Slots are spread evenly over each platform's allowed weekdays and times; events take the slot
of their date (or one moved there); rubrics are dealt by their remaining quota, never one
rubric twice in a row on a platform and, in an interest or mixed community, never two
commercial posts in a row; topics come from the ideas given per rubric (the brand's guide and
past posts, see the plan service), none repeated by meaning."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from brand_voice.profile import CommunityFormat
from generators.plans.rules import (
    COMMERCIAL_CAP,
    PlanFrame,
    RubricTarget,
    Similar,
    clash,
    is_repeat,
    repeated,
)
from generators.plans.schemas import EventKind, PlanEvent, PlanItem
from generators.plans.slots import DEFAULT_TIMES
from storage.enums import Platform, Rubric

EVENT_CATEGORIES = {
    EventKind.PROMOTION: (Rubric.COMMERCIAL, Rubric.NEWS),
    EventKind.LAUNCH: (Rubric.NEWS, Rubric.COMMERCIAL),
    EventKind.HOLIDAY: (Rubric.ENTERTAINING, Rubric.NEWS),
    EventKind.NEWS: (Rubric.NEWS, Rubric.EDUCATIONAL),
}
_GOALS = {
    "ru": {
        Rubric.EDUCATIONAL: "сохранения и доверие к экспертизе",
        Rubric.ENTERTAINING: "охват и репосты",
        Rubric.COMMERCIAL: "переходы и заказы",
        Rubric.UGC: "вовлечение сообщества",
        Rubric.NEWS: "узнаваемость и доверие",
    },
    "en": {
        Rubric.EDUCATIONAL: "saves and trust in our expertise",
        Rubric.ENTERTAINING: "reach and shares",
        Rubric.COMMERCIAL: "clicks and sign-ups",
        Rubric.UGC: "community engagement",
        Rubric.NEWS: "awareness and trust",
    },
}


@dataclass
class Place:
    """A place in the plan: when, where, and the event it is for."""

    at: datetime
    platform: Platform
    event: PlanEvent | None = None


def compose_plan(
    frame: PlanFrame,
    ideas: Mapping[str, Sequence[str]],
    similar: Similar,
    language: str = "ru",
    goals: Sequence[str] = (),
    descriptions: Mapping[str, str] | None = None,
) -> list[PlanItem]:
    """A plan for `frame`, in time order; `ideas` are candidate topics per rubric name."""
    slots = sorted(plan_places(frame), key=lambda s: (s.at, s.platform.value))
    quotas = rubric_quotas(frame, len(slots))
    topics = TopicPool(ideas, similar, frame.recent_topics)
    style = _Style(language, goals, descriptions or {})
    order: dict[Platform, list[int]] = defaultdict(list)
    for i, slot in enumerate(slots):
        order[slot.platform].append(i)
    place = {i: (slot.platform, k) for slot in slots for k, i in enumerate(order[slot.platform])}
    assigned: dict[int, RubricTarget] = {}

    def neighbours(i: int) -> list[RubricTarget]:
        platform, k = place[i]
        seq = order[platform]
        around = [seq[k - 1] if k > 0 else None, seq[k + 1] if k + 1 < len(seq) else None]
        return [assigned[j] for j in around if j is not None and j in assigned]

    # Events are fixed points: their rubrics first, then the rest dealt around them.
    for events_first in (True, False):
        for i, slot in enumerate(slots):
            if (slot.event is not None) is events_first:
                rubric = _pick(frame, quotas, neighbours(i), slot.event, topics.has_ideas)
                quotas[rubric.name] -= 1
                assigned[i] = rubric
    return [
        _item(slot, assigned[n], topics.take(assigned[n].name, slot.event, language), n, style)
        for n, slot in enumerate(slots)
    ]


@dataclass(frozen=True)
class Hole:
    """A place that needs a new item, and the rubric it should be."""

    place: Place
    rubric: RubricTarget


@dataclass(frozen=True)
class _Style:
    language: str
    goals: Sequence[str]
    descriptions: Mapping[str, str]


def fill_holes(
    frame: PlanFrame,
    holes: Sequence[Hole],
    existing: Sequence[PlanItem],
    ideas: Mapping[str, Sequence[str]],
    similar: Similar,
    language: str = "ru",
    goals: Sequence[str] = (),
    descriptions: Mapping[str, str] | None = None,
) -> list[PlanItem]:
    """New items for the holes repair left, from the ideas, none repeating `existing`."""
    topics = TopicPool(ideas, similar, [*frame.recent_topics, *(i.topic for i in existing)])
    style = _Style(language, goals, descriptions or {})
    return [
        _item(h.place, h.rubric, topics.take(h.rubric.name, h.place.event, language), n, style)
        for n, h in enumerate(holes)
    ]


def _item(place: Place, rubric: RubricTarget, topic: str, n: int, style: _Style) -> PlanItem:
    goal = (
        style.goals[n % len(style.goals)] if style.goals else default_goal(rubric, style.language)
    )
    return briefed_item(place, rubric, topic, goal, style.language, style.descriptions)


def default_goal(rubric: RubricTarget, language: str) -> str:
    """What a post of the rubric's category is for, when the request names no goals."""
    return _GOALS.get(language, _GOALS["en"])[rubric.category]


def briefed_item(
    place: Place,
    rubric: RubricTarget,
    topic: str,
    goal: str,
    language: str,
    descriptions: Mapping[str, str],
) -> PlanItem:
    """An item on `place` with the composer's copy and design briefs for its topic."""
    return PlanItem(
        at=place.at,
        platform=place.platform,
        rubric=rubric.name,
        category=rubric.category,
        topic=topic,
        goal=goal,
        copy_brief=_copy_brief(rubric, topic, goal, language, descriptions),
        design_brief=_design_brief(topic, place.platform, language),
        event=place.event.title if place.event else None,
    )


def plan_places(frame: PlanFrame) -> list[Place]:
    """Each platform's posts spread evenly over its allowed weekdays and times, events on
    their dates: the grid a plan is laid on (the composer fills it; repair moves items onto
    it)."""
    out: list[Place] = []
    first = next(iter(frame.cadence))
    for platform, cadence in frame.cadence.items():
        times = sorted(cadence.times) or [DEFAULT_TIMES[0]]
        days = [
            frame.starts_on + timedelta(days=d)
            for d in range(frame.days)
            if not cadence.days
            or (frame.starts_on + timedelta(days=d)).isoweekday() in cadence.days
        ]
        candidates = [datetime.combine(day, t, frame.tz) for day in days for t in times]
        count = min(frame.expected(platform), len(candidates))
        picked = [candidates[math.floor((k + 0.5) * len(candidates) / count)] for k in range(count)]
        mine = [Place(at, platform) for at in picked]
        for event in frame.events:
            if platform in (event.platforms or [first]):
                _place(mine, event, frame, times[0])
        out += mine
    return out


def _place(slots: list[Place], event: PlanEvent, frame: PlanFrame, at: time) -> None:
    """Give the event the slot on its date, or move the nearest free slot there."""
    free = [s for s in slots if s.event is None]
    on_day = [s for s in free if s.at.astimezone(frame.tz).date() == event.on]
    if on_day:
        on_day[0].event = event
        return
    if not free:
        return
    target = datetime.combine(event.on, at, frame.tz)
    nearest = min(free, key=lambda s: abs(s.at - target))
    nearest.at, nearest.event = target, event
    slots.sort(key=lambda s: s.at)


def rubric_quotas(frame: PlanFrame, total: int) -> dict[str, int]:
    """Items per rubric by largest remainder, the commercial share held under its cap."""
    cap = math.floor(COMMERCIAL_CAP[frame.community] * total)
    if frame.community is CommunityFormat.COMMERCIAL:
        cap = min(cap, total - 1)  # never only commercial
    exact = {r.name: r.share * total for r in frame.rubrics}
    quotas = {name: math.floor(v) for name, v in exact.items()}
    for name in sorted(exact, key=lambda k: exact[k] - quotas[k], reverse=True):
        if sum(quotas.values()) >= total:
            break
        quotas[name] += 1
    commercial = [r.name for r in frame.rubrics if r.category is Rubric.COMMERCIAL]
    others = [r.name for r in frame.rubrics if r.category is not Rubric.COMMERCIAL]
    while others and sum(quotas[c] for c in commercial) > cap:
        biggest = max(commercial, key=lambda c: quotas[c])
        quotas[biggest] -= 1
        quotas[max(others, key=lambda o: exact[o] - quotas[o])] += 1
    return quotas


def _pick(
    frame: PlanFrame,
    quotas: Mapping[str, int],
    neighbours: Sequence[RubricTarget],
    event: PlanEvent | None,
    has_ideas: Callable[[str], bool],
) -> RubricTarget:
    def allowed(rubric: RubricTarget) -> bool:
        return not any(
            clash((other.name, other.category), (rubric.name, rubric.category), frame)
            for other in neighbours
        )

    ranked = sorted(frame.rubrics, key=lambda r: (-quotas[r.name], -r.share, r.name))
    if event is not None:  # the event's categories in turn: with quota left, then without
        for need_quota in (True, False):
            for category in EVENT_CATEGORIES[event.kind]:
                for rubric in ranked:
                    matches = rubric.category is category and allowed(rubric)
                    if matches and (quotas[rubric.name] > 0 or not need_quota):
                        return rubric
    choices = [r for r in ranked if allowed(r)] or ranked
    # A rubric with its quota left and ideas left; then ideas (a share slightly off beats a
    # repeated topic); then the quota.
    preferences: tuple[Callable[[RubricTarget], bool], ...] = (
        lambda r: quotas[r.name] > 0 and has_ideas(r.name),
        lambda r: has_ideas(r.name),
        lambda r: quotas[r.name] > 0,
    )
    for prefer in preferences:
        found = next((r for r in choices if prefer(r)), None)
        if found is not None:
            return found
    return choices[0]


ANGLES = {
    "ru": (
        "Вопрос — ответ",
        "Мифы и факты",
        "За кулисами",
        "Чек-лист",
        "Ошибки новичков",
        "История гостя",
        "Сравнение",
        "Пять фактов",
    ),
    "en": (
        "Questions answered",
        "Myths and facts",
        "Behind the scenes",
        "A checklist",
        "Beginners' mistakes",
        "A customer's story",
        "A comparison",
        "Five facts",
    ),
}
"""Formats a post can take: when a rubric's own ideas run out (a month of daily posts), one
idea seen from a new angle is a new topic, so long plans need no numbered repeats."""


class TopicPool:
    """Each rubric's ideas in turn, none too close to a topic already used (`used`: the recent
    posts' topics and any already in the plan); then its ideas from new angles (ANGLES)."""

    def __init__(
        self, ideas: Mapping[str, Sequence[str]], similar: Similar, used: Sequence[str] = ()
    ) -> None:
        self._ideas = {name: list(values) for name, values in ideas.items()}
        self._subjects = {name: [name, *values] for name, values in ideas.items()}
        self._similar = similar
        self._used: list[str] = list(used)
        self._issue: dict[str, int] = defaultdict(int)
        self._angled: dict[str, int] = defaultdict(int)

    def has_ideas(self, rubric: str) -> bool:
        """Whether the rubric has an idea not yet used (fresh or not)."""
        return bool(self._ideas.get(rubric))

    def take(self, rubric: str, event: PlanEvent | None, language: str) -> str:
        """The event's title for its post; else the rubric's next fresh idea; else one of its
        ideas from a new angle; else a numbered issue of the rubric not used yet."""
        if event is not None:
            return self._use(event.title)
        queue = self._ideas.get(rubric, [])
        while queue:
            idea = queue.pop(0).strip()
            if len(idea) >= 3 and self._fresh(idea):
                return self._use(idea[:300])
        angled = self._angle(rubric, language)
        if angled is not None:
            return self._use(angled)
        word = "выпуск" if language == "ru" else "issue"
        while True:  # no idea left: a numbered issue of the rubric, its number not yet used
            self._issue[rubric] += 1
            issue = f"«{rubric}», {word} {self._issue[rubric]}"
            if not any(is_repeat(issue, used, 0.0) for used in self._used):  # by words only
                return self._use(issue)

    def _angle(self, rubric: str, language: str) -> str | None:
        """The next (angle, subject) pair of the rubric that is fresh by meaning, if any."""
        angles = ANGLES["ru" if language == "ru" else "en"]
        subjects = self._subjects.get(rubric) or [rubric]
        pairs = [(a, s) for s in subjects for a in angles]
        while self._angled[rubric] < len(pairs):
            angle, subject = pairs[self._angled[rubric]]
            self._angled[rubric] += 1
            topic = f"{angle}: {subject[0].lower()}{subject[1:]}"[:300]
            if self._fresh(topic):
                return topic
        return None

    def _fresh(self, idea: str) -> bool:
        return repeated(idea, self._used, self._similar) is None

    def _use(self, topic: str) -> str:
        self._used.append(topic)
        return topic


def _copy_brief(
    rubric: RubricTarget, topic: str, goal: str, language: str, descriptions: Mapping[str, str]
) -> str:
    about = descriptions.get(rubric.name, "")
    if language == "ru":
        text = f"Рубрика «{rubric.name}». Тема: {topic}. Цель: {goal}."
        return f"{text} {about}".strip()
    return f"Rubric “{rubric.name}”. Topic: {topic}. Goal: {goal}. {about}".strip()


def _design_brief(topic: str, platform: Platform, language: str) -> str:
    if language == "ru":
        return f"Карточка в фирменном стиле для {platform.value}: «{topic}», минимум текста."
    return f"A card in the brand's style for {platform.value}: “{topic}”, little text."
