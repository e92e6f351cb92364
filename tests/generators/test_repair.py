"""Deterministic repair: shortening at the right places, and properties over arbitrary drafts."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brand_voice.profile import BrandProfile
from generators.compliance.context import post_context
from generators.compliance.counting import platform_length, x_weighted_length
from generators.compliance.grounding import Grounding
from generators.compliance.platforms import RULES, PlatformRules
from generators.compliance.repair import RepairResult, fit_to_limit, repair_post
from generators.compliance.shortening import shorten
from generators.compliance.terms import TermMatcher
from generators.drafts.schemas import PostDraft, post_text
from storage.enums import Platform
from tests.generators.compliance.helpers import JUDGE

X = RULES[Platform.X]
INSTAGRAM = RULES[Platform.INSTAGRAM]
URL = "https://zerno.example.com/shop/ethiopia-yirgacheffe-natural"


def _draft(
    body: str, headline: str = "Новый лот", cta: str = "Заказывайте!", tags: tuple[str, ...] = ()
) -> PostDraft:
    return PostDraft(headline=headline, body=body, call_to_action=cta, hashtags=list(tags))


KNOWN = f"{URL} zerno.ru пример.рф/меню"  # the brand's own addresses: not contacts from nowhere


def _repair(
    draft: PostDraft, rules: PlatformRules, banned: list[str] | None = None
) -> RepairResult:
    """The whole repair, for a Russian brand with these banned words, on these rules."""
    platform = next(p for p, r in RULES.items() if r.name == rules.name)
    profile = BrandProfile(language="ru", banned_words=banned or [])
    grounding = Grounding(own_text=KNOWN, language="ru")
    ctx = post_context(
        platform, rules, profile, grounding, JUDGE, language="ru", with_media=False, ad_label=None
    )
    return repair_post(draft, ctx)


def _rendered_tags(draft: PostDraft) -> int:
    return sum(1 for tag in draft.hashtags if tag.strip("# "))


# shorten


def test_shorten_leaves_text_that_fits() -> None:
    assert shorten("Кофе. Чай.", 10, len) == "Кофе. Чай."


def test_shorten_cuts_at_the_last_sentence_end_that_fits() -> None:
    text = "Первое предложение. Второе! Третье предложение длинное?"
    assert shorten(text, 30, len) == "Первое предложение. Второе!"


def test_shorten_cuts_at_a_word_with_an_ellipsis_when_no_sentence_fits() -> None:
    text = "Один два три, четыре пять шесть"
    assert shorten(text, 15, len) == "Один два три…"  # the comma before the cut goes too


def test_shorten_never_cuts_inside_a_url() -> None:
    text = f"Подробности на сайте {URL} и в магазине"
    result = shorten(text, 40, len)
    assert result == "Подробности на сайте…"
    assert len(shorten(text, len(text) - 5, len)) <= len(text) - 5
    assert URL in shorten(text, len(text) - 5, len)


def test_shorten_avoids_leaving_a_quote_or_bracket_open() -> None:
    text = "Он сказал: «Идём. Сейчас же». Потом ушёл (очень далеко. Насовсем). Конец"
    assert shorten(text, 60, len) == "Он сказал: «Идём. Сейчас же»."
    assert shorten('Скажи "да. Нет." Потом', 20, len) == 'Скажи "да. Нет."'


def test_shorten_accepts_an_open_bracket_when_nothing_else_fits() -> None:
    assert shorten("(Очень длинная мысль без конца", 20, len) == "(Очень длинная…"


def test_shorten_gives_nothing_when_not_even_one_word_fits() -> None:
    assert shorten("Сверхдлинноесловобезпробелов и ещё", 10, len) == ""


def test_shorten_measures_with_the_given_length() -> None:
    text = "你好世界。你好世界。你好世界。"  # CJK sentences need no space between them
    assert shorten(text, 12, len) == "你好世界。你好世界。"
    assert shorten(text, 12, x_weighted_length) == "你好世界。"


# repair_post: hashtags (normalised by sanitize, then capped)


def test_hashtags_over_the_cap_are_dropped_from_the_end() -> None:
    tags = ("зерноипламя", "кофе", "обжарка", "эфиопия", "фильтр", "v60", "аэропресс", "утро")
    result = _repair(_draft("Текст.", tags=tags), INSTAGRAM)
    assert result.draft.hashtags == list(tags[:5])
    assert result.changes == ["dropped 3 hashtags over Instagram's cap of 5"]


def test_duplicate_and_empty_hashtags_are_removed_keeping_the_first() -> None:
    tags = ("Кофе", "#кофе", "КОФЕ ", "#", "  ", "обжарка")
    result = _repair(_draft("Текст.", tags=(*tags, "кофеr")), RULES[Platform.VK])  # a Latin r
    assert result.draft.hashtags == ["Кофе", "обжарка"]
    assert result.changes == ["removed 5 duplicate, empty or mixed-script hashtags"]


def test_duplicates_are_removed_before_the_cap_counts() -> None:
    result = _repair(_draft("Текст.", tags=("кофе", "Кофе", "чай")), RULES[Platform.THREADS])
    assert result.draft.hashtags == ["кофе"]


# fit_to_limit: length


def test_trailing_blocks_go_first_and_headline_and_cta_stay() -> None:
    blocks = [f"Блок {i}. " + "Про кофе и обжарку. " * 4 for i in range(5)]
    draft = _draft("\n\n".join(blocks), cta="Заказывайте на сайте.")
    result = fit_to_limit(draft, X)
    assert result.draft.headline == draft.headline
    assert result.draft.call_to_action == draft.call_to_action
    assert result.draft.body == "\n\n".join(blocks[:2]).strip()
    assert result.changes == ["dropped the last 3 blocks of the body to fit 280 characters"]


def test_one_long_block_loses_sentences() -> None:
    body = " ".join(f"Предложение {i} о свежей обжарке." for i in range(20))
    result = fit_to_limit(_draft(body), X)
    assert result.draft.body.endswith(".")
    assert body.startswith(result.draft.body)
    assert result.changes == ["shortened the body to fit 280 characters"]
    assert platform_length(post_text(result.draft), X) <= 280


def test_x_counts_weights_when_repairing() -> None:
    body = "。".join(["你好世界"] * 40) + "。"  # 200 characters that weigh 400
    draft = _draft(body, headline="Hi", cta="Go")
    assert len(post_text(draft)) <= 280 < x_weighted_length(post_text(draft))
    result = fit_to_limit(draft, X)
    assert x_weighted_length(post_text(result.draft)) <= 280
    assert body.startswith(result.draft.body)
    assert result.draft.body.endswith("。")
    assert result.changes == ["shortened the body to fit 280 characters"]


def test_hashtags_beyond_the_advice_go_before_the_body_is_cut() -> None:
    tags = tuple(f"хэштег{i}" for i in range(12))
    draft = _draft("Короткий текст о кофе. " * 8, tags=tags)
    result = fit_to_limit(draft, X)
    assert result.draft.body == draft.body
    assert result.draft.hashtags == list(tags[: len(result.draft.hashtags)])
    assert 2 <= len(result.draft.hashtags) < 12
    assert result.changes[0].startswith("dropped ")
    assert "beyond the 2 advised for X (Twitter)" in result.changes[0]


def test_the_call_to_action_is_shortened_before_the_headline() -> None:
    headline = "Свежая обжарка каждую среду"
    cta = "Заказывайте зерно на сайте, в приложении, по телефону или в любой из наших кофеен. " * 4
    result = fit_to_limit(_draft("Тело.", headline=headline, cta=cta), X)
    assert result.draft.headline == headline
    assert result.draft.body == ""
    assert result.draft.call_to_action
    assert result.changes == [
        "removed the body to fit 280 characters",
        "shortened the call to action to fit 280 characters",
    ]


def test_the_headline_is_the_last_resort() -> None:
    headline = "Заголовок " * 40
    result = fit_to_limit(_draft("Тело.", headline=headline, cta="Жми.", tags=("бренд",)), X)
    assert result.draft.headline.endswith("…")
    assert result.changes[-1] == "shortened the headline to fit 280 characters"
    assert "dropped 1 more hashtag to fit 280 characters" in result.changes


# repair_post: banned words


def test_banned_words_drop_hashtags_and_body_sentences() -> None:
    body = "Свежая обжарка. Скидки до 50%!\n\nПриходите в кофейню. Дешёвого не держим."
    tags = ("зерно", "Скидки2024", "кофе")
    result = _repair(_draft(body, tags=tags), RULES[Platform.VK], banned=["скидка", "дешёвый"])
    assert result.draft.hashtags == ["зерно", "кофе"]
    assert result.draft.body == "Свежая обжарка.\n\nПриходите в кофейню."
    assert result.changes == [
        "dropped 1 hashtag with a banned word",
        "removed 2 sentences with a banned word from the body",
    ]


def test_a_banned_word_matches_whole_words_only() -> None:
    draft = _draft("Наш class лучший. Кофейня на углу.", tags=("classic", "лучшийкофе"))
    assert _repair(draft, RULES[Platform.VK], banned=["ass", "кофе"]).draft == draft


# properties

WORDS = st.sampled_from(
    [
        "кофе",
        "Обжарка.",
        "зерно,",
        "Эфиопия!",
        "coffee",
        "roast?",
        "你好世界。",
        "😀",
        "👨\u200d👩\u200d👧\u200d👦",
        "🇷🇺",
        "👍🏽",
        "й",
        "и\u0306",  # decomposed й
        URL,
        "zerno.ru",
        "пример.рф/меню",
        "«цитата»",
        "(скобка",
        'кавычка"',
        "Сверхдлинноесловобезпробелов" * 6,
        "x" * 300,
    ]
)
TEXTS = st.lists(st.one_of(WORDS, st.text(min_size=1, max_size=12)), max_size=80).flatmap(
    lambda words: st.lists(
        st.sampled_from([" ", " ", " ", "\n", "\n\n"]), min_size=len(words), max_size=len(words)
    ).map(lambda gaps: "".join(w + g for w, g in zip(words, gaps, strict=True)))
)
TAGS = st.lists(
    st.one_of(
        st.sampled_from(
            ["зерноипламя", "#Кофе", "кофе", "КОФЕ", "#", "", "eth😀", "v60", "x" * 80]
        ),
        st.text(max_size=15),
    ),
    max_size=40,
)
DRAFTS = st.builds(PostDraft, headline=TEXTS, body=TEXTS, call_to_action=TEXTS, hashtags=TAGS)


@st.composite
def platform_rules(draw: st.DrawFn) -> PlatformRules:
    """Every platform, with its real limit or a small one so that the limits bite."""
    rules = RULES[draw(st.sampled_from(list(Platform)))]
    limit = draw(st.sampled_from([rules.max_chars, 280, 100, 40, 5]))
    return dataclasses.replace(rules, max_chars=min(limit, rules.max_chars))


BANNED = st.lists(st.sampled_from(["скидка", "coffee", "x", "кофе"]), max_size=2)


@settings(max_examples=200, deadline=None)
@given(DRAFTS, platform_rules(), BANNED)
def test_a_repaired_draft_never_exceeds_a_hard_limit(
    draft: PostDraft, rules: PlatformRules, banned: list[str]
) -> None:
    result = _repair(draft, rules, banned)
    assert platform_length(post_text(result.draft), rules) <= rules.max_chars
    if rules.hashtag_cap is not None:
        assert _rendered_tags(result.draft) <= rules.hashtag_cap
    keys = [tag.strip("# ").casefold() for tag in result.draft.hashtags]
    assert all(keys), "no empty hashtags"
    assert len(set(keys)) == len(keys), "no duplicate hashtags"
    matcher = TermMatcher(banned, "ru")
    assert not any(matcher.in_hashtag(tag) for tag in result.draft.hashtags)
    assert matcher.first(result.draft.body) is None, "sentences with a banned word go"
    if not result.changes:
        texts = ("headline", "body", "call_to_action")
        assert all(getattr(result.draft, f) == getattr(draft, f) for f in texts), "described"


@settings(max_examples=200, deadline=None)
@given(DRAFTS, platform_rules(), BANNED)
def test_repair_is_idempotent(draft: PostDraft, rules: PlatformRules, banned: list[str]) -> None:
    once = _repair(draft, rules, banned)
    twice = _repair(once.draft, rules, banned)
    assert twice.draft == once.draft
    assert twice.changes == []


@settings(max_examples=200, deadline=None)
@given(DRAFTS, platform_rules())
def test_a_draft_that_fits_is_returned_unchanged(draft: PostDraft, rules: PlatformRules) -> None:
    # Make the draft valid (distinct, non-empty tags) and the rules roomy enough for it.
    unique = {tag.strip("# ").casefold(): tag for tag in reversed(draft.hashtags)}
    tags = [tag for key, tag in unique.items() if key][::-1]
    draft = draft.model_copy(update={"hashtags": tags})
    cap = rules.hashtag_cap
    rules = dataclasses.replace(
        rules,
        max_chars=max(rules.max_chars, platform_length(post_text(draft), rules)),
        hashtag_cap=None if cap is None else max(cap, len(tags)),
    )
    result = fit_to_limit(draft, rules)
    assert result.draft == draft
    assert result.changes == []


@pytest.mark.parametrize("platform", list(Platform))
def test_a_huge_draft_fits_every_platform(platform: Platform) -> None:
    rules = RULES[platform]
    body = "\n\n".join("Абзац про кофе. " * 300 for _ in range(20))
    draft = _draft(body, headline="Заголовок " * 20, tags=tuple(f"тег{i}" for i in range(40)))
    result = _repair(draft, rules)
    assert platform_length(post_text(result.draft), rules) <= rules.max_chars
    assert rules.hashtag_cap is None or len(result.draft.hashtags) <= rules.hashtag_cap
    assert result.draft.headline == draft.headline
