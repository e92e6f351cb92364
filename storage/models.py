"""SQLAlchemy models: workspaces, people, keys, brands, brand documents, jobs, drafts and the
audit trail of their review."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.enums import (
    DocumentKind,
    JobKind,
    JobStatus,
    Platform,
    Queue,
    ReviewState,
    Role,
    Rubric,
)


def new_id() -> str:
    """A new random identifier (UUID4 as text, portable across SQLite and PostgreSQL)."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(enum: type[Any]) -> SAEnum:
    return SAEnum(
        enum,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints the same way."""

    metadata = MetaData(naming_convention=NAMING)


class Workspace(Base):
    """An agency or company: it owns brands, people and keys."""

    __tablename__ = "workspaces"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """A person in a workspace, with one role."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("workspace_id", "email", name="uq_users_workspace_email"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Brand(Base):
    """A brand (a client of the agency); everything it owns is invisible to other brands."""

    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("workspace_id", "slug", name="uq_brands_workspace_slug"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    profile_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BrandProfileVersion(Base):
    """Every version of a brand's profile; the brand row holds the latest."""

    __tablename__ = "brand_profile_versions"
    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Base):
    """A secret a person uses to call the API; only its SHA-256 is stored."""

    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    all_brands: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ApiKeyBrand(Base):
    """One brand an API key may act on (when the key is not for all brands)."""

    __tablename__ = "api_key_brands"
    api_key_id: Mapped[str] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True
    )
    brand_id: Mapped[str] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True
    )


