"""Embedders: the bundled e5 model offline, or an OpenAI-compatible endpoint (the fake server)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

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
