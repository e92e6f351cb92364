"""The documented post fields and what analytics exports call them: one table for CSV and JSON.

A header name (or a JSON key) is matched in any letter case, with spaces, dashes and underscores
alike: `Published At`, `published-at` and `PUBLISHED_AT` are all `published_at`. A field may come
under its own name or under one of its aliases; when several of them are present, the field's
own name wins, then the alias listed first here, and each of the others is ignored with a
warning. A name that is neither a field nor an alias is ignored with a warning too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

FIELDS = (
    "text",
    "platform",
    "published_at",
    "likes",
    "comments",
    "reposts",
    "views",
    "url",
    "id",
    "author",
)

# Field → the names exports use for it, in order of preference (the first one present wins).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("message", "content", "caption", "post_text", "body", "description", "full_text"),
    "platform": ("network", "social_network", "channel"),
    "published_at": (
        "date",
        "created_at",
        "timestamp",
        "time",
        "posted_at",
        "publish_date",
        "published",
        "date_published",
    ),
    "likes": ("reactions", "likes_count", "like_count", "favorites", "favorite_count"),
    "comments": ("comments_count", "comment_count", "replies", "reply_count"),
    "reposts": ("shares", "reposts_count", "shares_count", "share_count", "retweets"),
    "views": ("impressions", "reach", "views_count", "view_count", "plays"),
    "url": ("link", "permalink", "post_url", "permalink_url"),
    "id": ("post_id",),
    # For competitor examples the author is the competitor: one file may hold several.
    "author": ("competitor", "brand", "account", "source", "author_name"),
}

_RANK: dict[str, tuple[str, int]] = {
    **{
        alias: (field, rank)
        for field, aliases in COLUMN_ALIASES.items()
        for rank, alias in enumerate(aliases, start=1)
    },
    **{field: (field, 0) for field in FIELDS},
}
_SEPARATORS = re.compile(r"[\s_\-]+")


def normalised(name: str) -> str:
    """A header name as matched: lower case, runs of spaces, dashes and underscores as one `_`."""
    return _SEPARATORS.sub("_", name.strip().lower()).strip("_")


def described(field: str) -> str:
    """A field with its aliases, for error messages: `views (or impressions, reach, ...)`."""
    return f"{field} (or {', '.join(COLUMN_ALIASES[field])})"


EXPECTED_COLUMNS = "text (required; or {}), {}".format(
    ", ".join(COLUMN_ALIASES["text"]), ", ".join(described(f) for f in FIELDS[1:])
)


@dataclass(frozen=True)
class Columns:
    """What a header's names are read as: the field of each (None = ignored), and warnings."""

    fields: list[str | None]
    warnings: list[str]


def resolve(names: Sequence[str], noun: str = "column") -> Columns:
    """Each name's field; a field named twice (`likes`, `Likes`) raises ValueError."""
    keys = [normalised(name) for name in names]
    known = [key for key in keys if key in _RANK]
    twice = next((key for key in known if known.count(key) > 1), None)
    if twice is not None:
        raise ValueError(f"{noun} {twice!r} appears more than once")
    chosen: dict[str, int] = {}
    for position, key in enumerate(keys):
        if key in _RANK:
            field, rank = _RANK[key]
            if field not in chosen or rank < _RANK[keys[chosen[field]]][1]:
                chosen[field] = position
    fields: list[str | None] = [None] * len(keys)
    for field, position in chosen.items():
        fields[position] = field
    return Columns(fields, _warnings(names, keys, chosen, noun))


def _warnings(
    names: Sequence[str], keys: list[str], chosen: dict[str, int], noun: str
) -> list[str]:
    warnings: list[str] = []
    for position, key in enumerate(keys):
        name = names[position].strip()
        if key not in _RANK:
            unknown = f"unknown {noun} {name!r}" if key else f"a {noun} without a name"
            warnings.append(f"{unknown} ignored")
            continue
        field = _RANK[key][0]
        if chosen[field] != position:
            used = names[chosen[field]].strip()
            warnings.append(f"{noun} {name!r} ignored: {used!r} is read as {field}")
    return list(dict.fromkeys(warnings))  # each name once
