"""Schemas of the brand-knowledge endpoints: profile versions, sources, search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from brand_voice.profile import BrandProfile
from retrieval.context import ContextItem
from storage.enums import DocumentKind, Platform
from storage.models import BrandProfileVersion, Source


class ProfileRead(BaseModel):
    """One version of a brand's profile."""

    brand_id: str
    version: int
    profile: BrandProfile
    created_by: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: BrandProfileVersion) -> ProfileRead:
        """From the database row."""
        return cls(
            brand_id=row.brand_id,
            version=row.version,
            profile=BrandProfile.model_validate(row.profile),
            created_by=row.created_by,
            created_at=row.created_at,
        )


class SourceRead(BaseModel):
    """An ingested file: how many items it held, how many were new."""

    id: str
    kind: DocumentKind
    name: str
    format: str
    competitor: str | None
    items: int
    added: int
    duplicates: int
    created_at: datetime

    @classmethod
    def of(cls, row: Source) -> SourceRead:
        """From the database row."""
        return cls.model_validate(row, from_attributes=True)


class SourcesRead(BaseModel):
    """A brand's sources and how many documents of each kind it has."""

    documents: dict[DocumentKind, int]
    sources: list[SourceRead]


class PostsJson(BaseModel):
    """Past posts or competitor examples as JSON (the documented post fields or their export
    aliases, see README; unknown fields are ignored with a warning in the job's result)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[DocumentKind.POST, DocumentKind.COMPETITOR]
    name: str = Field(default="upload.json", max_length=200, description="Shown in the sources")
    platform: Platform | None = Field(default=None, description="For posts that do not say")
    competitor: str | None = Field(
        default=None,
        max_length=200,
        description="For competitor examples that do not name their own competitor "
        "(`author`, `competitor`, `brand`, ...); a post's own name wins",
    )
    posts: list[dict[str, Any]] = Field(min_length=1)


class GuideJson(BaseModel):
    """A voice guide as Markdown or plain text."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[DocumentKind.VOICE_GUIDE]
    name: str = Field(default="guide.md", max_length=200)
    text: str = Field(min_length=1)


SourceJson = Annotated[PostsJson | GuideJson, Field(discriminator="kind")]


class SearchHit(BaseModel):
    """A piece of brand knowledge found by meaning."""

    id: str
    kind: DocumentKind
    text: str
    source: str
    platform: str
    similarity: float
    engagement: float
    score: float

    @classmethod
    def of(cls, item: ContextItem) -> SearchHit:
        """From a ranked retrieval item."""
        return cls(
            id=item.id,
            kind=item.kind,
            text=item.text,
            source=item.source,
            platform=item.platform,
            similarity=item.similarity,
            engagement=item.engagement,
            score=item.score,
        )
