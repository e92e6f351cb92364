"""Embedders: the bundled e5 model offline, or an OpenAI-compatible endpoint (the fake server)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from retrieval.embeddings import E5Embedder, OpenAIEmbedder, make_embedder
from retrieval.store import VectorItem, VectorStore
from storage.enums import DocumentKind
from storage.settings import Settings
from tests.fakes.openai_server import FakeOpenAI


def test_e5_uses_query_and_passage_prefixes(embedder: E5Embedder) -> None:
    text = "Как заварить кофе в воронке"
    passage = np.asarray(embedder.embed_passages([text])[0])
    query = np.asarray(embedder.embed_query(text))
    assert passage.shape == query.shape == (384,)
    assert abs(float(np.linalg.norm(passage)) - 1.0) < 1e-3
    assert not np.allclose(passage, query), "e5 embeds queries and passages differently"


def test_an_openai_compatible_embeddings_endpoint(tmp_path: Path) -> None:
    with FakeOpenAI() as fake:
        settings = Settings(
            data_dir=tmp_path,
            embedding_provider="openai",
            OPENAI_BASE_URL=fake.url,
            OPENAI_API_KEY="test",
            LLM_MODEL="fake-model",
        )
        embedder = make_embedder(settings)
        assert isinstance(embedder, OpenAIEmbedder)
        store = VectorStore(settings, embedder)
        texts = [f"post {n}" for n in range(40)]  # more than one batch
        store.add(
            "brand", DocumentKind.POST, [VectorItem(f"p{n}", t, {}) for n, t in enumerate(texts)]
        )
        hits = store.search("brand", DocumentKind.POST, "post 7", 3)
        calls = [r for r in fake.requests if r.path.endswith("/embeddings")]
    assert len(hits) == 3
    assert len(calls) == 3, "two passage batches and one query"
    assert calls[0].body["input"][0] == "passage: post 0"
    assert calls[-1].body["input"] == ["query: post 7"]


class CountingEmbedder:
    """Wraps the real e5 model and counts its query calls."""

    name = "counting"
    dim = 384

    def __init__(self, inner: E5Embedder) -> None:
        self.inner = inner
        self.queries: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self.inner.embed_query(text)


def test_a_repeated_query_is_embedded_once(tmp_path: Path, embedder: E5Embedder) -> None:
    counting = CountingEmbedder(embedder)
    store = VectorStore(Settings(data_dir=tmp_path), counting)
    first = store.embed_query("Зимний бленд")
    again = store.embed_query("Зимний бленд")
    other = store.embed_query("Winter blend")
    assert counting.queries == ["Зимний бленд", "Winter blend"]
    assert np.allclose(first, again, atol=1e-6)
    assert not np.allclose(first, other)
    again[0] = 42.0  # the caller's copy: the cache keeps its own
    assert store.embed_query("Зимний бленд")[0] != 42.0


def test_the_query_cache_forgets_the_oldest(
    tmp_path: Path, embedder: E5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("retrieval.store.QUERY_CACHE_SIZE", 2)
    counting = CountingEmbedder(embedder)
    store = VectorStore(Settings(data_dir=tmp_path), counting)
    for text in ("a", "b", "a", "c", "b", "a"):
        store.embed_query(text)
    # a, b cached; a hit (a newest); c evicts b; b evicts a; a is embedded again
    assert counting.queries == ["a", "b", "c", "b", "a"]


def test_concurrent_queries_share_the_cache(tmp_path: Path, embedder: E5Embedder) -> None:
    counting = CountingEmbedder(embedder)
    store = VectorStore(Settings(data_dir=tmp_path), counting)
    expected = embedder.embed_query("Каппинг в субботу")
    with ThreadPoolExecutor(8) as pool:
        vectors = list(pool.map(lambda _: store.embed_query("Каппинг в субботу"), range(32)))
    assert all(np.allclose(v, expected, atol=1e-6) for v in vectors)
    assert 1 <= len(counting.queries) <= 8, "at most one model call per thread racing the first"
