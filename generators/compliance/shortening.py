"""Shortening text to a limit at the right places: sentence ends, then words, never inside a
word or a URL, and never leaving a bracket or quote open when another cut fits."""

from __future__ import annotations

import re
from collections.abc import Callable

Length = Callable[[str], int]

# A sentence runs to its end punctuation (with closing quotes), a line break, or the end.
# Full-width CJK punctuation ends a sentence without a space after it, as CJK text has none.
_SENTENCE = re.compile(
    r"\S.*?(?:[.!?…]+[\"'»”’)\]]*(?=\s|\Z)|[。！？]+[」』）]*|(?=\n)|\Z)", re.DOTALL
)
_SPACE = re.compile(r"\s+")
_ENDS = (".", "!", "?", "…", "。", "！", "？")
_DANGLING = " \t\n,;:-–—"  # stripped before an ellipsis: "word, …" reads badly
_PAIRS = {"(": ")", "[": "]", "{": "}", "«": "»", "„": "“", "“": "”"}


def shorten(text: str, limit: int, length: Length) -> str:
    """Cut `text` to fit `limit`: at a sentence end, else at a word with "…"; "" if nothing fits.

    Never cuts inside a word or URL (cuts fall at whitespace) and avoids leaving a bracket or
    quote open when another cut fits. `length` must not shrink as the text grows.
    """
    if length(text) <= limit:
        return text
    ends = [end for _, end, _ in sentences(text)[:-1]]
    words = [gap.start() for gap in _SPACE.finditer(text.rstrip())]
    balanced = _balanced_positions(text, ends + words)
    options: list[tuple[list[int], bool, bool]] = [
        (ends, False, True),
        (words, True, True),
        (ends, False, False),
        (words, True, False),
    ]
    for positions, ellipsis, need_balance in options:
        allowed = [p for p in positions if p in balanced] if need_balance else positions
        cut = _longest_fitting(text, allowed, ellipsis, limit, length)
        if cut is not None:
            return cut
    return ""


def sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, whitespace after) of each sentence of `text`."""
    matches = list(_SENTENCE.finditer(text))
    result = []
    for index, match in enumerate(matches):
        following = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        result.append((match.start(), match.end(), text[match.end() : following]))
    return result


def _balanced_positions(text: str, positions: list[int]) -> set[int]:
    """The positions at which every bracket and quote opened before is closed."""
    wanted = set(positions)
    balanced: set[int] = set()
    stack: list[str] = []
    straight_open = False
    for index, char in enumerate(text):
        if index in wanted and not stack and not straight_open:
            balanced.add(index)
        if stack and char == _PAIRS[stack[-1]]:
            stack.pop()
        elif char in _PAIRS:
            stack.append(char)
        elif char == '"':
            straight_open = not straight_open
    return balanced


def _longest_fitting(
    text: str, positions: list[int], ellipsis: bool, limit: int, length: Length
) -> str | None:
    """The longest cut among `positions` that fits (binary search, then a check downwards)."""

    def cut(index: int) -> str:
        # Built on demand: a long text has thousands of positions.
        return _cut_at(text, positions[index], ellipsis)

    low, high, best = 0, len(positions) - 1, -1
    while low <= high:
        middle = (low + high) // 2
        if length(cut(middle)) <= limit:
            best, low = middle, middle + 1
        else:
            high = middle - 1
    # The search trusts `length` to grow with the text; verify rather than assume.
    for index in range(best, -1, -1):
        candidate = cut(index)
        if candidate and length(candidate) <= limit:
            return candidate
    return None


def _cut_at(text: str, position: int, ellipsis: bool) -> str:
    """The text up to `position`, with an ellipsis where the cut is not at a sentence end."""
    head = text[:position].rstrip()
    if not ellipsis:
        return head
    head = head.rstrip(_DANGLING)
    if not head:
        return ""
    # A cut after end punctuation (left open for balance) needs no ellipsis.
    return head if head.endswith(_ENDS) else head + "…"
