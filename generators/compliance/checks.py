"""Validation: every rule a post must satisfy, checked on the post as it would be published.

Each rule is one function over the post and its `PostContext`; the repairs that exist for them
live in `repair.py` and use the same helpers (terms, labels, grounding, language), so a check
and its repair never disagree. What each rule checks, and where each figure comes from, is
listed in `docs/compliance.md`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from brand_voice.profile import LANGUAGE_NAMES
from generators.compliance.context import PostContext
from generators.compliance.counting import platform_length
from generators.compliance.grounding import (
    competitor_mentions,
    copied_runs,
    link_spans,
    unsupported_claims,
)
from generators.compliance.hashtags import hashtags_in, tag_key
from generators.compliance.invisible import invisible_characters
from generators.compliance.labels import has_phrase
from generators.compliance.language import MIN_LETTERS, letters, mixed_script_words, prose_of
from generators.compliance.report import Part, ValidationReport, Violation, error, warning
from generators.drafts.schemas import PostDraft, post_text
from prompts.render import FENCE_TAG

_BLOCK = re.compile(r"\n\s*\n")
Rule = Callable[[PostDraft, str, PostContext], list[Violation]]


def validate(post: PostDraft, ctx: PostContext) -> ValidationReport:
    """Every rule, on the post as it would be published on the context's platform."""
    text = post_text(post)
    found = [violation for rule in RULES for violation in rule(post, text, ctx)]
    return ValidationReport.of(platform_length(text, ctx.rules), ctx.limit, found)


def _parts(post: PostDraft) -> tuple[tuple[Part, str], ...]:
    """The post's words by part, in reading order."""
    return (
        (Part.HEADLINE, post.headline),
        (Part.BODY, post.body),
        (Part.CALL_TO_ACTION, post.call_to_action),
    )


def part_of(post: PostDraft, fragment: str) -> Part:
    """Which part of the post holds the fragment (the first that does)."""
    for part, value in _parts(post):
        if fragment in value:
            return part
    return Part.HASHTAGS if any(fragment.lstrip("#") in t for t in post.hashtags) else Part.POST


def _prose(post: PostDraft) -> str:
    """The words of the post: headline, body and call to action (not its hashtags)."""
    return "\n\n".join(value for _, value in _parts(post))


