"""The compliance gate as drafts meet it: what a job's posts may draw on, and one post's context."""

from __future__ import annotations

from collections.abc import Iterable

from brand_voice.profile import BrandProfile
from generators.compliance.context import PostContext, brand_material, post_context
from generators.compliance.grounding import Competitor, Grounding
from generators.compliance.labels import ad_label, missing_advertiser
from generators.compliance.rulebook import Rulebook
from generators.drafts.schemas import DraftRequest
from storage.enums import DocumentKind, Platform


def draft_grounding(
    profile: BrandProfile,
    request: DraftRequest,
    sources: Iterable[tuple[DocumentKind, str, str]],
    rivals: Iterable[str] = (),
) -> Grounding:
    """What a job's posts may draw on: the request, the profile and the brand's own sources
    (kind, name, text; a competitor example's name is its competitor's); competitor examples
    are contrast, never a source of facts. `rivals`: every competitor the brand has, by name."""
    asked = "\n".join([request.topic, request.brief, request.call_to_action])
    own = [asked, str(request.link or ""), brand_material(profile)]
    competitors: list[Competitor] = []
    for kind, name, text in sources:
        if kind is DocumentKind.COMPETITOR:
            competitors.append(Competitor(name, text))
        else:
            own.append(text)
    return Grounding(
        own_text="\n".join(own),
        competitors=tuple(competitors),
        extra_contacts=tuple(a.handle for a in profile.accounts),
        asked=asked,
        language=request.language or profile.language,
        rival_names_known=tuple(rivals),
    )


def draft_context(
    rulebook: Rulebook,
    profile: BrandProfile,
    request: DraftRequest,
    platform: Platform,
    grounding: Grounding,
) -> PostContext:
    """Everything the rules need to judge the job's post for one platform."""
    rules = rulebook.registry[platform]
    return post_context(
        platform,
        rules,
        profile,
        grounding,
        rulebook.judge,
        language=request.language or profile.language,
        with_media=request.image,
        ad_label=ad_label(rules, request.is_ad, request.erid, profile.advertiser),
    )


def unlabelled_ad(rulebook: Rulebook, profile: BrandProfile, request: DraftRequest) -> str | None:
    """Why the requested ad could not carry its legal label (no advertiser in the profile)."""
    for platform in request.platforms:
        rules = rulebook.registry[platform]
        problem = missing_advertiser(rules, request.is_ad, profile.advertiser)
        if problem:
            return problem
    return None
