"""Reply suggestions for one comment: classify it, escalate or flag it when it must get no
quick reply, else write two or three replies in the brand's voice and the commenter's language,
grounded in the brand's retrieved material, each through the compliance gate (docs/replies.md).

Rules decide first and last. A crisis (`crisis_signal`) escalates and spam or obscenity is
flagged whatever a model says; a model only classifies and writes the rest. Without a model
(`llm.can_revise` false), the rule classifier and the templates of `composer.py` answer. A
model that fails gives way to the templates, and the result says so."""

from __future__ import annotations

from dataclasses import dataclass

from brand_voice.profile import LANGUAGE_NAMES, BrandProfile
from generators.compliance.checks import validate
from generators.compliance.context import PostContext, brand_material
from generators.compliance.grounding import Grounding
from generators.compliance.repair import repair_post, sanitize
from generators.compliance.rulebook import Rulebook
from generators.compliance.terms import TermMatcher
from generators.drafts.schemas import PostDraft
from generators.llm.facts import ReplyFacts
from generators.llm.port import LLM, Completion, Prompt
from generators.replies.classify import (
    Classification,
    CommentClass,
    CrisisKind,
    classify,
    crisis_signal,
)
from generators.replies.composer import Fact, compose_replies, template_language
from generators.replies.limits import GOOD_LENGTH, comment_rules
from generators.replies.schemas import (
    Classified,
    Escalation,
    Flag,
    ModelReplies,
    Outcome,
    ReplyOutcome,
    ReplyRequest,
    Source,
    Suggestion,
)
from generators.replies.voice import voice_problems
from prompts.render import render
from retrieval.context import ContextRequest, retrieve_context
from retrieval.store import VectorStore
from storage.enums import DocumentKind
from storage.errors import ErrorCode, PostcraftError
from storage.models import Brand

OFFLINE = "offline-composer"
CONTEXT_TOKENS = 1200  # a reply needs a few facts, not a post's worth of context
MAX_REPLIES = 3
FALLBACK_CODES = (ErrorCode.LLM_INVALID_OUTPUT, ErrorCode.LLM_UNAVAILABLE)
_NO_REPLY = (CommentClass.CRISIS, CommentClass.SPAM, CommentClass.OBSCENE)


@dataclass(frozen=True)
class Suggested:
    """The outcome and the model calls that went into it (none offline)."""

    outcome: ReplyOutcome
    completions: list[Completion[ModelReplies]]


def suggest_replies(
    llm: LLM, store: VectorStore, rulebook: Rulebook, brand: Brand, request: ReplyRequest
) -> Suggested:
    """Classify the comment and answer it, escalate it or flag it."""
    profile = BrandProfile.model_validate(brand.profile)
    ruled = classify(request.comment, request.post, request.thread, profile.language)
    language = ruled.language if ruled.language in LANGUAGE_NAMES else profile.language
    crisis = crisis_signal(request.comment)
    if crisis is not None or ruled.label is CommentClass.CRISIS:
        # The comment's own words, or the rules reading it with its thread ("me too" under a
        # poisoning report).
        kind, words = crisis or (ruled.crisis, "; ".join(ruled.signals))
        return Suggested(_escalated(profile, ruled, language, kind, words, OFFLINE), [])
    if ruled.label in (CommentClass.SPAM, CommentClass.OBSCENE):
        signals = list(ruled.signals)
        outcome = _flagged(ruled.label, language, signals, "; ".join(signals), OFFLINE)
        return Suggested(outcome, [])
    facts = _facts(store, brand.id, profile, request)
    gate = _gate(rulebook, profile, request, language, facts)
    notes: list[str] = []
    if llm.can_revise:
        try:
            return _with_model(llm, profile, brand, request, ruled, language, facts, gate)
        except PostcraftError as error:
            if error.code not in FALLBACK_CODES:
                raise
            notes.append(f"the model failed ({error.code.value}): the templates answered")
    return Suggested(_templated(profile, brand, request, ruled, language, facts, gate, notes), [])


