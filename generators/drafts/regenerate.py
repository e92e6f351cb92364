"""One draft written again for a manager who sent it back (a `redraft` job): the same request
and platform, the brand's context retrieved again, the current version and the manager's
comment in the prompt (`draft_regenerate.j2`, the comment fenced as data), through the same
compliance gate as a new draft. The offline composer cannot read a comment: it writes another
phrasing (the job's id seeds it).

The rewrite is applied in the transaction that finishes the job, only on the version the
requester saw: an edit, a move to a final state or a second regeneration meanwhile fails the
job with nothing changed. The new version's author is None (the model wrote it), so what a
manager then edits before approving is measured from it (approval/learning.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import update
from sqlalchemy.orm import Session

from generators.compliance.rulebook import Rulebook
from generators.drafts.edits import post_of
from generators.drafts.schemas import DraftRequest
from generators.drafts.service import Checked, draft_sources_of, prepare_calls, write_checked
from generators.llm.port import LLM, Prompt
from prompts.render import render
from retrieval.store import VectorStore
from storage.enums import REGENERATE, ReviewState, Subject
from storage.errors import ErrorCode, PostcraftError
from storage.models import AuditEvent, Base, Brand, Draft, DraftVersion, utcnow


class RedraftRequest(BaseModel):
    """What a `redraft` job is asked: which draft, at which version, with what comment, and
    who asked (for the trail)."""

    model_config = ConfigDict(extra="forbid")

    draft_id: str
    version: int = Field(ge=1, description="The version the requester saw")
    guidance: str = Field(default="", description="The manager's comment ('' for none)")
    actor_id: str | None = None
    actor_name: str = ""


@dataclass(frozen=True)
class Rewrite:
    """The new text of a draft, checked, with what the draft row records of it."""

    checked: Checked
    values: dict[str, Any]


def rewrite_draft(
    llm: LLM,
    store: VectorStore,
    rulebook: Rulebook,
    brand: Brand,
    draft: Draft,
    original: DraftRequest,
    job_id: str,
    budget: int,
    rivals: tuple[str, ...],
    guidance: tuple[str, ...],
    comment: str,
) -> Rewrite:
    """Write the draft again (nothing stored): `original` is the request of the job that wrote
    it, `guidance` the brand's other managers' notes, `comment` this send-back's."""
    request = original.model_copy(update={"platforms": [draft.platform]})
    notes = tuple(note for note in guidance if note != comment)
    prepared = prepare_calls(store, rulebook, brand, request, job_id, budget, rivals, notes)
    ((prompt, ctx),) = prepared.calls
    user = render(
        "draft_regenerate.j2",
        original=prompt.user,
        comment=comment,
        previous=post_of(draft).model_dump_json(exclude={"image_brief"}),
    )
    checked = write_checked(llm, Prompt(prompt.system, user, prompt.facts), ctx)
    post, completion = checked.post, checked.completions[-1]
    values: dict[str, Any] = {
        "headline": post.headline.strip(),
        "body": post.body.strip(),
        "call_to_action": post.call_to_action.strip(),
        "hashtags": list(post.hashtags),
        "validation": checked.report.model_dump(mode="json"),
        "repairs": checked.repairs,
        "thread": checked.thread,
        "sources": draft_sources_of(prepared.context),
        "generator": completion.generator,
        "model": completion.model,
        "image_brief": post.image_brief.strip() if original.image else "",
    }
    return Rewrite(checked, values)


def apply_rewrite(session: Session, request: RedraftRequest, rewrite: Rewrite) -> list[Base]:
    """Store the rewrite as the draft's next version if the draft is still at the version the
    requester saw and open to change; the new version and its trail row, to add."""
    draft = session.get(Draft, request.draft_id)
    if draft is None:
        raise PostcraftError(
            ErrorCode.DRAFT_NOT_FOUND, "The draft was deleted while it was being written again"
        )
    if not draft.review_state.is_editable():
        raise PostcraftError(
            ErrorCode.REVIEW_NOT_ALLOWED,
            f"The draft became {draft.review_state.value} while it was being written again: "
            "its text is final",
        )
    version = request.version + 1
    changed = session.execute(
        update(Draft)
        .where(Draft.id == draft.id, Draft.version == request.version)
        .values(version=version, updated_at=utcnow(), updated_by=request.actor_id, **rewrite.values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise PostcraftError(
            ErrorCode.VERSION_CONFLICT,
            f"The draft changed (it is at version {draft.version}) while it was being written "
            f"again from version {request.version}: reload it and ask again",
        )
    kept = {k: v for k, v in rewrite.values.items() if k in _VERSIONED}
    state = ReviewState(draft.review_state)
    return [
        DraftVersion(draft_id=draft.id, version=version, author=None, **kept),
        AuditEvent(
            brand_id=draft.brand_id,
            subject_kind=Subject.DRAFT.value,
            subject_id=draft.id,
            actor_id=request.actor_id,
            actor_name=request.actor_name,
            action=REGENERATE,
            from_state=state,
            to_state=state,
            version=version,
            comment=request.guidance,
        ),
    ]


_VERSIONED = ("headline", "body", "call_to_action", "hashtags", "validation")
