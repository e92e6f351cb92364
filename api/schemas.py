"""Response and write schemas of the HTTP API (write schemas forbid unknown fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from brand_voice.profile import BrandProfile
from generators.compliance.report import Severity, stored_of
from generators.drafts.schemas import PostDraft, post_text
from storage.drafts import DraftListing
from storage.enums import JobKind, JobStatus, Platform, Queue, ReviewState
from storage.models import Brand, Draft, Job
from storage.quotas import Standing


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


class QuotaRead(BaseModel):
    """One quota of a brand: its limit, the figure now and, when it is used up, the wait."""

    setting: str = Field(description="The variable that sets it: POSTCRAFT_BRAND_...")
    limit: int = Field(description="0: unlimited")
    used: int = Field(description="The brand's figure now")
    exceeded: bool = Field(description="True: a new submission gets 429")
    retry_after_s: int | None = Field(
        description="When exceeded, the seconds a 429 would ask you to wait (an estimate for "
        "tokens); otherwise null"
    )

    @classmethod
    def of(cls, standing: Standing) -> QuotaRead:
        """From the storage figure."""
        return cls(
            setting=standing.quota.setting,
            limit=standing.limit,
            used=standing.used,
            exceeded=standing.exceeded,
            retry_after_s=standing.retry_after_s,
        )


class BrandUsageRead(BaseModel):
    """A brand's figures against its quotas, as a submission would be judged now."""

    brand_id: str
    at: datetime = Field(description="When the figures were counted")
    active_jobs: QuotaRead = Field(description="Jobs queued or running, of every kind")
    jobs_per_minute: QuotaRead = Field(description="Jobs submitted in the last 60 s")
    tokens_per_day: QuotaRead = Field(
        description="Model tokens of jobs finished in the last 24 h (the offline composer's "
        "not counted)"
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
    version: int = Field(
        description="Counts every change (an edit or a review move): send it back as If-Match"
    )
    review_state: ReviewState = Field(description="Where the draft is in the approval step")
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
            review_state=draft.review_state,
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
    shared_prefix_tokens: int | None = Field(
        description="A draft job for several platforms: the tokens its first-try prompts share "
        "as a prefix, which a provider's prompt cache can reuse (counted with tiktoken); null "
        "for one platform and other jobs"
    )
    shared_prefix_share: float | None = Field(
        ge=0,
        le=1,
        description="shared_prefix_tokens as a share of the average first-try prompt (0-1); "
        "null for one platform and other jobs",
    )

    @classmethod
    def of(cls, job: Job) -> JobUsageRead:
        """From the job's row."""
        return cls(
            prompt_tokens=job.prompt_tokens,
            completion_tokens=job.completion_tokens,
            counted_by=job.usage_source,
            llm_calls=job.llm_calls,
            llm_seconds=job.llm_seconds,
            cost_usd=job.cost_usd,
            shared_prefix_tokens=job.prompt_shared_tokens,
            shared_prefix_share=job.prompt_shared_share,
        )


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
            usage=JobUsageRead.of(job),
            error=JobError(code=job.error_code, detail=job.error_detail or "")
            if job.error_code
            else None,
            profile_version=job.profile_version,
            result=job.result,
            drafts=[DraftRead.of(d) for d in drafts],
        )


EXCERPT_CHARS = 160  # of a draft's body in a list: enough to tell drafts apart


class DraftChecks(BaseModel):
    """The validation of a draft's latest version, counted."""

    passed: bool = Field(description="No error: publishable")
    errors: int = Field(description="Problems that block publishing")
    warnings: int = Field(description="Problems for the person approving to judge")


class DraftSummary(BaseModel):
    """A draft as a list shows it; the whole draft is at `url`."""

    id: str
    job_id: str
    platform: Platform
    language: str
    headline: str
    excerpt: str = Field(description=f"The body's first {EXCERPT_CHARS} characters or so")
    hashtag_count: int
    version: int
    review_state: ReviewState
    validation: DraftChecks
    created_at: datetime
    url: str = Field(description="The full draft: /v1/drafts/{id}")

    @classmethod
    def of(cls, draft: DraftListing) -> DraftSummary:
        """From the listed columns."""
        errors = len(stored_of(draft.validation))
        warnings = len(stored_of(draft.validation, Severity.WARNING))
        return cls(
            id=draft.id,
            job_id=draft.job_id,
            platform=draft.platform,
            language=draft.language,
            headline=draft.headline,
            excerpt=excerpt(draft.body_start),
            hashtag_count=len(draft.hashtags),
            version=draft.version,
            review_state=draft.review_state,
            validation=DraftChecks(
                passed=bool(draft.validation.get("passed", errors == 0)),
                errors=errors,
                warnings=warnings,
            ),
            created_at=draft.created_at,
            url=f"/v1/drafts/{draft.id}",
        )


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The text's start: whole words up to `limit` characters and an ellipsis, when longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


class DraftPage(BaseModel):
    """One page of a brand's drafts, newest first."""

    items: list[DraftSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page"
    )
