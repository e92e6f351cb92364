"""Deterministic repair of a draft that breaks the rules, each change explained.

Order of repair:
1. what no published post may carry: invisible characters, prompt markup, look-alike letters;
2. hashtags: banned words, competitors' tags, the platform's cap (duplicates, empty and
   mixed-script tags went with sanitize);
3. body sentences with a banned word, a contact from nowhere, a competitor's name or words; a
   call to action with one of those gives way to the brand's default;
4. links where captions cannot have them become "link in bio" (Instagram);
5. the mandatory phrases (disclaimers, the ad label) are added where missing;
6. only while the post is too long: hashtags beyond the advised count, trailing body blocks,
   body sentences (or words), the call to action, the remaining hashtags from the last, and the
   headline as the last resort. The mandatory phrases are never cut.

What repair cannot fix (a banned word in the headline, the wrong language) stays for the
checks to report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from generators.compliance.context import PostContext
from generators.compliance.counting import platform_length
from generators.compliance.grounding import (
    competitor_mentions,
    copied_runs,
    copied_spans,
    is_competitor_tag,
    link_spans,
)
from generators.compliance.hashtags import clean_tags
from generators.compliance.invisible import strip_invisible
from generators.compliance.labels import has_phrase, link_in_profile, remove_phrase
from generators.compliance.language import mixed_script_words, unmix
from generators.compliance.platforms import PlatformRules
from generators.compliance.shortening import sentences, shorten
from generators.drafts.schemas import PostDraft, post_text
from prompts.render import FENCE_TAG

_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*")
_TEXT_FIELDS = ("headline", "body", "call_to_action", "image_brief")


@dataclass(frozen=True)
class RepairResult:
    """The repaired draft and, for the user, what was changed and why."""

    draft: PostDraft
    changes: list[str]


def sanitize(draft: PostDraft, ctx: PostContext) -> RepairResult:
    """What every model output gets before anything judges it: invisible characters (emoji
    joiners inside emoji stay), prompt markup and look-alike letters of another script out;
    the brand's own hashtags first, every tag normalised (`hashtags.clean_tags`)."""
    changes: list[str] = []
    draft = _strip_hidden(draft, changes)
    draft = _strip_markup(draft, changes)
    draft = _unmix_words(draft, changes)
    dropped = len(draft.hashtags) - len(clean_tags(draft.hashtags))
    if dropped:
        changes.append(f"removed {_plural(dropped, 'duplicate, empty or mixed-script hashtag')}")
    tags = clean_tags([*ctx.branded_hashtags, *draft.hashtags])
    if tags != draft.hashtags:
        draft = draft.model_copy(update={"hashtags": tags})
    return RepairResult(draft, changes)


def repair_post(draft: PostDraft, ctx: PostContext) -> RepairResult:
    """Make the draft keep every rule repair can mend, keeping as much of it as possible."""
    cleaned = sanitize(draft, ctx)
    changes = list(cleaned.changes)
    draft = _repair_hashtags(cleaned.draft, ctx, changes)
    draft = _drop_sentences(draft, ctx, changes)
    draft = _mend_call_to_action(draft, ctx, changes)
    draft = _unlink_caption(draft, ctx, changes)
    draft, tail = _mandatory_tail(draft, ctx, changes)
    fitted = fit_to_limit(draft, ctx.rules, ctx.limit, tail)
    return RepairResult(fitted.draft, [*changes, *fitted.changes])


def fit_to_limit(
    draft: PostDraft, rules: PlatformRules, limit: int | None = None, tail: str = ""
) -> RepairResult:
    """The length repairs, for the platform's limit or `limit`; `tail` (the mandatory phrases)
    ends the body and is never cut."""
    changes: list[str] = []
    fit = _Fit(rules, rules.max_chars if limit is None else limit, tail)
    for step in _LENGTH_STEPS:
        if fit.fits(draft):
            break
        draft = step(draft, fit, changes)
    return RepairResult(fit.attached(draft), changes)


@dataclass(frozen=True)
class _Fit:
    """The limit a draft must fit, measured with the mandatory tail that no cut may touch."""

    rules: PlatformRules
    limit: int
    tail: str

    def attached(self, draft: PostDraft) -> PostDraft:
        if not self.tail:
            return draft
        body = "\n\n".join(part for part in (draft.body.rstrip(), self.tail) if part)
        return draft.model_copy(update={"body": body})

    def length(self, draft: PostDraft) -> int:
        return platform_length(post_text(self.attached(draft)), self.rules)

    def fits(self, draft: PostDraft) -> bool:
        return self.length(draft) <= self.limit

    def why(self) -> str:
        return f"to fit {self.limit} characters"


Step = Callable[[PostDraft, _Fit, list[str]], PostDraft]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _each_text(draft: PostDraft, change: Callable[[str], str]) -> PostDraft:
    """The draft with `change` applied to every text field and hashtag."""
    update: dict[str, object] = {name: change(getattr(draft, name)) for name in _TEXT_FIELDS}
    update["hashtags"] = [change(tag) for tag in draft.hashtags]
    changed = draft.model_copy(update=update)
    return changed if changed != draft else draft


