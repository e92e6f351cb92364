"""Counting as the platforms count (X's weighted length above all) and splitting into threads.

Expected X lengths marked "conformance" are the weightedLength of twitter-text's v3 conformance
suite (validate.yml, WeightedTweetsWithDiscountedEmojiCounterTest); the others follow from the
algorithm on docs.x.com ("counting characters").
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.compliance.counting import fits, platform_length, split_thread, x_weighted_length
from generators.compliance.platforms import RULES
from storage.enums import Platform

X = RULES[Platform.X]
THREADS = RULES[Platform.THREADS]
FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # man, woman, girl, boy joined by ZWJ
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
KANA = "あいうえおかきくけこ"
SUFFIX = re.compile(r" \((\d+)/(\d+)\)$")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi http://test.co", 26),
        ("http://test.co", 23),
        ("https://www.twitter.com/aloha " * 10, 240),
        ("故人西辞黄鹤楼，烟花三月下扬州。" * 10, 320),
        ("the" + "故人西辞黄鹤楼，烟花三月下扬州。" * 10, 323),
        ("😷" * 160, 320),
        ("A\u0301B", 2),  # "Á" decomposed: NFC makes it one code point
        ("A\ufb2c", 4),  # a Hebrew presentation form NFC expands into three code points
        ("H🐱☺" + FAMILY, 7),
        ("😷👾😡🔥💩", 10),
        ("🙋🏽👨\u200d🎤", 4),
        (FAMILY * 140, 280),
        (f"Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; {ENGLAND}", 34),
        ("Unicode 9.0 emoji: 🤠; 💃; 💃🏾", 29),
        ("randomurl" * 7 + "s.com", 68),  # a 64-character label is no domain
        ("285 chars-" + "xxxxxxxxxx-" * 25, 285),
        ("285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24, 299),
        ("xxxxxxxxxx-" * 24 + " http://www.twitter.com/jack ", 289),
        ("ABC\u202a\uffffABC\ufffe", 12),
        ("\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069", 31),
        # A CJK host is linked only while its punycode label stays within 63 characters.
        (KANA * 12 + " http://" + KANA * 5 + "あいう.com", 358),
        (KANA * 12 + " http://" + KANA * 5 + "あい.com", 264),
    ],
)
def test_x_conformance_examples(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Привет, мир", 11),  # Cyrillic U+0400-U+04FF lies inside 0-4351: weight 1
        ("Ёжик в тумане", 13),
        ("שלום", 4),
        ("你好", 4),
        ("こんにちは", 10),
        ("한국어", 6),
        ("—«»", 3),  # em dash and guillemets weigh 1
        ("…", 2),  # U+2026 lies outside the light ranges
        ("№ 5 за 300 ₽", 14),  # "№" and "₽" lie outside the light ranges
        ("😀", 2),
        ("👍🏽", 2),  # skin tone
        ("🇷🇺🇺🇸", 4),  # two flags
        ("🏳️\u200d🌈", 2),  # variation selector and ZWJ
        ("❤️", 2),
        ("1\ufe0f\u20e3", 2),  # keycap
        ("©", 1),
        ("©\ufe0f", 2),
        ("", 0),
    ],
)
def test_x_weights_by_code_point_range_and_emoji_sequence(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/a/very/long/path/that/goes/on/and/on", 23),
        ("Читайте https://кофе.рф/статьи/воронка", 8 + 23),
        ("https://example.com и https://example.org/x и http://t.co", 23 * 3 + 6),
        ("example.com", 23),
        ("example.com/path/to/a/page?with=query", 23),
        ("www.zerno.ru", 23),
        ("zerno.ru/shop", 23),
        ("shop.ru", 23),  # X may leave a bare ccTLD domain unlinked: never less than 23
        ("a-very-long-coffee-shop-name.ru", 31),  # ...and if X leaves it, it counts literally
        ("Visit https://example.com/a.", 6 + 23 + 1),  # the full stop ends the sentence
        ("(see https://example.com/a)", 1 + 4 + 23 + 1),
        ("user@example.com", 16),  # an e-mail address is not a link
        ("#example.com", 12),
        ("Node.js и т.д.", 14),  # unknown TLDs and abbreviations are text
        ("https://☃.net/", 23),
        ("http://☃.net/你好", 23 + 4),  # CJK ends the path
        ("http://localhost:8000", 21),  # no TLD, no link
    ],
)
def test_x_counts_urls_as_23(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


def test_nfc_and_nfd_count_the_same() -> None:
    composed = "Йогурт и кофе: café, naïve"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert x_weighted_length(decomposed) == x_weighted_length(composed) == len(composed)
    rules = RULES[Platform.VK]
    assert platform_length(decomposed, rules) == platform_length(composed, rules) == len(composed)


def test_platform_length_dispatches_on_the_counting_rule() -> None:
    text = "你好 😀 https://example.com/" + "x" * 30
    assert platform_length(text, X) == 2 * 2 + 1 + 2 + 1 + 23
    assert platform_length(text, THREADS) == len(text)


def test_fits_is_inclusive_of_the_limit() -> None:
    assert fits("x" * 280, X)
    assert not fits("x" * 281, X)
    assert fits("я" * 500, THREADS)
    assert not fits("я" * 501, THREADS)
    assert not fits("你" * 141, X), "141 CJK characters weigh 282"


def _paragraphs(count: int, sentence: str, per_paragraph: int) -> str:
    return "\n\n".join(
        " ".join(f"{sentence} {p}.{s}." for s in range(per_paragraph)) for p in range(count)
    )


def _check_thread(posts: list[str], text: str, rules: object) -> None:
    assert isinstance(rules, type(X))
    for index, post in enumerate(posts, start=1):
        match = SUFFIX.search(post)
        assert match is not None, post
        assert (int(match.group(1)), int(match.group(2))) == (index, len(posts))
        assert fits(post, rules), (platform_length(post, rules), post)
    bodies = [SUFFIX.sub("", post) for post in posts]
    assert " ".join(" ".join(bodies).split()) == " ".join(text.split()), "nothing lost"


def test_a_text_that_fits_is_one_post_without_a_suffix() -> None:
    assert split_thread("  Коротко и ясно.  ", X) == ["Коротко и ясно."]


def test_a_long_text_splits_at_paragraph_breaks_first() -> None:
    text = _paragraphs(4, "Кофе обжариваем по средам", 4)
    posts = split_thread(text, X)
    _check_thread(posts, text, X)
    # Whole paragraphs, as many as fit: the 4 paragraphs of about 130 characters go 2 and 2.
    paragraphs = text.split("\n\n")
    bodies = [SUFFIX.sub("", post) for post in posts]
    assert bodies == ["\n\n".join(paragraphs[:2]), "\n\n".join(paragraphs[2:])]


def test_a_long_paragraph_splits_at_sentence_ends() -> None:
    text = " ".join(f"Предложение номер {i} о свежей обжарке зерна." for i in range(20))
    posts = split_thread(text, X)
    _check_thread(posts, text, X)
    assert all(SUFFIX.sub("", post).endswith(".") for post in posts)


def test_a_long_sentence_splits_between_words() -> None:
    text = " ".join(["словоформа"] * 120)
    posts = split_thread(text, X)
    _check_thread(posts, text, X)
    assert all(set(SUFFIX.sub("", p).split()) == {"словоформа"} for p in posts)


def test_urls_and_emoji_sequences_are_never_split() -> None:
    url = "https://example.com/" + "path/" * 30
    tokens = [url, FAMILY, "🏳️\u200d🌈", "🇷🇺", "слово"] * 12
    text = " ".join(tokens)
    posts = split_thread(text, X)
    _check_thread(posts, text, X)
    for post in posts:
        for token in SUFFIX.sub("", post).split():
            assert token in {url, FAMILY, "🏳️\u200d🌈", "🇷🇺", "слово"}


def test_ten_or_more_posts_count_the_wider_suffix() -> None:
    text = _paragraphs(30, "Абзац", 1) + " " + "слово " * 600
    posts = split_thread(text, THREADS)
    assert len(posts) >= 10
    _check_thread(posts, text, THREADS)
    assert posts[0].endswith(f" (1/{len(posts)})")


def test_threads_counts_plain_characters() -> None:
    text = "你" * 400 + " " + "你" * 400
    posts = split_thread(text, THREADS)
    assert [SUFFIX.sub("", p) for p in posts] == ["你" * 400, "你" * 400]


def test_a_token_longer_than_a_post_is_cut_between_clusters() -> None:
    text = unicodedata.normalize("NFD", "й" * 300 + " " + "😀" * 200)
    posts = split_thread(text, X)
    bodies = [SUFFIX.sub("", post) for post in posts]
    assert all(fits(post, X) for post in posts)
    assert "".join("".join(bodies).split()) == "".join(text.split()), "nothing lost"
    for body in bodies:
        assert not unicodedata.combining(body[0]), "a combining mark left its letter"
        assert "и" not in unicodedata.normalize("NFC", body), "a letter lost its mark"


def test_a_platform_without_threads_refuses_to_split() -> None:
    with pytest.raises(ValueError, match="VK"):
        split_thread("слово " * 1000, RULES[Platform.VK])


def test_a_limit_too_small_for_the_suffix_is_an_error() -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        split_thread("слово " * 10, dataclasses.replace(X, max_chars=6))


TOKENS = st.sampled_from(
    ["кофе", "Coffee.", "обжарка!", "你好", "😀", FAMILY, "🇷🇺", "https://example.com/a", "x" * 40]
)
SEPARATORS = st.sampled_from([" ", " ", "\n", "\n\n"])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(TOKENS, SEPARATORS), min_size=1, max_size=150),
    st.sampled_from([X, THREADS, dataclasses.replace(THREADS, max_chars=60)]),
)
def test_every_thread_post_fits_and_nothing_is_lost(
    pieces: list[tuple[str, str]], rules: object
) -> None:
    assert isinstance(rules, type(X))
    text = "".join(token + separator for token, separator in pieces).strip()
    posts = split_thread(text, rules)
    if fits(text, rules):
        assert posts == [text]
    else:
        _check_thread(posts, text, rules)
