"""The vector store adapter: one Chroma collection per brand and kind (the only chromadb import)."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
import numpy as np
import numpy.typing as npt
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from retrieval.embeddings import E5Embedder, Embedder
from storage.enums import DocumentKind
from storage.settings import Settings

Scalar = str | int | float | bool


@register_embedding_function
class PostcraftEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of our embedder, registered by name so a collection reopens in any process."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder: Embedder = embedder or E5Embedder()

    def __call__(self, input: Documents) -> Embeddings:
        return [list(v) for v in self._embedder.embed_passages(list(input))]  # type: ignore[misc]

    def embed_query(self, input: Documents) -> Embeddings:
        return [self._embedder.embed_query(t) for t in input]  # type: ignore[misc]

    @staticmethod
    def name() -> str:
        return "postcraft-e5"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> PostcraftEmbeddingFunction:
        return PostcraftEmbeddingFunction()

    def default_space(self) -> Any:
        return "cosine"


@dataclass(frozen=True)
class VectorItem:
    """One text to store, with its id and flat metadata."""

    id: str
    text: str
    metadata: dict[str, Scalar]


@dataclass(frozen=True)
class Hit:
    """One search result: similarity in [-1, 1] (cosine), the text and its metadata."""

    id: str
    text: str
    similarity: float
    metadata: dict[str, Scalar]
    vector: tuple[float, ...] = ()


QUERY_CACHE_SIZE = 2048  # query vectors a process remembers, as float32: 1.5 KB each at 384-d


def collection_name(brand_id: str, kind: DocumentKind) -> str:
    """The collection of one brand's knowledge of one kind; brands never share a collection."""
    return f"brand-{brand_id.replace('-', '')}-{kind.value.replace('_', '-')}"


class VectorStore:
    """Per-brand vector collections on an embedded PersistentClient or a Chroma server."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self._settings = settings
        self._embedder = embedder
        self._function = PostcraftEmbeddingFunction(embedder)
        self._lock = threading.RLock()
        self._client: Any = None
        self._collections: dict[tuple[str, DocumentKind], Any] = {}
        self._seen_generation = ""
        self._queries: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._queries_lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        """The embedder that made this store's vectors."""
        return self._embedder

    def _generation_file(self) -> Path:
        return self._settings.chroma_path / "generation"

    def _client_for_read(self) -> Any:
        # An embedded PersistentClient does not see vectors another process added after it
        # opened; writers bump a generation file and readers reopen when it changed (~10 ms).
        if self._settings.chroma_url:
            return self._connect()
        marker = self._generation_file()
        generation = marker.read_text() if marker.exists() else ""
        if self._client is not None and generation != self._seen_generation:
            SharedSystemClient.clear_system_cache()
            self._client = None
            self._collections.clear()
        self._seen_generation = generation
        return self._connect()

    def _connect(self) -> Any:
        if self._client is None:
            if self._settings.chroma_url:
                url = urlsplit(self._settings.chroma_url)
                self._client = chromadb.HttpClient(
                    host=url.hostname or "localhost",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                )
            else:
                self._settings.chroma_path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self._settings.chroma_path))
        return self._client

    def _collection(self, brand_id: str, kind: DocumentKind) -> Any:
        # Opened once per client: get_or_create costs a round trip on every search otherwise.
        client = self._client_for_read()
        key = (brand_id, kind)
        if key not in self._collections:
            self._collections[key] = client.get_or_create_collection(
                collection_name(brand_id, kind),
                embedding_function=self._function,
                metadata={"hnsw:space": "cosine", "brand_id": brand_id, "kind": kind.value},
            )
        return self._collections[key]

    def add(
        self,
        brand_id: str,
        kind: DocumentKind,
        items: list[VectorItem],
        vectors: list[list[float]] | None = None,
    ) -> None:
        """Store (or overwrite) items in the brand's collection of this kind; `vectors`, when
        given, are the items' passage embeddings (computed once by the caller)."""
        if not items:
            return
        if vectors is None:
            vectors = self._embedder.embed_passages([item.text for item in items])
        with self._lock:
            collection = self._collection(brand_id, kind)
            collection.upsert(
                ids=[item.id for item in items],
                documents=[item.text for item in items],
                embeddings=vectors,
                metadatas=[{**item.metadata, "brand_id": brand_id} for item in items],
            )
            if not self._settings.chroma_url:
                self._bump_generation()

    def _bump_generation(self) -> None:
        marker = self._generation_file()
        tmp = marker.with_suffix(".tmp")
        tmp.write_text(uuid.uuid4().hex)
        tmp.replace(marker)
        self._seen_generation = marker.read_text()

    def embed_query(self, text: str) -> list[float]:
        """The query's vector, remembered for the last QUERY_CACHE_SIZE distinct queries: a job
        embeds its topic once for all its searches, and a repeated topic costs no model call."""
        with self._queries_lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return [float(x) for x in cached]
        vector = self._embedder.embed_query(text)  # outside the lock: other queries go on
        with self._queries_lock:
            self._queries[text] = np.asarray(vector, dtype=np.float32)
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        return vector

    def search(self, brand_id: str, kind: DocumentKind, query: str, k: int) -> list[Hit]:
        """The k nearest items of one brand and kind to a query (other brands are never read)."""
        return self.nearest(brand_id, kind, self.embed_query(query), k)

    def nearest(self, brand_id: str, kind: DocumentKind, vector: list[float], k: int) -> list[Hit]:
        """The k nearest items of one brand and kind to a vector."""
        return self.nearest_many(brand_id, kind, [vector], k)[0]

    def nearest_many(
        self, brand_id: str, kind: DocumentKind, vectors: list[list[float]], k: int
    ) -> list[list[Hit]]:
        """For each vector, its k nearest items of one brand and kind (one call to the store)."""
        if k <= 0 or not vectors:
            return [[] for _ in vectors]
        # The collection is the brand's own: that is the scope. A `where` filter on brand_id
        # would make Chroma pre-filter and cost 15x at 10k vectors (bench/results); the
        # metadata check below stays as a second lock.
        with self._lock:
            collection = self._collection(brand_id, kind)
            found = collection.query(
                query_embeddings=vectors,
                n_results=k,
                include=["documents", "metadatas", "distances", "embeddings"],
            )
        return [
            [
                hit
                for hit in (
                    Hit(
                        id=i,
                        text=doc or "",
                        similarity=1.0 - float(dist),
                        metadata=dict(meta or {}),
                        vector=tuple(float(x) for x in vec),
                    )
                    for i, doc, meta, dist, vec in zip(
                        found["ids"][n],
                        found["documents"][n],
                        found["metadatas"][n],
                        found["distances"][n],
                        found["embeddings"][n],
                        strict=True,
                    )
                )
                if hit.metadata.get("brand_id") == brand_id
            ]
            for n in range(len(vectors))
        ]

    def count(self, brand_id: str, kind: DocumentKind) -> int:
        """How many items the brand has of this kind."""
        with self._lock:
            return int(self._collection(brand_id, kind).count())

    def ping(self) -> None:
        """Raise when the store cannot be reached (readiness)."""
        with self._lock:
            self._client_for_read().heartbeat()
