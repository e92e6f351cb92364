"""The plan rules on hand-made plans: a plan that keeps them passes; one that ignores the
shares, stacks items on one day, repeats rubrics and topics, leaves the period or misses an
event is flagged with each problem and the items it concerns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from brand_voice.profile import CommunityFormat
from generators.plans.rules import PlanFrame, RubricTarget, Slots, check_plan
from generators.plans.schemas import PlanEvent, PlanItem
from storage.enums import Platform, Rubric

TZ = ZoneInfo("Asia/Yekaterinburg")
START = date(2027, 1, 4)  # a Monday
RUBRICS = (
    RubricTarget("Обучение", Rubric.EDUCATIONAL, 0.4),
    RubricTarget("Закулисье", Rubric.NEWS, 0.3),
    RubricTarget("Акции", Rubric.COMMERCIAL, 0.3),
)
TOPICS = [
    "Как выбрать помол для воронки",
    "Утро обжарщика: что происходит до открытия",
    "Скидка на кенийский лот в выходные",
    "Почему эспрессо горчит",
    "Знакомьтесь: наш новый бариста",
    "Два капучино по цене одного",
]


def _unrelated(left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
    """The test's own similarity: 1.0 for the same words, 0.1 otherwise."""
    return [[1.0 if a.casefold() == b.casefold() else 0.1 for b in right] for a in left]


def _frame(**changes: Any) -> PlanFrame:
    base = PlanFrame(
        starts_on=START,
        days=14,
        tz=TZ,
        cadence={Platform.VK: Slots(3, frozenset({1, 3, 5}), frozenset({time(10, 0)}))},
        rubrics=RUBRICS,
        community=CommunityFormat.MIXED,
    )
    return replace(base, **changes)


def _item(day: int, rubric: RubricTarget, topic: str, hour: int = 10, **more: object) -> PlanItem:
    at = datetime.combine(START + timedelta(days=day), time(hour), TZ)
    return PlanItem(
        at=at,
        platform=Platform.VK,
        rubric=rubric.name,
        category=rubric.category,
        topic=topic,
        **more,  # type: ignore[arg-type]
    )


EDU, NEWS, SALE = RUBRICS
GOOD = [  # Mon/Wed/Fri for two weeks: 6 posts, 2 of each rubric, never two alike in a row
    _item(0, EDU, TOPICS[0]),
    _item(2, NEWS, TOPICS[1]),
    _item(4, SALE, TOPICS[2]),
    _item(7, EDU, TOPICS[3]),
    _item(9, NEWS, TOPICS[4]),
    _item(11, SALE, TOPICS[5]),
]


def _codes(items: list[PlanItem], frame: PlanFrame | None = None) -> dict[str, list[int]]:
    report = check_plan(items, frame or _frame(), _unrelated)
    out: dict[str, list[int]] = {}
    for v in report.violations:
        out.setdefault(v.code, []).extend(v.items)
    return out


def test_a_plan_that_keeps_every_rule_passes() -> None:
    report = check_plan(GOOD, _frame(), _unrelated)
    assert report.passed, report.violations
    assert report.violations == []


def test_a_model_that_ignores_the_shares_and_stacks_one_day_is_flagged() -> None:
    stacked = [_item(0, SALE, f"Акция номер {n}", hour=10) for n in range(6)]
    codes = _codes(stacked)
    assert {"only_commercial", "rubric_share", "rubric_in_a_row", "gap", "front_loaded"} <= set(
        codes
    )
    assert "off_slot" not in codes  # Monday 10:00 is a slot: stacking is the problem


def test_the_commercial_share_is_bounded_by_the_community_format() -> None:
    mixed = [*GOOD[:5], _item(11, SALE, TOPICS[5])]
    assert "commercial_share" not in _codes(mixed)  # 2 of 6 = 33 % <= 35 %
    interest = _frame(community=CommunityFormat.INTEREST)
    assert "commercial_share" in _codes(mixed, interest)  # > 15 %
    in_a_row = [GOOD[0], GOOD[1], GOOD[2], _item(7, SALE, "Ещё одна акция"), GOOD[4], GOOD[3]]
    codes = _codes(in_a_row)
    assert "rubric_in_a_row" in codes


