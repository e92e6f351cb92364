"""Deterministic repair of a draft that breaks a platform's hard rules, each change explained.

Order of repair: duplicate and empty hashtags, hashtags with banned words, hashtags over the
platform's cap, body sentences with banned words; then, only while the post is too long:
hashtags beyond the advised count, trailing body blocks, body sentences (or words), the call to
action, the remaining hashtags from the last, and the headline as the last resort.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generators.counting import platform_length
from generators.drafts.schemas import PostDraft, post_text
from generators.platforms import PlatformRules

Length = Callable[[str], int]
Step = Callable[[PostDraft, PlatformRules, list[str]], PostDraft]

# A sentence runs to its end punctuation (with closing quotes), a line break, or the end.
# Full-width CJK punctuation ends a sentence without a space after it, as CJK text has none.
_SENTENCE = re.compile(
    r"\S.*?(?:[.!?…]+[\"'»”’)\]]*(?=\s|\Z)|[。！？]+[」』）]*|(?=\n)|\Z)", re.DOTALL
)
_SPACE = re.compile(r"\s+")
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*")
_ENDS = (".", "!", "?", "…", "。", "！", "？")
_DANGLING = " \t\n,;:-–—"  # stripped before an ellipsis: "word, …" reads badly
_PAIRS = {"(": ")", "[": "]", "{": "}", "«": "»", "„": "“", "“": "”"}


@dataclass(frozen=True)
class RepairResult:
    """The repaired draft and, for the user, what was changed and why."""

    draft: PostDraft
    changes: list[str]


def shorten(text: str, limit: int, length: Length) -> str:
    """Cut `text` to fit `limit`: at a sentence end, else at a word with "…"; "" if nothing fits.

    Never cuts inside a word or URL (cuts fall at whitespace) and avoids leaving a bracket or
    quote open when another cut fits. `length` must not shrink as the text grows.
    """
    if length(text) <= limit:
        return text
    sentences = [end for _, end, _ in _sentences(text)[:-1]]
    words = [gap.start() for gap in _SPACE.finditer(text.rstrip())]
    balanced = _balanced_positions(text, sentences + words)
    options: list[tuple[list[int], bool, bool]] = [
        (sentences, False, True),
        (words, True, True),
        (sentences, False, False),
        (words, True, False),
    ]
    for positions, ellipsis, need_balance in options:
        allowed = [p for p in positions if p in balanced] if need_balance else positions
        cut = _longest_fitting(text, allowed, ellipsis, limit, length)
        if cut is not None:
            return cut
    return ""


def _sentences(text: str) -> list[tuple[int, int, str]]:
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


def repair_post(draft: PostDraft, rules: PlatformRules, banned: Sequence[str] = ()) -> RepairResult:
    """Make the draft respect the platform's hard limits, keeping as much of it as possible.

    `banned` are the brand's banned words: hashtags and body sentences containing one (as a
    word or the start of a word, case-insensitively) are dropped. Banned words in the headline
    or the call to action are left for the compliance check: no cut can fix them.
    """
    changes: list[str] = []
    draft = _clean_hashtags(draft, changes)
    draft = _drop_banned(draft, banned, changes)
    draft = _cap_hashtags(draft, rules, changes)
    for step in _LENGTH_STEPS:
        if _fits(draft, rules):
            break
        draft = step(draft, rules, changes)
    return RepairResult(draft, changes)


def _fits(draft: PostDraft, rules: PlatformRules) -> bool:
    return platform_length(post_text(draft), rules) <= rules.max_chars


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _to_fit(rules: PlatformRules) -> str:
    return f"to fit {rules.max_chars} characters"


def _tag_key(tag: str) -> str:
    """What the reader sees: "#Кофе", "кофе" and "# КОФЕ" are one hashtag."""
    return unicodedata.normalize("NFC", tag.strip("# ")).casefold()


def _clean_hashtags(draft: PostDraft, changes: list[str]) -> PostDraft:
    """Drop empty hashtags and case-insensitive duplicates, keeping the first of each."""
    kept: list[str] = []
    seen: set[str] = set()
    for tag in draft.hashtags:
        key = _tag_key(tag)
        if key and key not in seen:
            seen.add(key)
            kept.append(tag)
    empty = sum(1 for tag in draft.hashtags if not _tag_key(tag))
    duplicates = len(draft.hashtags) - len(kept) - empty
    if duplicates:
        changes.append(f"removed {_plural(duplicates, 'duplicate hashtag')}")
    if empty:
        changes.append(f"removed {_plural(empty, 'empty hashtag')}")
    return draft.model_copy(update={"hashtags": kept}) if len(kept) < len(draft.hashtags) else draft


def _banned_pattern(banned: Sequence[str]) -> re.Pattern[str] | None:
    """Banned words as word starts, so "скидк" catches "скидки" and "ass" spares "class"."""
    words = sorted({w.strip().casefold() for w in banned if w.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + ")")


def _drop_banned(draft: PostDraft, banned: Sequence[str], changes: list[str]) -> PostDraft:
    """Drop hashtags and body sentences that contain a banned word."""
    pattern = _banned_pattern(banned)
    if pattern is None:
        return draft
    tags = [tag for tag in draft.hashtags if not pattern.search(tag.casefold())]
    if len(tags) < len(draft.hashtags):
        dropped = len(draft.hashtags) - len(tags)
        changes.append(f"dropped {_plural(dropped, 'hashtag')} with a banned word")
        draft = draft.model_copy(update={"hashtags": tags})
    body, removed = _without_sentences(draft.body, pattern)
    if removed:
        changes.append(f"removed {_plural(removed, 'sentence')} with a banned word from the body")
        draft = draft.model_copy(update={"body": body})
    return draft


def _without_sentences(text: str, pattern: re.Pattern[str]) -> tuple[str, int]:
    """The text without the sentences `pattern` finds, keeping paragraph breaks between others."""
    parts: list[list[str]] = []
    removed = 0
    for start, end, after in _sentences(text):
        if pattern.search(text[start:end].casefold()):
            removed += 1
            # Keep the stronger break: removing a paragraph's last sentence must not merge two.
            if parts and after.count("\n") > parts[-1][1].count("\n"):
                parts[-1][1] = after
            continue
        parts.append([text[start:end], after])
    if not removed:
        return text, 0
    return "".join(sentence + after for sentence, after in parts).rstrip(), removed


def _cap_hashtags(draft: PostDraft, rules: PlatformRules, changes: list[str]) -> PostDraft:
    """Keep the first `hashtag_cap` hashtags: branded ones come first."""
    cap = rules.hashtag_cap
    if cap is None or len(draft.hashtags) <= cap:
        return draft
    dropped = len(draft.hashtags) - cap
    changes.append(f"dropped {_plural(dropped, 'hashtag')} over {rules.name}'s cap of {cap}")
    return draft.model_copy(update={"hashtags": draft.hashtags[:cap]})


def _drop_advised_hashtags(draft: PostDraft, rules: PlatformRules, changes: list[str]) -> PostDraft:
    """While too long, drop hashtags beyond the advised count: advice says they hurt anyway."""
    tags = _hashtags_until_fit(draft, rules, rules.soft_hashtags)
    dropped = len(draft.hashtags) - len(tags)
    if not dropped:
        return draft
    changes.append(
        f"dropped {_plural(dropped, 'hashtag')} beyond the {rules.soft_hashtags} advised "
        f"for {rules.name} {_to_fit(rules)}"
    )
    return draft.model_copy(update={"hashtags": tags})


def _drop_remaining_hashtags(
    draft: PostDraft, rules: PlatformRules, changes: list[str]
) -> PostDraft:
    """While too long, drop hashtags from the last: the first are the branded ones."""
    tags = _hashtags_until_fit(draft, rules, 0)
    dropped = len(draft.hashtags) - len(tags)
    if not dropped:
        return draft
    changes.append(f"dropped {_plural(dropped, 'more hashtag')} {_to_fit(rules)}")
    return draft.model_copy(update={"hashtags": tags})


def _hashtags_until_fit(draft: PostDraft, rules: PlatformRules, floor: int) -> list[str]:
    """The hashtags with the last ones dropped until the post fits or `floor` remain."""
    tags = list(draft.hashtags)
    while len(tags) > floor and not _fits(draft.model_copy(update={"hashtags": tags}), rules):
        tags.pop()
    return tags


def _drop_blocks(draft: PostDraft, rules: PlatformRules, changes: list[str]) -> PostDraft:
    """While too long, drop whole blocks from the end of the body, keeping the first."""
    body = draft.body.strip()
    dropped = 0
    while not _fits(draft.model_copy(update={"body": body}), rules):
        breaks = list(_BLOCK_BREAK.finditer(body))
        if not breaks:
            break
        body = body[: breaks[-1].start()].rstrip()
        dropped += 1
    if not dropped:
        return draft
    blocks = "block" if dropped == 1 else f"{dropped} blocks"
    changes.append(f"dropped the last {blocks} of the body {_to_fit(rules)}")
    return draft.model_copy(update={"body": body})


def _shorten_field(field: str, label: str) -> Step:
    """A repair step that shortens one text field of the draft, measured in the whole post."""

    def step(draft: PostDraft, rules: PlatformRules, changes: list[str]) -> PostDraft:
        def length(value: str) -> int:
            return platform_length(post_text(draft.model_copy(update={field: value})), rules)

        current: str = getattr(draft, field)
        shortened = shorten(current, rules.max_chars, length)
        if shortened == current:
            return draft
        verb = "shortened" if shortened.strip() else "removed"
        changes.append(f"{verb} the {label} {_to_fit(rules)}")
        return draft.model_copy(update={field: shortened})

    return step


_LENGTH_STEPS: tuple[Step, ...] = (
    _drop_advised_hashtags,
    _drop_blocks,
    _shorten_field("body", "body"),
    _shorten_field("call_to_action", "call to action"),
    _drop_remaining_hashtags,
    _shorten_field("headline", "headline"),
)
