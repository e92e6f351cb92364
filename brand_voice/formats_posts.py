"""Posts as parsed from files, the checks every file gets, and the values of CSV cells and fields.

The formats are described for users in `brand_voice.formats`; the documented CSV and JSON are
read in `brand_voice.formats_documented`, platform exports in `brand_voice.formats`.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from brand_voice.formats_columns import FIELDS
from retrieval.text import clean_text
from storage.enums import Platform
from storage.errors import ErrorCode, PostcraftError

MAX_FILE_BYTES: int = 20 * 1024 * 1024
_MAX_PROBLEMS = 5
# Spreadsheets write thousands as "6 900", with a normal, no-break or thin space.
_DIGIT_GROUPS = re.compile(r"(?<=[0-9])[ \u00a0\u2009\u202f](?=[0-9]{3})")
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_TIME = r"(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?"
# Russian-locale spreadsheets write 01.03.2024 (day first), English-locale exports 03/01/2024.
_DAY_FIRST = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})" + _TIME)
_MONTH_FIRST = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})" + _TIME)
_DATE_EXAMPLES = "2026-03-02, 2026-03-02 10:00, 2026-03-02T10:00:00+03:00 or 02.03.2026 10:00"


class PostFormat(StrEnum):
    """The post file formats that parse_posts reads."""

    CSV = "csv"
    JSON = "json"
    TELEGRAM = "telegram"
    VK = "vk"


@dataclass(frozen=True)
class ParsedPost:
    """One post from a file: cleaned text, when, where, and its counters (None = unknown)."""

    platform: Platform
    text: str
    published_at: datetime | None
    likes: int | None
    comments: int | None
    reposts: int | None
    views: int | None
    url: str | None
    external_id: str | None
    author: str | None
    # Where the post is in its file ("line 4", "posts[2]"), for errors found after parsing.
    place: str = field(default="", compare=False)


@dataclass(frozen=True)
class PostFile:
    """A post file's posts, and warnings about what in it was ignored (unknown columns)."""

    posts: list[ParsedPost]
    warnings: list[str] = field(default_factory=list)


# Every file: size, encoding, and errors that name the file and the place.


def file_error(filename: str, detail: str) -> PostcraftError:
    """The error for a bad file: its detail starts with the file's name."""
    return PostcraftError(ErrorCode.INVALID_INPUT_FILE, f"{PurePath(filename).name}: {detail}")


def check_upload(filename: str, data: bytes) -> None:
    """Reject a file over MAX_FILE_BYTES, or an empty one, before any parsing."""
    if len(data) > MAX_FILE_BYTES:
        limit = f"{MAX_FILE_BYTES:,} bytes ({MAX_FILE_BYTES // 2**20} MB)"
        raise file_error(filename, f"the file has {len(data):,} bytes; the limit is {limit}")
    if not data.strip():
        raise file_error(filename, "the file is empty")


def decode_utf8(filename: str, data: bytes) -> str:
    """The file as text: strict UTF-8, with or without a byte order mark."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise file_error(filename, "the file is UTF-16 text; save it as UTF-8")
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + skip
        line = data.count(b"\n", 0, at) + 1
        where = f"byte 0x{data[at]:02x} at position {at}, line {line}"
        raise file_error(filename, f"not UTF-8 text ({where}); save it as UTF-8") from None


def extension(filename: str) -> str:
    """The file name's extension, lower-case, with its dot."""
    return PurePath(filename).suffix.lower()


def unsupported(filename: str, supported: Sequence[str]) -> PostcraftError:
    """The error for a file type we do not read."""
    found = extension(filename) or "no extension"
    return file_error(filename, f"unsupported file type ({found}); use {', '.join(supported)}")


def report(filename: str, problems: list[str]) -> PostcraftError:
    """One error for the first few problems found in a file."""
    # A few at once spare the user one upload per typo; all of them would be a wall of text.
    more = len(problems) - _MAX_PROBLEMS
    tail = f" (and {more} more problems)" if more > 0 else ""
    return file_error(filename, "; ".join(problems[:_MAX_PROBLEMS]) + tail)


def finish(filename: str, posts: list[ParsedPost], problems: list[str]) -> list[ParsedPost]:
    """The posts, unless the file had problems or no post with text."""
    if problems:
        raise report(filename, problems)
    if not posts:
        raise file_error(filename, "no posts with text")
    return posts


def invalid(filename: str, exc: ValidationError, prefix: tuple[str, ...] = ()) -> PostcraftError:
    """Pydantic's errors as problems at paths like posts[2].likes."""
    return report(filename, [f"{path(prefix + e['loc'])}: {explain(e)}" for e in exc.errors()])


