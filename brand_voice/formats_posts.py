"""Posts as parsed from files, the checks every file gets, and the documented CSV and JSON.

The formats are described for users in `brand_voice.formats`, which also reads platform exports.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import PurePath
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails

from retrieval.text import clean_text
from storage.enums import Platform
from storage.errors import ErrorCode, PostcraftError

MAX_FILE_BYTES: int = 20 * 1024 * 1024
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
EXPECTED_COLUMNS = "text (required), " + ", ".join(FIELDS[1:])
_MAX_PROBLEMS = 5
# Spreadsheets write thousands as "6 900", with a normal, no-break or thin space.
_DIGIT_GROUPS = re.compile(r"(?<=[0-9])[ \u00a0\u2009\u202f](?=[0-9]{3})")
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_T = TypeVar("_T")


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
    return report(filename, [f"{path(prefix + e['loc'])}: {_explain(e)}" for e in exc.errors()])


def path(loc: tuple[str | int, ...]) -> str:
    """A place in a JSON document: messages[3].text."""
    where = ""
    for part in loc:
        where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else part
    return where or "the top level"


def _explain(error: ErrorDetails) -> str:
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
    """An ISO 8601 date or date-time, in UTC when it has no offset."""
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        example = "2026-03-02 or 2026-03-02T10:00:00+03:00"
        raise ValueError(f"must be an ISO 8601 date like {example}; got {shown(raw)}") from None
    # Without an offset the author's zone is unknown; UTC is the documented reading.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def optional_text(raw: str | None) -> str | None:
    """Cleaned text, or None when there is none."""
    return (clean_text(raw) or None) if raw is not None else None


def _to_platform(raw: str) -> Platform:
    try:
        return Platform(raw.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in Platform)
        raise ValueError(f"must be one of {known}; got {shown(raw)}") from None


def _to_url(raw: str) -> str:
    url = raw.strip()
    # Web links only: a javascript: or file: link would be rendered as a link later.
    if not re.fullmatch(r"https?://[^\s\x00-\x1f\x7f-\x9f]+", url, re.IGNORECASE):
        raise ValueError(f"must be a link starting with http:// or https://; got {shown(raw)}")
    return url


def _to_count(raw: str) -> int:
    digits = _DIGIT_GROUPS.sub("", raw)
    if not _WHOLE_NUMBER.fullmatch(digits):
        raise ValueError(f"must be a whole number, got {shown(raw)}")
    if int(digits) < 0:
        raise ValueError(f"must be 0 or more, got {shown(raw)}")
    return int(digits)


# Documented CSV.


class _RowError(ValueError):
    """What is wrong with one CSV record."""


def parse_csv(filename: str, data: bytes, platform: Platform | None) -> list[ParsedPost]:
    """Posts from a documented CSV file; problems name the file line."""
    records = _csv_records(filename, decode_utf8(filename, data))
    if not records:
        raise file_error(filename, "no header row")
    columns = _csv_columns(filename, records[0][1], platform)
    posts: list[ParsedPost] = []
    problems: list[str] = []
    for line, values in records[1:]:
        try:
            post = _csv_post(columns, values, platform)
        except _RowError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        if post is not None:
            posts.append(post)
    return finish(filename, posts, problems)


def _csv_records(filename: str, text: str) -> list[tuple[int, list[str]]]:
    """Non-blank records with the file line each starts on (the header is line 1)."""
    first_line = text.lstrip("\r\n").partition("\n")[0]
    delimiter = max(",;\t", key=first_line.count)  # a tie keeps the comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for values in reader:
            if any(value.strip() for value in values):
                records.append((line, values))
            line = reader.line_num + 1
    except csv.Error as exc:
        hint = "text with separators, quotes or line breaks must be in double quotes"
        raise file_error(filename, f"line {line}: broken CSV ({exc}); {hint}") from None
    return records


def _csv_columns(filename: str, header: list[str], platform: Platform | None) -> list[str]:
    columns = [name.strip().lower() for name in header]
    if "text" not in columns:
        found = ", ".join(columns)
        detail = f"missing column 'text' (found: {found}); expected columns: {EXPECTED_COLUMNS}"
        raise file_error(filename, detail)
    unknown = ", ".join(repr(name) for name in columns if name not in FIELDS)
    if unknown:
        raise file_error(filename, f"unknown columns {unknown}; expected: {EXPECTED_COLUMNS}")
    twice = [name for name in FIELDS if columns.count(name) > 1]
    if twice:
        raise file_error(filename, f"column {twice[0]!r} appears more than once in the header")
    if platform is None and "platform" not in columns:
        raise file_error(filename, "no 'platform' column; add one or choose the platform")
    return columns


def _csv_post(
    columns: list[str], values: list[str], platform: Platform | None
) -> ParsedPost | None:
    if len(values) != len(columns):
        raise _RowError(
            f"{len(values)} values but the header has {len(columns)} columns"
            " (text with separators must be in double quotes)"
        )
    row = dict(zip(columns, values, strict=True))
    text = clean_text(row["text"])
    if not text:
        return None
    chosen = _cell(row, "platform", _to_platform) or platform
    if chosen is None:
        raise _RowError("column 'platform' is empty and no platform was chosen for the file")
    return ParsedPost(
        platform=chosen,
        text=text,
        published_at=_cell(row, "published_at", to_timestamp),
        likes=_cell(row, "likes", _to_count),
        comments=_cell(row, "comments", _to_count),
        reposts=_cell(row, "reposts", _to_count),
        views=_cell(row, "views", _to_count),
        url=_cell(row, "url", _to_url),
        external_id=optional_text(row.get("id")),
        author=optional_text(row.get("author")),
    )


def _cell(row: dict[str, str], name: str, convert: Callable[[str], _T]) -> _T | None:
    raw = row.get(name, "").strip()
    if not raw:
        return None
    try:
        return convert(raw)
    except ValueError as exc:
        raise _RowError(f"column {name!r} {exc}") from None


# Documented JSON.


class _JsonPost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: StrictStr
    platform: Platform | None = None
    published_at: datetime | None = None
    likes: StrictInt | None = Field(default=None, ge=0)
    comments: StrictInt | None = Field(default=None, ge=0)
    reposts: StrictInt | None = Field(default=None, ge=0)
    views: StrictInt | None = Field(default=None, ge=0)
    url: str | None = None
    id: str | None = None
    author: StrictStr | None = None

    @field_validator("platform", "published_at", "url", mode="before")
    @classmethod
    def _convert(cls, value: object, info: ValidationInfo) -> object:
        converters: dict[str | None, Callable[[str], object]] = {
            "platform": _to_platform,
            "published_at": to_timestamp,
            "url": _to_url,
        }
        return None if value is None else converters[info.field_name](must_be_text(value))

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return None if value is None else must_be_text(value)


class _JsonFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    posts: list[_JsonPost]


_JSON_LIST = TypeAdapter(list[_JsonPost])


def parse_documented_json(filename: str, doc: Any, platform: Platform | None) -> list[ParsedPost]:
    """Posts from a documented JSON document; problems name the path, like posts[2].likes."""
    is_list = isinstance(doc, list)
    if not is_list and not (isinstance(doc, dict) and "posts" in doc):
        found = f"an object with keys {', '.join(doc)}" if isinstance(doc, dict) else shown(doc)
        raise file_error(filename, f'expected a list of posts or {{"posts": [...]}}; got {found}')
    try:
        items = _JSON_LIST.validate_python(doc) if is_list else _JsonFile.model_validate(doc).posts
    except ValidationError as exc:
        raise invalid(filename, exc) from None
    prefix: tuple[str, ...] = () if is_list else ("posts",)
    posts: list[ParsedPost] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        text = clean_text(item.text)
        chosen = item.platform or platform
        if text and chosen is None:
            problems.append(f"{path((*prefix, index))}.platform: missing; add it or choose one")
        elif text and chosen is not None:
            posts.append(_documented_post(item, text, chosen))
    return finish(filename, posts, problems)


def _documented_post(item: _JsonPost, text: str, platform: Platform) -> ParsedPost:
    return ParsedPost(
        platform=platform,
        text=text,
        published_at=item.published_at,
        likes=item.likes,
        comments=item.comments,
        reposts=item.reposts,
        views=item.views,
        url=item.url,
        external_id=optional_text(item.id),
        author=optional_text(item.author),
    )
