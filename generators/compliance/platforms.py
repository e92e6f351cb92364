"""Per-platform rules a post must respect: one registry, each figure with its source.

The figures and their sources are those of `docs/platforms.md`. Figures the docs mark unverified
(the VK and OK text limits, YouTube's hashtag rule) are settings: `build_registry` takes
overrides such as `{"vk.max_chars": 2048}` for them and refuses overrides of verified figures.
Each platform also carries craft notes (how a good post is written there, each with its source),
which the draft prompt's platform section shows. The shipped registry (`RULES`) is read-only; a
process builds its own registry once, into its `Runtime`, and never changes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from storage.enums import Platform


class Counting(StrEnum):
    """How a platform measures text length."""

    CHARS = "chars"  # len() of the NFC-normalised text
    X_WEIGHTED = "x_weighted"  # twitter-text v3: CJK and emoji weigh 2, URLs 23


class LinkStyle(StrEnum):
    """How a link with its own text is written on the platform."""

    PLAIN = "plain"  # the bare URL
    VK_BRACKETS = "vk_brackets"  # [URL|text]: the target first, as in a mention [club1|Name]
    TELEGRAM_HTML = "telegram_html"  # <a href="URL">text</a>


@dataclass(frozen=True)
class CraftNote:
    """How a good post is written on the platform (the draft prompt's platform section shows
    these), with where the advice or its figure comes from."""

    text: str
    source: str


@dataclass(frozen=True, kw_only=True)
class PlatformRules:
    """What a post on one platform must respect, and where each figure comes from."""

    name: str
    max_chars: int
    counting: Counting = Counting.CHARS
    hashtag_cap: int | None = None
    soft_hashtags: int = 5
    max_links: int | None = None
    caption_max: int | None = None
    title_max: int | None = None
    media_required: bool = False
    links_clickable: bool = True
    link_style: LinkStyle = LinkStyle.PLAIN
    threads: bool = False
    ad_label_required: bool = False
    # A dict cannot be hashed; the rules stay hashable by their figures alone.
    sources: dict[str, str] = field(default_factory=dict, hash=False)
    unverified: frozenset[str] = frozenset()
    craft: tuple[CraftNote, ...] = field(default=(), hash=False)

    @property
    def source(self) -> str:
        """Where the text limit comes from (kept for callers that show one source)."""
        return self.sources.get("max_chars", "")


_X = "docs.x.com: counting characters"
_THREADS = "Meta developer docs (Threads)"
_INSTAGRAM = "Meta developer docs (Instagram)"
_TABLES = "Ayrshare and Zernio posting API limits tables"
_PTB = "python-telegram-bot constants"
_ERID = "Russian advertising law (since 1 September 2022): ads carry an erid label"
_ADVICE = "common advice (docs/platforms.md)"
_EDITORIAL = "Postcraft editorial practice (no published figure)"
_TG_HTML = "Telegram Bot API: HTML formatting"
_VK_MARKUP = "VK wiki markup: [URL|text]"
_IG_SHOWN = f"{_INSTAGRAM}: caption 2,200 characters (about 125 show)"
_IG_LINKS = f"{_INSTAGRAM}: links in captions are not clickable"
_YT_TITLE = f"{_TABLES}: title 100 (about 70 visible)"
_PIN_TITLE = f"{_TABLES}: title 100"
_YT_TAGS = "third-party sources, unverified: the first 3 show above the title"

_SHIPPED: dict[Platform, PlatformRules] = {
    Platform.X: PlatformRules(
        name="X (Twitter)",
        max_chars=280,
        counting=Counting.X_WEIGHTED,
        soft_hashtags=2,
        threads=True,
        sources={
            "max_chars": f"{_X}: 280 weighted characters (paid accounts up to 25,000)",
            "counting": f"{_X}: NFC, CJK and emoji weigh 2, every URL 23 (t.co)",
            "soft_hashtags": f"{_ADVICE}: 1-2 hashtags",
            "threads": "X: threads are chains of posts",
        },
        craft=(
            CraftNote(
                "Brevity: the hook first and one idea; the whole post is 280 characters.",
                f"{_X}: 280 weighted characters",
            ),
            CraftNote(
                "More to say than fits: write it so it splits into a thread of short posts.",
                "X: threads are chains of posts",
            ),
        ),
    ),
    Platform.THREADS: PlatformRules(
        name="Threads",
        max_chars=500,
        hashtag_cap=1,
        soft_hashtags=1,
        max_links=5,
        threads=True,
        sources={
            "max_chars": f"{_THREADS}: 500 characters",
            "hashtag_cap": f"{_THREADS}: 1 topic tag per post",
            "max_links": f"{_THREADS}: more than 5 links fails (since December 2025)",
            "threads": f"{_THREADS}: replies chain posts",
        },
        craft=(
            CraftNote("Conversational, with the hook in the first line.", _EDITORIAL),
            CraftNote("One topic tag, never a list of hashtags.", f"{_THREADS}: 1 topic tag"),
        ),
    ),
    Platform.INSTAGRAM: PlatformRules(
        name="Instagram",
        max_chars=2200,
        hashtag_cap=5,
        soft_hashtags=5,
        caption_max=2200,
        media_required=True,
        links_clickable=False,
        sources={
            "max_chars": f"{_INSTAGRAM}: caption 2,200 characters",
            "caption_max": _IG_SHOWN,
            "hashtag_cap": f"{_INSTAGRAM}: at most 5 hashtags (cut from 30 in December 2025)",
            "soft_hashtags": f"{_ADVICE}: 3-5 specific hashtags",
            "media_required": f"{_INSTAGRAM}: every post is an image, carousel or reel",
            "links_clickable": _IG_LINKS,
        },
        craft=(
            CraftNote("About 125 characters show before “more”: the hook goes there.", _IG_SHOWN),
            CraftNote(
                "Caption links are not clickable: no URL; send readers to the link in bio.",
                _IG_LINKS,
            ),
            CraftNote(
                "3-5 specific hashtags at the end, never a wall of tags.",
                f"{_ADVICE}: 3-5 specific hashtags",
            ),
        ),
    ),
    Platform.FACEBOOK: PlatformRules(
        name="Facebook",
        max_chars=63206,
        soft_hashtags=2,
        sources={
            "max_chars": f"{_TABLES}: 63,206 characters",
            "soft_hashtags": f"{_ADVICE}: 1-2 hashtags",
        },
        craft=(
            CraftNote(
                "The hook in the first two lines: a long post folds behind “See more”.",
                _EDITORIAL,
            ),
            CraftNote("A link gets a preview card: one link is enough.", _EDITORIAL),
        ),
    ),
    Platform.LINKEDIN: PlatformRules(
        name="LinkedIn",
        max_chars=3000,
        soft_hashtags=4,
        sources={
            "max_chars": f"{_TABLES}: 3,000 characters",
            "soft_hashtags": f"{_ADVICE}: 3-5 hashtags",
        },
        craft=(
            CraftNote(
                "Professional register; the point in the first two lines, before “see more”.",
                _EDITORIAL,
            ),
            CraftNote("Short paragraphs with a line break between each.", _EDITORIAL),
            CraftNote("3-5 hashtags at the end, never a wall of tags.", f"{_ADVICE}: 3-5 hashtags"),
        ),
    ),
    Platform.TIKTOK: PlatformRules(
        name="TikTok",
        max_chars=2200,
        caption_max=2200,
        title_max=90,
        media_required=True,
        sources={
            "max_chars": f"{_TABLES}: video caption 2,200 (photo description 4,000)",
            "caption_max": f"{_TABLES}: video caption 2,200",
            "title_max": f"{_TABLES}: photo title 90",
            "media_required": f"{_TABLES}: no text-only posts",
        },
        craft=(
            CraftNote(
                "The caption goes with a video: a hook line, then the words people search for.",
                _EDITORIAL,
            ),
        ),
    ),
    Platform.YOUTUBE: PlatformRules(
        name="YouTube",
        max_chars=5000,
        hashtag_cap=15,
        soft_hashtags=3,
        title_max=100,
        sources={
            "max_chars": f"{_TABLES}: description 5,000",
            "title_max": _YT_TITLE,
            "hashtag_cap": "third-party sources, unverified: more than 15 and all are ignored",
            "soft_hashtags": _YT_TAGS,
        },
        unverified=frozenset({"hashtag_cap", "soft_hashtags"}),
        craft=(
            CraftNote("The headline is the title: the key words in its first 70.", _YT_TITLE),
            CraftNote(
                "The description opens with what the video gives, in the words viewers search.",
                _EDITORIAL,
            ),
            CraftNote("The first 3 hashtags show above the title.", _YT_TAGS),
        ),
    ),
    Platform.TELEGRAM: PlatformRules(
        name="Telegram",
        max_chars=4096,
        caption_max=1024,
        link_style=LinkStyle.TELEGRAM_HTML,
        ad_label_required=True,
        sources={
            "max_chars": f"{_PTB}: message 4,096 characters",
            "caption_max": f"{_PTB}: media caption 1,024 characters",
            "link_style": _TG_HTML,
            "ad_label_required": _ERID,
        },
        craft=(
            CraftNote(
                'Telegram HTML formatting: <b>bold</b>, <i>italic</i>, <a href="URL">text</a>; '
                "no Markdown.",
                _TG_HTML,
            ),
            CraftNote("The first line is the chat-list preview: make it the hook.", _EDITORIAL),
        ),
    ),
    Platform.VK: PlatformRules(
        name="VK",
        max_chars=4096,
        link_style=LinkStyle.VK_BRACKETS,
        ad_label_required=True,
        sources={
            "max_chars": "unverified: open-source clients (Postiz VK provider) use 2,048-4,096",
            "link_style": _VK_MARKUP,
            "ad_label_required": _ERID,
        },
        unverified=frozenset({"max_chars"}),
        craft=(
            CraftNote("A link with its own text is [URL|text]; a bare URL works too.", _VK_MARKUP),
            CraftNote("The hook in the first lines, before “Show more”.", _EDITORIAL),
            CraftNote("Hashtags are searchable: the brand's first, then topical ones.", _EDITORIAL),
        ),
    ),
    Platform.OK: PlatformRules(
        name="Odnoklassniki",
        max_chars=4096,
        ad_label_required=True,
        sources={
            "max_chars": "unverified: no authoritative figure, 4,096 as for VK",
            "ad_label_required": _ERID,
        },
        unverified=frozenset({"max_chars"}),
        craft=(
            CraftNote("Warm, plain words; the hook in the first line of the feed.", _EDITORIAL),
        ),
    ),
    Platform.PINTEREST: PlatformRules(
        name="Pinterest",
        max_chars=500,
        title_max=100,
        media_required=True,
        sources={
            "max_chars": f"{_TABLES}: description 500",
            "title_max": _PIN_TITLE,
            "soft_hashtags": f"{_ADVICE}: 2-5 hashtags",
            "media_required": f"{_TABLES}: a pin is an image or a video",
        },
        craft=(
            CraftNote("The headline is the pin's title: at most 100 characters.", _PIN_TITLE),
            CraftNote(
                "Title and description are search text: lead with the words people search for.",
                _EDITORIAL,
            ),
        ),
    ),
}


Registry = Mapping[Platform, PlatformRules]
RULES: Registry = MappingProxyType(_SHIPPED)  # the figures as shipped, before any setting


def setting_defaults() -> dict[str, int]:
    """Every unverified figure as an override key (`vk.max_chars`) with its default value."""
    defaults: dict[str, int] = {}
    for platform, rules in RULES.items():
        for name in sorted(rules.unverified):
            value = getattr(rules, name)
            if isinstance(value, int):
                defaults[f"{platform.value}.{name}"] = value
    return defaults


def rules_for(platform: Platform, overrides: Mapping[str, int] | None = None) -> PlatformRules:
    """The platform's rules with unverified figures replaced by the configured overrides."""
    rules = RULES[platform]
    # Any: replace() takes each field's own type; _check_override has made sure it is an int.
    changes: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        target, name = _check_override(key, value)
        if target is platform:
            changes[name] = value
    return dataclasses.replace(rules, **changes) if changes else rules


