"""Topics compared by meaning: the e5 query embeddings of short texts (plan topics, and the
opening line of the brand's recent posts), as the plan rules' `Similar`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from generators.plans.rules import Similar


class QueryEmbedder(Protocol):
    """What embeds a short text as a query (an Embedder, or the VectorStore with its cache)."""

    def embed_query(self, text: str) -> list[float]: ...


OPENING_CHARS = 120
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s|\n")


def topic_similarity(embedder: QueryEmbedder) -> Similar:
    """Cosine similarities by the embedder's query vectors (symmetric: both sides are short
    topics). Calibrated on e5-small (tests/generators/plans/test_topics.py): paraphrases score
    0.94–0.98, different topics of one brand 0.80–0.925, hence rules.TOPIC_SIMILARITY."""
    vectors: dict[str, np.ndarray] = {}

    def vector(text: str) -> np.ndarray:
        if text not in vectors:
            v = np.asarray(embedder.embed_query(text), dtype=np.float64)
            vectors[text] = v / (np.linalg.norm(v) or 1.0)
        return vectors[text]

    def similar(left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
        if not left or not right:
            return [[] for _ in left]
        a = np.stack([vector(t) for t in left])
        b = np.stack([vector(t) for t in right])
        return (a @ b.T).tolist()  # type: ignore[no-any-return]

    return similar


def opening(text: str) -> str:
    """A post's first sentence or line, at most OPENING_CHARS: what it was about."""
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip()
    return first[:OPENING_CHARS]
