"""Sources: an uploaded file (or JSON body) parsed into documents, then stored once per content."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brand_voice.formats import ParsedPost, detect_post_format, parse_guide, read_posts
from brand_voice.formats_columns import COLUMN_ALIASES
from brand_voice.formats_posts import file_error
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
    # What parsing ignored (unknown columns): reported, not stored. Older jobs have none.
    warnings: list[str] = Field(default_factory=list)


def parse_upload(upload: Upload) -> SourcePayload:
    """Parse the whole file (errors name the line or field) into documents; nothing is stored."""
    name = PurePath(upload.name).name or "upload"
    warnings: list[str] = []
    if upload.kind is DocumentKind.VOICE_GUIDE:
        docs = guide_documents(name, parse_guide(name, upload.data))
        fmt = PurePath(name).suffix.lstrip(".").lower() or "txt"
    else:
        post_format = detect_post_format(name, upload.data)
        parsed = read_posts(name, upload.data, upload.platform, post_format)
        docs = post_documents(parsed.posts, upload.kind, name, upload.competitor)
        fmt, warnings = post_format.value, parsed.warnings
    if not docs:
        raise PostcraftError(ErrorCode.INVALID_INPUT_FILE, f"{name}: no text to ingest")
    return SourcePayload(
        kind=upload.kind,
        name=name,
        format=fmt,
        competitor=upload.competitor,
        content_hash=hashlib.sha256(upload.data).hexdigest(),
        documents=[PayloadDocument(source=d.source, text=d.text, meta=d.meta) for d in docs],
        warnings=warnings,
    )


def post_documents(
    posts: list[ParsedPost], kind: DocumentKind, source: str, competitor: str | None
) -> list[NewDocument]:
    """Posts as documents with platform, date, engagement (ER) and, for competitors, the name."""
    if kind is DocumentKind.COMPETITOR and not competitor:
        _check_named(source, posts)
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
            # A row's own name wins over the upload's: one file may hold several competitors.
            meta["competitor"] = post.author or competitor or ""
            meta["untrusted"] = True
        label = f"{source}: {meta.get('competitor') or post.platform.value}"
        docs.append(NewDocument(kind, label, post.text, meta))
    return docs


def _check_named(source: str, posts: list[ParsedPost]) -> None:
    """Refuse competitor examples that name no competitor when the upload names none either."""
    unnamed = [post.place or f"post {n}" for n, post in enumerate(posts, 1) if not post.author]
    if unnamed:
        more = f" (and {len(unnamed) - 5} more)" if len(unnamed) > 5 else ""
        names = ", ".join(repr(name) for name in ("author", *COLUMN_ALIASES["author"]))
        raise file_error(
            source,
            f"{', '.join(unnamed[:5])}{more}: no competitor name; give each item one"
            f" (a column or field {names}) or name the competitor for the whole upload",
        )


@dataclass(frozen=True)
class SourceReport:
    """What storing a source did."""

    source_id: str
    already_ingested: bool
    items: int
    added: int
    duplicates: int
    warnings: list[str] = field(default_factory=list)

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
        report = SourceReport(
            existing.id, True, existing.items, 0, existing.items, payload.warnings
        )
        return [], report
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
    report = SourceReport(
        source_id, False, len(docs), len(prepared.rows), prepared.skipped, payload.warnings
    )
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


def competitor_names(session: Session, brand_id: str) -> list[str]:
    """The names of the brand's competitors, as its competitor examples are tagged."""
    metas = session.scalars(
        select(Document.meta).where(
            Document.brand_id == brand_id, Document.kind == DocumentKind.COMPETITOR
        )
    )
    names = (str(meta.get("competitor") or "").strip() for meta in metas)
    return sorted({name for name in names if name})
