"""Brands and their versioned profiles: a change is a new version; the brand holds the latest."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from brand_voice.profile import BrandProfile
from storage.access import SLUG
from storage.errors import ErrorCode, PostcraftError
from storage.models import Brand, BrandProfileVersion


def create_brand(
    session: Session,
    workspace_id: str,
    name: str,
    slug: str,
    profile: BrandProfile,
    created_by: str | None = None,
) -> Brand:
    """A new brand with profile version 1; the slug is unique in the workspace."""
    if not SLUG.match(slug):
        raise PostcraftError(
            ErrorCode.INVALID_REQUEST,
            f"slug {slug!r} must be 3-64 lowercase letters, digits or hyphens",
        )
    taken = session.scalars(
        select(Brand.id).where(Brand.workspace_id == workspace_id, Brand.slug == slug)
    ).first()
    if taken is not None:
        raise _slug_taken(slug)
    data = profile.model_dump(mode="json")
    brand = Brand(
        workspace_id=workspace_id,
        name=name,
        slug=slug,
        language=profile.language,
        profile=data,
        profile_version=1,
    )
    session.add(brand)
    try:
        session.flush()
    except IntegrityError:  # a concurrent request took the slug after our check
        raise _slug_taken(slug) from None
    session.add(
        BrandProfileVersion(brand_id=brand.id, version=1, profile=data, created_by=created_by)
    )
    session.flush()
    return brand


def update_profile(
    session: Session,
    brand: Brand,
    profile: BrandProfile,
    expected_version: int | None,
    author: str | None,
) -> Brand:
    """Store the profile as a new version; a stale `expected_version` is a conflict."""
    current = brand.profile_version
    if expected_version is not None and expected_version != current:
        raise _conflict(current, expected_version)
    data = profile.model_dump(mode="json")
    if data == brand.profile:
        return brand
    # Conditional on the version read: of two concurrent edits, the second one fails.
    changed = session.execute(
        update(Brand)
        .where(Brand.id == brand.id, Brand.profile_version == current)
        .values(profile_version=current + 1, profile=data, language=profile.language)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise _conflict(None, current)
    session.refresh(brand)
    session.add(
        BrandProfileVersion(
            brand_id=brand.id, version=brand.profile_version, profile=data, created_by=author
        )
    )
    session.flush()
    return brand


def _slug_taken(slug: str) -> PostcraftError:
    return PostcraftError(
        ErrorCode.ALREADY_EXISTS, f"A brand with slug {slug!r} already exists: choose another"
    )


def _conflict(current: int | None, sent: int) -> PostcraftError:
    now = f"at version {current}" if current is not None else "changed meanwhile"
    return PostcraftError(
        ErrorCode.VERSION_CONFLICT,
        f"The profile is {now}, not version {sent}: reload it, reapply your change and send "
        "it with the new version",
    )


def profile_versions(session: Session, brand_id: str) -> list[BrandProfileVersion]:
    """Every version of the brand's profile, newest first."""
    return list(
        session.scalars(
            select(BrandProfileVersion)
            .where(BrandProfileVersion.brand_id == brand_id)
            .order_by(BrandProfileVersion.version.desc())
        )
    )
