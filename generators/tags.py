"""Hashtag normalisation, the one place that decides what counts as the same tag."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence


def normalise(tag: str) -> str | None:
    """A tag without '#' or punctuation, NFC; None when it is empty, only digits, or mixes
    Cyrillic and Latin letters (usually a look-alike typo: a Latin 'c' in a Russian word)."""
    clean = re.sub(r"[^\w]", "", unicodedata.normalize("NFC", tag))
    if not clean or clean.isdigit():
        return None
    scripts = {"cyrillic" if "CYRILLIC" in unicodedata.name(c, "") else "latin"
               for c in clean if c.isalpha()}  # fmt: skip
    return clean if len(scripts) <= 1 else None


def clean_tags(tags: Iterable[str], banned: Sequence[str] = ()) -> list[str]:
    """Tags normalised, in their order, without case-insensitive duplicates or banned words."""
    banned_folded = [word.casefold() for word in banned]
    seen: set[str] = set()
    kept: list[str] = []
    for raw in tags:
        tag = normalise(raw)
        if tag is None or any(word in tag.casefold() for word in banned_folded):
            continue
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            kept.append(tag)
    return kept
