"""Hashtag sets: branded tags first, then tags ranked from the brand's best posts, competitors
and (when an LLM is configured) its suggestions; normalised, capped per platform, each with why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from brand_voice.profile import BrandProfile
from generators.compliance.grounding import Competitor, Grounding, is_competitor_tag
from generators.compliance.hashtags import clean_tags, hashtags_in
from generators.compliance.platforms import Registry, hashtag_budget
from generators.compliance.terms import TermMatcher
from generators.hashtags.schemas import HashtagRequest, HashtagSuggestions
from generators.llm.facts import HashtagFacts
from generators.llm.port import LLM, Prompt
from prompts.render import render
from retrieval.context import ContextRequest, rank
from retrieval.store import VectorStore
from storage.enums import DocumentKind

CANDIDATE_POSTS = 30


class Reason(StrEnum):
    """Why a tag is in the set."""

    BRANDED = "branded"
    BEST_POSTS = "used in your best posts"
    TOPICAL = "topical"
    SUGGESTED = "suggested"


@dataclass(frozen=True)
class RankedTag:
    """A tag with its reason and score."""

    tag: str
    reason: Reason
    score: float


def hashtag_sets(
    llm: LLM,
    store: VectorStore,
    registry: Registry,
    brand_id: str,
    profile: BrandProfile,
    request: HashtagRequest,
    rivals: tuple[str, ...] = (),
) -> dict[str, list[dict[str, object]]]:
    """For each platform, the ranked set capped to what the platform allows or advises; no tag
    has a banned word or carries a competitor's name (`rivals`: all the brand's competitors)."""
    query = f"{request.topic}\n{request.brief}".strip()
    ranked = _rank(llm, store, brand_id, profile, request, query, rivals)
    return {
        p.value: [
            {"tag": r.tag, "reason": r.reason.value, "score": round(r.score, 3)}
            for r in ranked[: hashtag_budget(registry[p])]
        ]
        for p in request.platforms
    }


def _rank(
    llm: LLM,
    store: VectorStore,
    brand_id: str,
    profile: BrandProfile,
    request: HashtagRequest,
    query: str,
    rivals: tuple[str, ...],
) -> list[RankedTag]:
    scores: dict[str, RankedTag] = {}
    banned = TermMatcher(profile.banned_words, profile.language)
    posts = rank(
        DocumentKind.POST,
        store.search(brand_id, DocumentKind.POST, query, CANDIDATE_POSTS),
        ContextRequest(query),
    )
    competitors = store.search(brand_id, DocumentKind.COMPETITOR, query, 10)
    # The rules drafts follow: a tag carrying a competitor's name is theirs (#бодрость), other
    # tags of competitors' posts are the topic's words; the brand's own tags are its own.
    grounding = Grounding(
        own_text="\n".join(
            [*(item.text for item in posts), *(f"#{t}" for t in profile.branded_hashtags)]
        ),
        competitors=tuple(
            Competitor(str(hit.metadata.get("competitor", "")), hit.text) for hit in competitors
        ),
        language=profile.language,
        rival_names_known=rivals,
    )

    def offer(tags: Iterable[str], reason: Reason, score: float) -> None:
        for tag in clean_tags(tags, banned):
            if is_competitor_tag(tag, grounding):
                continue
            key = tag.casefold()
            known = scores.get(key)
            if known is None or (known.reason is not Reason.BRANDED and known.score < score):
                scores[key] = RankedTag(tag, reason, score)

    offer(profile.branded_hashtags, Reason.BRANDED, 100.0)
    for item in posts:
        offer(hashtags_in(item.text), Reason.BEST_POSTS, item.similarity * (1 + item.engagement))
    for hit in competitors:
        offer(hashtags_in(hit.text), Reason.TOPICAL, 0.5 * hit.similarity)
    offer(_suggestions(llm, profile, request), Reason.SUGGESTED, 0.4)
    return sorted(scores.values(), key=lambda r: (r.reason is not Reason.BRANDED, -r.score))


def _suggestions(llm: LLM, profile: BrandProfile, request: HashtagRequest) -> list[str]:
    facts = HashtagFacts(
        topic=request.topic,
        brief=request.brief,
        language=profile.language,
        banned_words=tuple(profile.banned_words),
    )
    prompt = Prompt(
        system=render("hashtags_system.j2", language=profile.language),
        user=render("hashtags_user.j2", topic=request.topic, brief=request.brief),
        facts=facts,
    )
    return llm.complete(prompt, HashtagSuggestions).output.hashtags
