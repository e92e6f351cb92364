"""Links in posts: UTM tags per platform, so the brand sees which network brought each visit."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from storage.enums import Platform


def campaign_slug(topic: str) -> str:
    """A short UTM campaign name from a topic (letters, digits and hyphens)."""
    words = re.findall(r"\w+", topic.casefold())[:5]
    return "-".join(words)[:60] or "post"


def with_utm(url: str, platform: Platform, campaign: str, paid: bool) -> str:
    """The URL with utm_source/medium/campaign set; tags already in the URL are kept."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("utm_source", platform.value)
    query.setdefault("utm_medium", "paid_social" if paid else "social")
    query.setdefault("utm_campaign", campaign)
    return urlunsplit(parts._replace(query=urlencode(query)))
