"""Post drafts: retrieve brand context, render the prompt, call the LLM, shape the result."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations
from typing import Any

from brand_voice.profile import LANGUAGE_NAMES, Address, AudienceSegment, BrandProfile
from generators.counting import fits, split_thread
from generators.drafts.edits import check_post, first_version, post_of
from generators.drafts.schemas import DraftRequest, PostDraft, post_text
from generators.links import campaign_slug, with_utm
from generators.llm.offline import OfflineComposer
from generators.llm.port import LLM, Completion, Prompt
from generators.platforms import RULES, Counting, PlatformRules, hashtag_budget
from generators.repair import repair_post
from generators.tags import clean_tags
from generators.validation import Severity, ValidationReport, Violation
from prompts.render import render
from retrieval.context import BrandContext, ContextItem, ContextRequest, retrieve_context
from retrieval.store import VectorStore
from storage.enums import Platform
from storage.models import Brand, Draft, DraftVersion, new_id, utcnow

SIBLING_LIMIT = 0.85  # share of identical text above which two variants count as the same


@dataclass(frozen=True)
class DraftOutcome:
    """The drafts of one job with their first versions (not yet stored), and every completion
    that went into them (a second try counts)."""

    drafts: list[Draft]
    versions: list[DraftVersion]
    completions: list[Completion[PostDraft]]


@dataclass(frozen=True)
class Checked:
    """A post after validation and, where needed, one more try and deterministic repair."""

    post: PostDraft
    report: ValidationReport
    repairs: list[str]
    completions: list[Completion[PostDraft]]
    thread: list[str]


def write_drafts(
    llm: LLM, store: VectorStore, brand: Brand, request: DraftRequest, job_id: str, budget: int
) -> DraftOutcome:
    """One draft per requested platform, each grounded in the brand's retrieved knowledge."""
    profile = BrandProfile.model_validate(brand.profile)
    query = f"{request.topic}\n{request.brief}".strip()
    rubric = request.rubric.value if request.rubric else None
    context = retrieve_context(store, brand.id, ContextRequest(query, rubric=rubric), budget)
    material = "\n".join([request.topic, request.brief, *(i.text for i in context.items())])
    drafts: list[Draft] = []
    completions: list[Completion[PostDraft]] = []
    for platform in request.platforms:
        prompt = build_prompt(brand, profile, request, platform, context, job_id)
        label = request.ad_label(platform)
        checked = write_checked(llm, prompt, platform, profile, material, label)
        completions.extend(checked.completions)
        drafts.append(_draft_row(brand, request, platform, checked, context, job_id))
    flag_similar_siblings(drafts)
    return DraftOutcome(drafts, [first_version(d) for d in drafts], completions)


def flag_similar_siblings(drafts: list[Draft]) -> None:
    """Variants of one post must differ (X forbids the same text on several accounts): a pair
    that reads nearly the same gets a warning on both."""
    texts = [post_text(post_of(d)).casefold() for d in drafts]
    for i, j in combinations(range(len(drafts)), 2):
        ratio = SequenceMatcher(None, texts[i], texts[j], autojunk=False).ratio()
        if ratio >= SIBLING_LIMIT:
            for a, b in ((i, j), (j, i)):
                report = ValidationReport.model_validate(drafts[a].validation)
                report.violations.append(
                    Violation(
                        code="too_similar",
                        severity=Severity.WARNING,
                        message=f"{ratio:.0%} the same as the {drafts[b].platform.value} "
                        "variant: rewrite one of them",
                    )
                )
                drafts[a].validation = report.model_dump(mode="json")


def write_checked(
    llm: LLM,
    prompt: Prompt,
    platform: Platform,
    profile: BrandProfile,
    material: str,
    ad_label: str | None = None,
) -> Checked:
    """Write, validate; on errors ask the LLM once more with the list, then repair
    deterministically; whatever still fails stays flagged in the report."""
    completion = llm.complete(prompt, PostDraft)
    calls = [completion]
    post = _normal_hashtags(completion.output, profile)
    report = check_post(post, platform, profile, material, ad_label)
    errors = [v for v in report.violations if v.severity is Severity.ERROR]
    if errors and llm.generator != OfflineComposer.generator:
        retry = render(
            "draft_retry.j2",
            original=prompt.user,
            problems=[v.message for v in errors],
            previous=post.model_dump_json(),
        )
        second = llm.complete(Prompt(prompt.system, retry, prompt.facts), PostDraft)
        calls.append(second)
        post = _normal_hashtags(second.output, profile)
        report = check_post(post, platform, profile, material, ad_label)
    repairs: list[str] = []
    thread: list[str] = []
    rules = RULES[platform]
    if ad_label and ad_label.casefold() not in post_text(post).casefold():
        post = post.model_copy(update={"body": f"{post.body.rstrip()}\n\n{ad_label}"})
        repairs.append(f"added the ad label «{ad_label}»")
    if not report.passed or repairs:
        if rules.threads and not fits(post_text(post), rules):
            thread = split_thread(post_text(post), rules)
        repaired = repair_post(post, rules, profile.banned_words)
        post, repairs = repaired.draft, [*repairs, *repaired.changes]
        if ad_label and ad_label.casefold() not in post_text(post).casefold():
            # The label outranks the body: shorten the body further rather than drop it.
            labelled = post.model_copy(update={"call_to_action": ad_label})
            post = repair_post(labelled, rules, profile.banned_words).draft
        report = check_post(post, platform, profile, material, ad_label)
    return Checked(post, report, repairs, calls, thread)


def _normal_hashtags(post: PostDraft, profile: BrandProfile) -> PostDraft:
    """Branded tags first, then the post's, normalised (generators.tags)."""
    tags = clean_tags([*profile.branded_hashtags, *post.hashtags], profile.banned_words)
    return post.model_copy(update={"hashtags": tags})


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
        "language": request.language or profile.language,
        "language_name": LANGUAGE_NAMES[request.language or profile.language],
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
        "goal": request.goal,
        "call_to_action": request.call_to_action,
        "link": _link(request, platform),
        "ad_label": request.ad_label(platform) or "",
        "count_hint": _count_hint(rules),
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


def _link(request: DraftRequest, platform: Platform) -> str:
    if request.link is None:
        return ""
    campaign = request.utm_campaign or campaign_slug(request.topic)
    return with_utm(str(request.link), platform, campaign, request.is_ad)


def _count_hint(rules: PlatformRules) -> str:
    if rules.counting is Counting.X_WEIGHTED:
        return "as X counts: every link is 23, emoji and CJK characters count 2"
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
    request: DraftRequest,
    platform: Platform,
    checked: Checked,
    context: BrandContext,
    job_id: str,
) -> Draft:
    post = checked.post
    completion = checked.completions[-1]
    return Draft(
        id=new_id(),
        job_id=job_id,
        brand_id=brand.id,
        platform=platform,
        language=request.language or BrandProfile.model_validate(brand.profile).language,
        headline=post.headline.strip(),
        body=post.body.strip(),
        call_to_action=post.call_to_action.strip(),
        hashtags=list(post.hashtags),
        sources=[
            {"id": i.id, "kind": i.kind.value, "source": i.source, "similarity": i.similarity}
            for i in context.items()
        ],
        generator=completion.generator,
        model=completion.model,
        validation=checked.report.model_dump(mode="json"),
        repairs=checked.repairs,
        image_brief=post.image_brief.strip() if request.image else "",
        thread=checked.thread,
        created_at=utcnow(),
    )
