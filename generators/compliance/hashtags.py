"""Hashtag normalisation: the one place that decides what counts as the same tag, and which
tags a brand may not use (a banned word or a competitor's tag, as `terms` matches them)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from generators.compliance.terms import TermMatcher, mixes_scripts

_NOT_WORD = re.compile(r"[^\w]")


def _bare(tag: str) -> str:
    """The tag as a platform links it: NFC, without '#', spaces or punctuation."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFC", tag))


def normalise(tag: str) -> str | None:
    """A tag without '#' or punctuation, NFC; None when it is empty, only digits, or mixes
    Cyrillic and Latin letters (usually a look-alike typo: a Latin 'c' in a Russian word)."""
    clean = _bare(tag)
    if not clean or clean.isdigit() or mixes_scripts(clean):
        return None
    return clean


def tag_key(tag: str) -> str:
    """What the reader sees: "#Кофе", "кофе", "# КОФЕ" and "#ко-фе" are one hashtag."""
    return _bare(tag).casefold()


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
