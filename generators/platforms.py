"""Per-platform limits a draft must respect (the full registry grows with the drafts issue)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.enums import Platform


@dataclass(frozen=True)
class PlatformRules:
    """The hard text limit, the hashtag cap and where the figures come from."""

    name: str
    max_chars: int
    hashtag_cap: int | None
    source: str


RULES: dict[Platform, PlatformRules] = {
    Platform.X: PlatformRules("X (Twitter)", 280, None, "docs.x.com: counting characters"),
    Platform.THREADS: PlatformRules("Threads", 500, 1, "Meta developer docs (Threads)"),
    Platform.INSTAGRAM: PlatformRules("Instagram", 2200, 5, "Meta developer docs (Instagram)"),
    Platform.FACEBOOK: PlatformRules("Facebook", 63206, None, "Meta; Ayrshare limits table"),
    Platform.LINKEDIN: PlatformRules("LinkedIn", 3000, None, "Ayrshare and Zernio limits tables"),
    Platform.TIKTOK: PlatformRules("TikTok", 2200, None, "Ayrshare and Zernio limits tables"),
    Platform.YOUTUBE: PlatformRules("YouTube", 5000, 15, "third-party sources (unverified)"),
    Platform.TELEGRAM: PlatformRules("Telegram", 4096, None, "python-telegram-bot constants"),
    Platform.VK: PlatformRules("VK", 4096, None, "Postiz VK provider (unverified)"),
    Platform.OK: PlatformRules("Odnoklassniki", 4096, None, "no authoritative figure"),
    Platform.PINTEREST: PlatformRules("Pinterest", 500, 5, "Pinterest API docs; soft 2-5 tags"),
}

# How many hashtags a draft carries when the platform sets no cap (common advice: a few, specific).
SOFT_HASHTAGS = {Platform.X: 2, Platform.FACEBOOK: 2, Platform.LINKEDIN: 4}
DEFAULT_SOFT_HASHTAGS = 5


def hashtag_budget(platform: Platform) -> int:
    """How many hashtags to put on a draft for this platform."""
    cap = RULES[platform].hashtag_cap
    soft = SOFT_HASHTAGS.get(platform, DEFAULT_SOFT_HASHTAGS)
    return min(cap, soft) if cap is not None else soft
