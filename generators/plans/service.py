"""The plan job: the brand's history and material in, a checked plan out (rows to store).

The offline composer builds the plan from the frame and ideas taken from the brand's own
material (older posts near each rubric, the rubric's description); repair and the checks run
on whatever wrote it. The model's path (a prompt template, then repair, then the model again
for the holes only) comes next (docs/plans.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brand_voice.profile import BrandProfile
from generators.plans.composer import compose_plan
from generators.plans.frame import FramedPlan, plan_frame
from generators.plans.rules import PlanReport, RubricTarget, check_plan
from generators.plans.schemas import PlanItem as ProposedItem
from generators.plans.schemas import PlanRequest
from generators.plans.slots import PastPost
from generators.plans.topics import opening, topic_similarity
from retrieval.store import VectorStore
from storage.enums import DocumentKind, Platform
from storage.models import Brand, Document, Plan, PlanItem, new_id

RECENT_DAYS = 60  # posts this recent count as "recent": a plan may not repeat their topics
IDEAS_PER_RUBRIC = 12
GENERATOR = "offline-composer"
_PLATFORMS = frozenset(p.value for p in Platform)


@dataclass(frozen=True)
class WrittenPlan:
    """The rows of a plan job's result, and its report."""

    plan: Plan
    items: list[PlanItem]
    report: PlanReport


def brand_history(session: Session, brand_id: str) -> list[tuple[PastPost, str]]:
    """The brand's past posts with a date: when, where, how they did, and their text."""
    rows = session.execute(
        select(Document.meta, Document.text).where(
            Document.brand_id == brand_id, Document.kind == DocumentKind.POST
        )
    )
    out = []
    for meta, text in rows:
        stamp, platform = meta.get("published_ts"), meta.get("platform")
        if not isinstance(stamp, int) or platform not in _PLATFORMS:
            continue
        rate = meta.get("engagement_rate")
        post = PastPost(
            Platform(platform),
            datetime.fromtimestamp(stamp, UTC),
            int(meta.get("interactions") or 0),
            float(rate) if isinstance(rate, int | float) and meta.get("views") else None,
        )
        out.append((post, text))
    return out


def plans_so_far(session: Session, brand_id: str) -> int:
    """How many plans the brand has (its first gets two weeks)."""
    return session.scalar(select(func.count()).where(Plan.brand_id == brand_id)) or 0


def write_plan(
    session: Session,
    store: VectorStore,
    brand: Brand,
    request: PlanRequest,
    job_id: str,
    now: datetime,
) -> WrittenPlan:
    """Frame, compose and check the plan; the rows are returned, not added."""
    profile = BrandProfile.model_validate(brand.profile)
    history = brand_history(session, brand.id)
    recent_since = now - timedelta(days=RECENT_DAYS)
    recent = [opening(text) for post, text in history if post.published_at >= recent_since]
    framed = plan_frame(
        request,
        profile,
        [post for post, _ in history],
        recent,
        now,
        first_plan=plans_so_far(session, brand.id) == 0,
    )
    similar = topic_similarity(store)
    descriptions = {r.name: r.description for r in profile.rubrics}
    older = {opening(text) for post, text in history if post.published_at < recent_since}
    ideas = {
        r.name: _ideas(store, brand.id, r, descriptions.get(r.name, ""), older)
        for r in framed.frame.rubrics
    }
    proposed = compose_plan(
        framed.frame, ideas, similar, profile.language, request.goals, descriptions
    )
    report = check_plan(proposed, framed.frame, similar)
    return _rows(brand, job_id, framed, proposed, report)


def _ideas(
    store: VectorStore, brand_id: str, rubric: RubricTarget, description: str, older: set[str]
) -> list[str]:
    """Topics for a rubric from the brand's own older posts nearest to it, then its
    description's sentences."""
    query = f"{rubric.name}. {description}".strip()
    hits = store.search(brand_id, DocumentKind.POST, query, IDEAS_PER_RUBRIC * 2)
    ideas = [line for line in (opening(h.text) for h in hits) if line in older]
    ideas += [part.strip() for part in description.split(",") if len(part.strip()) > 8]
    return list(dict.fromkeys(i for i in ideas if len(i) >= 3))[:IDEAS_PER_RUBRIC]


def _rows(
    brand: Brand,
    job_id: str,
    framed: FramedPlan,
    proposed: Sequence[ProposedItem],
    report: PlanReport,
) -> WrittenPlan:
    frame = framed.frame
    basis = {
        "slots": [
            {**asdict(c), "platform": c.platform.value, "times": [f"{t:%H:%M}" for t in c.times]}
            for c in framed.slot_choices
        ],
        "default_rubrics": framed.default_rubrics,
        "rubrics": [
            {"name": r.name, "category": r.category.value, "share": r.share} for r in frame.rubrics
        ],
    }
    plan = Plan(
        id=new_id(),
        job_id=job_id,
        brand_id=brand.id,
        starts_on=frame.starts_on,
        days=frame.days,
        timezone=str(frame.tz),
        generator=GENERATOR,
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
    return WrittenPlan(plan, items, report)
