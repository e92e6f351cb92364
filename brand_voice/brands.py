"""Creating brands inside a workspace."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from brand_voice.profile import BrandProfile
from storage.access import SLUG
from storage.errors import ErrorCode, PostcraftError
from storage.models import Brand


def create_brand(
    session: Session, workspace_id: str, name: str, slug: str, profile: BrandProfile
) -> Brand:
    """A new brand; the slug is unique in the workspace."""
    if not SLUG.match(slug):
        raise PostcraftError(
            ErrorCode.INVALID_REQUEST,
            f"slug {slug!r} must be 3-64 lowercase letters, digits or hyphens",
        )
    taken = session.scalars(
        select(Brand.id).where(Brand.workspace_id == workspace_id, Brand.slug == slug)
    ).first()
    if taken is not None:
        raise PostcraftError(ErrorCode.ALREADY_EXISTS, f"A brand with slug {slug!r} already exists")
    brand = Brand(
        workspace_id=workspace_id,
        name=name,
        slug=slug,
        language=profile.language,
        profile=profile.model_dump(mode="json"),
    )
    session.add(brand)
    session.flush()
    return brand
