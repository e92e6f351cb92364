"""What a reply must never be, beyond the compliance gate that drafts share: the voice of a
private person instead of the brand's ("I", "я"; product rule: speak as the brand), HTML that
a comment box would show as typed, or words of the model's instructions (a comment that asked
for them). A reply that breaks any is dropped."""

from __future__ import annotations

import re

_FIRST_PERSON = {
    "ru": re.compile(
        r"(?<![\w-])(?:я|мне|меня|мной|мой|моя|моё|мое|мои|моего|моей|моих)(?![\w-])", re.IGNORECASE
    ),
    "en": re.compile(r"(?<![\w'-])(?:I|I'm|I've|I'll|I'd|me|my|mine|myself)(?![\w'-])"),
}
_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")


LEAK_WORDS = 5
"""A reply repeating this many words in a row of the instructions is quoting them."""
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)


def voice_problems(text: str, language: str, instructions: str = "") -> list[str]:
    """Why the reply cannot be posted as the brand's (empty: it can); `instructions` is the
    system prompt the reply was written under, if any."""
    found = []
    if instructions and (quoted := _quoted(text, instructions)):
        found.append(f"repeats the instructions («{quoted}»)")
    person = _FIRST_PERSON.get(language)
    if person is not None and (match := person.search(text)):
        found.append(f"speaks as a person («{match.group()}»), not as the brand («we»)")
    if tag := _HTML.search(text):
        found.append(f"carries HTML «{tag.group()}», which a comment shows as typed")
    return found


def _quoted(text: str, instructions: str) -> str:
    said = [w.casefold() for w in _WORDS.findall(instructions)]
    runs = {tuple(said[n : n + LEAK_WORDS]) for n in range(len(said) - LEAK_WORDS + 1)}
    words = [w.casefold() for w in _WORDS.findall(text)]
    for n in range(len(words) - LEAK_WORDS + 1):
        if tuple(words[n : n + LEAK_WORDS]) in runs:
            return " ".join(words[n : n + LEAK_WORDS])
    return ""
