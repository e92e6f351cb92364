"""Brand packs: one JSON file with a brand, its voice guide, past posts and competitor examples."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from brand_voice.brands import create_brand
from brand_voice.ingest import NewDocument, engagement_rate, guide_documents
from brand_voice.profile import BrandProfile
from storage.enums import DocumentKind, Platform, Rubric
from storage.errors import ErrorCode, PostcraftError
from storage.models import Brand


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PackBrand(BrandProfile):
    """The brand's identity and profile."""

    name: str = Field(min_length=1, max_length=200)
    slug: str


class _PackItem(_Strict):
    """A post's text, platform and engagement figures (0 when unknown)."""

    platform: Platform
    text: str = Field(min_length=1)
    likes: int = Field(default=0, ge=0)
    comments: int = Field(default=0, ge=0)
    reposts: int = Field(default=0, ge=0)
    views: int = Field(default=0, ge=0)


class PackPost(_PackItem):
    """A past post of the brand."""

    published_at: datetime
    rubric: Rubric | None = None


class PackCompetitorPost(_PackItem):
    """A competitor's post: inspiration and contrast, never to copy."""

    competitor: str = Field(min_length=1)


class BrandPack(_Strict):
    """Everything needed to start a brand (the demo brands ship as packs)."""

    brand: PackBrand
    voice_guide: str = Field(min_length=1)
    posts: list[PackPost] = Field(default_factory=list)
    competitors: list[PackCompetitorPost] = Field(default_factory=list)


def load_pack(path: Path) -> BrandPack:
    """Parse a pack file; errors name the field that is wrong."""
    try:
        return BrandPack.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PostcraftError(
            ErrorCode.INVALID_INPUT_FILE, f"{path.name}: {where}: {first['msg']}"
        ) from None


def pack_documents(pack: BrandPack) -> list[NewDocument]:
    """The pack's guide chunks, posts and competitor examples as documents to ingest."""
    docs = guide_documents("voice_guide.md", pack.voice_guide)
    for n, post in enumerate(pack.posts, start=1):
        er = engagement_rate(post.likes, post.comments, post.reposts, post.views)
        docs.append(
            NewDocument(
                DocumentKind.POST,
                f"past post #{n} ({post.platform.value}, {post.published_at.date()})",
                post.text,
                {
                    "platform": post.platform.value,
                    "published_at": post.published_at.isoformat(),
                    "rubric": post.rubric.value if post.rubric else "",
                    "likes": post.likes,
                    "comments": post.comments,
                    "reposts": post.reposts,
                    "views": post.views,
                    "engagement_rate": er,
                },
            )
        )
    for item in pack.competitors:
        docs.append(
            NewDocument(
                DocumentKind.COMPETITOR,
                f"competitor: {item.competitor}",
                item.text,
                {"platform": item.platform.value, "competitor": item.competitor, "untrusted": True},
            )
        )
    return docs


def ensure_pack_brand(session: Session, workspace_id: str, pack: BrandPack) -> Brand:
    """The pack's brand, created on first use and found by slug afterwards."""
    brand = session.scalars(
        select(Brand).where(Brand.workspace_id == workspace_id, Brand.slug == pack.brand.slug)
    ).one_or_none()
    if brand is None:
        profile = BrandProfile.model_validate(pack.brand.model_dump(exclude={"name", "slug"}))
        brand = create_brand(session, workspace_id, pack.brand.name, pack.brand.slug, profile)
    return brand