class Source(Base):
    """One ingested file or JSON upload, with what it added."""

    __tablename__ = "sources"
    __table_args__ = (
        UniqueConstraint("brand_id", "kind", "content_hash", name="uq_sources_brand_kind_hash"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    name: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(32))
    competitor: Mapped[str | None] = mapped_column(String(200), default=None)
    content_hash: Mapped[str] = mapped_column(String(64))
    items: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(Base):
    """One piece of brand knowledge (a guide section, a past post, a competitor example)."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("brand_id", "kind", "content_hash", name="uq_documents_brand_kind_hash"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str | None] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), default=None, index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    source: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Job(Base):
    """A queued unit of LLM work; its row, not the broker, is the truth about its state."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("workspace_id", "idempotency_key", name="uq_jobs_workspace_idempotency"),
        Index("ix_jobs_status_lease", "status", "lease_until"),
        # The reconciler asks, per queue, when a job was last claimed and which jobs were.
        Index("ix_jobs_queue_started", "queue", "started_at"),
        # A brand's quotas (storage/quotas.py): its submissions of the last minute; its open
        # jobs (status) and the tokens of those finished in the last 24 h (status, finished_at).
        Index("ix_jobs_brand_created", "brand_id", "created_at"),
        Index("ix_jobs_brand_status_finished", "brand_id", "status", "finished_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    api_key_id: Mapped[str | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[JobKind] = mapped_column(_enum(JobKind))
    queue: Mapped[Queue] = mapped_column(_enum(Queue))
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus), default=JobStatus.QUEUED)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    request_hash: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When the job's message was last sent to the broker, and how many times it was sent.
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sends: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    error_detail: Mapped[str | None] = mapped_column(Text, default=None)
    generator: Mapped[str | None] = mapped_column(String(64), default=None)
    model: Mapped[str | None] = mapped_column(String(200), default=None)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    usage_source: Mapped[str | None] = mapped_column(String(16), default=None)
    llm_calls: Mapped[int] = mapped_column(Integer, default=0)
    llm_seconds: Mapped[float] = mapped_column(default=0.0)
    cost_usd: Mapped[float | None] = mapped_column(default=None)
    # A draft job's first-try prompts (two platforms or more): their longest common prefix in
    # tokens, and its share of the average prompt (what a provider's prefix cache can reuse).
    prompt_shared_tokens: Mapped[int | None] = mapped_column(Integer, default=None)
    prompt_shared_share: Mapped[float | None] = mapped_column(default=None)
    profile_version: Mapped[int | None] = mapped_column(Integer, default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class Draft(Base):
    """A generated post draft for one platform, the result of a draft job."""

    __tablename__ = "drafts"
    __table_args__ = (
        UniqueConstraint("job_id", "platform", name="uq_drafts_job_platform"),
        # A brand's drafts page newest first by (created_at, id): storage/drafts.brand_drafts.
        Index("ix_drafts_brand_created", "brand_id", "created_at", "id"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    platform: Mapped[Platform] = mapped_column(_enum(Platform))
    language: Mapped[str] = mapped_column(String(8))
    headline: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    call_to_action: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    generator: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    validation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    repairs: Mapped[list[str]] = mapped_column(JSON, default=list)
    image_brief: Mapped[str] = mapped_column(Text, default="")
    thread: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # The approval step (approval/): `version` counts every change, an edit or a review move.
    review_state: Mapped[ReviewState] = mapped_column(
        _enum(ReviewState), default=ReviewState.DRAFT, server_default=ReviewState.DRAFT.value
    )
    sent_back_version: Mapped[int | None] = mapped_column(Integer, default=None)
    """The version a send-back left the draft at: it goes back to review only once changed."""
    edit_distance: Mapped[int | None] = mapped_column(Integer, default=None)
    """At approval: characters changed between the generated text and the approved one."""
    edit_ratio: Mapped[float | None] = mapped_column(default=None)
    """At approval: edit_distance over the longer text's length (0: approved as written)."""


class Plan(Base):
    """A content plan, the result of a plan job: its period, the check report, and its place
    in the approval step."""

    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_brand_created", "brand_id", "created_at", "id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    generator: Mapped[str] = mapped_column(String(64))
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    basis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """How the frame was set: slots from history (with figures), default rubrics, changes."""
    review_state: Mapped[ReviewState] = mapped_column(
        _enum(ReviewState), default=ReviewState.DRAFT, server_default=ReviewState.DRAFT.value
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    sent_back_version: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanItem(Base):
    """One post of a plan: when, where, the rubric, the topic and the briefs."""

    __tablename__ = "plan_items"
    __table_args__ = (Index("ix_plan_items_plan_at", "plan_id", "at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    platform: Mapped[Platform] = mapped_column(_enum(Platform))
    rubric: Mapped[str] = mapped_column(String(120))
    category: Mapped[Rubric] = mapped_column(_enum(Rubric))
    topic: Mapped[str] = mapped_column(String(300))
    goal: Mapped[str] = mapped_column(String(300), default="")
    copy_brief: Mapped[str] = mapped_column(Text, default="")
    design_brief: Mapped[str] = mapped_column(Text, default="")
    event: Mapped[str | None] = mapped_column(String(200), default=None)
    review_state: Mapped[ReviewState] = mapped_column(
        _enum(ReviewState), default=ReviewState.DRAFT, server_default=ReviewState.DRAFT.value
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    sent_back_version: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    draft_job_id: Mapped[str | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), default=None, index=True
    )
    """The draft job its approval queued (its drafts go through the same approval)."""


class AuditEvent(Base):
    """One move of an item under review: who, when, from which state to which, and why."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "subject_kind", "subject_id", "at"),
        Index("ix_audit_events_brand_at", "brand_id", "at", "id"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(36))
    actor_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[ReviewState] = mapped_column(_enum(ReviewState))
    to_state: Mapped[ReviewState] = mapped_column(_enum(ReviewState))
    version: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DraftVersion(Base):
    """Every version of a draft: the generated one is 1, each edit adds one."""

    __tablename__ = "draft_versions"
    draft_id: Mapped[str] = mapped_column(
        ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    headline: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    call_to_action: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    validation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Outgoing webhooks of the approval step (webhooks/): endpoints, deliveries and their attempts.


class DeliveryStatus(StrEnum):
    """Where a webhook delivery stands: `pending` until a 2xx (`delivered`) or until it gives
    up (`failed`: a 4xx, or every attempt used)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEndpoint(Base):
    """A URL of a brand that receives its review events, signed with the endpoint's secret."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_brand_created", "brand_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class WebhookDelivery(Base):
    """One event for one endpoint: the exact body sent on every attempt, and where it stands."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        # The reconciler: pending deliveries that are due.
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        # An endpoint's deliveries, newest first.
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at", "id"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    brand_id: Mapped[str] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(ForeignKey("audit_events.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    """The JSON sent, as text: every attempt sends these very bytes (UTF-8)."""
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the next attempt is due (None once delivered or failed)."""
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """While an attempt is under way: no other worker takes the delivery before this."""
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When its message was last sent to the broker (the reconciler waits a grace after it)."""
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery: when, the answer's status or the error, how long."""

    __tablename__ = "webhook_attempts"
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(16))
    """delivered, retry or failed: what this attempt decided."""