def _with_model(
    llm: LLM,
    profile: BrandProfile,
    brand: Brand,
    request: ReplyRequest,
    ruled: Classification,
    language: str,
    facts: list[Fact],
    gate: PostContext,
) -> Suggested:
    prompt = _prompt(profile, brand, request, language, facts, gate)
    completion = llm.complete(prompt, ModelReplies)
    answer = completion.output
    label = answer.label
    if label is CommentClass.CRISIS:
        outcome = _escalated(profile, ruled, language, None, answer.reason, completion.generator)
        return Suggested(outcome, [completion])
    if label in (CommentClass.SPAM, CommentClass.OBSCENE):
        signals = [f"model: {label.value}", answer.reason]
        outcome = _flagged(label, language, signals, answer.reason, completion.generator)
        return Suggested(outcome, [completion])
    written: list[tuple[str, list[Fact]]] = [(text, []) for text in answer.replies]
    replies, repairs = _checked(written, gate, facts, prompt.system)
    if len(replies) < 2:  # too few passed the gate: the templates make up the rest
        extra, more = _checked(
            _compose(profile, brand, request, label, language, facts), gate, facts
        )
        replies = _distinct([*replies, *extra])[:MAX_REPLIES]
        repairs += [*more, "fewer than two model replies passed the checks: templates added"]
    outcome = ReplyOutcome(
        outcome=Outcome.REPLIES,
        classification=_classified(label, language, [f"model: {label.value}", *ruled.signals]),
        replies=replies,
        generator=completion.generator,
        repairs=repairs,
    )
    return Suggested(outcome, [completion])


def _templated(
    profile: BrandProfile,
    brand: Brand,
    request: ReplyRequest,
    ruled: Classification,
    language: str,
    facts: list[Fact],
    gate: PostContext,
    notes: list[str],
) -> ReplyOutcome:
    composed = _compose(profile, brand, request, ruled.label, language, facts)
    replies, repairs = _checked(composed, gate, facts)
    return ReplyOutcome(
        outcome=Outcome.REPLIES,
        classification=_classified(ruled.label, language, list(ruled.signals)),
        replies=replies,
        generator=OFFLINE,
        repairs=[*notes, *repairs],
    )


def _compose(
    profile: BrandProfile,
    brand: Brand,
    request: ReplyRequest,
    label: CommentClass,
    language: str,
    facts: list[Fact],
) -> list[tuple[str, list[Fact]]]:
    words = template_language(language, profile.language)
    support = profile.escalation.support
    return compose_replies(
        label, words, request.author, request.comment, brand.name, support, facts
    )


def _checked(
    replies: list[tuple[str, list[Fact]]],
    gate: PostContext,
    facts: list[Fact],
    instructions: str = "",
) -> tuple[list[Suggestion], list[str]]:
    """The replies that pass the gate (after its deterministic repairs), and what it did."""
    kept: list[Suggestion] = []
    notes: list[str] = []
    for n, (text, used) in enumerate(replies, start=1):
        post = PostDraft(headline="", body=text.strip(), call_to_action="", hashtags=[])
        cleaned = sanitize(post, gate)
        post, changes = cleaned.draft, list(cleaned.changes)
        report = validate(post, gate)
        if not report.passed:
            repaired = repair_post(post, gate)
            post, changes = repaired.draft, [*changes, *repaired.changes]
            report = validate(post, gate)
        voice = voice_problems(post.body, gate.language, instructions)
        if not report.passed or voice or not post.body.strip():
            problems = "; ".join([*(v.message for v in report.errors()), *voice])
            notes.append(f"reply {n} dropped: {problems}")
            continue
        notes += [f"reply {n}: {change}" for change in changes]
        sources = used or [f for f in facts if _quotes(post.body, f.text)]
        kept.append(
            Suggestion(
                text=post.body.strip(),
                sources=[Source(kind=f.kind, source=f.source) for f in dict.fromkeys(sources)],
            )
        )
    return _distinct(kept)[:MAX_REPLIES], notes


def _quotes(reply: str, fact: str) -> bool:
    return any(len(part) > 30 and part.strip() in reply for part in fact.split("."))


def _distinct(replies: list[Suggestion]) -> list[Suggestion]:
    seen: set[str] = set()
    kept = []
    for reply in replies:
        key = " ".join(reply.text.casefold().split())
        if key not in seen:
            seen.add(key)
            kept.append(reply)
    return kept


