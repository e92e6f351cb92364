"""Sources: an uploaded file (or JSON body) parsed into documents, then stored once per content."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brand_voice.formats import ParsedPost, detect_post_format, parse_guide, parse_posts
from brand_voice.ingest import NewDocument, engagement_rate, guide_documents, prepare_ingest
from retrieval.store import Scalar, VectorStore
from storage.db import add_in_order
from storage.enums import DocumentKind, Platform
from storage.errors import ErrorCode, PostcraftError
from storage.models import Base, Document, Source, new_id


@dataclass(frozen=True)
class Upload:
    """A file as received: what kind of knowledge it holds, its name and bytes."""

    kind: DocumentKind
    name: str
    data: bytes
    competitor: str | None = None
    platform: Platform | None = None


class PayloadDocument(BaseModel):
    """One parsed document, as an ingest job carries it."""

    model_config = ConfigDict(extra="forbid")

    source: str
    text: str
    meta: dict[str, Scalar]


class SourcePayload(BaseModel):
    """A parsed, validated source: the whole of what an ingest job stores."""

    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind
    name: str
    format: str
    competitor: str | None
    content_hash: str
    documents: list[PayloadDocument]


def parse_upload(upload: Upload) -> SourcePayload:
    """Parse the whole file (errors name the line or field) into documents; nothing is stored."""
    name = PurePath(upload.name).name or "upload"
    if upload.kind is DocumentKind.VOICE_GUIDE:
        docs = guide_documents(name, parse_guide(name, upload.data))
        fmt = PurePath(name).suffix.lstrip(".").lower() or "txt"
    else:
        post_format = detect_post_format(name, upload.data)
        posts = parse_posts(name, upload.data, upload.platform, post_format)
        docs = post_documents(posts, upload.kind, name, upload.competitor)
        fmt = post_format.value
    if not docs:
        raise PostcraftError(ErrorCode.INVALID_INPUT_FILE, f"{name}: no text to ingest")
    return SourcePayload(
        kind=upload.kind,
        name=name,
        format=fmt,
        competitor=upload.competitor,
        content_hash=hashlib.sha256(upload.data).hexdigest(),
        documents=[PayloadDocument(source=d.source, text=d.text, meta=d.meta) for d in docs],
    )


def post_documents(
    posts: list[ParsedPost], kind: DocumentKind, source: str, competitor: str | None
) -> list[NewDocument]:
    """Posts as documents with their platform, date and engagement (ER when views are known)."""
    docs = []
    for post in posts:
        counters = {
            k: v
            for k, v in {
                "likes": post.likes,
                "comments": post.comments,
                "reposts": post.reposts,
                "views": post.views,
            }.items()
            if v is not None
        }
        meta: dict[str, Scalar] = {"platform": post.platform.value, **counters}
        meta["interactions"] = sum(counters.get(k, 0) for k in ("likes", "comments", "reposts"))
        if post.views:
            meta["engagement_rate"] = engagement_rate(
                post.likes or 0, post.comments or 0, post.reposts or 0, post.views
            )
        if post.published_at:
            meta["published_at"] = post.published_at.isoformat()
            meta["published_ts"] = int(post.published_at.timestamp())
        if post.url:
            meta["url"] = post.url
        if kind is DocumentKind.COMPETITOR:
            # A row's own author wins: one file may hold several competitors.
            meta["competitor"] = post.author or competitor or "unknown competitor"
            meta["untrusted"] = True
        label = f"{source}: {meta.get('competitor') or post.platform.value}"
        docs.append(NewDocument(kind, label, post.text, meta))
    return docs


@dataclass(frozen=True)
class SourceReport:
    """What storing a source did."""

    source_id: str
    already_ingested: bool
    items: int
    added: int
    duplicates: int

    def as_dict(self) -> dict[str, Any]:
        """For the job's result."""
        return dict(self.__dict__)


def prepare_source(
    session: Session,
    store: VectorStore,
    brand_id: str,
    payload: SourcePayload,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Base], SourceReport]:
    """The rows a parsed source adds (none if this exact content was ingested before), with its
    vectors already stored; the caller commits the rows."""
    existing = session.scalars(
        select(Source).where(
            Source.brand_id == brand_id,
            Source.kind == payload.kind,
            Source.content_hash == payload.content_hash,
        )
    ).one_or_none()
    if existing is not None:
        return [], SourceReport(existing.id, True, existing.items, 0, existing.items)
    source_id = new_id()
    docs = [NewDocument(payload.kind, d.source, d.text, d.meta) for d in payload.documents]
    prepared = prepare_ingest(session, store, brand_id, docs, source_id, progress)
    source = Source(
        id=source_id,
        brand_id=brand_id,
        kind=payload.kind,
        name=payload.name,
        format=payload.format,
        competitor=payload.competitor,
        content_hash=payload.content_hash,
        items=len(docs),
        added=len(prepared.rows),
        duplicates=prepared.skipped,
    )
    report = SourceReport(source_id, False, len(docs), len(prepared.rows), prepared.skipped)
    return [source, *prepared.rows], report


def store_source(
    session: Session,
    store: VectorStore,
    brand_id: str,
    payload: SourcePayload,
    progress: Callable[[int], None] | None = None,
) -> SourceReport:
    """Store a parsed source now, in the session's transaction; the same file again changes
    nothing."""
    rows, report = prepare_source(session, store, brand_id, payload, progress)
    add_in_order(session, rows)
    return report


def document_counts(session: Session, brand_id: str) -> dict[DocumentKind, int]:
    """How many documents of each kind the brand has."""
    counts = dict(
        session.execute(
            select(Document.kind, func.count())
            .where(Document.brand_id == brand_id)
            .group_by(Document.kind)
        ).all()
    )
    return {kind: int(counts.get(kind, 0)) for kind in DocumentKind}


def brand_sources(session: Session, brand_id: str) -> list[Source]:
    """The brand's ingested sources, newest first."""
    return list(
        session.scalars(
            select(Source).where(Source.brand_id == brand_id).order_by(Source.created_at.desc())
        )
    )
