"""Storing brand knowledge: cleaned, de-duplicated by content, in the database and vectors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrieval.chunking import split_guide
from retrieval.store import Scalar, VectorItem, VectorStore
from retrieval.text import clean_text, content_hash
from storage.enums import DocumentKind
from storage.models import Document

NAMESPACE = uuid.UUID("6f1d2a4e-3c1b-4e7a-9d55-0b7c2f6a9e10")


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
    session: Session, store: VectorStore, brand_id: str, documents: list[NewDocument]
) -> IngestReport:
    """Store new documents; text already known for this brand and kind is skipped."""
    fresh: dict[tuple[DocumentKind, str], Document] = {}
    for doc in documents:
        text = clean_text(doc.text)
        if not text:
            continue
        digest = content_hash(text)
        fresh.setdefault((doc.kind, digest), _row(brand_id, doc, text, digest))
    known = _known_hashes(session, brand_id)
    rows = [row for key, row in fresh.items() if key not in known]
    # Ids derive from the content: re-sending vectors after a failed commit overwrites them.
    for kind in DocumentKind:
        store.add(brand_id, kind, [_vector(row) for row in rows if row.kind is kind])
    session.add_all(rows)
    session.flush()
    return IngestReport(added=len(rows), skipped=len(documents) - len(rows))


def _row(brand_id: str, doc: NewDocument, text: str, digest: str) -> Document:
    return Document(
        id=str(uuid.uuid5(NAMESPACE, f"{brand_id}:{doc.kind.value}:{digest}")),
        brand_id=brand_id,
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
