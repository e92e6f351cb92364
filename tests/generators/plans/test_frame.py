"""The frame of a plan request: the default period (two weeks first, a month after) from
tomorrow in the brand's time zone, slots asked or from history, the profile's rubrics or the
default mix, and events outside the period refused with what to do."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from brand_voice.profile import BrandProfile, CommunityFormat
from generators.plans.frame import plan_frame
from generators.plans.schemas import Cadence, PlanEvent, PlanRequest, Weekday
from generators.plans.slots import PastPost
from storage.enums import Platform
from storage.errors import ErrorCode, PostcraftError

# 20:30 UTC on a Sunday is already Monday 01:30 in Yekaterinburg (UTC+5).
NOW = datetime(2027, 3, 7, 20, 30, tzinfo=UTC)
PROFILE = BrandProfile(language="ru", timezone="Asia/Yekaterinburg", platforms=[Platform.VK])


def _request(**more: object) -> PlanRequest:
    cadence = [Cadence(platform=Platform.VK, posts_per_week=3)]
    return PlanRequest.model_validate({"cadence": cadence, **more})


def test_the_default_period_starts_tomorrow_in_the_brands_zone() -> None:
    first = plan_frame(_request(), PROFILE, [], [], NOW, first_plan=True).frame
    assert (first.starts_on, first.days) == (date(2027, 3, 9), 14)
    later = plan_frame(_request(), PROFILE, [], [], NOW, first_plan=False).frame
    assert later.days == 30


def test_slots_come_from_history_when_not_asked_and_say_how() -> None:
    history = [
        PastPost(Platform.VK, datetime(2027, 2, d, 14, tzinfo=UTC), 10, 0.05 + d / 1000)
        for d in (2, 4, 9, 11, 16, 18, 23, 25)  # Tuesdays and Thursdays, 19:00 local
    ]
    framed = plan_frame(
        _request(cadence=[Cadence(platform=Platform.VK, posts_per_week=2)]),
        PROFILE, history, [], NOW, first_plan=True,
    )  # fmt: skip
    slots = framed.frame.cadence[Platform.VK]
    assert (slots.days, slots.times) == (frozenset({2, 4}), frozenset({time(19)}))
    assert framed.slot_choices[0].from_history
    asked = _request(
        cadence=[
            Cadence(
                platform=Platform.VK,
                posts_per_week=2,
                days=[Weekday.MON, Weekday.FRI],
                times=[time(9)],
            )
        ]
    )
    framed = plan_frame(asked, PROFILE, history, [], NOW, first_plan=True)
    assert framed.frame.cadence[Platform.VK].days == frozenset({1, 5})
    assert framed.slot_choices == ()


def test_a_profile_without_rubrics_gets_the_default_mix_of_its_format() -> None:
    interest = PROFILE.model_copy(update={"community_format": CommunityFormat.INTEREST})
    framed = plan_frame(_request(), interest, [], [], NOW, first_plan=True)
    assert framed.default_rubrics
    shares = {r.category.value: r.share for r in framed.frame.rubrics}
    assert shares["commercial"] == 0.05
    assert abs(sum(shares.values()) - 1) < 1e-9
    assert {r.name for r in framed.frame.rubrics} >= {"Полезное", "Продающее"}


def test_events_outside_the_period_are_refused() -> None:
    late = PlanEvent(on=date(2027, 3, 9) + timedelta(days=20), title="Фестиваль")
    with pytest.raises(PostcraftError) as refused:
        plan_frame(_request(events=[late]), PROFILE, [], [], NOW, first_plan=True)
    assert refused.value.code is ErrorCode.INVALID_REQUEST
    assert "«Фестиваль»" in refused.value.detail
    assert "starts_on" in refused.value.detail
