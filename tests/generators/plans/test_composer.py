"""The offline composer's plans keep every rule, for both demo brands (their real profiles:
rubrics, community format, time zone), several periods and frequencies, with events; checked
by the product's rules and, independently, by counts done here."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, time, timedelta
from itertools import pairwise

import pytest

from brand_voice.profile import BrandProfile
from generators.plans.composer import compose_plan
from generators.plans.rules import PlanFrame, RubricTarget, Slots, check_plan
from generators.plans.schemas import EventKind, PlanEvent
from generators.plans.topics import topic_similarity
from retrieval.embeddings import E5Embedder
from storage.enums import Platform, Rubric
from tests.conftest import DEMO

START = date(2027, 2, 1)  # a Monday
CADENCES = {
    "three-a-week-on-slots": {Platform.VK: Slots(3, frozenset({1, 3, 5}), frozenset({time(10)}))},
    "two-platforms": {
        Platform.VK: Slots(2, frozenset({2, 4}), frozenset({time(19)})),
        Platform.TELEGRAM: Slots(5),
    },
    "daily": {Platform.TELEGRAM: Slots(7, times=frozenset({time(9), time(18)}))},
}


def _profile(slug: str) -> BrandProfile:
    data = json.loads((DEMO / slug / "brand.json").read_text())
    return BrandProfile.model_validate({k: v for k, v in data.items() if k not in ("name", "slug")})


def _ideas(profile: BrandProfile) -> dict[str, list[str]]:
    pool = {
        Rubric.EDUCATIONAL: [
            "Как выбрать помол для воронки", "Почему эспрессо горчит", "Как хранить зерно дома",
            "Чем фильтр отличается от эспрессо", "Какая вода нужна для кофе",
            "Сколько кофе класть на чашку", "Что такое степень обжарки",
            "Как читать этикетку на пачке", "Зачем кофе отдыхает после обжарки",
            "Как устроена кофемашина", "Чем арабика отличается от робусты",
            "Как варить кофе в турке",
        ],
        Rubric.NEWS: [
            "Утро в обжарочном цехе", "Новый ростер приехал", "Знакомьтесь: наш новый бариста",
            "Как мы отбираем лоты", "Ремонт на Вайнера закончен",
            "Наша команда на чемпионате бариста", "Поставка зерна из Колумбии",
            "Мы перешли на компостируемые стаканы", "Итоги года в цифрах",
        ],
        Rubric.UGC: [
            "Фото гостей с летней террасы", "Ваши рецепты колд брю",
            "Истории первых гостей кофейни", "Лучшие латте-арты подписчиков",
            "Ваши кофейные кружки", "Гости рассказывают про любимый лот",
        ],
        Rubric.ENTERTAINING: [
            "Кофейные суеверия со всего мира", "Город до открытия кофейни",
            "Тест: какой вы кофейный напиток", "Кофе в кино",
            "Самые странные кофейные рецепты", "Угадай страну по вкусу",
        ],
        Rubric.COMMERCIAL: [
            "Набор для воронки со скидкой", "Абонемент на кофе на месяц",
            "Подарочные сертификаты", "Бесплатная доставка зерна по городу",
            "Скидка на второй пакет", "Корпоративный кофе для офиса",
        ],
    }  # fmt: skip
    return {r.name: pool[r.category] for r in profile.rubrics}


@pytest.mark.parametrize("slug", ["zerno", "northwind"])
@pytest.mark.parametrize("days", [7, 14, 30])
@pytest.mark.parametrize("cadence", sorted(CADENCES))
def test_composed_plans_keep_every_rule(
    embedder: E5Embedder, slug: str, days: int, cadence: str
) -> None:
    profile = _profile(slug)
    platforms = list(CADENCES[cadence])
    events = (
        PlanEvent(on=START + timedelta(days=3), title="Запуск кенийского лота",
                  kind=EventKind.LAUNCH, platforms=platforms[:1]),
        PlanEvent(on=START + timedelta(days=days - 2), title="Дегустация в кофейне",
                  kind=EventKind.PROMOTION),
    )  # fmt: skip
    frame = PlanFrame(
        starts_on=START,
        days=days,
        tz=profile.zone(),
        cadence=CADENCES[cadence],
        rubrics=tuple(RubricTarget(r.name, r.category, r.share) for r in profile.rubrics),
        community=profile.community_format,
        events=events,
        recent_topics=("Почему эспрессо горчит",),
    )
    similar = topic_similarity(embedder)
    items = compose_plan(frame, _ideas(profile), similar, profile.language)
    report = check_plan(items, frame, similar)
    assert report.passed, [v.message for v in report.violations]

    # The test's own counts.
    assert all(
        START <= i.at.astimezone(frame.tz).date() < START + timedelta(days=days) for i in items
    )
    for platform, slots in frame.cadence.items():
        mine = sorted((i for i in items if i.platform is platform), key=lambda i: i.at)
        assert abs(len(mine) - round(slots.posts_per_week * days / 7)) <= 1
        for a, b in pairwise(mine):
            assert a.rubric != b.rubric, (platform, a.at, b.at)
    shares = Counter(i.rubric for i in items)
    for rubric in profile.rubrics:
        assert abs(shares[rubric.name] - rubric.share * len(items)) <= max(1, 0.1 * len(items))
    assert "Почему эспрессо горчит" not in {i.topic for i in items}, "a recent post's topic"
    on_launch = [i for i in items if i.event == "Запуск кенийского лота"]
    assert [i.at.astimezone(frame.tz).date() for i in on_launch] == [START + timedelta(days=3)]
    assert all(i.copy_brief and i.design_brief and i.goal for i in items)
