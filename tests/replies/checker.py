"""The test's own reading of a reply, independent of the product's compliance gate: what a
community manager could not post."""

from __future__ import annotations

import re
import unicodedata

INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
FIRST_PERSON = {
    "ru": re.compile(r"(?<!\w)(я|мне|меня|мой|моя)(?!\w)", re.IGNORECASE),
    "en": re.compile(r"(?<!\w)(I|me|my|mine)(?!\w)"),
}
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
HIDE = re.compile(r"удал(ить|ите|им|яем)|скро(ем|ю|йте)|\b(delete|hide|remove)\b", re.IGNORECASE)


def problems(
    text: str, banned: list[str], limit: int, language: str, names: tuple[str, ...] = ()
) -> list[str]:
    """Everything wrong with a reply, in words (empty: it could be posted); `names` (the
    brand's, the commenter's) are not counted for the language."""
    found = []
    folded = text.casefold().replace("ё", "е")
    found += [f"banned {w!r}" for w in banned if w.casefold().replace("ё", "е") in folded]
    if len(text) > limit:
        found.append(f"{len(text)} > {limit} characters")
    if INVISIBLE.search(text) or any(unicodedata.category(c) == "Cc" for c in text if c != "\n"):
        found.append("invisible or control characters")
    if "<" in text and ">" in text:
        found.append("markup")
    if language in FIRST_PERSON and FIRST_PERSON[language].search(text):
        found.append("speaks as a person, not as the brand")
    prose = text
    for name in names:
        prose = prose.replace(name, "")
    letters = [c for c in prose if c.isalpha()]
    cyrillic = sum(1 for c in letters if CYRILLIC.match(c)) / max(len(letters), 1)
    if language == "ru" and cyrillic < 0.6:
        found.append("not Russian")
    if language == "en" and cyrillic > 0.1:
        found.append("not English")
    if HIDE.search(text):
        found.append("suggests deleting or hiding")
    return found
