"""The retriever and the context packer: what a generator is given, within a token budget."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from retrieval.store import Hit, VectorStore
from retrieval.tokens import count_tokens, truncate_to_tokens
from storage.enums import DocumentKind

# Share of the budget each kind may use before the next kind is served.
SHARES = {DocumentKind.VOICE_GUIDE: 0.4, DocumentKind.POST: 0.45, DocumentKind.COMPETITOR: 0.15}
CANDIDATES = {DocumentKind.VOICE_GUIDE: 6, DocumentKind.POST: 12, DocumentKind.COMPETITOR: 4}
MAX_ITEM_TOKENS = 300
ENGAGEMENT_WEIGHT = 0.15


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
    store: VectorStore, brand_id: str, query: str, budget_tokens: int
) -> BrandContext:
    """The brand's voice rules, best matching past posts and competitor examples for a query."""
    context = BrandContext()
    targets = {
        DocumentKind.VOICE_GUIDE: context.voice_rules,
        DocumentKind.POST: context.past_posts,
        DocumentKind.COMPETITOR: context.competitor_examples,
    }
    spare = 0
    for kind, target in targets.items():
        hits = store.search(brand_id, kind, query, CANDIDATES[kind])
        allowance = int(budget_tokens * SHARES[kind]) + spare
        used = _fill(target, _ranked(kind, hits), allowance)
        spare = allowance - used
        context.tokens += used
    return context


def _ranked(kind: DocumentKind, hits: list[Hit]) -> list[ContextItem]:
    items = [_item(kind, hit) for hit in hits]
    if kind is DocumentKind.POST:
        # Relevance first; engagement breaks near-ties so the brand's best posts lead.
        items.sort(key=lambda i: i.similarity + ENGAGEMENT_WEIGHT * i.engagement, reverse=True)
    return items


def _item(kind: DocumentKind, hit: Hit) -> ContextItem:
    meta = hit.metadata
    er = float(meta.get("engagement_rate", 0.0) or 0.0)
    return ContextItem(
        id=hit.id,
        kind=kind,
        source=str(meta.get("source", "")),
        text=hit.text,
        similarity=round(hit.similarity, 4),
        engagement=min(1.0, math.log1p(er * 100) / math.log1p(20)),
        platform=str(meta.get("platform", "")),
        tokens=0,
    )


def _fill(target: list[ContextItem], items: list[ContextItem], allowance: int) -> int:
    used = 0
    for item in items:
        room = allowance - used
        if room < 40:
            break
        text = truncate_to_tokens(item.text, min(room, MAX_ITEM_TOKENS))
        tokens = count_tokens(text)
        target.append(ContextItem(**{**item.__dict__, "text": text, "tokens": tokens}))
        used += tokens
    return used
