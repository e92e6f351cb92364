"""The retriever and the context packer: what a generator is given, within a token budget."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from retrieval.store import Hit, VectorStore
from retrieval.tokens import count_tokens, truncate_to_tokens
from storage.enums import DocumentKind

# Share of the budget each kind may use; what one kind leaves goes to the next.
SHARES = {DocumentKind.VOICE_GUIDE: 0.4, DocumentKind.POST: 0.45, DocumentKind.COMPETITOR: 0.15}
CANDIDATES = {DocumentKind.VOICE_GUIDE: 8, DocumentKind.POST: 24, DocumentKind.COMPETITOR: 8}
MAX_ITEM_TOKENS = 300
MIN_ITEM_TOKENS = 40
# Relevance leads; engagement, recency and a matching platform or rubric break near-ties.
ENGAGEMENT_WEIGHT = 0.12
RECENCY_WEIGHT = 0.04
RECENCY_HALF_LIFE_DAYS = 120
MATCH_BONUS = 0.02
# A text a manager approved (approval/learning.py) is what the brand wants written: it ranks
# above an unreviewed post of the same relevance, however well that one did (engagement and
# recency together add at most ENGAGEMENT_WEIGHT + RECENCY_WEIGHT).
APPROVED_BONUS = ENGAGEMENT_WEIGHT + RECENCY_WEIGHT + 0.01
# Maximal marginal relevance: how much a candidate's likeness to those already picked costs.
DIVERSITY = 0.3
DUPLICATE_COSINE = 0.97


@dataclass(frozen=True)
class ContextRequest:
    """What the generator is about to write."""

    text: str
    platform: str | None = None
    rubric: str | None = None


@dataclass(frozen=True)
class ContextItem:
    """One retrieved piece, as the generator and the provenance see it."""

    id: str
    kind: DocumentKind
    source: str
    text: str
    similarity: float
    engagement: float
    platform: str
    tokens: int
    score: float = 0.0
    competitor: str = ""  # a competitor example's competitor, as the upload named it
    approved: bool = False  # a text a manager approved (approval/learning.py)


@dataclass
class BrandContext:
    """Retrieved brand knowledge packed to a budget, in prompt order."""

    voice_rules: list[ContextItem] = field(default_factory=list)
    past_posts: list[ContextItem] = field(default_factory=list)
    competitor_examples: list[ContextItem] = field(default_factory=list)
    tokens: int = 0

    def items(self) -> list[ContextItem]:
        """Every item given to the generator (for provenance)."""
        return [*self.voice_rules, *self.past_posts, *self.competitor_examples]


def retrieve_context(
    store: VectorStore, brand_id: str, request: ContextRequest, budget_tokens: int
) -> BrandContext:
    """The brand's voice rules, best past posts and competitor examples for a request."""
    context = BrandContext()
    targets = {
        DocumentKind.VOICE_GUIDE: context.voice_rules,
        DocumentKind.POST: context.past_posts,
        DocumentKind.COMPETITOR: context.competitor_examples,
    }
    query = store.embed_query(request.text)
    spare = 0
    for kind, target in targets.items():
        hits = store.nearest(brand_id, kind, query, CANDIDATES[kind])
        allowance = int(budget_tokens * SHARES[kind]) + spare
        used = _fill(target, rank(kind, hits, request), allowance)
        spare = allowance - used
        context.tokens += used
    return context


def rank(kind: DocumentKind, hits: list[Hit], request: ContextRequest) -> list[ContextItem]:
    """Candidates scored (relevance blended with engagement, recency, platform and rubric) and
    ordered for diversity: near-copies are dropped, similar items pushed down."""
    if not hits:
        return []
    peak = max(_interactions(h) for h in hits) or 1.0
    scored = [(_score(kind, h, request, peak), h) for h in hits]
    items = []
    for score, hit in _diverse(scored):
        items.append(_item(kind, hit, score, _engagement(hit, peak)))
    return items


def _score(kind: DocumentKind, hit: Hit, request: ContextRequest, peak: float) -> float:
    score = hit.similarity
    if kind is DocumentKind.VOICE_GUIDE:
        return score
    meta = hit.metadata
    score += ENGAGEMENT_WEIGHT * _engagement(hit, peak)
    published = meta.get("published_ts")
    if isinstance(published, int | float):
        age_days = max(0.0, (time.time() - float(published)) / 86400)
        score += RECENCY_WEIGHT * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
    if request.platform and meta.get("platform") == request.platform:
        score += MATCH_BONUS
    if request.rubric and meta.get("rubric") == request.rubric:
        score += MATCH_BONUS
    if meta.get("approved") is True:
        score += APPROVED_BONUS
    return score


def _interactions(hit: Hit) -> float:
    meta = hit.metadata
    value = meta.get("interactions")
    if isinstance(value, int | float):
        return float(value)
    return float(
        sum(v for k in ("likes", "comments", "reposts") if isinstance(v := meta.get(k), int))
    )


def _engagement(hit: Hit, peak: float) -> float:
    """0..1: ER when views are known (20 % and above is 1), else interactions against the best
    candidate (Telegram exports have no views)."""
    er = hit.metadata.get("engagement_rate")
    if isinstance(er, int | float) and er > 0:
        return min(1.0, math.log1p(float(er) * 100) / math.log1p(20))
    return math.log1p(_interactions(hit)) / math.log1p(peak) if peak > 1 else 0.0


def _diverse(scored: list[tuple[float, Hit]]) -> list[tuple[float, Hit]]:
    remaining = sorted(scored, key=lambda pair: pair[0], reverse=True)
    if not all(hit.vector for _, hit in remaining):
        return remaining
    scores = np.asarray([score for score, _ in remaining], dtype=np.float32)
    vectors = np.asarray([hit.vector for _, hit in remaining], dtype=np.float32)
    likeness = vectors @ vectors.T
    closest = np.full(len(remaining), -np.inf, dtype=np.float32)  # to anything picked so far
    open_ = np.ones(len(remaining), dtype=bool)
    picked: list[tuple[float, Hit]] = []
    while open_.any():
        penalty = np.where(np.isfinite(closest), DIVERSITY * closest, 0.0)
        value = np.where(open_, scores - penalty, -np.inf)
        best = int(np.argmax(value))
        open_[best] = False
        if closest[best] >= DUPLICATE_COSINE:
            continue
        picked.append(remaining[best])
        closest = np.maximum(closest, likeness[best])
    return picked


def _item(kind: DocumentKind, hit: Hit, score: float, engagement: float) -> ContextItem:
    return ContextItem(
        id=hit.id,
        kind=kind,
        source=str(hit.metadata.get("source", "")),
        text=hit.text,
        similarity=round(hit.similarity, 4),
        engagement=round(engagement, 4),
        platform=str(hit.metadata.get("platform", "")),
        tokens=0,
        score=round(score, 4),
        competitor=str(hit.metadata.get("competitor", "")),
        approved=hit.metadata.get("approved") is True,
    )


def _fill(target: list[ContextItem], items: list[ContextItem], allowance: int) -> int:
    used = 0
    for item in items:
        room = allowance - used
        if room < MIN_ITEM_TOKENS:
            break
        text = truncate_to_tokens(item.text, min(room, MAX_ITEM_TOKENS))
        tokens = count_tokens(text)
        target.append(replace(item, text=text, tokens=tokens))
        used += tokens
    return used
