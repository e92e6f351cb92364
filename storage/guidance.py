"""What managers told a brand when they rejected or sent back its content: the comments of
those review moves, newest first, kept as guidance for the brand's next prompts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.enums import ReviewState
from storage.models import AuditEvent

GUIDANCE_NOTES = 5
"""How many of the latest notes reach a prompt (older ones were acted on or superseded)."""
NOTE_CHARS = 300
"""A note's length in a prompt; the trail keeps the whole comment."""

_TEACHING = (ReviewState.REJECTED, ReviewState.CHANGES_REQUESTED)


def brand_guidance(session: Session, brand_id: str, limit: int = GUIDANCE_NOTES) -> list[str]:
    """The brand's latest rejection and send-back comments, newest first, without repeats."""
    comments = session.scalars(
        select(AuditEvent.comment)
        .where(
            AuditEvent.brand_id == brand_id,
            AuditEvent.to_state.in_(_TEACHING),
            AuditEvent.comment != "",
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit * 3)
    )
    notes: list[str] = []
    for comment in comments:
        note = " ".join(comment.split())[:NOTE_CHARS]
        if note and note not in notes:
            notes.append(note)
    return notes[:limit]
