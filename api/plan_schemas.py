"""Response bodies of content plans: a plan with its items, report and basis; a brand's plans;
an item's regeneration; what approvals taught a brand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from storage.enums import Platform, ReviewState, Rubric
from storage.models import Draft, Plan, PlanItem


class ItemDraft(BaseModel):
    """A draft an approved item's draft job wrote: review it like any draft."""

    id: str
    platform: Platform
    review_state: ReviewState
    version: int


class PlanItemRead(BaseModel):
    """One post of the plan, and where it is in the approval step."""

    id: str
    plan_id: str
    at: datetime = Field(description="When to publish (UTC; the plan's `timezone` is the brand's)")
    platform: Platform
    rubric: str
    category: Rubric
    topic: str
    goal: str
    copy_brief: str = Field(description="For the copywriter")
    design_brief: str = Field(description="For the designer")
    event: str | None = Field(description="The event this post is for, if any")
    review_state: ReviewState
    version: int = Field(description="Send it as If-Match with a review move or a regeneration")
    draft_job_id: str | None = Field(description="The draft job its approval queued")
    drafts: list[ItemDraft] = Field(description="The drafts that job wrote (in review)")

    @classmethod
    def of(cls, item: PlanItem, drafts: list[Draft] | None = None) -> PlanItemRead:
        """From the row and its drafts."""
        return cls(
            id=item.id,
            plan_id=item.plan_id,
            at=item.at,
            platform=item.platform,
            rubric=item.rubric,
            category=item.category,
            topic=item.topic,
            goal=item.goal,
            copy_brief=item.copy_brief,
            design_brief=item.design_brief,
            event=item.event,
            review_state=item.review_state,
            version=item.version,
            draft_job_id=item.draft_job_id,
            drafts=[
                ItemDraft(
                    id=d.id, platform=d.platform, review_state=d.review_state, version=d.version
                )
                for d in drafts or []
            ],
        )


class PlanSummary(BaseModel):
    """A plan in a brand's list: its period, state and how many items are in each state."""

    id: str
    brand_id: str
    job_id: str
    starts_on: date
    days: int
    timezone: str
    generator: str
    passed: bool = Field(description="Whether the plan's checks found no error")
    review_state: ReviewState
    version: int
    items: dict[ReviewState, int] = Field(description="Items per review state")
    created_at: datetime

    @classmethod
    def of(cls, plan: Plan, counts: dict[ReviewState, int]) -> PlanSummary:
        """From the row and its item counts."""
        return cls(
            id=plan.id,
            brand_id=plan.brand_id,
            job_id=plan.job_id,
            starts_on=plan.starts_on,
            days=plan.days,
            timezone=plan.timezone,
            generator=plan.generator,
            passed=bool(plan.report.get("passed", False)),
            review_state=plan.review_state,
            version=plan.version,
            items=counts,
            created_at=plan.created_at,
        )


class PlanRead(PlanSummary):
    """A plan with its items, its check report (like a draft's validation) and its basis (how
    the slots and rubric mix were chosen, with the brand's figures)."""

    report: dict[str, Any]
    basis: dict[str, Any]
    plan_items: list[PlanItemRead]

    @classmethod
    def full(cls, plan: Plan, items: list[PlanItem], drafts: dict[str, list[Draft]]) -> PlanRead:
        """From the rows: the plan, its items in publishing order, drafts by job id."""
        counts: dict[ReviewState, int] = {}
        for item in items:
            counts[item.review_state] = counts.get(item.review_state, 0) + 1
        summary = PlanSummary.of(plan, counts)
        return cls(
            **summary.model_dump(),
            report=plan.report,
            basis=plan.basis,
            plan_items=[PlanItemRead.of(i, drafts.get(i.draft_job_id or "", [])) for i in items],
        )


class PlanPage(BaseModel):
    """A page of a brand's plans, newest first."""

    items: list[PlanSummary]
    next_cursor: str | None


class PlatformLearning(BaseModel):
    """How much managers edit a platform's drafts before approving them."""

    platform: Platform
    approved: int = Field(description="Approved drafts with a recorded edit distance")
    unedited: int = Field(description="Of those, approved exactly as generated")
    mean_edit_ratio: float = Field(description="0: approved as generated; 1: rewritten")
    median_edit_ratio: float
    mean_edit_distance: float = Field(description="Characters changed, on average")


class Learning(BaseModel):
    """What approvals taught the brand: edit distance per platform, approved examples, and the
    notes from rejections and send-backs that now reach its prompts."""

    platforms: list[PlatformLearning]
    approved_examples: int = Field(description="Approved texts among the brand's examples")
    guidance: list[str] = Field(description="The latest notes, newest first, as prompts get them")