def _strip_hidden(draft: PostDraft, changes: list[str]) -> PostDraft:
    removed = 0

    def strip(text: str) -> str:
        nonlocal removed
        clean, count = strip_invisible(text)
        removed += count
        return clean

    draft = _each_text(draft, strip)
    if removed:
        changes.append(f"removed {_plural(removed, 'invisible character')} (zero-width or bidi)")
    return draft


def _strip_markup(draft: PostDraft, changes: list[str]) -> PostDraft:
    found: list[str] = []

    def strip(text: str) -> str:
        found.extend(m.group() for m in FENCE_TAG.finditer(text))
        return FENCE_TAG.sub("", text)

    draft = _each_text(draft, strip)
    if found:
        tags = ", ".join(f"«{t}»" for t in dict.fromkeys(found))
        changes.append(f"removed prompt markup {tags}")
    return draft


def _unmix_words(draft: PostDraft, changes: list[str]) -> PostDraft:
    fixed: dict[str, str] = {}

    def mend(text: str) -> str:
        for word in mixed_script_words(text):
            mended = unmix(word)
            if mended is not None:
                fixed[word] = mended
                text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", mended, text)
        return text

    draft = _each_text(draft, mend)
    if fixed:
        words = ", ".join(f"«{w}»" for w in fixed.values())
        changes.append(f"retyped look-alike letters of another script in {words}")
    return draft


def _repair_hashtags(draft: PostDraft, ctx: PostContext, changes: list[str]) -> PostDraft:
    """Tags with a banned word or a competitor's name go, then those over the cap (the tags
    are already normalised by `sanitize`)."""
    banned = [t for t in draft.hashtags if ctx.banned.in_hashtag(t)]
    if banned:
        changes.append(f"dropped {_plural(len(banned), 'hashtag')} with a banned word")
    rivals = [t for t in draft.hashtags if t not in banned and is_competitor_tag(t, ctx.grounding)]
    if rivals:
        changes.append(f"dropped the competitors' {_plural(len(rivals), 'hashtag')}")
    kept = [t for t in draft.hashtags if t not in banned and t not in rivals]
    if len(kept) < len(draft.hashtags):
        draft = draft.model_copy(update={"hashtags": kept})
    return _cap_hashtags(draft, ctx.rules, changes)


def _cap_hashtags(draft: PostDraft, rules: PlatformRules, changes: list[str]) -> PostDraft:
    """Keep the first `hashtag_cap` hashtags: branded ones come first."""
    cap = rules.hashtag_cap
    if cap is None or len(draft.hashtags) <= cap:
        return draft
    dropped = len(draft.hashtags) - cap
    changes.append(f"dropped {_plural(dropped, 'hashtag')} over {rules.name}'s cap of {cap}")
    return draft.model_copy(update={"hashtags": draft.hashtags[:cap]})


def _offences(text: str, ctx: PostContext) -> list[str]:
    """What in this piece of text no repair can keep: why it must go, one reason each."""
    found = []
    if ctx.banned.first(text):
        found.append("a banned word")
    if ctx.grounding.unknown_contacts(text):
        found.append("a contact from nowhere")
    if copied_runs(text, ctx.grounding):
        found.append("a competitor's words")
    if competitor_mentions(text, [], ctx.grounding):
        found.append("a competitor's name")
    return found


def _drop_sentences(draft: PostDraft, ctx: PostContext, changes: list[str]) -> PostDraft:
    """Drop the body sentences that carry what `_offences` finds, or a part of a run of words
    copied from a competitor (a run may span short sentences), saying why."""
    reasons: dict[str, int] = {}
    copied = copied_spans(draft.body, ctx.grounding)

    def offends(start: int, end: int) -> bool:
        found = _offences(draft.body[start:end], ctx)
        if not found and any(start < b and a < end for a, b in copied):
            found = ["a competitor's words"]
        for reason in found[:1]:
            reasons[reason] = reasons.get(reason, 0) + 1
        return bool(found)

    body, removed = _without_sentences(draft.body, offends)
    if not removed:
        return draft
    for reason, count in reasons.items():
        changes.append(f"removed {_plural(count, 'sentence')} with {reason} from the body")
    return draft.model_copy(update={"body": body})


def _without_sentences(text: str, offends: Callable[[int, int], bool]) -> tuple[str, int]:
    """The text without the sentences (start, end) `offends` picks, keeping paragraph breaks
    between the others."""
    parts: list[list[str]] = []
    removed = 0
    for start, end, after in sentences(text):
        if offends(start, end):
            removed += 1
            # Keep the stronger break: removing a paragraph's last sentence must not merge two.
            if parts and after.count("\n") > parts[-1][1].count("\n"):
                parts[-1][1] = after
            continue
        parts.append([text[start:end], after])
    if not removed:
        return text, 0
    return "".join(sentence + after for sentence, after in parts).rstrip(), removed


