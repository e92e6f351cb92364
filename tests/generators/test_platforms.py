"""The platform registry: the figures of docs/platforms.md, their sources, unverified settings,
and each platform's craft notes."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

import pytest

from generators.compliance.platforms import (
    RULES,
    Counting,
    LinkStyle,
    PlatformRules,
    build_registry,
    hashtag_budget,
    rules_for,
    setting_defaults,
    text_limit,
)
from storage.enums import Platform

FIGURES = ("max_chars", "hashtag_cap", "max_links", "caption_max", "title_max")
DEFAULTS = {f.name: f.default for f in dataclasses.fields(PlatformRules)}


def _platforms_where(flag: str) -> set[Platform]:
    return {p for p, rules in RULES.items() if getattr(rules, flag)}


def test_every_platform_has_rules() -> None:
    assert set(RULES) == set(Platform)


@pytest.mark.parametrize(
    ("platform", "max_chars", "hashtag_cap"),
    [
        (Platform.X, 280, None),
        (Platform.THREADS, 500, 1),
        (Platform.INSTAGRAM, 2200, 5),
        (Platform.FACEBOOK, 63206, None),
        (Platform.LINKEDIN, 3000, None),
        (Platform.TIKTOK, 2200, None),
        (Platform.YOUTUBE, 5000, 15),
        (Platform.TELEGRAM, 4096, None),
        (Platform.VK, 4096, None),
        (Platform.OK, 4096, None),
        (Platform.PINTEREST, 500, None),
    ],
)
def test_text_limits_and_hashtag_caps_match_the_docs(
    platform: Platform, max_chars: int, hashtag_cap: int | None
) -> None:
    assert RULES[platform].max_chars == max_chars
    assert RULES[platform].hashtag_cap == hashtag_cap


def test_only_x_counts_weighted_characters() -> None:
    weighted = {p for p, r in RULES.items() if r.counting is Counting.X_WEIGHTED}
    assert weighted == {Platform.X}


def test_other_figures_match_the_docs() -> None:
    assert RULES[Platform.THREADS].max_links == 5
    assert {p for p, r in RULES.items() if r.max_links is not None} == {Platform.THREADS}
    assert RULES[Platform.TELEGRAM].caption_max == 1024
    assert RULES[Platform.INSTAGRAM].caption_max == 2200
    assert RULES[Platform.YOUTUBE].title_max == 100
    assert RULES[Platform.PINTEREST].title_max == 100
    assert RULES[Platform.TIKTOK].title_max == 90
    assert RULES[Platform.LINKEDIN].title_max is None


def test_platform_flags() -> None:
    assert _platforms_where("media_required") == {
        Platform.TIKTOK,
        Platform.PINTEREST,
        Platform.INSTAGRAM,
    }
    assert {p for p, r in RULES.items() if not r.links_clickable} == {Platform.INSTAGRAM}
    assert _platforms_where("threads") == {Platform.X, Platform.THREADS}
    assert _platforms_where("ad_label_required") == {Platform.VK, Platform.OK, Platform.TELEGRAM}


def test_link_styles() -> None:
    assert RULES[Platform.VK].link_style is LinkStyle.VK_BRACKETS
    assert RULES[Platform.TELEGRAM].link_style is LinkStyle.TELEGRAM_HTML
    others = set(Platform) - {Platform.VK, Platform.TELEGRAM}
    assert {RULES[p].link_style for p in others} == {LinkStyle.PLAIN}


@pytest.mark.parametrize("platform", list(Platform))
def test_every_figure_and_non_default_rule_names_its_source(platform: Platform) -> None:
    rules = RULES[platform]
    for name in FIGURES:
        if getattr(rules, name) is not None:
            assert rules.sources.get(name), f"{platform.value}.{name} has no source"
    for name in ("counting", "media_required", "links_clickable", "link_style", "threads"):
        if getattr(rules, name) != DEFAULTS[name]:
            assert rules.sources.get(name), f"{platform.value}.{name} has no source"
    if rules.ad_label_required:
        assert "erid" in rules.sources["ad_label_required"]
    assert set(rules.sources) <= {f.name for f in dataclasses.fields(PlatformRules)}
    assert rules.source == rules.sources["max_chars"]


def test_unverified_figures_are_the_ones_the_docs_mark() -> None:
    unverified = {p: r.unverified for p, r in RULES.items() if r.unverified}
    assert unverified == {
        Platform.VK: {"max_chars"},
        Platform.OK: {"max_chars"},
        Platform.YOUTUBE: {"hashtag_cap", "soft_hashtags"},
    }
    for platform, names in unverified.items():
        for name in names:
            assert "unverified" in RULES[platform].sources[name]


def test_setting_defaults_list_every_unverified_figure() -> None:
    assert setting_defaults() == {
        "vk.max_chars": 4096,
        "ok.max_chars": 4096,
        "youtube.hashtag_cap": 15,
        "youtube.soft_hashtags": 3,
    }


def test_an_override_replaces_an_unverified_figure_of_its_platform_only() -> None:
    overrides = {"vk.max_chars": 2048, "youtube.hashtag_cap": 10}
    assert rules_for(Platform.VK, overrides).max_chars == 2048
    assert rules_for(Platform.YOUTUBE, overrides).hashtag_cap == 10
    assert rules_for(Platform.OK, overrides) is RULES[Platform.OK]
    assert RULES[Platform.VK].max_chars == 4096, "the registry itself never changes"


def test_no_overrides_give_the_registry_rules() -> None:
    assert rules_for(Platform.X) is RULES[Platform.X]
    assert rules_for(Platform.VK, {}) is RULES[Platform.VK]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("x.max_chars", 500, "x.max_chars"),
        ("instagram.hashtag_cap", 30, "instagram.hashtag_cap"),
        ("vk.hashtag_cap", 3, "vk.hashtag_cap"),
        ("myspace.max_chars", 100, "myspace"),
        ("vk.max_chars", 0, "positive"),
        ("vk", 100, "vk"),
    ],
)
def test_a_bad_override_is_refused_naming_the_field(key: str, value: int, message: str) -> None:
    # Asked for another platform: a bad setting fails wherever it is read.
    with pytest.raises(ValueError, match=message):
        rules_for(Platform.TELEGRAM, {key: value})


def test_a_boolean_is_not_a_figure() -> None:
    with pytest.raises(ValueError, match="positive whole number"):
        rules_for(Platform.VK, {"vk.max_chars": True})


@pytest.mark.parametrize(
    ("platform", "budget"),
    [
        (Platform.X, 2),
        (Platform.THREADS, 1),
        (Platform.INSTAGRAM, 5),
        (Platform.FACEBOOK, 2),
        (Platform.LINKEDIN, 4),
        (Platform.YOUTUBE, 3),
        (Platform.VK, 5),
        (Platform.PINTEREST, 5),
    ],
)
def test_hashtag_budget_is_the_advice_within_the_cap(platform: Platform, budget: int) -> None:
    assert hashtag_budget(RULES[platform]) == budget
    cap = RULES[platform].hashtag_cap
    assert cap is None or hashtag_budget(RULES[platform]) <= cap


def test_hashtag_budget_follows_overrides() -> None:
    assert hashtag_budget(build_registry({"youtube.hashtag_cap": 2})[Platform.YOUTUBE]) == 2
    assert hashtag_budget(build_registry({"youtube.soft_hashtags": 8})[Platform.YOUTUBE]) == 8


def test_a_post_with_a_picture_is_a_caption() -> None:
    assert text_limit(RULES[Platform.TELEGRAM], with_media=True) == 1024
    assert text_limit(RULES[Platform.TELEGRAM], with_media=False) == 4096
    assert text_limit(RULES[Platform.INSTAGRAM], with_media=True) == 2200
    assert text_limit(RULES[Platform.VK], with_media=True) == 4096


def _row(platform: Platform, rules: PlatformRules) -> str:
    def figure(value: int | None) -> str:
        return "—" if value is None else f"{value:,}"

    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    cells = [
        f"{rules.name} (`{platform.value}`)",
        f"{rules.max_chars:,}",
        figure(rules.caption_max),
        figure(rules.title_max),
        figure(rules.hashtag_cap),
        str(rules.soft_hashtags),
        figure(rules.max_links),
        yes(rules.links_clickable),
        yes(rules.media_required),
        yes(rules.ad_label_required),
        rules.counting.value,
    ]
    return "| " + " | ".join(cells) + " |"


def test_the_docs_table_is_the_registry() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "platforms.md").read_text("utf-8")
    for platform, rules in RULES.items():
        assert _row(platform, rules) in docs, f"docs/platforms.md disagrees on {platform.value}"
        for source in rules.sources.values():
            assert source in docs, source


EDITORIAL = "Postcraft editorial practice (no published figure)"


def test_the_docs_list_the_registry_craft_notes() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "platforms.md").read_text("utf-8")
    craft = docs.split("## Craft notes", 1)[1]
    for rules in RULES.values():
        listed = craft.split(f"- **{rules.name}**:\n", 1)[1].split("\n- **", 1)[0]
        expected = [
            f"  - {html.escape(n.text, quote=False)} *Source: {n.source}.*" for n in rules.craft
        ]
        assert listed.strip("\n").splitlines() == expected, rules.name


@pytest.mark.parametrize("platform", list(Platform))
def test_every_craft_note_cites_a_document_the_registry_already_cites(platform: Platform) -> None:
    documents = {s.split(":")[0] for r in RULES.values() for s in r.sources.values()}
    notes = RULES[platform].craft
    assert notes, f"{platform.value} has no craft notes"
    for note in notes:
        assert note.text
        assert note.text == note.text.strip()
        assert "http" not in note.source, "no invented URLs"
        assert note.source == EDITORIAL or note.source.split(":")[0] in documents, note.source


@pytest.mark.parametrize(
    ("platform", "words"),
    [
        (Platform.INSTAGRAM, ("125", "“more”", "link in bio")),
        (Platform.TELEGRAM, ("<b>", "<i>", '<a href="URL">', "preview")),
        (Platform.VK, ("[URL|text]", "“Show more”", "searchable")),
        (Platform.LINKEDIN, ("Professional register", "first two lines", "wall of tags")),
        (Platform.FACEBOOK, ("first two lines", "“See more”")),
        (Platform.THREADS, ("hook in the first line", "One topic tag")),
        (Platform.X, ("Brevity", "thread")),
        (Platform.TIKTOK, ("search",)),
        (Platform.YOUTUBE, ("title", "70", "search")),
        (Platform.PINTEREST, ("100", "search")),
        (Platform.OK, ("hook",)),
    ],
)
def test_craft_notes_say_what_each_platform_needs(
    platform: Platform, words: tuple[str, ...]
) -> None:
    said = " ".join(note.text for note in RULES[platform].craft)
    for word in words:
        assert word in said, f"{platform.value}: {word!r} missing from {said!r}"


def test_craft_notes_link_to_the_registry_figures() -> None:
    instagram = RULES[Platform.INSTAGRAM]
    assert not instagram.links_clickable
    assert any(n.source == instagram.sources["links_clickable"] for n in instagram.craft)
    assert any(n.source == instagram.sources["caption_max"] for n in instagram.craft)
    for platform in (Platform.VK, Platform.TELEGRAM):
        rules = RULES[platform]
        assert any(n.source == rules.sources["link_style"] for n in rules.craft), platform
    # The rules stay hashable by their figures alone, as with `sources`.
    assert hash(RULES[Platform.VK]) == hash(dataclasses.replace(RULES[Platform.VK], craft=()))
