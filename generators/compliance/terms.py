"""The one matcher for brand terms: banned words, required terms and competitors' names.

A term matches a word of the text, never a part of one: «дешёвый» is not found in «недешёвый»,
"ass" not in "class", «кофе» not in «кофейня». Words are compared by their stems (the Snowball
stemmers: Russian for Cyrillic words, English or Finnish for Latin ones), so inflected forms
match: «скидка» finds «скидки», «скидкой» and, with the fleeting vowel, «скидок»; "guarantee"
finds "guaranteed". Hebrew words also match behind one or two prefix letters (ו, ה, ב, ל, מ, ש, כ).
A phrase matches as consecutive words. In a hashtag, camelCase and underscores separate words
(#BestCoffee, #лучший_кофе); a tag written as one run of letters (#лучшийкофе) is one word.
Validation, repair, the hashtag cleaner and the offline composer all ask this module.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer

# Letters (with inner apostrophes) or digits: «Скидки2024» holds the word «Скидки».
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+")
_CAMEL = re.compile(r"(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])")
_HEBREW_PREFIXES = "והבלמשכ"
_RU_VOWELS = "аеёиоуыэюя"
_STEMMERS = {"CYRILLIC": "russian", "en": "english", "fi": "finnish"}
_LOCAL = threading.local()


@dataclass(frozen=True)
class Word:
    """One word of a text, with where it is."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class TermMatch:
    """Where a term was found, and the form it was found in."""

    term: str
    found: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """The words of a text (letters and digits; apostrophes inside a word keep it whole)."""
    return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def script_of(char: str) -> str:
    """The script a character belongs to, as Unicode names it: "LATIN", "CYRILLIC", "HEBREW"."""
    return unicodedata.name(char, "").split(" ")[0]


def mixes_scripts(word: str) -> bool:
    """Whether the word has both Latin and Cyrillic letters (a look-alike spoof or typo)."""
    return {"CYRILLIC", "LATIN"} <= {script_of(c) for c in word if c.isalpha()}


def _script(word: str) -> str:
    """The script of a word's first letter: "CYRILLIC", "HEBREW", "LATIN", … or "" for none."""
    return next((script_of(c) for c in word if c.isalpha()), "")


@lru_cache(maxsize=65536)  # a word's stem never changes; the lock-free cache is safe
def stem(word: str, language: str = "en") -> str:
    """The comparable form of one word: case-folded, ё as е, stemmed, fleeting vowel removed."""
    folded = unicodedata.normalize("NFC", word).casefold().replace("ё", "е")
    script = _script(folded)
    if script == "CYRILLIC":
        return _without_fleeting_vowel(str(_stemmer("CYRILLIC").stemWord(folded)))
    if script == "LATIN":
        # Latin words of a Russian or Hebrew brand are English more often than not.
        return str(_stemmer("fi" if language == "fi" else "en").stemWord(folded))
    return folded


def _without_fleeting_vowel(stemmed: str) -> str:
    """«скидок» and «скидк» compare equal: drop an о/е between the last two consonants."""
    if len(stemmed) >= 4 and stemmed[-2] in "ое":
        before, last = stemmed[-3], stemmed[-1]
        if before not in _RU_VOWELS and last not in _RU_VOWELS and last.isalpha():
            return stemmed[:-2] + last
    return stemmed


def _stemmer(language: str) -> Any:
    """This thread's stemmer for the language: a Snowball stemmer keeps its state while it runs."""
    mine: dict[str, Any] = _LOCAL.__dict__.setdefault("stemmers", {})
    if language not in mine:
        mine[language] = snowballstemmer.stemmer(_STEMMERS[language])
    return mine[language]


def _keys(word: str, language: str) -> set[str]:
    """What a text word may match as: its stem, and for Hebrew also the word behind one or two
    prefix letters."""
    keys = {stem(word, language)}
    if _script(word) == "HEBREW":
        folded = unicodedata.normalize("NFC", word)
        for cut in (1, 2):
            if len(folded) > cut + 1 and all(c in _HEBREW_PREFIXES for c in folded[:cut]):
                keys.add(stem(folded[cut:], language))
    return keys


class TermMatcher:
    """Finds any of a list of terms in texts, as words in any inflected form."""

    def __init__(self, terms: Iterable[str], language: str = "en") -> None:
        """Terms as the brand wrote them; `language` picks the stemmer for Latin-script words."""
        self.language = language
        self._terms: list[tuple[str, list[str]]] = []
        self._by_first: dict[str, list[tuple[str, list[str]]]] = {}
        for term in dict.fromkeys(t.strip() for t in terms if t.strip()):
            parts = [stem(w.text, language) for w in words(term)]
            if parts:
                self._terms.append((term, parts))
                self._by_first.setdefault(parts[0], []).append((term, parts))

    @property
    def terms(self) -> list[str]:
        """The terms, as given, without blanks and repeats."""
        return [term for term, _ in self._terms]

    def find(self, text: str) -> list[TermMatch]:
        """Every occurrence of every term in the text, in reading order."""
        if not self._terms:
            return []
        found = words(text)
        keys = [_keys(w.text, self.language) for w in found]
        matches = []
        for index, word_keys in enumerate(keys):
            for key in word_keys:
                for term, parts in self._by_first.get(key, ()):
                    end = index + len(parts)
                    rest = zip(parts[1:], keys[index + 1 : end], strict=False)
                    if end <= len(found) and all(part in ks for part, ks in rest):
                        start, stop = found[index].start, found[end - 1].end
                        matches.append(TermMatch(term, text[start:stop], start, stop))
        return sorted(set(matches), key=lambda m: (m.start, m.end, m.term))

    def first(self, text: str) -> TermMatch | None:
        """The first occurrence of any term, or None."""
        found = self.find(text)
        return found[0] if found else None

    def missing(self, text: str) -> list[str]:
        """The terms that do not occur in the text."""
        present = {m.term for m in self.find(text)}
        return [term for term in self.terms if term not in present]

    def in_hashtag(self, tag: str) -> TermMatch | None:
        """A term in a hashtag, its words told apart by camelCase and underscores."""
        return self.first(_CAMEL.sub(" ", tag.lstrip("#")))