def test_two_of_one_rubric_in_a_row_unless_asked() -> None:
    swapped = list(GOOD)  # Wednesday's and Monday's topics trade places: EDU, EDU, … NEWS, NEWS
    swapped[1] = _item(2, EDU, TOPICS[3])
    swapped[3] = _item(7, NEWS, TOPICS[1])
    codes = _codes(swapped)
    assert codes["rubric_in_a_row"] == [0, 1, 3, 4]
    assert "rubric_in_a_row" not in _codes(swapped, _frame(same_rubric_in_a_row=True))


def test_items_off_the_period_or_off_the_slots() -> None:
    moved = list(GOOD)
    moved[0] = _item(-1, EDU, TOPICS[0])  # the Sunday before the period
    moved[3] = _item(8, EDU, TOPICS[3])  # a Tuesday
    moved[4] = _item(9, NEWS, TOPICS[4], hour=22)
    codes = _codes(moved)
    assert codes["outside_period"] == [0]
    assert sorted(codes["off_slot"]) == [0, 3, 4]


def test_frequency_and_gaps_follow_the_cadence() -> None:
    assert _codes(GOOD[:3])["wrong_frequency"] == [0, 1, 2]
    late_start = [_item(4, SALE, TOPICS[2]), *GOOD[3:]]
    assert "gap" in _codes(late_start)


def test_topics_repeated_in_the_plan_or_from_recent_posts() -> None:
    again = list(GOOD)
    again[3] = _item(7, EDU, "как выбрать помол для воронки!")
    assert _codes(again)["repeated_topic"] == [0, 3]
    recent = _frame(recent_topics=("Почему эспрессо горчит",))
    assert _codes(GOOD, recent)["recent_topic"] == [3]


def test_events_land_on_their_dates() -> None:
    launch = PlanEvent(on=START + timedelta(days=9), title="Запуск кенийского лота")
    frame = _frame(events=(launch,))
    assert "event_missed" in _codes(GOOD, frame)
    hit = list(GOOD)
    hit[4] = _item(9, NEWS, "Кенийский лот уже в кофейне", event="Запуск кенийского лота")
    assert "event_missed" not in _codes(hit, frame)
    on_a_tuesday = PlanEvent(on=START + timedelta(days=8), title="Дегустация")
    tuesday = [*GOOD, _item(8, NEWS, "Дегустация в кофейне", event="Дегустация")]
    codes = _codes(tuesday, _frame(events=(on_a_tuesday,)))
    assert "off_slot" not in codes  # an event's post may leave the weekdays, not the times
    assert "event_missed" not in codes
    wrong_day = list(GOOD)
    wrong_day[3] = _item(7, EDU, "Кенийский лот уже скоро", event="Запуск кенийского лота")
    assert "event_missed" in _codes(wrong_day, frame)


@pytest.mark.parametrize("days", [7, 14, 28, 31])
@pytest.mark.parametrize("per_week", [1, 3, 5, 7])
def test_an_even_plan_passes_the_cadence_for_any_period(days: int, per_week: int) -> None:
    frame = _frame(days=days, cadence={Platform.VK: Slots(per_week)}, rubrics=())
    step = timedelta(days=7) / per_week
    count = round(per_week * days / 7)
    items = [
        PlanItem(
            at=frame.start() + step / 2 + step * n,
            platform=Platform.VK,
            rubric=RUBRICS[n % 3].name,
            category=RUBRICS[n % 3].category,
            topic=f"Тема номер {n}",
        )
        for n in range(count)
    ]
    codes = _codes(items, frame)
    assert not {"wrong_frequency", "gap", "front_loaded", "rubric_in_a_row"} & set(codes), codes


def test_two_commercial_rubrics_in_a_row_are_diluted_except_in_a_commercial_community() -> None:
    gifts = RubricTarget("Подарки", Rubric.COMMERCIAL, 0.15)
    rubrics = (EDU, NEWS, RubricTarget("Акции", Rubric.COMMERCIAL, 0.15), gifts)
    items = list(GOOD)
    items[3] = _item(7, gifts, "Подарочный набор к празднику")  # after Friday's sale
    codes = _codes(items, _frame(rubrics=rubrics))
    assert codes["commercial_in_a_row"] == [2, 3]
    commercial = _frame(rubrics=rubrics, community=CommunityFormat.COMMERCIAL)
    assert "commercial_in_a_row" not in _codes(items, commercial)
