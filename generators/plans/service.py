"""The plan job: the brand's history and material in, a checked plan out (rows to store).

The plan is written from the frame and ideas taken from the brand's own material (older posts
near each rubric, the rubric's description, `material.py`). With a model (`llm.can_revise`),
the model proposes, repair fixes what it can, the model is asked again for the holes only,
and the offline composer fills the rest (`model.py`); without one, the offline composer writes
it. Either way the checks run on the result, and its basis says who wrote what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brand_voice.profile import BrandProfile
from generators.compliance.terms import TermMatcher
from generators.llm.port import LLM, Completion
from generators.plans.frame import FramedPlan, plan_frame
from generators.plans.material import PlanMaterial, brand_history, openings, rubric_ideas
from generators.plans.model import ModelPlan, model_plan
from generators.plans.rules import PlanReport, check_plan
from generators.plans.schemas import PlanItem as ProposedItem
from generators.plans.schemas import PlanRequest
from generators.plans.topics import topic_similarity
from retrieval.store import VectorStore
from storage.models import Brand, Plan, PlanItem, new_id

GENERATOR = "offline-composer"

__all__ = ["GENERATOR", "WrittenPlan", "brand_history", "plans_so_far", "write_plan"]


@dataclass(frozen=True)
class WrittenPlan:
    """The rows of a plan job's result, its report, and the model calls it took (none for the
    offline composer)."""

    plan: Plan
    items: list[PlanItem]
    report: PlanReport
    completions: list[Completion[Any]] = field(default_factory=list)


def plans_so_far(session: Session, brand_id: str) -> int:
    """How many plans the brand has (its first gets two weeks)."""
    return session.scalar(select(func.count()).where(Plan.brand_id == brand_id)) or 0


def write_plan(
    llm: LLM,
    session: Session,
    store: VectorStore,
    brand: Brand,
    request: PlanRequest,
    job_id: str,
    now: datetime,
) -> WrittenPlan:
    """Frame, write (the model's path when `llm` can revise, else the offline composer) and
    check the plan; the rows are returned, not added."""
    profile = BrandProfile.model_validate(brand.profile)
    history = brand_history(session, brand.id)
    lines = openings(history, now)
    framed = plan_frame(
        request,
        profile,
        [post for post, _ in history],
        lines.recent,
        now,
        first_plan=plans_so_far(session, brand.id) == 0,
    )
    descriptions = {r.name: r.description for r in profile.rubrics}
    banned = TermMatcher(profile.banned_words, profile.language)
    ideas = {
        r.name: rubric_ideas(
            store, brand.id, r.name, descriptions.get(r.name, ""), lines.older, banned
        )
        for r in framed.frame.rubrics
    }
    material = PlanMaterial(
        frame=framed.frame,
        ideas=ideas,
        similar=topic_similarity(store),
        brand_name=brand.name,
        language=profile.language,
        goals=tuple(request.goals),
        descriptions=descriptions,
    )
    if llm.can_revise:
        written = model_plan(llm, material)
    else:
        composed = material.compose()
        written = ModelPlan(composed, filled_offline=len(composed))
    report = check_plan(written.items, framed.frame, material.similar)
    return _rows(brand, job_id, framed, written, report)


def _rows(
    brand: Brand, job_id: str, framed: FramedPlan, written: ModelPlan, report: PlanReport
) -> WrittenPlan:
    frame = framed.frame
    proposed: Sequence[ProposedItem] = written.items
    calls = written.completions
    basis = {
        "slots": [
            {**asdict(c), "platform": c.platform.value, "times": [f"{t:%H:%M}" for t in c.times]}
            for c in framed.slot_choices
        ],
        "default_rubrics": framed.default_rubrics,
        "rubrics": [
            {"name": r.name, "category": r.category.value, "share": r.share} for r in frame.rubrics
        ],
        "writer": {
            "generator": calls[0].generator if calls else GENERATOR,
            "model": calls[0].model if calls else None,
            "model_calls": len(calls),
            "holes_asked": written.holes_asked,
            "filled_offline": written.filled_offline,
            "fallback": written.fallback,
            "changes": written.changes,
        },
    }
    plan = Plan(
        id=new_id(),
        job_id=job_id,
        brand_id=brand.id,
        starts_on=frame.starts_on,
        days=frame.days,
        timezone=str(frame.tz),
        generator=calls[0].generator if calls else GENERATOR,
        report=report.model_dump(mode="json"),
        basis=basis,
    )
    items = [
        PlanItem(
            plan_id=plan.id,
            brand_id=brand.id,
            at=item.at.astimezone(UTC),
            platform=item.platform,
            rubric=item.rubric,
            category=item.category,
            topic=item.topic,
            goal=item.goal,
            copy_brief=item.copy_brief,
            design_brief=item.design_brief,
            event=item.event,
        )
        for item in proposed
    ]
    return WrittenPlan(plan, items, report, list(calls))
