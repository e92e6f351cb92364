"""Brand folders: a `brand.json` profile beside the brand's guide, post exports and competitors.

zerno/
  brand.json              {"name", "slug", and BrandProfile fields}
  guide.md | guide.docx | guide.pdf | guide.txt      the voice guide
  competitors.csv | competitors.json                 competitor examples (untrusted), each
                                                     naming its competitor (author/competitor)
  anything else .csv/.json                           past posts: documented CSV/JSON,
                                                     Telegram Desktop result.json, VK wall.get
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from brand_voice.brands import create_brand
from brand_voice.profile import BrandProfile
from brand_voice.sources import Upload
from storage.enums import DocumentKind
from storage.errors import ErrorCode, PostcraftError
from storage.models import Brand

GUIDE_SUFFIXES = {".md", ".markdown", ".txt", ".docx", ".pdf"}
POST_SUFFIXES = {".csv", ".json"}


class FolderBrand(BrandProfile):
    """brand.json: the brand's name and slug, and its profile."""

    name: str = Field(min_length=1, max_length=200)
    slug: str


@dataclass(frozen=True)
class BrandFolder:
    """A brand folder, read: the brand and its files in the order to ingest them."""

    brand: FolderBrand
    uploads: list[Upload]


def read_brand_folder(path: Path) -> BrandFolder:
    """Read brand.json and classify the other files; errors name the file and field."""
    profile_file = path / "brand.json"
    if not profile_file.is_file():
        raise PostcraftError(ErrorCode.INVALID_INPUT_FILE, f"{path}: no brand.json in the folder")
    try:
        brand = FolderBrand.model_validate_json(profile_file.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PostcraftError(
            ErrorCode.INVALID_INPUT_FILE, f"brand.json: {where}: {first['msg']}"
        ) from None
    uploads = []
    for file in sorted(path.iterdir()):
        kind = _kind(file)
        if kind is not None:
            uploads.append(Upload(kind, file.name, file.read_bytes()))
    return BrandFolder(brand, uploads)


def _kind(file: Path) -> DocumentKind | None:
    suffix = file.suffix.lower()
    if file.name == "brand.json" or not file.is_file():
        return None
    if file.stem.lower().startswith("guide") and suffix in GUIDE_SUFFIXES:
        return DocumentKind.VOICE_GUIDE
    if file.stem.lower().startswith("competitor") and suffix in POST_SUFFIXES:
        return DocumentKind.COMPETITOR
    return DocumentKind.POST if suffix in POST_SUFFIXES else None


def ensure_brand(session: Session, workspace_id: str, folder: BrandFolder) -> Brand:
    """The folder's brand, created on first import and found by slug afterwards."""
    brand = session.scalars(
        select(Brand).where(Brand.workspace_id == workspace_id, Brand.slug == folder.brand.slug)
    ).one_or_none()
    if brand is None:
        profile = BrandProfile.model_validate(folder.brand.model_dump(exclude={"name", "slug"}))
        brand = create_brand(session, workspace_id, folder.brand.name, folder.brand.slug, profile)
    return brand
