"""Hashtag normalisation: the one place that decides what counts as the same tag, and which
tags a brand may not use (a banned word or a competitor's tag, as `terms` matches them)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from generators.compliance.terms import TermMatcher

_NOT_WORD = re.compile(r"[^\w]")


def normalise(tag: str) -> str | None:
    """A tag without '#' or punctuation, NFC; None when it is empty, only digits, or mixes
    Cyrillic and Latin letters (usually a look-alike typo: a Latin 'c' in a Russian word)."""
    clean = _NOT_WORD.sub("", unicodedata.normalize("NFC", tag))
    if not clean or clean.isdigit():
        return None
    scripts = {"cyrillic" if "CYRILLIC" in unicodedata.name(c, "") else "latin"
               for c in clean if c.isalpha()}  # fmt: skip
    return clean if len(scripts) <= 1 else None


def tag_key(tag: str) -> str:
    """What the reader sees: "#Кофе", "кофе" and "# КОФЕ" are one hashtag."""
    return unicodedata.normalize("NFC", tag.strip("# ")).casefold()


def clean_tags(tags: Iterable[str], banned: TermMatcher | None = None) -> list[str]:
    """Tags normalised, in their order, without case-insensitive duplicates or banned words."""
    seen: set[str] = set()
    kept: list[str] = []
    for raw in tags:
        tag = normalise(raw)
        if tag is None or (banned is not None and banned.in_hashtag(tag)):
            continue
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            kept.append(tag)
    return kept


def hashtags_in(text: str) -> list[str]:
    """The #tags written inside a text, without '#'."""
    return re.findall(r"(?<![\w&])#([^\W_][\w]*)", text)
