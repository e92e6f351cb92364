"""Invisible and bidirectional control characters in model output: found, named and stripped.

The character class is the ingestion cleaner's (`retrieval.text.INVISIBLE`): zero-width spaces,
bidi embeddings and isolates, the BOM, tag characters. A zero-width joiner or a tag character
inside an emoji sequence (👩‍💻, a subdivision flag) is part of the emoji and stays.
"""

from __future__ import annotations

import unicodedata

from generators.compliance.counting import emoji_spans
from retrieval.text import INVISIBLE


def _hidden(text: str) -> list[tuple[int, str]]:
    """(position, character) of each invisible character outside emoji sequences."""
    inside = emoji_spans(text)
    found = []
    for match in INVISIBLE.finditer(text):
        at = match.start()
        if not any(start < at < end for start, end in inside):
            found.append((at, match.group()))
    return found


def invisible_characters(text: str) -> list[str]:
    """The distinct invisible characters in the text, named ("U+200B ZERO WIDTH SPACE")."""
    names = dict.fromkeys(_describe(char) for _, char in _hidden(text))
    return list(names)


def strip_invisible(text: str) -> tuple[str, int]:
    """The text without its invisible characters, and how many were removed."""
    hidden = {at for at, _ in _hidden(text)}
    if not hidden:
        return text, 0
    return "".join(c for i, c in enumerate(text) if i not in hidden), len(hidden)


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'FORMAT CHARACTER')}"
