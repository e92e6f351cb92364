"""The LangChain peer: the brand's guide and posts in a Chroma store, k = 4 retrieved into the
system message, one model call per platform, through the same fake OpenAI server."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from pathlib import Path

import pytest

pytest.importorskip("langchain_openai")
pytest.importorskip("langchain_chroma")

from bench.peer import K, Peer, PostcraftEmbeddings, brand_documents
from bench.suite.setup_brands import RememberingEmbedder
from tests.conftest import DEMO
from tests.fakes.openai_server import FakeOpenAI


class _Hashing:
    """A deterministic stand-in for e5 (no model load): a unit vector from the text's words."""

    name, dim = "hashing", 64

    def __init__(self) -> None:
        self.passages: list[str] = []
        self.queries: list[str] = []

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for word in text.lower().split():
            vec[int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.passages.extend(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self._vector(text)


def test_brand_documents_are_guide_chunks_and_posts_without_competitors() -> None:
    name, language, documents = brand_documents(DEMO / "zerno")
    assert (name, language) == ("Зерно и Пламя", "ru")
    guide = [d for d in documents if d.metadata["source"] == "guide"]
    posts = [d for d in documents if d.metadata["source"] != "guide"]
    assert guide
    assert posts
    assert all(len(d.page_content) <= 1000 for d in guide)
    assert not any("competitor" in str(d.metadata["source"]) for d in documents)


def test_the_embeddings_wrapper_passes_texts_through() -> None:
    inner = _Hashing()
    wrapper = PostcraftEmbeddings(inner)
    assert wrapper.embed_documents(["a b", "c"]) == [inner._vector("a b"), inner._vector("c")]
    assert wrapper.embed_query("q") == inner._vector("q")
    assert inner.passages == ["a b", "c"]
    assert inner.queries == ["q"]


@pytest.mark.parametrize("mode", ["batch", "sequential"])
def test_one_call_per_platform_with_the_retrieved_context(tmp_path: Path, mode: str) -> None:
    embedder = _Hashing()
    with FakeOpenAI() as fake:
        peer = Peer(fake.url, [DEMO / "northwind"], tmp_path, embedder=embedder)
        posts = peer.write("northwind", "Month-end close in three days", ["x", "linkedin"], mode)  # type: ignore[arg-type]
        chats = [r for r in fake.requests if r.path.endswith("/chat/completions")]
    assert len(posts) == 2
    assert all(p.startswith("Fake text") for p in posts)
    assert len(chats) == 2
    system, _human = (m["content"] for m in chats[0].body["messages"])
    assert "Northwind Ledger" in system
    assert "English" in system
    assert system.count("\n\n") >= K  # the k retrieved documents, joined
    assert {m["messages"][1]["content"] for m in (c.body for c in chats)} == {
        "Write a x post about: Month-end close in three days",
        "Write a linkedin post about: Month-end close in three days",
    }
    assert embedder.queries == ["Month-end close in three days"] * 2  # one retrieval per call
    assert "response_format" not in chats[0].body  # a plain chain asks for plain text


def test_the_setup_embeds_each_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    inner = _Hashing()
    remembering = RememberingEmbedder.__new__(RememberingEmbedder)
    remembering._e5 = inner  # type: ignore[assignment]
    remembering._passages, remembering._queries = {}, {}
    first = remembering.embed_passages(["a", "b", "a"])
    again = remembering.embed_passages(["b", "c"])
    assert first == [inner._vector("a"), inner._vector("b"), inner._vector("a")]
    assert again == [inner._vector("b"), inner._vector("c")]
    assert inner.passages == ["a", "b", "c"]
    assert remembering.embed_query("q") == remembering.embed_query("q")
    assert inner.queries == ["q"]
