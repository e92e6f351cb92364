"""Repair of a model's plan: a model that ignores the shares, stacks items on one day, repeats
itself and names what the plan does not have is laid on the plan's places, dropping what
cannot stay; the holes it leaves, filled offline, make a plan that keeps every rule. A plan
that was only off its slots is moved, nothing dropped."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from brand_voice.profile import CommunityFormat
from generators.plans.composer import fill_holes
from generators.plans.repair import repair_plan
from generators.plans.rules import PlanFrame, RubricTarget, Slots, check_plan
from generators.plans.schemas import PlanEvent, PlanItem
from generators.plans.topics import topic_similarity
from retrieval.embeddings import E5Embedder
from storage.enums import Platform, Rubric

TZ = ZoneInfo("Asia/Yekaterinburg")
START = date(2027, 3, 1)  # a Monday
EDU = RubricTarget("Кофейный ликбез", Rubric.EDUCATIONAL, 0.4)
NEWS = RubricTarget("Закулисье обжарки", Rubric.NEWS, 0.3)
SALE = RubricTarget("Лоты и акции", Rubric.COMMERCIAL, 0.3)
FRAME = PlanFrame(
    starts_on=START,
    days=14,
    tz=TZ,
    cadence={Platform.VK: Slots(3, frozenset({1, 3, 5}), frozenset({time(10)}))},
    rubrics=(EDU, NEWS, SALE),
    community=CommunityFormat.MIXED,
    events=(PlanEvent(on=START + timedelta(days=9), title="Запуск кенийского лота"),),
)
IDEAS = {
    EDU.name: [
        "Как выбрать помол для воронки",
        "Какая вода нужна для кофе",
        "Как хранить зерно дома",
    ],
    NEWS.name: ["Утро в обжарочном цехе", "Знакомьтесь: наш новый бариста", "Как мы отбираем лоты"],
    SALE.name: ["Набор для воронки со скидкой", "Абонемент на кофе на месяц"],
}


def _item(at: datetime, rubric: RubricTarget, topic: str, **more: object) -> PlanItem:
    return PlanItem(
        at=at, platform=more.pop("platform", Platform.VK), rubric=rubric.name,  # type: ignore[arg-type]
        category=rubric.category, topic=topic, **more,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_model_that_ignores_the_rules_is_repaired_and_its_holes_filled(
    embedder: E5Embedder,
) -> None:
    monday = datetime.combine(START, time(10), TZ)
    sales = [
        "Скидка на второй пакет", "Подарочные сертификаты", "Бесплатная доставка зерна по городу",
        "Корпоративный кофе для офиса", "Дегустационный сет из трёх лотов", "Кешбэк баллами",
    ]  # fmt: skip
    proposal = [_item(monday, SALE, topic) for topic in sales]
    proposal += [
        _item(monday, EDU, "Как выбрать помол для воронки"),
        _item(monday, EDU, "Какой помол нужен для воронки"),  # the same by meaning
        _item(monday, NEWS, "Мы в телеграме", platform=Platform.TELEGRAM),  # not in the plan
        _item(monday, RubricTarget("Мемы", Rubric.ENTERTAINING, 0), "Кофейный мем"),  # no rubric
    ]
    similar = topic_similarity(embedder)
    before = check_plan(proposal, FRAME, similar)
    assert {"commercial_share", "gap", "front_loaded", "repeated_topic", "event_missed"} <= {
        v.code for v in before.violations
    }
    repaired = repair_plan(proposal, FRAME, similar)
    dropped = [c for c in repaired.changes if c.startswith("dropped")]
    assert any("Какой помол" in c for c in dropped)
    assert any("telegram" in c for c in dropped)
    assert any("«Мемы»" in c for c in dropped)
    assert sum("over its share" in c for c in dropped) >= 4  # six sales, two places for them
    assert repaired.holes, "the missing items are holes, not invented here"
    filled = fill_holes(FRAME, repaired.holes, repaired.items, IDEAS, similar)
    plan = sorted([*repaired.items, *filled], key=lambda i: i.at)
    after = check_plan(plan, FRAME, similar)
    assert after.passed, [v.message for v in after.violations]
    assert len(plan) == 6
    assert [i.event for i in plan if i.event] == ["Запуск кенийского лота"]


def test_a_plan_only_off_its_slots_is_moved_not_dropped(embedder: E5Embedder) -> None:
    topics = [
        (EDU, "Как выбрать помол для воронки"),
        (NEWS, "Утро в обжарочном цехе"),
        (SALE, "Набор для воронки со скидкой"),
        (EDU, "Какая вода нужна для кофе"),
        (NEWS, "Запуск кенийского лота: уже в кофейне"),
        (SALE, "Абонемент на кофе на месяц"),
    ]
    days = [0, 2, 4, 7, 9, 11]
    proposal = [
        _item(
            datetime.combine(START + timedelta(days=d), time(13, 30), TZ),  # off the 10:00 slot
            rubric,
            topic,
            event="Запуск кенийского лота" if d == 9 else None,
        )
        for d, (rubric, topic) in zip(days, topics, strict=True)
    ]
    similar = topic_similarity(embedder)
    assert "off_slot" in {v.code for v in check_plan(proposal, FRAME, similar).violations}
    repaired = repair_plan(proposal, FRAME, similar)
    assert repaired.holes == []
    assert not [c for c in repaired.changes if c.startswith("dropped")]
    assert len([c for c in repaired.changes if c.startswith("moved")]) == 6
    report = check_plan(repaired.items, FRAME, similar)
    assert report.passed, [v.message for v in report.violations]
    assert [i.topic for i in repaired.items] == [t for _, t in topics]
