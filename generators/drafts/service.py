"""Post drafts: retrieve brand context, render the prompt, call the LLM, shape the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from brand_voice.profile import LANGUAGE_NAMES, Address, AudienceSegment, BrandProfile
from generators.drafts.schemas import DraftRequest, PostDraft
from generators.llm.port import LLM, Completion, Prompt
from generators.platforms import RULES, hashtag_budget
from prompts.render import render
from retrieval.context import BrandContext, ContextItem, ContextRequest, retrieve_context
from retrieval.store import VectorStore
from storage.enums import Platform
from storage.models import Brand, Draft


@dataclass(frozen=True)
class DraftOutcome:
    """The drafts of one job (not yet stored) and the completions that wrote them."""

    drafts: list[Draft]
    completions: list[Completion[PostDraft]]


def write_drafts(
    llm: LLM, store: VectorStore, brand: Brand, request: DraftRequest, job_id: str, budget: int
) -> DraftOutcome:
    """One draft per requested platform, each grounded in the brand's retrieved knowledge."""
    profile = BrandProfile.model_validate(brand.profile)
    query = f"{request.topic}\n{request.brief}".strip()
    rubric = request.rubric.value if request.rubric else None
    context = retrieve_context(store, brand.id, ContextRequest(query, rubric=rubric), budget)
    drafts: list[Draft] = []
    completions: list[Completion[PostDraft]] = []
    for platform in request.platforms:
        prompt = build_prompt(brand, profile, request, platform, context, job_id)
        completion = llm.complete(prompt, PostDraft)
        completions.append(completion)
        drafts.append(_draft_row(brand, job_id, platform, completion, context))
    return DraftOutcome(drafts, completions)


def build_prompt(
    brand: Brand,
    profile: BrandProfile,
    request: DraftRequest,
    platform: Platform,
    context: BrandContext,
    job_id: str,
) -> Prompt:
    """The system and user messages, brand-stable part first so provider prefix caches hit."""
    rules = RULES[platform]
    facts: dict[str, Any] = {
        "brand_name": brand.name,
        "language": profile.language,
        "language_name": LANGUAGE_NAMES[profile.language],
        "banned_words": profile.banned_words,
        "branded_hashtags": profile.branded_hashtags,
        "default_cta": profile.default_cta,
        "voice_rules": [_fact(i) for i in context.voice_rules],
        "platform": platform.value,
        "platform_name": rules.name,
        "max_chars": rules.max_chars,
        "hashtag_budget": hashtag_budget(platform),
        "hashtag_hint": f"at most {hashtag_budget(platform)} hashtags, branded ones first",
        "topic": request.topic,
        "brief": request.brief,
        "rubric": request.rubric.value if request.rubric else "",
        "call_to_action": request.call_to_action,
        "link": str(request.link) if request.link else "",
        "past_posts": [_fact(i) for i in context.past_posts],
        "competitor_examples": [_fact(i) for i in context.competitor_examples],
        "variant_seed": job_id,
    }
    system = render(
        "draft_system.j2",
        brand_name=facts["brand_name"],
        language_name=facts["language_name"],
        voice_rules=facts["voice_rules"],
        banned_words=facts["banned_words"],
        usp=profile.usp,
        offer=profile.offer,
        audience=[_segment(s) for s in profile.audience],
        voice=_voice(profile),
        required_terms=profile.required_terms,
        disclaimers=profile.disclaimers,
    )
    return Prompt(system=system, user=render("draft_user.j2", **facts), facts=facts)


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


def _fact(item: ContextItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "source": item.source,
        "text": item.text,
        "platform": item.platform,
        "engagement": round(item.engagement, 3),
        "similarity": item.similarity,
        "name": item.source.removeprefix("competitor: "),
    }


def _draft_row(
    brand: Brand,
    job_id: str,
    platform: Platform,
    completion: Completion[PostDraft],
    context: BrandContext,
) -> Draft:
    post = completion.output
    return Draft(
        job_id=job_id,
        brand_id=brand.id,
        platform=platform,
        language=BrandProfile.model_validate(brand.profile).language,
        headline=post.headline.strip(),
        body=post.body.strip(),
        call_to_action=post.call_to_action.strip(),
        hashtags=[t.lstrip("#").strip() for t in post.hashtags if t.strip("# ")],
        sources=[
            {"id": i.id, "kind": i.kind.value, "source": i.source, "similarity": i.similarity}
            for i in context.items()
        ],
        generator=completion.generator,
        model=completion.model,
    )
