"""The hashtag-set request (the job's input) and the LLM's output model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from storage.enums import Platform


class HashtagRequest(BaseModel):
    """What the hashtags are for."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(min_length=3, max_length=300)
    brief: str = Field(default="", max_length=2000)
    platforms: list[Platform] = Field(min_length=1, max_length=11)


class HashtagSuggestions(BaseModel):
    """The LLM's ideas for topical tags."""

    model_config = ConfigDict(extra="forbid")

    hashtags: list[str] = Field(description="Specific topical hashtags without '#', 5 to 10")
