"""One plan item written again, for a manager who sent it back with a comment: a new topic,
goal and briefs for the same slot (time, platform, rubric, event), never repeating a topic of
the plan's other items or of the brand's recent posts.

With a model (`llm.can_revise`): one call (`plan_item.j2`, the comment fenced as data) answered
as an `ItemProposal`; an answer that fails (LLM_INVALID_OUTPUT, LLM_UNAVAILABLE) or repeats a
taken topic gives way to the offline path, and the rewrite says why. Offline: the rubric's
next unused idea from the brand's material (as the plan job draws them), with the composer's
briefs. Either way the copy brief ends with the manager's comment. Nothing is written to the
database: the caller applies the rewrite to the row, bumps its version and audits it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from brand_voice.profile import BrandProfile
from generators.compliance.terms import TermMatcher
from generators.llm.port import LLM, Completion
from generators.plans.composer import Place, TopicPool, briefed_item, default_goal
from generators.plans.material import PlanMaterial, brand_history, openings, rubric_ideas
from generators.plans.model import FALLBACK_CODES
from generators.plans.prompting import ItemSlot, item_prompt
from generators.plans.rules import PlanFrame, RubricTarget, Slots, repeated
from generators.plans.topics import topic_similarity
from retrieval.store import VectorStore
from storage.errors import PostcraftError
from storage.models import Brand, Plan, PlanItem

log = logging.getLogger(__name__)

GENERATOR = "offline-composer"
NOTE_CHARS = 600  # the manager's comment as the copy brief carries it
_NOTE = {"ru": "Комментарий менеджера", "en": "Manager's note"}
_TRIES = 20  # offline: ideas (and numbered issues) tried before the last one is taken


class ItemProposal(BaseModel):
    """The model's answer for one item: its new topic and briefs."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(description="The new topic, a subject of its own")
    goal: str = Field(description="What the post should achieve")
    copy_brief: str = Field(description="For the copywriter: what the post says and how")
    design_brief: str = Field(description="For the designer: what the picture shows")


@dataclass(frozen=True)
class ItemRewrite:
    """What to put on the item (same slot): the new topic, goal and briefs; who wrote them;
    why the offline path took over ("" when it did not); the model calls it took."""

    topic: str
    goal: str
    copy_brief: str
    design_brief: str
    generator: str
    model: str
    note: str = ""
    completions: tuple[Completion[Any], ...] = ()


def regenerate_item(
    llm: LLM,
    session: Session,
    store: VectorStore,
    brand: Brand,
    plan: Plan,
    item: PlanItem,
    guidance: str,
    now: datetime,
) -> ItemRewrite:
    """A new topic and briefs for `item` of `plan`, honouring `guidance` (the manager's
    comment, untrusted). Reads the brand's posts and the plan's other items through `session`
    (without flushing it); writes nothing."""
    profile = BrandProfile.model_validate(brand.profile)
    with session.no_autoflush:
        history = brand_history(session, brand.id)
        others = session.scalars(
            select(PlanItem.topic).where(PlanItem.plan_id == plan.id, PlanItem.id != item.id)
        ).all()
    lines = openings(history, now)
    descriptions = {r.name: r.description for r in profile.rubrics}
    share = next((r.share for r in profile.rubrics if r.name == item.rubric), 0.0)
    rubric = RubricTarget(item.rubric, item.category, share)
    banned = TermMatcher(profile.banned_words, profile.language)
    ideas = rubric_ideas(
        store, brand.id, rubric.name, descriptions.get(rubric.name, ""), lines.older, banned
    )
    frame = PlanFrame(
        starts_on=plan.starts_on,
        days=plan.days,
        tz=ZoneInfo(plan.timezone),
        cadence={item.platform: Slots(1)},
        rubrics=(rubric,),
        community=profile.community_format,
        recent_topics=lines.recent,
    )
    material = PlanMaterial(
        frame=frame,
        ideas={rubric.name: ideas},
        similar=topic_similarity(store),
        brand_name=brand.name,
        language=profile.language,
        goals=(),
        descriptions=descriptions,
    )
    slot = ItemSlot(item.at, item.platform, rubric, item.event, item.topic, item.goal)
    taken = [*others, item.topic]  # the old topic too: the new one must differ
    note = ""
    if llm.can_revise:
        prompt = item_prompt(material, slot, guidance, taken, ideas)
        try:
            call = llm.complete(prompt, ItemProposal)
        except PostcraftError as error:
            if error.code not in FALLBACK_CODES:
                raise
            note = f"{error.code.value}: {error.detail}; the offline composer wrote it"
        else:
            why = _unusable(call.output.topic, [*taken, *lines.recent], material)
            if why is None:
                return _from_model(call, guidance, profile.language)
            note = f"{why}; the offline composer wrote it"
        log.warning("plan item: %s", note)
    return _offline(material, slot, guidance, taken, note)


def _unusable(topic: str, taken: Sequence[str], material: PlanMaterial) -> str | None:
    topic = topic.strip()
    if len(topic) < 3:
        return "the model gave no topic"
    j = repeated(topic, taken, material.similar)
    return None if j is None else f"the model's topic «{topic}» repeats «{taken[j][:120]}»"


def _from_model(call: Completion[ItemProposal], guidance: str, language: str) -> ItemRewrite:
    out = call.output
    return ItemRewrite(
        topic=out.topic.strip()[:300],
        goal=out.goal.strip()[:300],
        copy_brief=_with_note(out.copy_brief.strip(), guidance, language),
        design_brief=out.design_brief.strip()[:1000],
        generator=call.generator,
        model=call.model,
        completions=(call,),
    )


def _offline(
    material: PlanMaterial, slot: ItemSlot, guidance: str, taken: Sequence[str], note: str
) -> ItemRewrite:
    """The rubric's next idea not repeating a taken topic (for an event's post, about the
    event), with the composer's briefs."""
    used = [*material.frame.recent_topics, *taken]
    pool = TopicPool(material.ideas, material.similar, used)
    topic = ""
    for _ in range(_TRIES):
        idea = pool.take(slot.rubric.name, None, material.language)
        topic = f"{slot.event}: {idea}"[:300] if slot.event else idea
        if repeated(topic, used, material.similar) is None:
            break
    goal = slot.goal or default_goal(slot.rubric, material.language)
    place = Place(slot.at, slot.platform)
    item = briefed_item(place, slot.rubric, topic, goal, material.language, material.descriptions)
    return ItemRewrite(
        topic=item.topic,
        goal=item.goal,
        copy_brief=_with_note(item.copy_brief, guidance, material.language),
        design_brief=item.design_brief,
        generator=GENERATOR,
        model=GENERATOR,
        note=note,
    )


def _with_note(brief: str, guidance: str, language: str) -> str:
    """The brief, ending with the manager's comment (cut to NOTE_CHARS), within 2000 chars."""
    comment = " ".join(guidance.split())[:NOTE_CHARS]
    if not comment:
        return brief[:2000]
    note = f"{_NOTE.get(language, _NOTE['en'])}: {comment}"
    return f"{brief[: 2000 - len(note) - 2]}\n\n{note}".strip()