def path(loc: tuple[str | int, ...]) -> str:
    """A place in a JSON document: messages[3].text."""
    where = ""
    for part in loc:
        where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else part
    return where or "the top level"


def explain(error: ErrorDetails) -> str:
    """One pydantic error in the words of the file formats."""
    value = error.get("input")
    messages = {
        "missing": "required field is missing",
        "extra_forbidden": f"unknown field (known fields: {', '.join(FIELDS)})",
        "string_type": "must be a string",
        "list_type": "must be a list",
        "model_type": "must be an object",
        "int_type": f"must be a whole number, got {shown(value, as_json=True)}",
        "greater_than_equal": f"must be 0 or more, got {shown(value, as_json=True)}",
    }
    if error["type"] == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return messages.get(error["type"], error["msg"])


def load_json(filename: str, data: bytes) -> Any:
    """The parsed JSON document; a broken one names the line and column."""
    try:
        return json.loads(decode_utf8(filename, data))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        why = re.sub(r" at$", " here", exc.msg)  # "Unterminated string starting at"
        raise file_error(filename, f"{where}: the JSON is cut off or broken ({why})") from None
    except RecursionError:
        raise file_error(filename, "the JSON is nested too deeply") from None


# Values of CSV cells and JSON fields; each raises ValueError("must ...") for pydantic's sake.


def shown(value: object, as_json: bool = False) -> str:
    """A value as quoted in an error message (as written in JSON, if so asked), cut short."""
    if as_json or not isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 40 else text[:40] + "…"
    return repr(value if len(value) <= 40 else value[:40] + "…")


def must_be_text(value: object) -> str:
    """The value if it is a string."""
    if not isinstance(value, str):
        raise ValueError("must be a string")  # pydantic reports ValueErrors, not TypeErrors
    return value


def to_timestamp(raw: str) -> datetime:
    """An ISO 8601, DD.MM.YYYY or MM/DD/YYYY date (or date-time), in UTC without an offset."""
    text = raw.strip()
    try:
        value = _export_date(text) or datetime.fromisoformat(text)
    except _NoSuchMonthError as exc:
        raise ValueError(f"{exc}; got {shown(raw)}") from None
    except ValueError:
        raise ValueError(f"must be a date like {_DATE_EXAMPLES}; got {shown(raw)}") from None
    # Without an offset the author's zone is unknown; UTC is the documented reading.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _NoSuchMonthError(ValueError):
    """A slashed date that only reads as day first (13/03/2024)."""


def _export_date(text: str) -> datetime | None:
    """A spreadsheet's 01.03.2024 [14:05[:30]] or 03/01/2024 [14:05[:30]]; None if neither."""
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year, *clock = match.groups()
    elif match := _MONTH_FIRST.fullmatch(text):
        month, day, year, *clock = match.groups()
        if int(month) > 12:
            raise _NoSuchMonthError(
                "is read as month/day/year (MM/DD/YYYY), and there is no month "
                f"{int(month)}; write the date as {year}-{int(day):02}-{int(month):02}"
            )
    else:
        return None
    hour, minute, second = (int(part or 0) for part in clock)
    return datetime(int(year), int(month), int(day), hour, minute, second)


def from_unix(value: object) -> datetime:
    """A unix time in seconds (a JSON number), as a UTC time."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a unix time in seconds, got {shown(value)}")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"must be a unix time in seconds, got {value}") from None


def optional_text(raw: str | None) -> str | None:
    """Cleaned text, or None when there is none."""
    return (clean_text(raw) or None) if raw is not None else None


def to_platform(raw: str) -> Platform:
    """A platform by its name, in any letter case."""
    try:
        return Platform(raw.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in Platform)
        raise ValueError(f"must be one of {known}; got {shown(raw)}") from None


def to_url(raw: str) -> str:
    """A web link (http or https)."""
    url = raw.strip()
    # Web links only: a javascript: or file: link would be rendered as a link later.
    if not re.fullmatch(r"https?://[^\s\x00-\x1f\x7f-\x9f]+", url, re.IGNORECASE):
        raise ValueError(f"must be a link starting with http:// or https://; got {shown(raw)}")
    return url


def to_count(raw: str) -> int:
    """A counter: a whole number, 0 or more, with thousands grouped by spaces or not."""
    digits = _DIGIT_GROUPS.sub("", raw)
    if not _WHOLE_NUMBER.fullmatch(digits):
        raise ValueError(f"must be a whole number, got {shown(raw)}")
    if int(digits) < 0:
        raise ValueError(f"must be 0 or more, got {shown(raw)}")
    return int(digits)