def _facts(
    store: VectorStore, brand_id: str, profile: BrandProfile, request: ReplyRequest
) -> list[Fact]:
    """The brand's material nearest the comment: its guide and its own posts (no competitor's),
    then the profile's own words."""
    query = f"{request.comment}\n{request.post[:500]}".strip()
    context = retrieve_context(store, brand_id, ContextRequest(query), CONTEXT_TOKENS)
    facts = [
        Fact(item.text, item.kind.value, item.source)
        for item in context.items()
        if item.kind is not DocumentKind.COMPETITOR
    ]
    material = brand_material(profile)
    return [*facts, Fact(material, "profile", "brand profile")] if material else facts


def _gate(
    rulebook: Rulebook,
    profile: BrandProfile,
    request: ReplyRequest,
    language: str,
    facts: list[Fact],
) -> PostContext:
    """The compliance context of a reply: the platform's comment rules, the brand's banned
    words, the commenter's language, grounded in the facts and the comment itself."""
    rules = comment_rules(request.platform, rulebook.registry[request.platform])
    own = "\n".join([request.comment, *(f.text for f in facts)])
    return PostContext(
        platform=request.platform,
        rules=rules,
        with_media=False,
        language=language,
        banned=TermMatcher(profile.banned_words, language),
        required=TermMatcher([], language),
        disclaimers=(),
        ad_label=None,
        grounding=Grounding(
            own_text=own,
            extra_contacts=tuple(a.handle for a in profile.accounts),
            asked=request.comment,
            language=language,
        ),
        judge=rulebook.judge,
    )


def _prompt(
    profile: BrandProfile,
    brand: Brand,
    request: ReplyRequest,
    language: str,
    facts: list[Fact],
    gate: PostContext,
) -> Prompt:
    system = render(
        "reply_system.j2",
        brand_name=brand.name,
        language_name=LANGUAGE_NAMES.get(language, language),
        support=profile.escalation.support or "an invitation to write in direct messages",
        max_chars=gate.limit,
        good_length=min(GOOD_LENGTH, gate.limit),
        banned_words=profile.banned_words,
    )
    user = render(
        "reply_user.j2",
        facts=facts,
        post=request.post,
        thread=request.thread,
        platform_name=gate.rules.name,
        author=request.author,
        comment=request.comment,
    )
    facts_of = ReplyFacts(
        brand_name=brand.name,
        language=language,
        platform=request.platform.value,
        max_chars=gate.limit,
    )
    return Prompt(system, user, facts_of)


def _classified(label: CommentClass, language: str, signals: list[str]) -> Classified:
    return Classified(label=label, language=language, signals=[s for s in signals if s])


def _escalated(
    profile: BrandProfile,
    ruled: Classification,
    language: str,
    kind: CrisisKind | None,
    why: str,
    generator: str,
) -> ReplyOutcome:
    contacts = profile.escalation
    by_kind = {
        CrisisKind.LEGAL: contacts.legal,
        CrisisKind.SAFETY: contacts.safety,
        CrisisKind.SCANDAL: contacts.pr,
    }
    to = (by_kind.get(kind) if kind else "") or contacts.pr or "the brand's SMM manager"
    what = kind.value if kind else "crisis"
    reason = f"{what}: {why}" if why else what
    signals = [*ruled.signals, f"crisis ({what}): {why}"] if why else list(ruled.signals)
    return ReplyOutcome(
        outcome=Outcome.ESCALATE,
        classification=_classified(CommentClass.CRISIS, language, signals),
        escalation=Escalation(to=to, reason=f"{reason} (no quick reply: hand it over)"),
        generator=generator,
    )


def _flagged(
    label: CommentClass, language: str, signals: list[str], why: str, generator: str
) -> ReplyOutcome:
    return ReplyOutcome(
        outcome=Outcome.FLAG,
        classification=_classified(label, language, signals),
        flag=Flag(
            reason=f"{label.value}: {why or 'rules'}. Do not answer; flag it with the "
            "platform's tools (a negative comment is never hidden: this one is not negative)."
        ),
        generator=generator,
    )
