"""Repair of a proposed plan (the model's, or an edited one): what code can fix without new
topics, it fixes; what it cannot becomes holes, places in the plan that need a new item of a
given rubric (the model is asked for those only, or the composer fills them offline).

In order: items of platforms not in the plan, of rubrics the brand does not have, and topics
that repeat one another or a recent post are dropped; each rubric keeps at most its quota
(the commercial share capped); the rest are laid on the plan's grid of places
(`composer.plan_places`: even spacing on the allowed slots, events on their dates), an event's
item on its event's place and the others in their order, each place taking the first item
that does not repeat the rubric before it (nor clash with the event's item that takes the
platform's next place). Places left empty are the holes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from generators.plans.composer import Hole, Place, plan_places, rubric_quotas
from generators.plans.rules import PlanFrame, RubricTarget, Similar, clash, repeated
from generators.plans.schemas import PlanItem
from storage.enums import Platform, Rubric


@dataclass(frozen=True)
class PlanRepair:
    """The repaired items (in time order), the holes left, and what was changed."""

    items: list[PlanItem]
    holes: list[Hole]
    changes: list[str]


def repair_plan(items: Sequence[PlanItem], frame: PlanFrame, similar: Similar) -> PlanRepair:
    """Lay the proposal on the plan's grid, keeping what keeps the rules (see the module)."""
    changes: list[str] = []
    kept = _known(items, frame, changes)
    kept = _fresh(kept, frame, similar, changes)
    places = sorted(plan_places(frame), key=lambda p: (p.at, p.platform.value))
    quotas = rubric_quotas(frame, len(places))
    kept = _within_quotas(kept, quotas, changes)
    laid, holes = _lay(kept, places, frame, quotas, changes)
    return PlanRepair(sorted(laid, key=lambda i: (i.at, i.platform.value)), holes, changes)


def _known(items: Sequence[PlanItem], frame: PlanFrame, changes: list[str]) -> list[PlanItem]:
    rubrics = {r.name.casefold(): r for r in frame.rubrics}
    kept = []
    for item in items:
        rubric = rubrics.get(item.rubric.casefold())
        if item.platform not in frame.cadence:
            changes.append(f"dropped «{item.topic}»: {item.platform.value} is not in the plan")
        elif rubric is None:
            changes.append(f"dropped «{item.topic}»: «{item.rubric}» is not a rubric of the brand")
        else:  # the brand's spelling and category of its rubric
            kept.append(
                item.model_copy(update={"rubric": rubric.name, "category": rubric.category})
            )
    return kept


def _fresh(
    items: list[PlanItem], frame: PlanFrame, similar: Similar, changes: list[str]
) -> list[PlanItem]:
    kept: list[PlanItem] = []
    seen = list(frame.recent_topics)
    for item in sorted(items, key=lambda i: i.at):
        j = repeated(item.topic, seen, similar)
        if j is not None:
            changes.append(f"dropped «{item.topic}»: it repeats «{seen[j][:120]}»")
            continue
        kept.append(item)
        seen.append(item.topic)
    return kept


def _within_quotas(
    items: list[PlanItem], quotas: dict[str, int], changes: list[str]
) -> list[PlanItem]:
    count: dict[str, int] = defaultdict(int)
    kept = []
    for item in sorted(items, key=lambda i: (i.event is None, i.at)):  # events first
        if count[item.rubric] >= quotas.get(item.rubric, 0):
            changes.append(f"dropped «{item.topic}»: «{item.rubric}» is over its share")
            continue
        count[item.rubric] += 1
        kept.append(item)
    return kept


def _lay(
    items: list[PlanItem],
    places: list[Place],
    frame: PlanFrame,
    quotas: dict[str, int],
    changes: list[str],
) -> tuple[list[PlanItem], list[Hole]]:
    waiting: dict[Platform, list[PlanItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: i.at):
        waiting[item.platform].append(item)
    left = dict(quotas)
    for item in items:
        left[item.rubric] -= 1
    laid: list[PlanItem] = []
    holes: list[Hole] = []
    previous: dict[Platform, tuple[str, Rubric]] = {}
    ahead = _event_items_ahead(places, waiting)

    def clashes(rubric: str, category: Rubric, k: int) -> bool:
        """Whether the rubric may not follow the platform's last item, or precede the event
        item that takes the platform's next place."""
        before, after = previous.get(places[k].platform), ahead.get(k)
        return (before is not None and clash(before, (rubric, category), frame) is not None) or (
            after is not None and clash((rubric, category), after, frame) is not None
        )

    for k, place in enumerate(places):
        queue = waiting[place.platform]
        if place.event is not None:
            chosen = next((i for i in queue if i.event == place.event.title), None)
        else:
            free = [i for i in queue if i.event is None]
            chosen = next((i for i in free if not clashes(i.rubric, i.category, k)), None)
        if chosen is None:
            open_to = [r for r in frame.rubrics if not clashes(r.name, r.category, k)]
            rubric = _wanted(open_to or list(frame.rubrics), left)
            left[rubric.name] -= 1
            holes.append(Hole(place, rubric))
            previous[place.platform] = (rubric.name, rubric.category)
            continue
        queue.remove(chosen)
        if chosen.at != place.at:
            changes.append(f"moved «{chosen.topic}» to {place.at:%Y-%m-%d %H:%M}")
        laid.append(chosen.model_copy(update={"at": place.at}))
        previous[place.platform] = (chosen.rubric, chosen.category)
    for platform, rest in waiting.items():
        for item in rest:
            changes.append(f"dropped «{item.topic}»: {platform.value} has no place left for it")
    return laid, holes


def _event_items_ahead(
    places: list[Place], waiting: dict[Platform, list[PlanItem]]
) -> dict[int, tuple[str, Rubric]]:
    """For each place whose platform's next place is an event's, the rubric of the item
    waiting for that event: what the place's item must not clash with."""
    out: dict[int, tuple[str, Rubric]] = {}
    last: dict[Platform, int] = {}
    for k, place in enumerate(places):
        before = last.get(place.platform)
        last[place.platform] = k
        if before is None or place.event is None:
            continue
        title = place.event.title
        item = next((i for i in waiting[place.platform] if i.event == title), None)
        if item is not None:
            out[before] = (item.rubric, item.category)
    return out


def _wanted(rubrics: list[RubricTarget], left: dict[str, int]) -> RubricTarget:
    """The rubric with the most of its quota left."""
    return min(rubrics, key=lambda r: (-left.get(r.name, 0), -r.share, r.name))
