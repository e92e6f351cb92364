"""What the reply-suggestion routes answer: the job's status and, once it succeeded, its
replies, escalation or flag (the shape the browser extension reads)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas import JobError, JobRead
from generators.replies.schemas import (
    Classified,
    Escalation,
    Flag,
    Outcome,
    ReplyOutcome,
    Suggestion,
)
from storage.enums import JobStatus


class ReplyRead(BaseModel):
    """A reply-suggestion job: replies to pick from, a person to hand the comment to, or a
    flag; `status` says whether it is done (poll `GET /v1/replies/{job_id}` until it is)."""

    job_id: str
    status: JobStatus
    outcome: Outcome | None = Field(description="replies, escalate or flag, once succeeded")
    classification: Classified | None
    replies: list[Suggestion]
    escalation: Escalation | None
    flag: Flag | None
    generator: str | None
    repairs: list[str] = Field(description="What the compliance gate changed or dropped")
    cached: bool = Field(description="The answer of an identical request made a moment ago")
    error: JobError | None

    @classmethod
    def of(cls, job: JobRead, cached: bool = False) -> ReplyRead:
        """From the job as the API reads it."""
        done = ReplyOutcome.model_validate(job.result) if job.result else None
        return cls(
            job_id=job.id,
            status=job.status,
            outcome=done.outcome if done else None,
            classification=done.classification if done else None,
            replies=done.replies if done else [],
            escalation=done.escalation if done else None,
            flag=done.flag if done else None,
            generator=done.generator if done else None,
            repairs=done.repairs if done else [],
            cached=cached,
            error=job.error,
        )