def _mend_call_to_action(draft: PostDraft, ctx: PostContext, changes: list[str]) -> PostDraft:
    """A call to action that carries an offence gives way to the brand's own (or goes)."""
    found = _offences(draft.call_to_action, ctx)
    if not found:
        return draft
    fallback = ctx.fallback_cta if not _offences(ctx.fallback_cta, ctx) else ""
    verb = "replaced the call to action with the brand's default" if fallback else "removed the"
    noun = "" if fallback else " call to action"
    changes.append(f"{verb}{noun}: it carried {found[0]}")
    return draft.model_copy(update={"call_to_action": fallback})


def _unlink_caption(draft: PostDraft, ctx: PostContext, changes: list[str]) -> PostDraft:
    """Where caption links do not work, a link becomes "link in bio" (once per post)."""
    if ctx.rules.links_clickable:
        return draft
    phrase = link_in_profile(ctx.language)
    update: dict[str, object] = {}
    for name in ("body", "call_to_action"):
        text: str = getattr(draft, name)
        spans = link_spans(text)
        for start, end in reversed(spans):
            text = text[:start].rstrip(" :—-") + text[end:]
        if spans:
            update[name] = re.sub(r"[ \t]{2,}", " ", text).strip()
    if not update:
        return draft
    draft = draft.model_copy(update=update)
    if not has_phrase(post_text(draft), phrase):
        cta = " ".join(part for part in (draft.call_to_action.strip(), phrase) if part)
        draft = draft.model_copy(update={"call_to_action": cta})
    changes.append(f"replaced the link with «{phrase}»: {ctx.rules.name} captions cannot link")
    return draft


def _mandatory_tail(
    draft: PostDraft, ctx: PostContext, changes: list[str]
) -> tuple[PostDraft, str]:
    """Take the mandatory phrases out of the body into a tail no cut touches, adding those
    that are missing from the post; the tail goes back at the end of the body."""
    body, tail = draft.body, []
    for phrase in ctx.mandatory:
        if has_phrase(body, phrase):
            body = remove_phrase(body, phrase)
            tail.append(phrase)
        elif not has_phrase(post_text(draft), phrase):
            tail.append(phrase)
            kind = "ad label" if phrase == ctx.ad_label else "disclaimer"
            changes.append(f"added the {kind} «{phrase}»")
    if not tail:
        return draft, ""
    return draft.model_copy(update={"body": body}), "\n".join(tail)


def _drop_advised_hashtags(draft: PostDraft, fit: _Fit, changes: list[str]) -> PostDraft:
    """While too long, drop hashtags beyond the advised count: advice says they hurt anyway."""
    tags = _hashtags_until_fit(draft, fit, fit.rules.soft_hashtags)
    dropped = len(draft.hashtags) - len(tags)
    if not dropped:
        return draft
    changes.append(
        f"dropped {_plural(dropped, 'hashtag')} beyond the {fit.rules.soft_hashtags} advised "
        f"for {fit.rules.name} {fit.why()}"
    )
    return draft.model_copy(update={"hashtags": tags})


def _drop_remaining_hashtags(draft: PostDraft, fit: _Fit, changes: list[str]) -> PostDraft:
    """While too long, drop hashtags from the last: the first are the branded ones."""
    tags = _hashtags_until_fit(draft, fit, 0)
    dropped = len(draft.hashtags) - len(tags)
    if not dropped:
        return draft
    changes.append(f"dropped {_plural(dropped, 'more hashtag')} {fit.why()}")
    return draft.model_copy(update={"hashtags": tags})


def _hashtags_until_fit(draft: PostDraft, fit: _Fit, floor: int) -> list[str]:
    """The hashtags with the last ones dropped until the post fits or `floor` remain."""
    tags = list(draft.hashtags)
    while len(tags) > floor and not fit.fits(draft.model_copy(update={"hashtags": tags})):
        tags.pop()
    return tags


def _drop_blocks(draft: PostDraft, fit: _Fit, changes: list[str]) -> PostDraft:
    """While too long, drop whole blocks from the end of the body, keeping the first."""
    body = draft.body.strip()
    dropped = 0
    while not fit.fits(draft.model_copy(update={"body": body})):
        breaks = list(_BLOCK_BREAK.finditer(body))
        if not breaks:
            break
        body = body[: breaks[-1].start()].rstrip()
        dropped += 1
    if not dropped:
        return draft
    blocks = "block" if dropped == 1 else f"{dropped} blocks"
    changes.append(f"dropped the last {blocks} of the body {fit.why()}")
    return draft.model_copy(update={"body": body})


def _shorten_field(field: str, label: str) -> Step:
    """A repair step that shortens one text field of the draft, measured in the whole post."""

    def step(draft: PostDraft, fit: _Fit, changes: list[str]) -> PostDraft:
        def length(value: str) -> int:
            return fit.length(draft.model_copy(update={field: value}))

        current: str = getattr(draft, field)
        shortened = shorten(current, fit.limit, length)
        if shortened == current:
            return draft
        verb = "shortened" if shortened.strip() else "removed"
        changes.append(f"{verb} the {label} {fit.why()}")
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
