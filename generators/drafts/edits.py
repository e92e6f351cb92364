"""Checking a draft against its platform and brand, and editing it as a new version."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from brand_voice.profile import BrandProfile
from generators.counting import platform_length
from generators.drafts.schemas import DraftRequest, PostDraft
from generators.platforms import RULES
from generators.tags import clean_tags
from generators.validation import ValidationReport, validate_post
from storage.enums import Platform
from storage.errors import ErrorCode, PostcraftError
from storage.models import Document, Draft, DraftVersion, Job, utcnow


def check_post(
    post: PostDraft,
    platform: Platform,
    profile: BrandProfile,
    material: str,
    ad_label: str | None = None,
) -> ValidationReport:
    """Validate a post for a platform: its limits as the platform counts, and the brand's rules."""
    rules = RULES[platform]
    return validate_post(
        post,
        limit=rules.max_chars,
        length=lambda text: platform_length(text, rules),
        hashtag_cap=rules.hashtag_cap,
        max_links=rules.max_links,
        profile=profile,
        material=material,
        ad_label=ad_label,
    )


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


def draft_material(session: Session, draft: Draft) -> str:
    """What the draft may state facts from: the job's brief and the sources it was given."""
    job = session.get(Job, draft.job_id)
    ids = [s["id"] for s in draft.sources]
    texts: list[str] = list(session.scalars(select(Document.text).where(Document.id.in_(ids))))
    request = job.request if job else {}
    return "\n".join([str(request.get("topic", "")), str(request.get("brief", "")), *texts])


def edit_draft(
    session: Session,
    draft: Draft,
    edit: DraftEdit,
    expected_version: int | None,
    author: str | None,
    profile: BrandProfile,
) -> Draft:
    """Save the edit as a new version, validated again; a stale version is a conflict."""
    current = draft.version
    if expected_version is not None and expected_version != current:
        raise _conflict(current, expected_version)
    post = post_of(draft).model_copy(update=edit.changes())
    post = post.model_copy(update={"hashtags": clean_tags(post.hashtags)})
    job = session.get(Job, draft.job_id)
    label = DraftRequest.model_validate(job.request).ad_label(draft.platform) if job else None
    report = check_post(post, draft.platform, profile, draft_material(session, draft), label)
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
