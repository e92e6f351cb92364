"""What an approval teaches the brand: how far the approved text is from the generated one (the
edit distance, per draft; reported per brand and platform), and the approved text itself as a
new example of the brand's posts, marked approved (retrieval ranks it above unreviewed posts).

Rejection and send-back comments teach too: they are the audit trail's comments, read back as
guidance by storage/guidance.py for the brand's next prompts."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein
from sqlalchemy.orm import Session

from brand_voice.ingest import NewDocument, prepare_ingest
from generators.drafts.edits import post_of
from generators.drafts.schemas import PostDraft, post_text
from retrieval.store import VectorStore
from storage.enums import DocumentKind
from storage.models import Draft, DraftVersion

APPROVED_SOURCE = "approved draft"
"""The `source` of an example that an approval added (its id follows)."""


def edit_distance(generated: str, approved: str) -> tuple[int, float]:
    """Characters inserted, deleted or replaced between the two texts (Levenshtein), and that
    over the longer text's length: 0.0 means approved as generated."""
    distance = Levenshtein.distance(generated, approved)
    return distance, round(distance / max(len(generated), len(approved), 1), 4)


def learn_from_approval(session: Session, store: VectorStore, draft: Draft) -> None:
    """Record the approved draft's edit distance from its generated version, and add its text
    to the brand's examples (in the caller's transaction; its vector is stored at once)."""
    approved = post_text(post_of(draft))
    first = session.get(DraftVersion, (draft.id, 1))
    generated = post_text(_post(first)) if first is not None else approved
    draft.edit_distance, draft.edit_ratio = edit_distance(generated, approved)
    example = NewDocument(
        DocumentKind.POST,
        f"{APPROVED_SOURCE} {draft.id}",
        approved,
        {"platform": draft.platform.value, "approved": True, "draft_id": draft.id},
    )
    prepared = prepare_ingest(session, store, draft.brand_id, [example])
    session.add_all(prepared.rows)  # none when the brand already has this text
    session.flush()


def _post(version: DraftVersion) -> PostDraft:
    return PostDraft(
        headline=version.headline,
        body=version.body,
        call_to_action=version.call_to_action,
        hashtags=list(version.hashtags),
    )
