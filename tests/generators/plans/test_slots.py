"""Slots from the brand's history: the best weekdays and hours by its own engagement, with the
figures; even defaults, said to be defaults, when the history is too thin."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from generators.plans.slots import EVEN_DAYS, PastPost, best_slots
from storage.enums import Platform

TZ = ZoneInfo("Asia/Yekaterinburg")  # UTC+5
MONDAY = datetime(2026, 9, 7, tzinfo=TZ)


def _post(day: int, hour: int, interactions: int, rate: float | None, weeks: int = 0) -> PastPost:
    at = (MONDAY + timedelta(days=day - 1, weeks=weeks)).replace(hour=hour).astimezone(UTC)
    return PastPost(Platform.VK, at, interactions, rate)


def test_the_best_weekdays_and_hour_by_engagement_rate_in_the_brands_zone() -> None:
    history = []
    for week in range(4):
        history += [
            _post(2, 19, 50, 0.09, week),  # Tuesday evening: the best
            _post(4, 19, 40, 0.07, week),  # Thursday evening
            _post(1, 9, 90, 0.02, week),  # Monday morning: many likes, many more views
            _post(6, 12, 10, 0.03, week),
        ]
    choice = best_slots(history, Platform.VK, TZ, posts_per_week=2)
    assert choice.from_history
    assert choice.measure == "engagement rate"
    assert choice.days == (2, 4)
    assert choice.times == (time(19, 0),)  # local time, though the posts are stored in UTC
    assert [f.slot for f in choice.figures][:2] == ["Tue", "Thu"]
    assert choice.figures[0].posts == 4
    assert choice.figures[0].engagement == 0.09


def test_interactions_rank_when_views_are_mostly_unknown() -> None:
    history = [_post(1, 9, 90, None, w) for w in range(3)] + [
        _post(3, 18, 20, None, w) for w in range(3)
    ]
    choice = best_slots(history, Platform.VK, TZ, posts_per_week=1)
    assert (choice.measure, choice.days, choice.times) == ("interactions", (1,), (time(9, 0),))


def test_thin_history_gets_even_defaults_and_says_so() -> None:
    history = [_post(2, 19, 50, 0.09)]  # one post: ranks nothing
    choice = best_slots(history, Platform.VK, TZ, posts_per_week=3)
    assert not choice.from_history
    assert choice.days == EVEN_DAYS[3]
    assert choice.figures == ()
    other = best_slots(history, Platform.TELEGRAM, TZ, posts_per_week=7)
    assert other.days == (1, 2, 3, 4, 5, 6, 7)
