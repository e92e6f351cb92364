"""A content-plan request (the job's input) and the items a plan is made of."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

from storage.enums import Platform, Rubric


def _written(value: object) -> object:
    """Dates and times come as ISO strings (or as Python objects from code): a number is not
    one, although pydantic would read it as a timestamp."""
    if isinstance(value, int | float):
        raise ValueError("write it as an ISO string, e.g. 2026-12-10 or 09:30")
    return value


IsoDate = Annotated[date, BeforeValidator(_written)]
IsoTime = Annotated[time, BeforeValidator(_written)]


class Weekday(IntEnum):
    """ISO weekdays, Monday = 1 (as `date.isoweekday`)."""

    MON = 1
    TUE = 2
    WED = 3
    THU = 4
    FRI = 5
    SAT = 6
    SUN = 7


class Cadence(BaseModel):
    """How often and when the brand posts on one platform. Days and times left out come from
    the brand's own history (the slots where its past posts drew the best engagement)."""

    model_config = ConfigDict(extra="forbid")

    platform: Platform
    posts_per_week: int = Field(ge=1, le=21)
    days: list[Weekday] = Field(default_factory=list, max_length=7)
    times: list[IsoTime] = Field(
        default_factory=list, max_length=6, description="In the brand's time zone, e.g. 09:30"
    )

    @model_validator(mode="after")
    def _distinct(self) -> Cadence:
        if len(set(self.days)) != len(self.days) or len(set(self.times)) != len(self.times):
            raise ValueError("days and times must not repeat")
        return self


class EventKind(StrEnum):
    """What kind of date a plan must hit."""

    LAUNCH = "launch"
    HOLIDAY = "holiday"
    PROMOTION = "promotion"
    NEWS = "news"


class PlanEvent(BaseModel):
    """A date the plan must cover with a post about it."""

    model_config = ConfigDict(extra="forbid")

    on: IsoDate
    title: str = Field(min_length=2, max_length=200)
    kind: EventKind = EventKind.NEWS
    platforms: list[Platform] = Field(
        default_factory=list, description="Where to post about it (empty: the first platform)"
    )


class PlanRequest(BaseModel):
    """What a manager asks for. The period defaults to two weeks for a brand's first plan and
    a month after that, starting tomorrow in the brand's time zone."""

    model_config = ConfigDict(extra="forbid")

    starts_on: IsoDate | None = None
    days: int | None = Field(default=None, ge=7, le=62, description="The period's length")
    cadence: list[Cadence] = Field(min_length=1, max_length=11)
    goals: list[str] = Field(default_factory=list, max_length=10)
    events: list[PlanEvent] = Field(default_factory=list, max_length=40)
    same_rubric_in_a_row: StrictBool = Field(
        default=False, description="Allow two items of one rubric back to back on a platform"
    )

    @model_validator(mode="after")
    def _one_cadence_per_platform(self) -> PlanRequest:
        platforms = [c.platform for c in self.cadence]
        if len(set(platforms)) != len(platforms):
            raise ValueError("give each platform's cadence once")
        planned = set(platforms)
        for event in self.events:
            stray = [p.value for p in event.platforms if p not in planned]
            if stray:
                raise ValueError(f"event «{event.title}» names platforms not in the plan: {stray}")
        return self


class PlanItem(BaseModel):
    """One post of the plan."""

    model_config = ConfigDict(extra="forbid")

    at: datetime = Field(description="When to publish, timezone-aware")
    platform: Platform
    rubric: str = Field(min_length=1, max_length=120, description="The rubric's name")
    category: Rubric
    topic: str = Field(min_length=3, max_length=300)
    goal: str = Field(default="", max_length=300)
    copy_brief: str = Field(default="", max_length=2000, description="For the copywriter")
    design_brief: str = Field(default="", max_length=1000, description="For the designer")
    event: str | None = Field(default=None, description="The event's title, for an event post")