def _length(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    size, rules = platform_length(text, ctx.rules), ctx.rules
    if size <= ctx.limit:
        return []
    if ctx.limit < rules.max_chars:
        where = f"a {rules.name} post with a picture is a caption of at most {ctx.limit:,}"
        limit = f"{where} ({rules.max_chars:,} without one)"
    else:
        limit = f"the limit is {ctx.limit:,}"
    return [error("too_long", f"{size:,} characters as {rules.name} counts them; {limit}")]


def _hashtags(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    cap = ctx.rules.hashtag_cap
    tags = {tag_key(t) for t in hashtags_in(text)}
    if cap is None or len(tags) <= cap:
        return []
    message = f"{len(tags)} hashtags; {ctx.rules.name} allows at most {cap}"
    return [error("too_many_hashtags", message, Part.HASHTAGS)]


def _links(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    links = [text[a:b] for a, b in link_spans(text)]
    found: list[Violation] = []
    cap = ctx.rules.max_links
    if cap is not None and len(links) > cap:
        found.append(error("too_many_links", f"{len(links)} links; at most {cap} are allowed"))
    if links and not ctx.rules.links_clickable:
        found += [
            error(
                "link_not_clickable",
                f"links in {ctx.rules.name} captions are not clickable: point readers to the "
                f"link in the profile instead of «{link}»",
                part_of(post, link),
                link,
            )
            for link in links
        ]
    return found


def _media(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    if not ctx.rules.media_required or ctx.with_media:
        return []
    message = f"{ctx.rules.name} has no text-only posts: ask for the draft with an image"
    return [error("media_required", message)]


def _hidden(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    names = invisible_characters(text)
    if not names:
        return []
    message = f"carries invisible characters ({', '.join(names)}): remove them"
    return [error("invisible_characters", message)]


def _markup(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    tags = list(dict.fromkeys(m.group() for m in FENCE_TAG.finditer(text)))
    return [
        error("prompt_markup", f"carries prompt markup «{tag}»", part_of(post, tag), tag)
        for tag in tags
    ]


def _banned(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    found = []
    for part, value in _parts(post):
        for match in ctx.banned.find(value):
            message = f"uses «{match.found}» in the {part.value.replace('_', ' ')}, and "
            message += f"«{match.term}» is a word the brand never uses"
            found.append(error("banned_word", message, part, match.found))
    for tag in post.hashtags:
        hit = ctx.banned.in_hashtag(tag)
        if hit is not None:
            message = f"the hashtag #{tag} uses «{hit.term}», a word the brand never uses"
            found.append(error("banned_word", message, Part.HASHTAGS, f"#{tag}"))
    return found


def _required(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    return [
        warning("missing_required_term", f"does not use the required term «{term}»")
        for term in ctx.required.missing(text)
    ]


def _mandatory(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    found = [
        error("missing_disclaimer", f"lacks the disclaimer «{phrase}», word for word")
        for phrase in ctx.disclaimers
        if not has_phrase(text, phrase)
    ]
    if ctx.ad_label and not has_phrase(text, ctx.ad_label):
        message = f"an ad must carry its label «{ctx.ad_label}», word for word"
        found.append(error("missing_ad_label", message))
    return found


def _language(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    words = _prose(post)
    expected = LANGUAGE_NAMES.get(ctx.language, ctx.language)
    found = []
    blocks = [(b, prose_of(b, ctx.mandatory)) for b in _BLOCK.split(words)]
    # The whole post, then each block long enough to judge alone (a headline "Ethiopia
    # Yirgacheffe" over a Russian post is a name, not English).
    judged = [(words, prose_of(words, ctx.mandatory))]
    judged += [(block, prose) for block, prose in blocks if letters(prose) >= MIN_LETTERS]
    for block, prose in judged:
        other = ctx.judge.wrong_language(prose, ctx.language)
        if other is not None:
            message = f"is written in {LANGUAGE_NAMES.get(other, other)}, not {expected}"
            snippet = block.strip()[:60]
            found.append(error("wrong_language", message, part_of(post, snippet), snippet))
            break
    found += [
        error(
            "mixed_script",
            f"«{word}» mixes Latin and Cyrillic letters that look alike: retype it",
            part_of(post, word),
            word,
        )
        for word in mixed_script_words(text)
    ]
    return found


def _grounding(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    found = [
        error(
            "unknown_contact",
            f"the {contact.kind} «{contact.written}» appears in no request, profile or brand "
            "material: use only contacts the brand gave",
            part_of(post, contact.written),
            contact.written,
        )
        for contact in ctx.grounding.unknown_contacts(text)
    ]
    found += [
        warning(
            "unsupported_claim",
            f"«{claim}» appears in no brand material or brief: check it",
            part_of(post, claim.rstrip("…")),
            claim,
        )
        for claim in unsupported_claims(text, ctx.grounding.own_text)
    ]
    return found


def _competitors(post: PostDraft, text: str, ctx: PostContext) -> list[Violation]:
    words = _prose(post)
    found = [
        error(
            "copied_competitor_text",
            f"copies {copied.competitor}'s words «{copied.words}»: write the brand's own",
            found=copied.words,
        )
        for copied in copied_runs(words, ctx.grounding)
    ]
    found += [
        error(
            "competitor_mention",
            f"names the competitor {mention}, which the request did not ask for",
            part_of(post, mention.strip("«»")),
            mention,
        )
        for mention in competitor_mentions(words, post.hashtags, ctx.grounding)
    ]
    return found


RULES: tuple[Rule, ...] = (
    _length,
    _hashtags,
    _links,
    _media,
    _hidden,
    _markup,
    _banned,
    _required,
    _mandatory,
    _language,
    _grounding,
    _competitors,
)
