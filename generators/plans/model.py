"""The model's path to a plan: the model proposes, code repairs, the model is asked again for
the holes only, and the offline composer fills what is still missing.

1. One call with the whole frame (`prompting.plan_prompt`), answered as a `ProposedPlan`.
2. `repair.repair_plan` keeps what keeps the rules (moves, drops, re-balances) and names the
   places left empty: the holes.
3. One more call naming each hole (`prompting.holes_prompt`); its answer is repaired with the
   kept items.
4. `composer.fill_holes` fills whatever is still missing, so the plan is whole.

The model's answer never fails the job: when the first call gives LLM_INVALID_OUTPUT or
LLM_UNAVAILABLE (after the client's own retries), the offline composer writes the whole plan;
when the holes call does, the composer fills the holes. Either way the plan says so
(`ModelPlan.fallback`, stored in the plan's basis)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from generators.llm.port import LLM, Completion
from generators.plans.material import PlanMaterial
from generators.plans.prompting import holes_prompt, plan_prompt
from generators.plans.repair import repair_plan
from generators.plans.rules import PlanFrame
from generators.plans.schemas import PlanItem
from storage.enums import Platform, Rubric
from storage.errors import ErrorCode, PostcraftError

log = logging.getLogger(__name__)

FALLBACK_CODES = (ErrorCode.LLM_INVALID_OUTPUT, ErrorCode.LLM_UNAVAILABLE)


class ProposedItem(BaseModel):
    """One post as the model proposes it."""

    model_config = ConfigDict(extra="forbid")

    at: datetime = Field(description="Date and time in the brand's time zone, YYYY-MM-DDTHH:MM")
    platform: Platform
    rubric: str = Field(description="The rubric's exact name")
    topic: str = Field(description="What the post is about, a subject of its own")
    goal: str = Field(description="What the post should achieve")
    copy_brief: str = Field(description="For the copywriter: what the post says and how")
    design_brief: str = Field(description="For the designer: what the picture shows")
    event: str | None = Field(description="The event's title for its post, otherwise null")


class ProposedPlan(BaseModel):
    """The model's answer: the plan's items (or, for the holes, the missing ones)."""

    model_config = ConfigDict(extra="forbid")

    items: list[ProposedItem]


@dataclass(frozen=True)
class ModelPlan:
    """The plan the model's path wrote, the calls it took, what repair changed, how many
    holes the model was asked for and how many the composer filled, and why the composer took
    over (None when it did not)."""

    items: list[PlanItem]
    completions: list[Completion[Any]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    holes_asked: int = 0
    filled_offline: int = 0
    fallback: str | None = None


def model_plan(llm: LLM, material: PlanMaterial) -> ModelPlan:
    """Propose, repair, ask for the holes once, repair, fill (see the module)."""
    frame, similar = material.frame, material.similar
    try:
        first = llm.complete(plan_prompt(material), ProposedPlan)
    except PostcraftError as error:
        if error.code not in FALLBACK_CODES:
            raise
        log.warning("plan: the model failed, the offline composer wrote the plan: %s", error)
        items = material.compose()
        reason = f"{error.code.value}: {error.detail}; the offline composer wrote the plan"
        return ModelPlan(items, filled_offline=len(items), fallback=reason)
    calls: list[Completion[Any]] = [first]
    changes: list[str] = []
    repaired = repair_plan(as_items(first.output.items, frame, changes), frame, similar)
    changes += repaired.changes
    kept, holes, asked, fallback = repaired.items, repaired.holes, len(repaired.holes), None
    if holes:
        prompt = holes_prompt(material, holes, [i.topic for i in kept])
        try:
            second = llm.complete(prompt, ProposedPlan)
        except PostcraftError as error:
            if error.code not in FALLBACK_CODES:
                raise
            log.warning("plan: the model failed on the holes, the composer filled them: %s", error)
            fallback = f"{error.code.value}: {error.detail}; the offline composer filled the holes"
        else:
            calls.append(second)
            added = as_items(second.output.items, frame, changes)
            again = repair_plan([*kept, *added], frame, similar)
            changes += again.changes
            kept, holes = again.items, again.holes
    filled = material.fill(holes, kept)
    items = sorted([*kept, *filled], key=lambda i: (i.at, i.platform.value))
    return ModelPlan(items, calls, changes, asked, len(filled), fallback)


def as_items(
    proposed: Sequence[ProposedItem], frame: PlanFrame, changes: list[str]
) -> list[PlanItem]:
    """The model's items as plan items for repair: times in the brand's zone (a time without
    an offset is the brand's), an event named by its title in the plan's spelling (another
    name is no event), texts cut to their fields' lengths. An item without a topic or a rubric
    is dropped here; everything else is repair's to judge."""
    rubrics = {r.name.casefold(): r for r in frame.rubrics}
    events = {e.title.casefold(): e.title for e in frame.events}
    out = []
    for item in proposed:
        topic, rubric = item.topic.strip(), item.rubric.strip()
        if len(topic) < 3 or not rubric:
            changes.append(f"dropped an item without a topic or a rubric ({item.platform.value})")
            continue
        known = rubrics.get(rubric.casefold())
        event = events.get((item.event or "").strip().casefold())
        if item.event and event is None:
            changes.append(f"«{topic}»: «{item.event}» is not an event of the plan")
        at = item.at.replace(tzinfo=frame.tz) if item.at.tzinfo is None else item.at
        out.append(
            PlanItem(
                at=at.astimezone(frame.tz),
                platform=item.platform,
                rubric=rubric[:120],
                # An unknown rubric's category does not matter: repair drops the item.
                category=known.category if known else Rubric.NEWS,
                topic=topic[:300],
                goal=item.goal.strip()[:300],
                copy_brief=item.copy_brief.strip()[:2000],
                design_brief=item.design_brief.strip()[:1000],
                event=event,
            )
        )
    return out
