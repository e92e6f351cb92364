"""What a reply-suggestion job is asked and what it answers (docs/replies.md)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from generators.replies.classify import CommentClass
from storage.enums import Platform

COMMENT_MAX = 5000
POST_MAX = 10000


class ReplyRequest(BaseModel):
    """A comment to answer: where, by whom, under which post, after which thread."""

    model_config = ConfigDict(extra="forbid")

    platform: Platform
    comment: str = Field(min_length=1, max_length=COMMENT_MAX, description="The comment's text")
    author: str = Field(default="", max_length=200, description="The commenter's shown name")
    post: str = Field(
        default="", max_length=POST_MAX, description="The post it is under: its text or URL"
    )
    thread: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="The comments above it in the thread, oldest first",
    )


class Outcome(StrEnum):
    """What the community manager should do."""

    REPLIES = "replies"  # answer with one of the suggestions
    ESCALATE = "escalate"  # do not reply: hand it to the person named
    FLAG = "flag"  # do not answer: flag it as spam or abuse (never delete a negative comment)


class Source(BaseModel):
    """A piece of the brand's knowledge a reply was written from."""

    kind: str
    source: str


class Suggestion(BaseModel):
    """One reply, as it would be posted."""

    text: str
    sources: list[Source] = Field(default_factory=list)


class Escalation(BaseModel):
    """Whom to hand the comment to, and why."""

    to: str
    reason: str


class Flag(BaseModel):
    """Why the comment gets no answer."""

    reason: str


class Classified(BaseModel):
    """What the comment is, in which language, and what decided it."""

    label: CommentClass
    language: str
    signals: list[str] = Field(default_factory=list)


class ReplyOutcome(BaseModel):
    """The job's result: replies, an escalation or a flag, with the classification."""

    outcome: Outcome
    classification: Classified
    replies: list[Suggestion] = Field(default_factory=list)
    escalation: Escalation | None = None
    flag: Flag | None = None
    generator: str
    repairs: list[str] = Field(default_factory=list, description="What the gate changed or dropped")


class ModelReplies(BaseModel):
    """What a model answers for a comment (its classification is checked by rules after)."""

    model_config = ConfigDict(extra="forbid")

    label: CommentClass = Field(description="What the comment is")
    language: str = Field(description="The comment's language, an ISO 639-1 code")
    replies: list[str] = Field(
        default_factory=list,
        description="Two or three different replies for an answerable comment; none otherwise "
        "(more are cut after the checks)",
    )
    reason: str = Field(default="", description="For crisis, spam or obscene: why, in one line")
