"""The draft request (the job's input) and the LLM's output model."""

from __future__ import annotations

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from brand_voice.profile import LANGUAGE_CODES, LANGUAGE_NAMES
from generators.compliance.labels import missing_erid
from generators.compliance.platforms import RULES
from storage.enums import Platform, Rubric


class DraftRequest(BaseModel):
    """What a copywriter asks for: a post on a topic for one or more platforms."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "topic": "Новый лот: Эфиопия Иргачефф натуральной обработки",
                    "platforms": ["vk", "telegram"],
                    "rubric": "commercial",
                }
            ]
        },
    )

    topic: str = Field(min_length=3, max_length=300, description="What the post is about")
    brief: str = Field(default="", max_length=2000, description="Facts and angle to include")
    platforms: list[Platform] = Field(
        min_length=1,
        max_length=11,
        description="One draft each",
        json_schema_extra={"uniqueItems": True},
    )
    rubric: Rubric | None = Field(default=None, description="The content-plan heading")
    goal: str = Field(default="", max_length=300, description="What the post should achieve")
    language: str | None = Field(
        default=None,
        description="ISO 639-1; default: the brand's language",
        json_schema_extra={"enum": [*LANGUAGE_CODES, None]},
    )
    image: StrictBool = Field(default=True, description="Wanted: an image brief and a card")
    call_to_action: str = Field(default="", max_length=300)
    link: AnyHttpUrl | None = Field(
        default=None, description="Gets UTM tags per platform (utm_source = the platform)"
    )
    utm_campaign: str = Field(default="", max_length=100, pattern=r"^[\w.-]*$")
    is_ad: StrictBool = Field(default=False, description="A paid placement: labelled as an ad")
    erid: str = Field(
        default="", max_length=64, pattern=r"^[\w-]*$", description="The ad token (Russia)"
    )

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str | None) -> str | None:
        if value is not None and value not in LANGUAGE_NAMES:
            raise ValueError(f"language must be one of {', '.join(sorted(LANGUAGE_NAMES))}")
        return value

    @model_validator(mode="after")
    def _ads_have_their_erid(self) -> DraftRequest:
        # The advertiser is the profile's: the route checks it (`missing_advertiser`).
        problems = [missing_erid(RULES[p], self.is_ad, self.erid) for p in self.platforms]
        if any(problems):
            raise ValueError("; ".join(p for p in problems if p))
        return self

    @field_validator("platforms")
    @classmethod
    def _distinct(cls, value: list[Platform]) -> list[Platform]:
        if len(set(value)) != len(value):
            raise ValueError("list each platform once")
        return value

    @field_validator("topic", "brief", "call_to_action")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class PostDraft(BaseModel):
    """One post as the LLM writes it."""

    model_config = ConfigDict(extra="forbid")

    headline: str = Field(description="A short headline, one line, no hashtags")
    body: str = Field(description="The post body in short blocks separated by blank lines")
    call_to_action: str = Field(description="One sentence telling the reader what to do next")
    hashtags: list[str] = Field(description="Hashtags without the # sign, branded ones first")
    image_brief: str = Field(
        default="", description="For the designer: what the post's picture shows, in one sentence"
    )


def post_text(draft: PostDraft) -> str:
    """The post as it would be published: headline, body, call to action, hashtags."""
    tags = " ".join(f"#{tag.lstrip('#')}" for tag in draft.hashtags if tag.strip("# "))
    parts = [draft.headline.strip(), draft.body.strip(), draft.call_to_action.strip(), tags]
    return "\n\n".join(part for part in parts if part)
