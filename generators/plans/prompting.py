"""The content-plan prompts, rendered from template files: one system message for every plan
call (the brand and the rules a plan keeps), then the user message of the call: the whole plan
(`plan_user.j2`: the frame, the places, the rubrics and their shares, events, goals, the recent
topics and the ideas), its holes only (`plan_holes.j2`), or one item again (`plan_item.j2`).
Untrusted text (the brand's material, recent posts, the request's titles and goals, a
manager's comment) goes through the `fenced` filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from brand_voice.profile import LANGUAGE_NAMES, CommunityFormat
from generators.llm.facts import PlanFacts
from generators.llm.port import Prompt
from generators.plans.composer import Hole, plan_places, rubric_quotas
from generators.plans.material import PlanMaterial
from generators.plans.rules import COMMERCIAL_CAP, PlanFrame, RubricTarget
from prompts.render import render
from storage.enums import Platform

_DAYS = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


def plan_system(material: PlanMaterial) -> str:
    """The system message every plan call of a brand shares."""
    return render(
        "plan_system.j2",
        brand_name=material.brand_name,
        language_name=_language(material.language),
    )


def plan_prompt(material: PlanMaterial) -> Prompt:
    """The prompt for a whole plan in the material's frame."""
    frame = material.frame
    places = sorted(plan_places(frame), key=lambda p: (p.at, p.platform.value))
    quotas = rubric_quotas(frame, len(places))
    platforms = [
        {
            "name": platform.value,
            "per_week": slots.posts_per_week,
            "posts": sum(1 for p in places if p.platform is platform),
            "days": ", ".join(_DAYS[d] for d in sorted(slots.days)) or "any",
            "times": ", ".join(f"{t:%H:%M}" for t in sorted(slots.times)) or "any",
            "places": [_local(p.at, frame) for p in places if p.platform is platform],
        }
        for platform, slots in frame.cadence.items()
    ]
    rubrics = [
        {**_rubric(r, material), "share": round(r.share * 100), "count": quotas.get(r.name, 0)}
        for r in frame.rubrics
    ]
    user = render(
        "plan_user.j2",
        starts_on=frame.starts_on,
        last_day=frame.ends_on - timedelta(days=1),
        days=frame.days,
        timezone=str(frame.tz),
        total=len(places),
        platforms=platforms,
        rubrics=rubrics,
        commercial_cap=round(COMMERCIAL_CAP[frame.community] * 100),
        diluted=frame.community is not CommunityFormat.COMMERCIAL,
        same_rubric_in_a_row=frame.same_rubric_in_a_row,
        events=[_event(e.on, e.kind.value, e.title, e.platforms, frame) for e in frame.events],
        goals=material.goals,
        recent_topics=frame.recent_topics,
        ideas=_ideas(material, [r.name for r in frame.rubrics]),
        language_name=_language(material.language),
    )
    return _prompt(material, user, "plan", len(places))


def holes_prompt(material: PlanMaterial, holes: Sequence[Hole], taken: Sequence[str]) -> Prompt:
    """The prompt for the holes repair left, and them only (`taken`: the plan's topics)."""
    frame = material.frame
    listed = [
        {
            **_rubric(h.rubric, material),
            "platform": h.place.platform.value,
            "at": _local(h.place.at, frame),
            "weekday": _DAYS[h.place.at.astimezone(frame.tz).isoweekday()],
            "event": h.place.event.title if h.place.event else None,
        }
        for h in holes
    ]
    wanted = list(dict.fromkeys(h.rubric.name for h in holes))
    user = render(
        "plan_holes.j2",
        starts_on=frame.starts_on,
        last_day=frame.ends_on - timedelta(days=1),
        timezone=str(frame.tz),
        holes=listed,
        goals=material.goals,
        taken=[*taken, *frame.recent_topics],
        ideas=_ideas(material, wanted),
        language_name=_language(material.language),
    )
    return _prompt(material, user, "holes", len(holes))


@dataclass(frozen=True)
class ItemSlot:
    """The place of an item being written again, and what it was."""

    at: datetime
    platform: Platform
    rubric: RubricTarget
    event: str | None
    topic: str
    goal: str


def item_prompt(
    material: PlanMaterial,
    slot: ItemSlot,
    guidance: str,
    taken: Sequence[str],
    ideas: Sequence[str],
) -> Prompt:
    """The prompt for one item again, on its slot, with the manager's comment (`taken`: the
    plan's other topics and the recent posts')."""
    user = render(
        "plan_item.j2",
        **_rubric(slot.rubric, material),
        platform=slot.platform.value,
        at=_local(slot.at, material.frame),
        timezone=str(material.frame.tz),
        event=slot.event,
        topic=slot.topic,
        goal=slot.goal,
        guidance=guidance.strip(),
        taken=taken,
        ideas=ideas,
        language_name=_language(material.language),
    )
    return _prompt(material, user, "item", 1)


def _prompt(material: PlanMaterial, user: str, task: str, wanted: int) -> Prompt:
    facts = PlanFacts(
        task=task, brand_name=material.brand_name, language=material.language, items_wanted=wanted
    )
    return Prompt(plan_system(material), user, facts)


def _rubric(rubric: RubricTarget, material: PlanMaterial) -> dict[str, str]:
    return {
        "rubric": rubric.name,
        "name": rubric.name,
        "category": rubric.category.value,
        "description": material.descriptions.get(rubric.name, ""),
    }


def _event(
    on: object, kind: str, title: str, platforms: Sequence[Platform], frame: PlanFrame
) -> dict[str, object]:
    where = platforms or list(frame.cadence)[:1]
    return {"on": on, "kind": kind, "title": title, "platforms": ", ".join(p.value for p in where)}


def _ideas(material: PlanMaterial, rubrics: Sequence[str]) -> list[dict[str, object]]:
    return [{"rubric": name, "ideas": list(material.ideas.get(name, ()))} for name in rubrics]


def _local(at: datetime, frame: PlanFrame) -> str:
    return f"{at.astimezone(frame.tz):%Y-%m-%dT%H:%M}"


def _language(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