def _check_override(key: str, value: int) -> tuple[Platform, str]:
    """Validate every key, not only this platform's, so a bad setting fails wherever it is read."""
    prefix, _, name = key.partition(".")
    try:
        platform = Platform(prefix)
    except ValueError:
        raise ValueError(f"{key}: unknown platform {prefix!r}") from None
    if name not in RULES[platform].unverified:
        raise ValueError(f"{key}: {name!r} is not an unverified figure of {platform.value}")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{key}: expected a positive whole number, got {value!r}")
    return platform, name


def build_registry(overrides: Mapping[str, int] | None = None) -> Registry:
    """The registry with the configured unverified figures, read-only (built once per process)."""
    return MappingProxyType({p: rules_for(p, overrides) for p in Platform})


def text_limit(rules: PlatformRules, with_media: bool) -> int:
    """The text a post may carry: a media caption's limit when it has a picture (Telegram's
    1,024), the message limit without."""
    if with_media and rules.caption_max is not None:
        return min(rules.caption_max, rules.max_chars)
    return rules.max_chars


def hashtag_budget(rules: PlatformRules) -> int:
    """How many hashtags to put on a draft: the soft advice, never above the hard cap."""
    cap = rules.hashtag_cap
    return min(cap, rules.soft_hashtags) if cap is not None else rules.soft_hashtags
