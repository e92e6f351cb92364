"""The same store over a Chroma server (CHROMA_URL): a brand's vectors, scoped, from any client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.embeddings import E5Embedder
from retrieval.store import VectorItem, VectorStore
from storage.enums import DocumentKind
from storage.settings import Settings
from tests.e2e.services import chroma_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server for this module."""
    with chroma_server(tmp_path_factory.mktemp("chroma")) as url:
        yield url


def test_the_store_works_the_same_on_a_chroma_server(
    chroma_url: str, tmp_path: Path, embedder: E5Embedder
) -> None:
    settings = Settings(data_dir=tmp_path, CHROMA_URL=chroma_url)
    writer = VectorStore(settings, embedder)
    writer.ping()
    writer.add(
        "brand-a",
        DocumentKind.POST,
        [
            VectorItem("a1", "Как заварить кофе в воронке V60", {"platform": "vk"}),
            VectorItem("a2", "Month-end close checklist for finance teams", {"platform": "x"}),
        ],
    )
    writer.add("brand-b", DocumentKind.POST, [VectorItem("b1", "Кофе в воронке", {})])
    reader = VectorStore(settings, embedder)  # another client, as another process would be
    hits = reader.search("brand-a", DocumentKind.POST, "рецепт пуровера", 5)
    assert hits[0].id == "a1"
    assert {h.id for h in hits} == {"a1", "a2"}, "brand B's vectors are in another collection"
    assert reader.count("brand-b", DocumentKind.POST) == 1
    assert not (tmp_path / "chroma").exists(), "nothing was written locally"
