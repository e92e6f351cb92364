"""The language of a post, judged offline, and words that mix look-alike letters of two scripts.

The identifier is py3langid (a maintained fork of langid.py; its naive Bayes model ships inside
the wheel, nothing is downloaded), restricted to the languages a brand profile can name. Only
prose is judged: links, @handles, #tags, e-mail addresses and the mandatory phrases (ad labels,
disclaimers) are removed first, and text with fewer than `MIN_LETTERS` letters is not judged,
as a few words (a product name, "Kenya AA") can read as any language.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from brand_voice.profile import LANGUAGE_NAMES
from generators.compliance.grounding import without_addresses
from generators.compliance.terms import mixes_scripts, script_of, words

MIN_LETTERS = 24
# Below that, a post for a Russian, Ukrainian or Hebrew brand is still judged by its script.
MIN_SCRIPT_LETTERS = 8
# The identifier must give the requested language less than this probability to call it wrong.
# Measured on short lines: one that mixes Russian and Ukrainian words («Новий лот уже на
# полиці») gets p(ru) = 0.51 and passes; a Ukrainian sentence gets p(ru) < 0.001, and so does
# an English one for a Russian brand. So 0.05 flags only what is plainly another language.
WRONG_BELOW = 0.05
_NOT_PROSE = re.compile(r"\S+@\S+|(?<!\w)[@#][\w.]+")
_SCRIPTS = {"ru": "CYRILLIC", "uk": "CYRILLIC", "he": "HEBREW", "en": "LATIN", "fi": "LATIN"}
# Latin letters that look like Cyrillic ones, and back: a word mixing them is a spoofed word.
_LATIN_TO_CYRILLIC = dict(zip("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ", strict=True))
_CYRILLIC_TO_LATIN = {cyr: lat for lat, cyr in _LATIN_TO_CYRILLIC.items()}


@dataclass(frozen=True)
class LanguageVerdict:
    """What the identifier read: the likeliest language and the requested one's probability."""

    detected: str
    expected_probability: float


class LanguageJudge:
    """The offline identifier, loaded on first use (about a second) and then shared."""

    def __init__(self, languages: Sequence[str] = tuple(LANGUAGE_NAMES)) -> None:
        """A judge for these ISO 639-1 codes."""
        self.languages = list(languages)
        self._identifier: Any = None
        self._lock = threading.Lock()

    def _model(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(self.languages)  # this instance only
                self._identifier = identifier
            return self._identifier

    def judge(self, prose: str, expected: str) -> LanguageVerdict | None:
        """The verdict on prose, or None when it is too short to judge."""
        if letters(prose) < MIN_LETTERS:
            return None
        ranked = dict(self._model().rank(prose))
        detected = max(ranked, key=lambda code: ranked[code])
        return LanguageVerdict(detected, float(ranked.get(expected, 0.0)))

    def wrong_language(self, prose: str, expected: str) -> str | None:
        """The language the prose is in instead of `expected`, or None when it is fine (or too
        short to tell). Prose mostly in another script is wrong whatever the model says."""
        script = _SCRIPTS.get(expected)
        # Prose mostly in another script than the language's is plain in a few letters (a
        # Cyrillic reply to an English comment); telling Latin-script languages apart is not.
        enough = letters(prose) >= MIN_SCRIPT_LETTERS
        if script is not None and enough and _letters_share(prose, script) < 0.5:
            foreign = " ".join(w.text for w in words(prose) if script_of(w.text[0]) != script)
            ranked = self._model().rank(foreign)
            return str(ranked[0][0]) if ranked[0][0] != expected else "another script"
        verdict = self.judge(prose, expected)
        if verdict is None:
            return None
        if verdict.detected == expected or verdict.expected_probability >= WRONG_BELOW:
            return None
        return verdict.detected


def prose_of(text: str, mandatory: Sequence[str] = ()) -> str:
    """The text without links, @handles, #tags, e-mail addresses and the mandatory phrases."""
    for phrase in mandatory:
        text = text.replace(phrase, " ")
    return _NOT_PROSE.sub(" ", without_addresses(text))


def letters(text: str) -> int:
    """How many letters the text has (what is judged: digits and signs say nothing)."""
    return sum(c.isalpha() for c in text)


def _letters_share(text: str, script: str) -> float:
    found = [script_of(c) for c in text if c.isalpha()]
    return sum(s == script for s in found) / len(found) if found else 1.0


def mixed_script_words(text: str) -> list[str]:
    """Words that mix Cyrillic and Latin letters ("кофe" with a Latin e), in order, once each."""
    found = [w.text for w in words(text) if mixes_scripts(w.text)]
    return list(dict.fromkeys(found))


def unmix(word: str) -> str | None:
    """The word with its minority-script look-alikes replaced by the majority script's letters,
    or None when a letter has no look-alike (a real mixed word, left to the person)."""
    cyrillic = sum(script_of(c) == "CYRILLIC" for c in word)
    latin = sum(script_of(c) == "LATIN" for c in word)
    table, minority = (
        (_LATIN_TO_CYRILLIC, "LATIN") if cyrillic >= latin else (_CYRILLIC_TO_LATIN, "CYRILLIC")
    )
    fixed = []
    for char in word:
        if script_of(char) == minority:
            if char not in table:
                return None
            char = table[char]
        fixed.append(char)
    return "".join(fixed)
