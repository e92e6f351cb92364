"""The cursor of a list sorted newest first (drafts, the audit trail): the place in the list
after which the next page starts.

Clients pass it back as they got it. It spells an item's time in microseconds since 1970 and
the item's id, so any string of its pattern is a place in the list (a valid cursor of an item
that was deleted still pages on from where that item stood)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# 16 digits of microseconds reach the year 2286; datetime itself would overflow past 9999.
PATTERN = r"^[0-9]{1,16}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
_CURSOR = re.compile(PATTERN)


def encode(at: datetime, item_id: str) -> str:
    """The cursor of the page after the item of this time and id."""
    micros = (at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{item_id}"


def decode(cursor: str) -> tuple[datetime, str]:
    """The place a cursor names (time, id); ValueError when it is not a cursor of this API."""
    if not _CURSOR.fullmatch(cursor):
        raise ValueError(cursor)
    micros, _, item_id = cursor.partition(".")
    return _EPOCH + timedelta(microseconds=int(micros)), item_id


def _checked(cursor: str) -> str:
    if not _CURSOR.fullmatch(cursor):
        raise PydanticCustomError(
            "cursor",
            "is not a cursor this API gave out: drop it and start again from the first page",
        )
    return cursor


# The pattern is checked here rather than by `Query(pattern=)`, for a message that says what to
# do; the spec still states it, so a schema-valid cursor is always a place in the list.
_CursorText = Annotated[
    str, AfterValidator(_checked), WithJsonSchema({"type": "string", "pattern": PATTERN})
]
Cursor = Annotated[
    _CursorText | None,
    Query(description="From `next_cursor` of the page before; leave out for the first page"),
]
