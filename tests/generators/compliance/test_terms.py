"""The one banned-word matcher: whole words in any inflected form, in text and in hashtags, and
the same answer wherever it is asked (validation, repair, the tag cleaner, the composer)."""

from __future__ import annotations

import pytest

from brand_voice.profile import BrandProfile
from generators.compliance.checks import validate
from generators.compliance.hashtags import clean_tags
from generators.compliance.repair import repair_post
from generators.compliance.terms import TermMatcher
from generators.drafts.schemas import PostDraft
from generators.llm.facts import ContextFact, DraftFacts
from generators.llm.offline import compose_post
from storage.enums import Platform
from tests.generators.compliance.helpers import context

# (banned term, forms that are the term, words that are not)
RUSSIAN = [
    ("скидка", ["скидка", "Скидки", "скидкой", "скидок", "СКИДКАМИ", "скидку"], ["скидывать"]),
    ("дешёвый", ["дешёвый", "дешевый", "дешёвые", "дешёвого", "Дешёвая"], ["недешёвый"]),
    ("кофе", ["кофе", "Кофе", "КОФЕ"], ["кофейня", "кофейный", "кофта", "лучшийкофе"]),
    ("элитный", ["элитный", "элитного", "элитные", "элитная"], ["элита"]),
    ("лучший в городе", ["лучший в городе", "лучшие в городе", "лучшая в городе"], ["лучший"]),
    ("кофеёк", ["кофеёк", "кофеек", "Кофеёк"], ["кофе"]),
]
ENGLISH = [
    ("guarantee", ["guarantee", "guaranteed", "Guarantees", "guaranteeing"], ["guard"]),
    ("cheap", ["cheap", "Cheap"], ["cheapskate"]),
    ("ass", ["ass", "asses"], ["class", "assistant", "bass"]),
    ("game-changer", ["game-changer", "game changers", "Game-Changer"], ["game"]),
    ("disrupt", ["disrupt", "disrupts", "disrupted", "disrupting"], ["disruptor"]),
]


@pytest.mark.parametrize(("term", "forms", "others"), RUSSIAN + ENGLISH)
def test_a_term_is_found_in_its_forms_and_nowhere_else(
    term: str, forms: list[str], others: list[str]
) -> None:
    matcher = TermMatcher([term], "ru")
    for form in forms:
        found = matcher.first(f"Вот {form}, как есть.")
        assert found is not None, form
        assert found.found == form
    for other in others:
        assert matcher.first(f"Вот {other}, как есть.") is None, other


def test_hashtags_split_at_camel_case_and_underscores() -> None:
    matcher = TermMatcher(["кофе"], "ru")
    assert matcher.in_hashtag("КофеДня") is not None
    assert matcher.in_hashtag("утренний_кофе") is not None
    assert matcher.in_hashtag("лучшийкофе") is None, "one run of letters is one word"


def test_finnish_and_hebrew_forms() -> None:
    assert TermMatcher(["kahvi"], "fi").first("Hyvää kahvia!") is not None
    hebrew = TermMatcher(["קפה"], "he")
    assert hebrew.first("והקפה שלנו") is not None
    assert hebrew.first("קפהלה") is None


PROFILE = BrandProfile(language="ru", banned_words=["кофе", "скидка"])


def test_validation_repair_tags_and_composer_give_one_answer() -> None:
    post = PostDraft(
        headline="Новая кофейня",
        body="Кофейня открыта. Скидки каждый день. Приходите.",
        call_to_action="Ждём вас",
        hashtags=["лучшийкофе", "Скидки", "кофе"],
    )
    ctx = context(Platform.VK, PROFILE)
    report = validate(post, ctx)
    banned = {v.found for v in report.violations if v.code == "banned_word"}
    assert banned == {"Скидки", "#Скидки", "#кофе"}
    repaired = repair_post(post, ctx)
    assert repaired.draft.body == "Кофейня открыта. Приходите.", "only the sentence with «Скидки»"
    assert repaired.draft.hashtags == ["лучшийкофе"]
    assert clean_tags(post.hashtags, ctx.banned) == ["лучшийкофе"]
    facts = _facts(("Кофейня на углу открыта с утра до вечера.", "Скидки на всё бывают редко."))
    composed = compose_post(facts)
    assert "Скидки на всё" not in composed.body
    assert composed.hashtags == ["лучшийкофе"]


def _facts(sentences: tuple[str, ...]) -> DraftFacts:
    posts = tuple(
        ContextFact(
            id=str(i), source="s", text=f"{s} #лучшийкофе #кофе", platform="vk",
            engagement=0.1, similarity=0.9,
        )
        for i, s in enumerate(sentences)
    )  # fmt: skip
    return DraftFacts(
        brand_name="Зерно",
        language="ru",
        language_name="Russian",
        banned_words=("кофе", "скидка"),
        branded_hashtags=(),
        default_cta="",
        platform=Platform.VK,
        platform_name="VK",
        max_chars=4096,
        hashtag_budget=5,
        links_clickable=True,
        topic="Кофейня на углу",
        brief="",
        rubric="",
        goal="",
        call_to_action="",
        link="",
        ad_label="",
        voice_rules=(),
        past_posts=posts,
        competitor_examples=(),
        variant_seed="seed",
    )
