"""The brand profile: voice, positioning, audience, compliance terms, platforms and rubrics."""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    field_validator,
    model_validator,
)

from brand_voice.design import CardDesign
from storage.enums import Platform, Rubric

LANGUAGE_NAMES = {
    "ru": "Russian",
    "en": "English",
    "fi": "Finnish",
    "he": "Hebrew",
    "uk": "Ukrainian",
}
LANGUAGE_CODES: list[JsonValue] = [*sorted(LANGUAGE_NAMES)]  # the schema's enum


class Formality(StrEnum):
    """How formal the brand sounds."""

    FORMAL = "formal"
    NEUTRAL = "neutral"
    INFORMAL = "informal"


class Address(StrEnum):
    """How a Russian-speaking brand addresses its reader: «ты» or «вы»."""

    TY = "ty"
    VY = "vy"


class EmojiPolicy(StrEnum):
    """Whether emoji are used."""

    NONE = "none"
    SPARING = "sparing"
    FREE = "free"


class SentenceLength(StrEnum):
    """Preferred sentence length."""

    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"


class CommunityFormat(StrEnum):
    """What the brand's community is: it bounds the commercial share of the plan."""

    COMMERCIAL = "commercial"
    INTEREST = "interest"
    MIXED = "mixed"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Voice(_Strict):
    """How the brand writes."""

    formality: Formality = Formality.NEUTRAL
    address: Address | None = Field(default=None, description="Russian only: «ты» or «вы»")
    humour: StrictBool = Field(default=False, description="Jokes and wordplay allowed")
    emoji: EmojiPolicy = EmojiPolicy.SPARING
    sentence_length: SentenceLength = SentenceLength.MEDIUM


class AudienceSegment(_Strict):
    """One audience portrait."""

    name: str = Field(min_length=1, max_length=120)
    gender: str = ""
    age: str = Field(default="", description="e.g. 25-40")
    locations: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    family: str = ""
    children: str = ""
    job_and_income: str = ""
    problems: list[str] = Field(default_factory=list)


class PlatformAccount(_Strict):
    """An account the brand posts from."""

    platform: Platform
    handle: str = Field(min_length=1, max_length=200)


class Escalation(_Strict):
    """Whom a community manager hands a comment to instead of replying (a name, a role, a
    chat or an address); empty fields fall back to `pr`, then to the brand's manager."""

    support: str = Field(
        default="", max_length=300, description="Service problems: orders, delivery"
    )
    pr: str = Field(default="", max_length=300, description="Crises and public scandals")
    legal: str = Field(default="", max_length=300, description="Legal threats, regulators")
    safety: str = Field(default="", max_length=300, description="Health and safety")


class RubricShare(_Strict):
    """A content-plan heading with its target share of posts."""

    name: str = Field(
        min_length=1, max_length=120, description="e.g. «Закулисье», Customer stories"
    )
    category: Rubric
    share: float = Field(strict=True, ge=0, le=1)
    description: str = ""


class Advertiser(_Strict):
    """Who the brand's ads are for, as the Russian ad label names it (name, INN or both)."""

    name: str = Field(
        default="", max_length=300, description="The legal name, e.g. ООО «Зерно и Пламя»"
    )
    inn: str = Field(
        default="",
        pattern=r"^(\d{10}|\d{12})?$",
        description="ИНН: 10 digits for a company, 12 for a sole trader",
    )

    @model_validator(mode="after")
    def _named(self) -> Advertiser:
        if not self.name.strip() and not self.inn:
            raise ValueError("an advertiser needs its name, its INN or both")
        return self

    def legal_line(self) -> str:
        """The advertiser as the label names it: «ООО «Зерно и Пламя», ИНН 6671234567»."""
        parts = [self.name.strip(), f"ИНН {self.inn}" if self.inn else ""]
        return ", ".join(part for part in parts if part)


class BrandProfile(_Strict):
    """What generation needs to know about a brand beyond its documents."""

    language: str = Field(
        default="ru",
        description="ISO 639-1 code of the brand's main language",
        json_schema_extra={"enum": LANGUAGE_CODES},
    )
    extra_languages: list[str] = Field(default_factory=list)
    voice: Voice = Field(default_factory=Voice)
    usp: str = Field(default="", max_length=1000, description="Unique selling proposition")
    positioning: str = Field(default="", max_length=2000)
    offer: str = Field(default="", max_length=2000, description="What the brand offers")
    main_feature: str = Field(default="", max_length=1000)
    problems_solved: list[str] = Field(default_factory=list)
    community_format: CommunityFormat = CommunityFormat.MIXED
    audience: list[AudienceSegment] = Field(default_factory=list)
    banned_words: list[str] = Field(default_factory=list)
    required_terms: list[str] = Field(default_factory=list)
    disclaimers: list[str] = Field(
        default_factory=list, description="Phrases every post carries word for word"
    )
    advertiser: Advertiser | None = Field(
        default=None, description="Named on the label of ads on VK, OK and Telegram"
    )
    branded_hashtags: list[str] = Field(default_factory=list, description="Without '#'")
    geotags: list[str] = Field(default_factory=list)
    platforms: list[Platform] = Field(default_factory=list, description="Where the brand posts")
    accounts: list[PlatformAccount] = Field(default_factory=list)
    escalation: Escalation = Field(
        default_factory=Escalation, description="Whom comments that need no quick reply go to"
    )
    rubrics: list[RubricShare] = Field(default_factory=list)
    default_cta: str = Field(
        default="", max_length=300, description="The brand's usual call to action"
    )
    card_design: CardDesign = Field(
        default_factory=CardDesign, description="The template of the brand's image cards"
    )
    timezone: str = Field(
        default="UTC",
        max_length=64,
        description="IANA time zone of the brand's audience, e.g. Europe/Moscow: plan slots "
        "and post times are in it",
    )

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGE_NAMES:
            raise ValueError(f"language must be one of {', '.join(sorted(LANGUAGE_NAMES))}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as Europe/Moscow"
            ) from exc
        return value

    def zone(self) -> ZoneInfo:
        """The brand's time zone."""
        return ZoneInfo(self.timezone)

    @field_validator("branded_hashtags")
    @classmethod
    def _without_hash(cls, value: list[str]) -> list[str]:
        return [tag.lstrip("#").strip() for tag in value if tag.strip("# ")]

    @model_validator(mode="after")
    def _consistent(self) -> BrandProfile:
        if self.voice.address is not None and self.language != "ru":
            raise ValueError("voice.address («ты»/«вы») applies to Russian-language brands only")
        total = sum(r.share for r in self.rubrics)
        if self.rubrics and abs(total - 1.0) > 0.01:
            raise ValueError(f"rubric shares must add up to 1.0 (they add up to {total:.2f})")
        names = [r.name.casefold() for r in self.rubrics]
        if len(set(names)) != len(names):
            raise ValueError("rubric names must be unique")
        for account in self.accounts:
            if account.platform not in self.platforms:
                self.platforms.append(account.platform)
        return self
