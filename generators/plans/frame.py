"""From a plan request and the brand to the frame a plan is built and checked in: the period
(two weeks for a brand's first plan, a month after, starting tomorrow in the brand's time
zone), each platform's slots (asked, or from the brand's history), the rubrics (the profile's,
or a default mix for its community format) and the events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from brand_voice.profile import BrandProfile, CommunityFormat
from generators.plans.rules import PlanFrame, RubricTarget, Slots
from generators.plans.schemas import PlanRequest
from generators.plans.slots import PastPost, SlotChoice, best_slots
from storage.enums import Platform, Rubric
from storage.errors import ErrorCode, PostcraftError

FIRST_PLAN_DAYS = 14
LATER_PLAN_DAYS = 30
DEFAULT_MIX = {
    CommunityFormat.MIXED: {
        Rubric.EDUCATIONAL: 0.3, Rubric.ENTERTAINING: 0.2, Rubric.NEWS: 0.2,
        Rubric.UGC: 0.15, Rubric.COMMERCIAL: 0.15,
    },
    CommunityFormat.INTEREST: {
        Rubric.EDUCATIONAL: 0.35, Rubric.ENTERTAINING: 0.25, Rubric.NEWS: 0.2,
        Rubric.UGC: 0.15, Rubric.COMMERCIAL: 0.05,
    },
    CommunityFormat.COMMERCIAL: {
        Rubric.COMMERCIAL: 0.4, Rubric.EDUCATIONAL: 0.25, Rubric.NEWS: 0.15,
        Rubric.UGC: 0.1, Rubric.ENTERTAINING: 0.1,
    },
}  # fmt: skip
DEFAULT_NAMES = {
    "ru": {
        Rubric.EDUCATIONAL: "Полезное",
        Rubric.ENTERTAINING: "Развлекательное",
        Rubric.NEWS: "Новости и закулисье",
        Rubric.UGC: "Контент подписчиков",
        Rubric.COMMERCIAL: "Продающее",
    },
    "en": {
        Rubric.EDUCATIONAL: "Educational",
        Rubric.ENTERTAINING: "Entertaining",
        Rubric.NEWS: "News and behind the scenes",
        Rubric.UGC: "From the community",
        Rubric.COMMERCIAL: "Commercial",
    },
}


@dataclass(frozen=True)
class FramedPlan:
    """The frame, and how each platform's slots were chosen (shown with the plan)."""

    frame: PlanFrame
    slot_choices: tuple[SlotChoice, ...]
    default_rubrics: bool


def plan_frame(
    request: PlanRequest,
    profile: BrandProfile,
    history: Sequence[PastPost],
    recent_topics: Sequence[str],
    now: datetime,
    first_plan: bool,
) -> FramedPlan:
    """The frame for `request`; INVALID_REQUEST for events outside the period."""
    tz = profile.zone()
    starts = request.starts_on or (now.astimezone(tz).date() + timedelta(days=1))
    days = request.days or (FIRST_PLAN_DAYS if first_plan else LATER_PLAN_DAYS)
    _events_inside(request, starts, days)
    cadence: dict[Platform, Slots] = {}
    choices: list[SlotChoice] = []
    for asked in request.cadence:
        days_set, times_set = frozenset(int(d) for d in asked.days), frozenset(asked.times)
        if not days_set or not times_set:
            choice = best_slots(history, asked.platform, tz, asked.posts_per_week)
            choices.append(choice)
            days_set = days_set or frozenset(choice.days)
            times_set = times_set or frozenset(choice.times)
        cadence[asked.platform] = Slots(asked.posts_per_week, days_set, times_set)
    rubrics, defaults = _rubrics(profile)
    frame = PlanFrame(
        starts_on=starts,
        days=days,
        tz=tz,
        cadence=cadence,
        rubrics=rubrics,
        community=profile.community_format,
        events=tuple(sorted(request.events, key=lambda e: e.on)),
        same_rubric_in_a_row=request.same_rubric_in_a_row,
        recent_topics=tuple(recent_topics),
    )
    return FramedPlan(frame, tuple(choices), defaults)


def _events_inside(request: PlanRequest, starts: date, days: int) -> None:
    last = starts + timedelta(days=days - 1)
    outside = [e for e in request.events if not starts <= e.on <= last]
    if outside:
        listed = ", ".join(f"«{e.title}» ({e.on})" for e in outside)
        raise PostcraftError(
            ErrorCode.INVALID_REQUEST,
            f"Events outside the period {starts}–{last}: {listed}. Move them, or set "
            "starts_on and days to cover them",
        )


def _rubrics(profile: BrandProfile) -> tuple[tuple[RubricTarget, ...], bool]:
    if profile.rubrics:
        return tuple(RubricTarget(r.name, r.category, r.share) for r in profile.rubrics), False
    names = DEFAULT_NAMES.get(profile.language, DEFAULT_NAMES["en"])
    mix = DEFAULT_MIX[profile.community_format]
    return tuple(RubricTarget(names[c], c, share) for c, share in mix.items()), True
