"""What an approval teaches the brand: how far the approved text is from the generated one (the
edit distance, per draft; reported per brand and platform), and the approved text itself as a
new example of the brand's posts, marked approved (retrieval ranks it above unreviewed posts).

Rejection and send-back comments teach too: they are the audit trail's comments, read back as
guidance by storage/guidance.py for the brand's next prompts."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz.distance import Levenshtein
from sqlalchemy.orm import Session

from brand_voice.ingest import NewDocument, prepare_ingest
from generators.drafts.edits import post_of, version_post
from generators.drafts.schemas import post_text
from retrieval.store import VectorStore
from storage.drafts import last_generated
from storage.enums import DocumentKind
from storage.models import Draft

APPROVED_SOURCE = "approved draft"
"""The `source` of an example that an approval added (its id follows)."""


def edit_distance(generated: str, approved: str) -> tuple[int, float]:
    """Characters inserted, deleted or replaced between the two texts (Levenshtein), and that
    over the longer text's length: 0.0 means approved as generated."""
    distance = Levenshtein.distance(generated, approved)
    return distance, round(distance / max(len(generated), len(approved), 1), 4)


def record_edit_distance(session: Session, draft: Draft) -> None:
    """Keep on the approved draft how far its text is from the one the model last wrote
    (version 1, or the latest regeneration's)."""
    approved = post_text(post_of(draft))
    written = last_generated(session, draft.id)
    generated = post_text(version_post(written)) if written is not None else approved
    draft.edit_distance, draft.edit_ratio = edit_distance(generated, approved)


def add_approved_examples(session: Session, store: VectorStore, drafts: Sequence[Draft]) -> None:
    """Add the approved drafts' texts to their brands' examples, marked approved (in the
    caller's transaction; their vectors are stored at once, one embedding batch per brand)."""
    by_brand: dict[str, list[NewDocument]] = {}
    for draft in drafts:
        by_brand.setdefault(draft.brand_id, []).append(
            NewDocument(
                DocumentKind.POST,
                f"{APPROVED_SOURCE} {draft.id}",
                post_text(post_of(draft)),
                {"platform": draft.platform.value, "approved": True, "draft_id": draft.id},
            )
        )
    for brand_id, examples in by_brand.items():
        prepared = prepare_ingest(session, store, brand_id, examples)
        session.add_all(prepared.rows)  # none for a text the brand already has
    session.flush()
