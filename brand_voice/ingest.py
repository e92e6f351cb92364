"""Storing brand knowledge: cleaned, de-duplicated (exactly and nearly), in rows and vectors."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from retrieval.chunking import split_guide
from retrieval.store import Scalar, VectorItem, VectorStore
from retrieval.text import clean_text, content_hash
from storage.enums import DocumentKind
from storage.models import Document

NAMESPACE = uuid.UUID("6f1d2a4e-3c1b-4e7a-9d55-0b7c2f6a9e10")
# A near-duplicate is both close in meaning and close in wording: an edited repost, a post with
# other hashtags. Either test alone would merge distinct posts built from one template.
NEAR_COSINE = 0.95
NEAR_WORDING = 0.85
EMBED_BATCH = 64


@dataclass(frozen=True)
class NewDocument:
    """One piece of knowledge to store, before cleaning."""

    kind: DocumentKind
    source: str
    text: str
    meta: dict[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestReport:
    """What an ingestion stored and what it skipped as already known."""

    added: int
    skipped: int


@dataclass(frozen=True)
class PreparedIngest:
    """New document rows, their vectors already stored, waiting for the caller's commit."""

    rows: list[Document]
    skipped: int


def guide_documents(source: str, markdown: str) -> list[NewDocument]:
    """A voice guide as one document per chunk, each tagged with its section."""
    return [
        NewDocument(DocumentKind.VOICE_GUIDE, source, chunk.text, {"section": chunk.section})
        for chunk in split_guide(clean_text(markdown))
    ]


def engagement_rate(likes: int, comments: int, reposts: int, views: int) -> float:
    """ER by views: (likes + comments + reposts) / views; 0 when views are unknown."""
    return round((likes + comments + reposts) / views, 5) if views > 0 else 0.0


def ingest(
    session: Session,
    store: VectorStore,
    brand_id: str,
    documents: list[NewDocument],
    source_id: str | None = None,
) -> IngestReport:
    """Store new documents in the session's transaction (see prepare_ingest)."""
    prepared = prepare_ingest(session, store, brand_id, documents, source_id)
    session.add_all(prepared.rows)
    session.flush()
    return IngestReport(added=len(prepared.rows), skipped=prepared.skipped)


def prepare_ingest(
    session: Session,
    store: VectorStore,
    brand_id: str,
    documents: list[NewDocument],
    source_id: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> PreparedIngest:
    """Embed and store the vectors of new documents and return their rows, unsaved; text already
    known for this brand and kind (exactly, or nearly for posts and competitor examples) is
    skipped. Only reads the database, so the slow part holds no write lock."""
    fresh: dict[tuple[DocumentKind, str], Document] = {}
    for doc in documents:
        text = clean_text(doc.text)
        if text:
            digest = content_hash(text)
            fresh.setdefault((doc.kind, digest), _row(brand_id, doc, text, digest, source_id))
    known = _known_hashes(session, brand_id)
    rows = [row for key, row in fresh.items() if key not in known]
    kept: list[Document] = []
    for kind in DocumentKind:
        batch = [row for row in rows if row.kind is kind]
        if not batch:
            continue
        vectors = _embed([row.text for row in batch], store, progress)
        if kind is not DocumentKind.VOICE_GUIDE:
            batch, vectors = _without_near_duplicates(store, brand_id, kind, batch, vectors)
        # Ids derive from the content: re-sending vectors after a failed commit overwrites them.
        store.add(brand_id, kind, [_vector(row) for row in batch], vectors)
        kept.extend(batch)
    return PreparedIngest(rows=kept, skipped=len(documents) - len(kept))


def _embed(
    texts: list[str], store: VectorStore, progress: Callable[[int], None] | None
) -> list[list[float]]:
    vectors: list[list[float]] = []
    for start in range(0, len(texts), EMBED_BATCH):
        vectors.extend(store.embedder.embed_passages(texts[start : start + EMBED_BATCH]))
        if progress is not None:
            progress(len(texts[start : start + EMBED_BATCH]))
    return vectors


def _without_near_duplicates(
    store: VectorStore,
    brand_id: str,
    kind: DocumentKind,
    rows: list[Document],
    vectors: list[list[float]],
) -> tuple[list[Document], list[list[float]]]:
    kept: list[int] = []
    matrix = np.asarray(vectors, dtype=np.float32)
    neighbours = store.nearest_many(brand_id, kind, vectors, 3)
    for i, row in enumerate(rows):
        earlier = [j for j in kept if float(matrix[i] @ matrix[j]) >= NEAR_COSINE]
        if any(_similar_wording(row.text, rows[j].text) for j in earlier):
            continue
        stored = neighbours[i]
        if any(
            hit.similarity >= NEAR_COSINE and _similar_wording(row.text, hit.text) for hit in stored
        ):
            continue
        kept.append(i)
    return [rows[i] for i in kept], [vectors[i] for i in kept]


def _similar_wording(a: str, b: str) -> bool:
    return SequenceMatcher(None, a.casefold(), b.casefold(), autojunk=False).ratio() >= NEAR_WORDING


def _row(
    brand_id: str, doc: NewDocument, text: str, digest: str, source_id: str | None
) -> Document:
    return Document(
        id=str(uuid.uuid5(NAMESPACE, f"{brand_id}:{doc.kind.value}:{digest}")),
        brand_id=brand_id,
        source_id=source_id,
        kind=doc.kind,
        source=doc.source,
        content_hash=digest,
        text=text,
        meta=dict(doc.meta),
    )


def _known_hashes(session: Session, brand_id: str) -> set[tuple[DocumentKind, str]]:
    rows = session.execute(
        select(Document.kind, Document.content_hash).where(Document.brand_id == brand_id)
    )
    return {(kind, digest) for kind, digest in rows}


def _vector(row: Document) -> VectorItem:
    meta: dict[str, Any] = {
        k: v for k, v in row.meta.items() if isinstance(v, str | int | float | bool)
    }
    return VectorItem(id=row.id, text=row.text, metadata={**meta, "source": row.source})
