"""Everything the rules need to judge one post for one platform, as one typed object."""

from __future__ import annotations

from dataclasses import dataclass

from brand_voice.profile import BrandProfile
from generators.compliance.grounding import Grounding
from generators.compliance.language import LanguageJudge
from generators.compliance.platforms import PlatformRules, text_limit
from generators.compliance.terms import TermMatcher
from storage.enums import Platform


@dataclass(frozen=True)
class PostContext:
    """One platform's rules, the brand's terms and phrases, and what the post may draw on."""

    platform: Platform
    rules: PlatformRules
    with_media: bool
    language: str
    banned: TermMatcher
    required: TermMatcher
    disclaimers: tuple[str, ...]
    ad_label: str | None
    grounding: Grounding
    judge: LanguageJudge
    branded_hashtags: tuple[str, ...] = ()
    fallback_cta: str = ""

    @property
    def limit(self) -> int:
        """The text limit for this post (a media caption's when it carries a picture)."""
        return text_limit(self.rules, self.with_media)

    @property
    def mandatory(self) -> tuple[str, ...]:
        """The phrases the post must carry word for word: disclaimers, then the ad label."""
        label = (self.ad_label,) if self.ad_label else ()
        return (*self.disclaimers, *label)


def brand_material(profile: BrandProfile) -> str:
    """The profile's own words that a post may repeat: positioning, offer, handles, phrases."""
    parts = [profile.usp, profile.positioning, profile.offer, profile.main_feature]
    parts += [*profile.problems_solved, *profile.disclaimers, *profile.required_terms]
    parts += [profile.default_cta, *(f"#{t}" for t in profile.branded_hashtags)]
    parts += [a.handle for a in profile.accounts]
    parts += [profile.escalation.support]  # the brand's public support contact
    parts += [profile.advertiser.legal_line()] if profile.advertiser else []
    return "\n".join(p for p in parts if p)


def post_context(
    platform: Platform,
    rules: PlatformRules,
    profile: BrandProfile,
    grounding: Grounding,
    judge: LanguageJudge,
    *,
    language: str,
    with_media: bool,
    ad_label: str | None,
) -> PostContext:
    """The context for one post of a brand on one platform."""
    return PostContext(
        platform=platform,
        rules=rules,
        with_media=with_media,
        language=language,
        banned=TermMatcher(profile.banned_words, language),
        required=TermMatcher(profile.required_terms, language),
        disclaimers=tuple(d.strip() for d in profile.disclaimers if d.strip()),
        ad_label=ad_label,
        grounding=grounding,
        judge=judge,
        branded_hashtags=tuple(profile.branded_hashtags),
        fallback_cta=profile.default_cta,
    )
