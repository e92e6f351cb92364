"""Building a post's compliance context in tests, with one language judge for the whole run."""

from __future__ import annotations

from brand_voice.profile import BrandProfile
from generators.compliance.context import PostContext, post_context
from generators.compliance.grounding import Competitor, Grounding
from generators.compliance.language import LanguageJudge
from generators.compliance.platforms import RULES
from storage.enums import Platform

JUDGE = LanguageJudge()


def context(
    platform: Platform = Platform.VK,
    profile: BrandProfile | None = None,
    *,
    own_text: str = "",
    competitors: tuple[Competitor, ...] = (),
    asked: str = "",
    ad_label: str | None = None,
    with_media: bool = True,
    language: str | None = None,
) -> PostContext:
    """The context of one post; the brand's language unless `language` is given."""
    profile = profile or BrandProfile(language="ru")
    language = language or profile.language
    grounding = Grounding(
        own_text=own_text, competitors=competitors, asked=asked, language=language
    )
    return post_context(
        platform,
        RULES[platform],
        profile,
        grounding,
        JUDGE,
        language=language,
        with_media=with_media,
        ad_label=ad_label,
    )
