"""Draft queries: one draft, a job's, a brand's latest, a draft's versions and sources."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Document, Draft, DraftVersion


def find_draft(session: Session, draft_id: str) -> Draft | None:
    """The draft row, or None."""
    return session.get(Draft, draft_id)


def job_drafts(session: Session, job_id: str) -> list[Draft]:
    """A job's drafts, one per platform, in platform order."""
    return list(
        session.scalars(select(Draft).where(Draft.job_id == job_id).order_by(Draft.platform))
    )


def brand_drafts(session: Session, brand_id: str, limit: int) -> list[Draft]:
    """The brand's latest drafts, newest first."""
    return list(
        session.scalars(
            select(Draft)
            .where(Draft.brand_id == brand_id)
            .order_by(Draft.created_at.desc())
            .limit(limit)
        )
    )


def draft_versions(session: Session, draft_id: str) -> list[DraftVersion]:
    """Every version of a draft, newest first."""
    return list(
        session.scalars(
            select(DraftVersion)
            .where(DraftVersion.draft_id == draft_id)
            .order_by(DraftVersion.version.desc())
        )
    )


def draft_sources(session: Session, draft: Draft) -> list[Document]:
    """The documents the draft was written from (those still stored), in the draft's order."""
    ids = [str(source["id"]) for source in draft.sources]
    found = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))}
    return [found[i] for i in ids if i in found]
