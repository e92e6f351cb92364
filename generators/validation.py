"""Checks every draft passes before it is shown: platform limits and brand compliance rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from enum import StrEnum

from pydantic import BaseModel

from brand_voice.profile import BrandProfile
from generators.drafts.schemas import PostDraft, post_text

# Prices, percentages and money: the claims a model is most tempted to invent.
_CLAIM = re.compile(
    r"\d[\d\s.,]*\s?(?:₽|руб\w*|р\.|\$|€|£|%|usd|eur|rub)|(?:\$|€|£)\s?\d[\d.,]*",
    re.IGNORECASE,
)
_PROMISES = ("гарантир", "бесплатн", "навсегда", "100%", "guarantee", "free of charge", "forever")
_URL = re.compile(r"https?://\S+|\b[\w-]+\.(?:com|net|org|ru|рф|io|co|me|app|dev|ai)\b\S*", re.I)


class Severity(StrEnum):
    """An error blocks publishing; a warning is shown to the person approving."""

    ERROR = "error"
    WARNING = "warning"


class Violation(BaseModel):
    """One problem with a draft, in words the copywriter can act on."""

    code: str
    severity: Severity
    message: str


class ValidationReport(BaseModel):
    """The checks a draft went through and what they found."""

    passed: bool
    length: int
    limit: int
    violations: list[Violation]


def validate_post(
    draft: PostDraft,
    *,
    limit: int,
    length: Callable[[str], int],
    hashtag_cap: int | None,
    max_links: int | None,
    profile: BrandProfile,
    material: str,
    ad_label: str | None = None,
) -> ValidationReport:
    """Platform limits, banned words, required terms and disclaimers, the ad label, and claims
    (prices, promises) that appear nowhere in the brand's material or the request."""
    text = post_text(draft)
    size = length(text)
    found: list[Violation] = []
    if size > limit:
        found.append(
            _error(
                "too_long", f"{size} characters as the platform counts them; the limit is {limit}"
            )
        )
    if hashtag_cap is not None and len(draft.hashtags) > hashtag_cap:
        found.append(
            _error("too_many_hashtags", f"{len(draft.hashtags)} hashtags; the cap is {hashtag_cap}")
        )
    links = len(_URL.findall(text))
    if max_links is not None and links > max_links:
        found.append(_error("too_many_links", f"{links} links; at most {max_links} are allowed"))
    found.extend(_compliance(text, profile, ad_label))
    found.extend(_unsupported_claims(text, material))
    return ValidationReport(
        passed=not any(v.severity is Severity.ERROR for v in found),
        length=size,
        limit=limit,
        violations=found,
    )


def _compliance(text: str, profile: BrandProfile, ad_label: str | None) -> list[Violation]:
    folded = text.casefold()
    found = [
        _error("banned_word", f"uses «{word}», which the brand never uses")
        for word in profile.banned_words
        if _contains(folded, word)
    ]
    found += [
        _warning("missing_required_term", f"does not use the required term «{term}»")
        for term in profile.required_terms
        if not _contains(folded, term)
    ]
    found += [
        _error("missing_disclaimer", f"lacks the disclaimer «{d}»")
        for d in profile.disclaimers
        if d.casefold() not in folded
    ]
    if ad_label is not None and ad_label.casefold() not in folded:
        found.append(_error("missing_ad_label", f"an ad must carry its label «{ad_label}»"))
    return found


def _contains(folded_text: str, phrase: str) -> bool:
    # Whole words only: «дешёвый» must not match inside «недешёвый».
    pattern = r"(?<!\w)" + re.escape(phrase.casefold()) + r"(?!\w)"
    return re.search(pattern, folded_text) is not None


def _unsupported_claims(text: str, material: str) -> list[Violation]:
    known = _normal(material)
    found = []
    for match in _CLAIM.finditer(text):
        claim = match.group(0).strip()
        if _normal(claim) not in known:
            found.append(
                _warning(
                    "unsupported_claim",
                    f"«{claim}» appears in no brand material or brief: check it",
                )
            )
    folded = text.casefold()
    for promise in _PROMISES:
        if promise in folded and promise not in material.casefold():
            found.append(
                _warning(
                    "unsupported_promise", f"promises «{promise}…», which no brand material says"
                )
            )
    return found


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text.casefold())


def _error(code: str, message: str) -> Violation:
    return Violation(code=code, severity=Severity.ERROR, message=message)


def _warning(code: str, message: str) -> Violation:
    return Violation(code=code, severity=Severity.WARNING, message=message)


def describe(violations: Sequence[Violation]) -> str:
    """The violations as a list for the LLM's second try."""
    return "\n".join(f"- {v.message}" for v in violations)
