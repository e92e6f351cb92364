"""Checking a draft against its platform and brand, and editing it as a new version."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import update
from sqlalchemy.orm import Session

from brand_voice.profile import BrandProfile
from brand_voice.sources import competitor_names
from generators.compliance.checks import validate
from generators.compliance.hashtags import clean_tags
from generators.compliance.report import ValidationReport
from generators.compliance.rulebook import Rulebook
from generators.drafts.gate import draft_context, draft_grounding
from generators.drafts.schemas import DraftRequest, PostDraft
from storage.drafts import draft_sources
from storage.errors import ErrorCode, PostcraftError
from storage.jobs import find_job
from storage.models import Draft, DraftVersion, utcnow


def _null_refused(schema: dict[str, Any]) -> None:
    """The schema of an edit: every field optional, none nullable."""
    for name, field in schema.get("properties", {}).items():
        branches = [b for b in field.pop("anyOf", []) if b.get("type") != "null"]
        if branches:
            field.update(branches[0])
        field.pop("default", None)
        schema["properties"][name] = field
    schema["minProperties"] = 1


class DraftEdit(BaseModel):
    """A copywriter's change to a draft: the fields given replace the current ones; a field left
    out keeps its value, and none may be null (send "" or [] to empty one)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_null_refused)

    headline: str | None = Field(default=None, min_length=1, max_length=500)
    body: str | None = Field(default=None, min_length=1, max_length=70000)
    call_to_action: str | None = Field(default=None, max_length=1000)
    hashtags: list[str] | None = Field(default=None, max_length=60)
    image_brief: str | None = Field(default=None, max_length=1000)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null: leave the field out to keep its value")
        return value

    @model_validator(mode="after")
    def _something(self) -> DraftEdit:
        if not self.model_fields_set:
            raise ValueError("send at least one of headline, body, call_to_action, hashtags")
        return self

    def changes(self) -> dict[str, object]:
        """The fields sent, and only those."""
        return self.model_dump(exclude_unset=True)


def post_of(draft: Draft) -> PostDraft:
    """The draft's current text as a post."""
    return PostDraft(
        headline=draft.headline,
        body=draft.body,
        call_to_action=draft.call_to_action,
        hashtags=list(draft.hashtags),
        image_brief=draft.image_brief,
    )


def version_post(version: DraftVersion) -> PostDraft:
    """A stored version's text as a post."""
    return PostDraft(
        headline=version.headline,
        body=version.body,
        call_to_action=version.call_to_action,
        hashtags=list(version.hashtags),
    )


def check_open(draft: Draft) -> None:
    """REVIEW_NOT_ALLOWED once the draft is approved or rejected: its text is final."""
    if not draft.review_state.is_editable():
        raise PostcraftError(
            ErrorCode.REVIEW_NOT_ALLOWED,
            f"The draft is {draft.review_state.value}: its text is final. "
            "Write a new draft for the change",
        )


def first_version(draft: Draft) -> DraftVersion:
    """Version 1 of a generated draft."""
    return DraftVersion(
        draft_id=draft.id,
        version=1,
        headline=draft.headline,
        body=draft.body,
        call_to_action=draft.call_to_action,
        hashtags=list(draft.hashtags),
        validation=draft.validation,
        created_at=draft.created_at,
    )


def check_edit(
    session: Session, draft: Draft, post: PostDraft, profile: BrandProfile, rulebook: Rulebook
) -> ValidationReport:
    """Validate an edited post with the rules and the material of the job that wrote it."""
    job = find_job(session, draft.job_id)
    assert job is not None, "a draft's job is deleted with it (ON DELETE CASCADE)"
    request = DraftRequest.model_validate(job.request)
    sources = [
        (d.kind, str(d.meta.get("competitor") or d.source), d.text)
        for d in draft_sources(session, draft)
    ]
    rivals = competitor_names(session, draft.brand_id)
    grounding = draft_grounding(profile, request, sources, rivals)
    ctx = draft_context(rulebook, profile, request, draft.platform, grounding)
    return validate(post, ctx)


def edit_draft(
    session: Session,
    draft: Draft,
    edit: DraftEdit,
    expected_version: int | None,
    author: str | None,
    profile: BrandProfile,
    rulebook: Rulebook,
) -> Draft:
    """Save the edit as a new version, validated again; a stale version is a conflict."""
    current = draft.version
    if expected_version is not None and expected_version != current:
        raise _conflict(current, expected_version)
    check_open(draft)
    post = post_of(draft).model_copy(update=edit.changes())
    post = post.model_copy(update={"hashtags": clean_tags(post.hashtags)})
    report = check_edit(session, draft, post, profile, rulebook)
    values = {**post.model_dump(), "validation": report.model_dump(mode="json")}
    changed = session.execute(
        update(Draft)
        .where(Draft.id == draft.id, Draft.version == current)
        .values(version=current + 1, updated_at=utcnow(), updated_by=author, **values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise _conflict(None, current)
    kept = {k: v for k, v in values.items() if k != "image_brief"}  # the brief is not versioned
    session.add(DraftVersion(draft_id=draft.id, version=current + 1, author=author, **kept))
    session.flush()
    session.refresh(draft)
    return draft


def _conflict(current: int | None, sent: int) -> PostcraftError:
    now = f"at version {current}" if current is not None else "changed meanwhile"
    return PostcraftError(
        ErrorCode.VERSION_CONFLICT,
        f"The draft is {now}, not version {sent}: reload it and apply your edit again",
    )
