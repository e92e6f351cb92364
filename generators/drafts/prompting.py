"""The draft prompt: typed facts from the request, the profile and the retrieved context, rendered
from template files. Instructions come first; untrusted text follows, fenced as data."""

from __future__ import annotations

from brand_voice.profile import LANGUAGE_NAMES, Address, AudienceSegment, BrandProfile
from generators.compliance.labels import link_in_profile
from generators.compliance.links import campaign_slug, with_utm
from generators.compliance.platforms import Counting, PlatformRules, hashtag_budget
from generators.drafts.schemas import DraftRequest
from generators.llm.facts import ContextFact, DraftFacts
from generators.llm.port import Prompt
from prompts.render import render
from retrieval.context import BrandContext, ContextItem
from storage.enums import Platform
from storage.models import Brand


def draft_facts(
    brand: Brand,
    profile: BrandProfile,
    request: DraftRequest,
    platform: Platform,
    rules: PlatformRules,
    context: BrandContext,
    ad_label: str | None,
    limit: int,
    job_id: str,
) -> DraftFacts:
    """What the prompt for one platform says, field by field (`limit`: the post's text limit)."""
    language = request.language or profile.language
    return DraftFacts(
        brand_name=brand.name,
        language=language,
        language_name=LANGUAGE_NAMES[language],
        banned_words=tuple(profile.banned_words),
        branded_hashtags=tuple(profile.branded_hashtags),
        default_cta=profile.default_cta,
        platform=platform,
        platform_name=rules.name,
        max_chars=limit,
        hashtag_budget=hashtag_budget(rules),
        links_clickable=rules.links_clickable,
        topic=request.topic,
        brief=request.brief,
        rubric=request.rubric.value if request.rubric else "",
        goal=request.goal,
        call_to_action=request.call_to_action,
        link=_link(request, platform),
        ad_label=ad_label or "",
        voice_rules=tuple(_fact(i) for i in context.voice_rules),
        past_posts=tuple(_fact(i) for i in context.past_posts),
        competitor_examples=tuple(_fact(i) for i in context.competitor_examples),
        variant_seed=job_id,
    )


def build_prompt(facts: DraftFacts, profile: BrandProfile, rules: PlatformRules) -> Prompt:
    """The system and user messages, brand-stable part first so provider prefix caches hit."""
    system = render(
        "draft_system.j2",
        brand_name=facts.brand_name,
        language_name=facts.language_name,
        voice_rules=facts.voice_rules,
        banned_words=facts.banned_words,
        usp=profile.usp,
        offer=profile.offer,
        audience=[_segment(s) for s in profile.audience],
        voice=_voice(profile),
        required_terms=profile.required_terms,
        disclaimers=profile.disclaimers,
    )
    user = render(
        "draft_user.j2",
        platform_name=facts.platform_name,
        max_chars=facts.max_chars,
        count_hint=_count_hint(rules, facts.max_chars),
        platform_notes=_platform_notes(facts),
        topic=facts.topic,
        brief=facts.brief,
        rubric=facts.rubric,
        goal=facts.goal,
        call_to_action=facts.call_to_action,
        link=facts.link,
        ad_label=facts.ad_label,
        branded_hashtags=facts.branded_hashtags,
        hashtag_hint=f"at most {facts.hashtag_budget} hashtags, branded ones first",
        past_posts=facts.past_posts,
        competitor_examples=facts.competitor_examples,
    )
    return Prompt(system=system, user=user, facts=facts)


def _platform_notes(facts: DraftFacts) -> list[str]:
    if facts.links_clickable:
        return []
    phrase = link_in_profile(facts.language)
    return [
        f"Links in {facts.platform_name} captions are not clickable: put no URL in the post; "
        f"point readers to the link in the profile instead (“{phrase}”)."
    ]


def _link(request: DraftRequest, platform: Platform) -> str:
    if request.link is None:
        return ""
    campaign = request.utm_campaign or campaign_slug(request.topic)
    return with_utm(str(request.link), platform, campaign, request.is_ad)


def _count_hint(rules: PlatformRules, limit: int) -> str:
    if rules.counting is Counting.X_WEIGHTED:
        return "as X counts: every link is 23, emoji and CJK characters count 2"
    if limit < rules.max_chars:
        return f"including hashtags: a caption under a picture, {rules.max_chars} without one"
    return "including hashtags"


def _voice(profile: BrandProfile) -> list[str]:
    voice = profile.voice
    parts = [f"{voice.formality.value} register", f"{voice.sentence_length.value} sentences"]
    if voice.address is Address.VY:
        parts.append("address the reader as «вы»")
    elif voice.address is Address.TY:
        parts.append("address the reader as «ты»")
    parts.append("humour welcome" if voice.humour else "no jokes")
    parts.append(
        {
            "none": "no emoji",
            "sparing": "emoji sparingly, at most one or two",
            "free": "emoji welcome",
        }[voice.emoji.value]
    )
    return parts


def _segment(segment: AudienceSegment) -> str:
    details = [
        segment.gender,
        segment.age,
        ", ".join(segment.locations),
        ", ".join(segment.interests),
    ]
    described = ", ".join(d for d in details if d)
    return f"{segment.name} ({described})" if described else segment.name


def _fact(item: ContextItem) -> ContextFact:
    return ContextFact(
        id=item.id,
        source=item.source,
        text=item.text,
        platform=item.platform,
        engagement=round(item.engagement, 3),
        similarity=item.similarity,
        name=item.competitor or item.source,
    )
