"""Request and response bodies of the approval step: a review move, the audit trail, bulk
moves."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from approval.service import COMMENT_MAX
from approval.states import Action
from storage.enums import ReviewState
from storage.models import AuditEvent

_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class ReviewMove(BaseModel):
    """One move in the approval step. Copywriters `submit` (a draft, or a sent-back one after
    a change); managers and admins `approve`, `reject` or `request_changes` (with a comment)."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    comment: str = Field(default="", max_length=COMMENT_MAX, description="Why; kept in the trail")


class Regeneration(BaseModel):
    """Ask for a new version: a plan item's topic and briefs in the same slot, or a draft's
    text. Without guidance, the comment of its last send-back is used."""

    model_config = ConfigDict(extra="forbid")

    guidance: str = Field(default="", max_length=COMMENT_MAX, description="What to do instead")


class BulkItem(BaseModel):
    """A draft and the version its reviewer saw."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_UUID)
    version: int = Field(ge=1, le=999_999_999)


class BulkReview(BaseModel):
    """The same move for several drafts of one brand, each at the version its reviewer saw."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    comment: str = Field(default="", max_length=COMMENT_MAX)
    items: list[BulkItem] = Field(min_length=1, max_length=100)


class BulkOutcome(BaseModel):
    """What became of one draft of a bulk move: its new state and version, or why not."""

    id: str
    moved: bool
    review_state: ReviewState | None = None
    version: int | None = None
    error: str | None = Field(default=None, description="The error code when not moved")
    detail: str | None = None


class BulkResult(BaseModel):
    """Each draft's outcome, in the order sent; each moved or not on its own."""

    moved: int
    refused: int
    items: list[BulkOutcome]


class AuditRead(BaseModel):
    """One move in the trail."""

    id: str
    subject_kind: str = Field(description="draft (plans and plan items to come)")
    subject_id: str
    actor_id: str | None
    actor_name: str
    action: str
    from_state: ReviewState
    to_state: ReviewState
    version: int = Field(description="The item's version after the move")
    comment: str
    at: datetime

    @classmethod
    def of(cls, event: AuditEvent) -> AuditRead:
        """From the row."""
        return cls.model_validate(event, from_attributes=True)


class AuditPage(BaseModel):
    """A page of a brand's trail, newest first."""

    items: list[AuditRead]
    next_cursor: str | None
