"""The draft prompt: typed facts from the request, the profile and the retrieved context, rendered
from template files, in the order a provider's prefix cache needs.

Everything the calls of one job share comes first: the system message (the brand and its rules,
byte-identical for every platform), then in the user message the request, the voice guide
excerpts, the brand's past posts and the competitor examples (untrusted text, fenced as data).
Only the last section, under `prompts.render.PLATFORM_HEADER`, is the platform's own: its limit,
the link with its UTM tags, the ad label, the hashtag hint and the registry's craft notes. A
retry adds to the end of the user message, so it keeps the first try's prompt as its prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from brand_voice.profile import LANGUAGE_NAMES, Address, AudienceSegment, BrandProfile
from generators.compliance.labels import link_in_profile
from generators.compliance.links import campaign_slug, with_utm
from generators.compliance.platforms import Counting, PlatformRules, hashtag_budget
from generators.drafts.schemas import DraftRequest
from generators.llm.facts import ContextFact, DraftFacts
from generators.llm.port import Prompt
from prompts.render import render
from retrieval.context import BrandContext, ContextItem
from retrieval.tokens import encoding_for_model
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
    guidance: tuple[str, ...] = (),
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
        craft_notes=tuple(note.text for note in rules.craft) + _platform_notes(rules, language),
        guidance=guidance,
    )


def build_prompt(facts: DraftFacts, profile: BrandProfile, rules: PlatformRules) -> Prompt:
    """The system and user messages: what every platform of the job shares first, the platform's
    own section last (see the module docstring)."""
    system = render(
        "draft_system.j2",
        brand_name=facts.brand_name,
        language_name=facts.language_name,
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
        # Shared by every platform of the job.
        topic=facts.topic,
        brief=facts.brief,
        rubric=facts.rubric,
        goal=facts.goal,
        call_to_action=facts.call_to_action,
        branded_hashtags=facts.branded_hashtags,
        voice_rules=facts.voice_rules,
        past_posts=facts.past_posts,
        competitor_examples=facts.competitor_examples,
        guidance=facts.guidance,
        # The platform's own section, last.
        platform_name=facts.platform_name,
        max_chars=facts.max_chars,
        count_hint=_count_hint(rules, facts.max_chars),
        link=facts.link,
        ad_label=facts.ad_label,
        hashtag_hint=_hashtag_hint(facts.hashtag_budget),
        craft_notes=facts.craft_notes,
    )
    return Prompt(system=system, user=user, facts=facts)


@dataclass(frozen=True)
class SharedPrefix:
    """How much of a job's first-try prompts a provider's prefix cache can share: the longest
    common prefix of their (system + user) tokens, and its share of the average prompt."""

    tokens: int
    share: float


def shared_prefix(prompts: Sequence[Prompt], model: str | None = None) -> SharedPrefix | None:
    """The shared prefix of a job's first-try prompts, in the tokens of the encoder that usage
    counting uses (`retrieval.tokens`); None for fewer than two prompts (nothing to share)."""
    if len(prompts) < 2:
        return None
    encoder = encoding_for_model(model)
    # As usage counting joins them (`count_tokens(system + "\n" + user)`).
    encoded = [encoder.encode(p.system + "\n" + p.user, disallowed_special=()) for p in prompts]
    shared = 0
    for column in zip(*encoded, strict=False):
        if any(token != column[0] for token in column):
            break
        shared += 1
    average = sum(len(tokens) for tokens in encoded) / len(encoded)
    return SharedPrefix(shared, round(shared / average, 4) if average else 0.0)


def _platform_notes(rules: PlatformRules, language: str) -> tuple[str, ...]:
    """Notes the registry cannot hold: the link-in-profile phrase in the post's language."""
    if rules.links_clickable:
        return ()
    return (f"Where a link would go, write “{link_in_profile(language)}”.",)


def _hashtag_hint(budget: int) -> str:
    return f"at most {budget} {'hashtag' if budget == 1 else 'hashtags'}, branded ones first"


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
        approved=item.approved,
    )
