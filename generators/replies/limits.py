"""How long a reply may be on each platform: the platform's comment limit where docs/platforms.md
gives one, else its post limit (a reply on X or Threads is a post), else an unverified default.
One registry, read by the prompt and by the gate."""

from __future__ import annotations

from dataclasses import replace

from generators.compliance.platforms import PlatformRules
from storage.enums import Platform

COMMENT_LIMITS: dict[Platform, tuple[int, str]] = {
    Platform.INSTAGRAM: (2196, "docs/platforms.md: Instagram comment 2,196"),
    Platform.LINKEDIN: (1250, "docs/platforms.md: LinkedIn comment 1,250"),
    Platform.X: (280, "docs/platforms.md: a reply is a post, 280 weighted characters"),
    Platform.THREADS: (500, "docs/platforms.md: a reply is a post, 500 characters"),
    Platform.TELEGRAM: (4096, "docs/platforms.md: a comment is a message, 4,096"),
    Platform.VK: (4096, "unverified: VK's post default (docs/platforms.md)"),
    Platform.OK: (4096, "unverified: no authoritative figure (docs/platforms.md)"),
    Platform.FACEBOOK: (8000, "unverified: Facebook's comment box"),
    Platform.YOUTUBE: (10000, "unverified: YouTube's comment box"),
    Platform.TIKTOK: (150, "unverified: TikTok's comment box"),
    Platform.PINTEREST: (500, "unverified: Pinterest's comment box"),
}
GOOD_LENGTH = 400
"""What the prompt asks for: a reply a person reads at a glance (never past the limit)."""


def comment_rules(platform: Platform, rules: PlatformRules) -> PlatformRules:
    """The comment rules of `platform`, from its post rules."""
    limit, source = COMMENT_LIMITS.get(platform, (rules.max_chars, rules.source))
    return replace(
        rules,
        max_chars=limit,
        hashtag_cap=0,
        soft_hashtags=0,
        caption_max=None,
        title_max=None,
        media_required=False,
        threads=False,
        ad_label_required=False,
        sources={**rules.sources, "max_chars": source},
        craft=(),
    )
