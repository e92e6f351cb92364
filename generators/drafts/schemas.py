"""The draft request (the job's input) and the LLM's output model."""

from __future__ import annotations

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

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
    platforms: list[Platform] = Field(min_length=1, max_length=11, description="One draft each")
    rubric: Rubric | None = Field(default=None, description="The content-plan heading")
    call_to_action: str = Field(default="", max_length=300)
    link: AnyHttpUrl | None = None

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


def post_text(draft: PostDraft) -> str:
    """The post as it would be published: headline, body, call to action, hashtags."""
    tags = " ".join(f"#{tag.lstrip('#')}" for tag in draft.hashtags if tag.strip("# "))
    parts = [draft.headline.strip(), draft.body.strip(), draft.call_to_action.strip(), tags]
    return "\n\n".join(part for part in parts if part)
