"""Closed vocabularies of the domain: statuses, roles, platforms, kinds."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Where a job is in its lifecycle; the database row is the truth."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    def is_terminal(self) -> bool:
        """A terminal job is never run again."""
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class JobKind(StrEnum):
    """What a job produces."""

    DRAFT = "draft"
    INGEST = "ingest"
    HASHTAGS = "hashtags"
    PLAN = "plan"
    REDRAFT = "redraft"  # one draft written again, with a manager's comment
    REPLY = "reply"  # reply suggestions to a comment (the interactive queue)


class Queue(StrEnum):
    """Celery queues: interactive work never waits behind batch work."""

    INTERACTIVE = "interactive"
    BATCH = "batch"

    @classmethod
    def of(cls, kind: JobKind) -> Queue:
        """The queue a kind of job runs on: reply suggestions, which a person waits for, on
        `interactive`; everything else on `batch`."""
        return cls.INTERACTIVE if kind is JobKind.REPLY else cls.BATCH


class Role(StrEnum):
    """What a person may do in a workspace."""

    ADMIN = "admin"
    MANAGER = "manager"
    COPYWRITER = "copywriter"
    RESPONDER = "responder"  # a community manager's key: reply suggestions for its brands only


class ReviewState(StrEnum):
    """Where an item is in the human approval step (approval/states.py moves it)."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"

    def is_editable(self) -> bool:
        """Whether the item's content may still change (an edit or a regeneration): not once
        it is approved or rejected."""
        return self not in (ReviewState.APPROVED, ReviewState.REJECTED)


class Subject(StrEnum):
    """What the approval step reviews (an audit row's `subject_kind`)."""

    DRAFT = "draft"
    PLAN = "plan"
    PLAN_ITEM = "plan_item"


class Platform(StrEnum):
    """Social networks a draft can target."""

    VK = "vk"
    TELEGRAM = "telegram"
    OK = "ok"
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    X = "x"
    LINKEDIN = "linkedin"
    TIKTOK = "tiktok"
    THREADS = "threads"
    YOUTUBE = "youtube"
    PINTEREST = "pinterest"


class DocumentKind(StrEnum):
    """The three kinds of brand knowledge; competitor text is always untrusted."""

    VOICE_GUIDE = "voice_guide"
    POST = "post"
    COMPETITOR = "competitor"


class Rubric(StrEnum):
    """The default rubric categories of a content plan."""

    EDUCATIONAL = "educational"
    ENTERTAINING = "entertaining"
    COMMERCIAL = "commercial"
    UGC = "ugc"
    NEWS = "news"


REGENERATE = "regenerate"
"""The audit trail's action for a regeneration of a plan item or a draft: not a review move
(its state stays), so no webhook event either."""
