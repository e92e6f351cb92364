"""What a prompt was rendered from, as typed objects: a real model reads the rendered text, the
offline composer writes from these."""

from __future__ import annotations

from dataclasses import dataclass

from storage.enums import Platform


@dataclass(frozen=True)
class ContextFact:
    """One retrieved piece of brand knowledge, as a prompt shows it."""

    id: str
    source: str
    text: str
    platform: str
    engagement: float
    similarity: float
    name: str = ""  # a competitor example's competitor
    approved: bool = False  # a text a manager approved: the surest reference of the voice


@dataclass(frozen=True, kw_only=True)
class DraftFacts:
    """Everything a draft prompt says, field by field: the brand and the request (the same for
    every platform of a job), the retrieved context, then the platform's own section."""

    brand_name: str
    language: str
    language_name: str
    banned_words: tuple[str, ...]
    branded_hashtags: tuple[str, ...]
    default_cta: str
    platform: Platform
    platform_name: str
    max_chars: int
    hashtag_budget: int
    links_clickable: bool
    topic: str
    brief: str
    rubric: str
    goal: str
    call_to_action: str
    link: str
    ad_label: str
    voice_rules: tuple[ContextFact, ...]
    past_posts: tuple[ContextFact, ...]
    competitor_examples: tuple[ContextFact, ...]
    variant_seed: str
    # The platform's craft notes, as its section of the prompt shows them (the registry's).
    craft_notes: tuple[str, ...] = ()
    # What the brand's managers said when they rejected or sent back earlier content.
    guidance: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class HashtagFacts:
    """What a hashtag-suggestion prompt says."""

    topic: str
    brief: str
    language: str
    banned_words: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class PlanFacts:
    """What a content-plan prompt is for: a whole plan, its holes, or one item again (only a
    model answers these; the offline composer builds plans in generators/plans)."""

    task: str  # "plan", "holes" or "item"
    brand_name: str
    language: str
    items_wanted: int


@dataclass(frozen=True, kw_only=True)
class ReplyFacts:
    """What a reply-suggestion prompt is for (only a model answers it; without one,
    generators/replies/composer.py answers from templates)."""

    brand_name: str
    language: str
    platform: str
    max_chars: int


Facts = DraftFacts | HashtagFacts | PlanFacts | ReplyFacts
