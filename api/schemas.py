"""Response and write schemas of the HTTP API (write schemas forbid unknown fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from brand_voice.profile import BrandProfile
from generators.drafts.schemas import PostDraft, post_text
from storage.enums import JobKind, JobStatus, Platform, Queue
from storage.models import Brand, Draft, Job


class BrandCreate(BaseModel):
    """A new brand: ids and timestamps are set by the server."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]+[a-z0-9]$")
    profile: BrandProfile = Field(default_factory=BrandProfile)


class BrandRead(BaseModel):
    """A brand as the API shows it."""

    id: str
    name: str
    slug: str
    language: str
    profile: BrandProfile
    profile_version: int
    created_at: datetime

    @classmethod
    def of(cls, brand: Brand) -> BrandRead:
        """From the database row."""
        return cls(
            id=brand.id,
            name=brand.name,
            slug=brand.slug,
            language=brand.language,
            profile=BrandProfile.model_validate(brand.profile),
            profile_version=brand.profile_version,
            created_at=brand.created_at,
        )


class DraftRead(BaseModel):
    """A generated draft for one platform, with the sources it was given."""

    id: str
    job_id: str
    brand_id: str
    platform: Platform
    language: str
    headline: str
    body: str
    call_to_action: str
    hashtags: list[str]
    text: str = Field(description="The post as it would be published")
    sources: list[dict[str, Any]] = Field(description="The brand knowledge the generator was given")
    generator: str = Field(description="offline-composer or openai-compatible")
    model: str
    version: int
    validation: dict[str, Any] = Field(description="Limits and compliance checks of this version")
    repairs: list[str] = Field(description="What deterministic repair changed, if anything")
    image_brief: str = Field(
        description="For the designer; the card is at /v1/drafts/{id}/card.png"
    )
    thread: list[str] = Field(description="X/Threads: the full text as a chain, when it is long")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, draft: Draft) -> DraftRead:
        """From the database row."""
        post = PostDraft(
            headline=draft.headline,
            body=draft.body,
            call_to_action=draft.call_to_action,
            hashtags=draft.hashtags,
        )
        return cls(
            id=draft.id,
            job_id=draft.job_id,
            brand_id=draft.brand_id,
            platform=draft.platform,
            language=draft.language,
            headline=draft.headline,
            body=draft.body,
            call_to_action=draft.call_to_action,
            hashtags=draft.hashtags,
            text=post_text(post),
            sources=draft.sources,
            generator=draft.generator,
            model=draft.model,
            version=draft.version,
            validation=draft.validation,
            repairs=draft.repairs,
            image_brief=draft.image_brief,
            thread=draft.thread,
            created_at=draft.created_at,
            updated_at=draft.updated_at,
        )


class DraftVersionRead(BaseModel):
    """One version of a draft, with who wrote it and its validation."""

    version: int
    headline: str
    body: str
    call_to_action: str
    hashtags: list[str]
    validation: dict[str, Any]
    author: str | None = Field(description="None for the generated version")
    created_at: datetime


class JobError(BaseModel):
    """Why a job failed."""

    code: str
    detail: str


class JobUsageRead(BaseModel):
    """What the job's LLM calls cost."""

    prompt_tokens: int
    completion_tokens: int
    counted_by: str | None = Field(description="provider, or tiktoken when it did not say")
    llm_calls: int
    llm_seconds: float
    cost_usd: float | None = Field(description="At POSTCRAFT_LLM_*_USD_PER_MTOK; None if unpriced")


class JobRead(BaseModel):
    """A job as stored: poll it until `status` is succeeded or failed."""

    id: str
    brand_id: str
    kind: JobKind
    queue: Queue
    status: JobStatus
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    generator: str | None
    model: str | None
    usage: JobUsageRead
    error: JobError | None
    profile_version: int | None = Field(description="The brand profile version the job used")
    result: dict[str, Any] | None = Field(description="A summary, for jobs that have one (ingest)")
    drafts: list[DraftRead] = Field(description="The results of a draft job, once it succeeded")

    @classmethod
    def of(cls, job: Job, drafts: list[Draft]) -> JobRead:
        """From the database rows."""
        return cls(
            id=job.id,
            brand_id=job.brand_id,
            kind=job.kind,
            queue=job.queue,
            status=job.status,
            attempts=job.attempts,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            generator=job.generator,
            model=job.model,
            usage=JobUsageRead(
                prompt_tokens=job.prompt_tokens,
                completion_tokens=job.completion_tokens,
                counted_by=job.usage_source,
                llm_calls=job.llm_calls,
                llm_seconds=job.llm_seconds,
                cost_usd=job.cost_usd,
            ),
            error=JobError(code=job.error_code, detail=job.error_detail or "")
            if job.error_code
            else None,
            profile_version=job.profile_version,
            result=job.result,
            drafts=[DraftRead.of(d) for d in drafts],
        )
