"""Draft queries: one draft, a job's, a page of a brand's, a draft's versions and sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, func, select, tuple_
from sqlalchemy.orm import Session

from storage.access import Principal, in_scope
from storage.enums import JobKind, JobStatus, Platform, ReviewState
from storage.models import Document, Draft, DraftVersion, Job


def find_draft(session: Session, draft_id: str) -> Draft | None:
    """The draft row, or None."""
    return session.get(Draft, draft_id)


def find_visible_draft(session: Session, principal: Principal, draft_id: str) -> Draft | None:
    """The draft if the caller may see its brand, else None (one query)."""
    return session.scalars(
        select(Draft).where(Draft.id == draft_id, in_scope(principal, Draft.brand_id))
    ).one_or_none()


def visible_drafts(
    session: Session, principal: Principal, brand_id: str, draft_ids: Sequence[str]
) -> dict[str, Draft]:
    """Those of `draft_ids` that are drafts of the brand and visible to the caller, by id (one
    query)."""
    rows = session.scalars(
        select(Draft).where(
            Draft.id.in_(set(draft_ids)),
            Draft.brand_id == brand_id,
            in_scope(principal, Draft.brand_id),
        )
    )
    return {d.id: d for d in rows}


def job_drafts(session: Session, job: Job) -> list[Draft]:
    """A job's drafts: a draft job's, one per platform, in platform order; a redraft job's
    one draft once the job succeeded (as it is now)."""
    if job.kind is JobKind.REDRAFT:
        done = job.status is JobStatus.SUCCEEDED
        draft = session.get(Draft, str(job.request.get("draft_id"))) if done else None
        return [draft] if draft is not None else []
    return list(
        session.scalars(select(Draft).where(Draft.job_id == job.id).order_by(Draft.platform))
    )


@dataclass(frozen=True)
class DraftKey:
    """A draft's place in a brand's list, newest first: by creation time, then id (a tie)."""

    created_at: datetime
    id: str


@dataclass(frozen=True)
class DraftListing:
    """What a list shows of a draft: no sources or thread, only the start of the body."""

    id: str
    job_id: str
    platform: Platform
    language: str
    headline: str
    body_start: str
    hashtags: list[str]
    version: int
    validation: dict[str, Any]
    created_at: datetime
    review_state: ReviewState


def brand_drafts(
    session: Session,
    principal: Principal,
    brand_id: str,
    limit: int,
    after: DraftKey | None = None,
    platform: Platform | None = None,
    job_id: str | None = None,
    body_chars: int = 200,
    state: ReviewState | None = None,
) -> list[DraftListing]:
    """Up to `limit` of the brand's drafts, newest first, from just after `after` (keyset
    pagination: drafts added meanwhile sort before `after`, so a walk sees each draft once);
    none unless the caller may see the brand (so an empty page may mean either: see
    `check_brand`).
    Reads along the index on (brand_id, created_at, id) and only the listed columns, with the
    first `body_chars` characters of the body."""
    where: list[ColumnElement[bool]] = [
        Draft.brand_id == brand_id,
        in_scope(principal, Draft.brand_id),
    ]
    if after is not None:
        where.append(tuple_(Draft.created_at, Draft.id) < (after.created_at, after.id))
    if platform is not None:
        where.append(Draft.platform == platform)
    if job_id is not None:
        where.append(Draft.job_id == job_id)
    if state is not None:
        where.append(Draft.review_state == state)
    rows = session.execute(
        select(
            Draft.id,
            Draft.job_id,
            Draft.platform,
            Draft.language,
            Draft.headline,
            func.substr(Draft.body, 1, body_chars, type_=Text),
            Draft.hashtags,
            Draft.version,
            Draft.validation,
            Draft.created_at,
            Draft.review_state,
        )
        .where(*where)
        .order_by(Draft.created_at.desc(), Draft.id.desc())
        .limit(limit)
    )
    return [DraftListing(*row) for row in rows]


def last_generated(session: Session, draft_id: str) -> DraftVersion | None:
    """The draft's latest version that the model wrote (author None: the first, or a
    regeneration's), the text a manager's edits are measured from."""
    return session.scalar(
        select(DraftVersion)
        .where(DraftVersion.draft_id == draft_id, DraftVersion.author.is_(None))
        .order_by(DraftVersion.version.desc())
        .limit(1)
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
