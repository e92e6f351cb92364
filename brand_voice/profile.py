"""The brand profile: language, platforms, hashtags and the words the brand never uses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from storage.enums import Platform

LANGUAGE_NAMES = {
    "ru": "Russian",
    "en": "English",
    "fi": "Finnish",
    "he": "Hebrew",
    "uk": "Ukrainian",
}


class BrandProfile(BaseModel):
    """What generation needs to know about a brand beyond its documents."""

    model_config = ConfigDict(extra="forbid")

    language: str = Field(default="ru", description="ISO 639-1 code of the brand's main language")
    platforms: list[Platform] = Field(default_factory=list, description="Where the brand posts")
    branded_hashtags: list[str] = Field(default_factory=list, description="Without '#'")
    banned_words: list[str] = Field(default_factory=list)
    default_cta: str = Field(
        default="", max_length=300, description="The brand's usual call to action"
    )

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGE_NAMES:
            raise ValueError(f"language must be one of {', '.join(sorted(LANGUAGE_NAMES))}")
        return value

    @field_validator("branded_hashtags")
    @classmethod
    def _without_hash(cls, value: list[str]) -> list[str]:
        return [tag.lstrip("#").strip() for tag in value if tag.strip("# ")]
