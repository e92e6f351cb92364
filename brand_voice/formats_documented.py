"""The documented CSV and JSON: the post fields under their own names or an export's aliases.

The column names are in `brand_voice.formats_columns`; unknown ones are ignored with a warning.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails

from brand_voice.formats_columns import COLUMN_ALIASES, EXPECTED_COLUMNS, Columns, resolve
from brand_voice.formats_posts import (
    ParsedPost,
    PostFile,
    decode_utf8,
    explain,
    file_error,
    finish,
    from_unix,
    must_be_text,
    optional_text,
    path,
    shown,
    to_count,
    to_platform,
    to_timestamp,
    to_url,
)
from retrieval.text import clean_text
from storage.enums import Platform

_T = TypeVar("_T")
_NO_PLATFORM = "no 'platform' column (or {}); add one or choose the platform"


# Documented CSV.


class _RowError(ValueError):
    """What is wrong with one CSV record."""


@dataclass(frozen=True)
class _Header:
    """A CSV header as read: each position's field, and each field's name in the file."""

    columns: Columns
    names: dict[str, str]


def parse_csv(filename: str, data: bytes, platform: Platform | None) -> PostFile:
    """Posts from a documented CSV file; problems name the file line."""
    records = _csv_records(filename, decode_utf8(filename, data))
    if not records:
        raise file_error(filename, "no header row")
    header = _csv_header(filename, records[0][1], platform)
    posts: list[ParsedPost] = []
    problems: list[str] = []
    for line, values in records[1:]:
        try:
            post = _csv_post(header, values, platform, f"line {line}")
        except _RowError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        if post is not None:
            posts.append(post)
    return PostFile(finish(filename, posts, problems), header.columns.warnings)


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


def _csv_header(filename: str, header: list[str], platform: Platform | None) -> _Header:
    try:
        columns = resolve(header)
    except ValueError as exc:
        raise file_error(filename, f"{exc} in the header") from None
    if "text" not in columns.fields:
        found = ", ".join(name.strip() for name in header)
        detail = f"missing column 'text' (found: {found}); expected columns: {EXPECTED_COLUMNS}"
        raise file_error(filename, detail)
    if platform is None and "platform" not in columns.fields:
        raise file_error(filename, _NO_PLATFORM.format(", ".join(COLUMN_ALIASES["platform"])))
    names = {f: name.strip() for f, name in zip(columns.fields, header, strict=True) if f}
    return _Header(columns, names)


def _csv_post(
    header: _Header, values: list[str], platform: Platform | None, place: str
) -> ParsedPost | None:
    if len(values) != len(header.columns.fields):
        raise _RowError(
            f"{len(values)} values but the header has {len(header.columns.fields)} columns"
            " (text with separators must be in double quotes)"
        )
    row = {f: value for f, value in zip(header.columns.fields, values, strict=True) if f}
    text = clean_text(row["text"])
    if not text:
        return None

    def cell(name: str, convert: Callable[[str], _T]) -> _T | None:
        return _cell(row, header.names, name, convert)

    chosen = cell("platform", to_platform) or platform
    if chosen is None:
        name = header.names["platform"]
        raise _RowError(f"column {name!r} is empty and no platform was chosen for the file")
    return ParsedPost(
        platform=chosen,
        text=text,
        published_at=cell("published_at", to_timestamp),
        likes=cell("likes", to_count),
        comments=cell("comments", to_count),
        reposts=cell("reposts", to_count),
        views=cell("views", to_count),
        url=cell("url", to_url),
        external_id=optional_text(row.get("id")),
        author=optional_text(row.get("author")),
        place=place,
    )


def _cell(
    row: dict[str, str], names: dict[str, str], name: str, convert: Callable[[str], _T]
) -> _T | None:
    raw = row.get(name, "").strip()
    if not raw:
        return None
    try:
        return convert(raw)
    except ValueError as exc:
        raise _RowError(f"column {names[name]!r} {exc}") from None


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
            "platform": to_platform,
            "published_at": to_timestamp,
            "url": to_url,
        }
        unix = isinstance(value, int) and not isinstance(value, bool)
        if info.field_name == "published_at" and unix:
            return from_unix(value)  # an API dump's "timestamp": 1709294700
        return None if value is None else converters[info.field_name](must_be_text(value))

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return None if value is None else must_be_text(value)


class _ItemError(ValueError):
    """What is wrong with one JSON post: problems at their paths."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_documented_json(filename: str, doc: Any, platform: Platform | None) -> PostFile:
    """Posts from a documented JSON document; problems name the path, like posts[2].likes."""
    items, prefix, warnings = _json_items(filename, doc)
    posts: list[ParsedPost] = []
    problems: list[str] = []
    for index, raw in enumerate(items):
        where = path((*prefix, index))
        try:
            item = _json_item(raw, where, warnings)
        except _ItemError as exc:
            problems.extend(exc.problems)
            continue
        text = clean_text(item.text)
        chosen = item.platform or platform
        if text and chosen is None:
            problems.append(f"{where}.platform: missing; add it or choose one")
        elif text and chosen is not None:
            posts.append(_documented_post(item, text, chosen, where))
    return PostFile(finish(filename, posts, problems), list(dict.fromkeys(warnings)))


def _json_items(filename: str, doc: Any) -> tuple[list[Any], tuple[str, ...], list[str]]:
    """The posts of a list or of {"posts": [...]}, their path prefix, and ignored keys."""
    if isinstance(doc, list):
        return doc, (), []
    if not (isinstance(doc, dict) and "posts" in doc):
        found = f"an object with keys {', '.join(doc)}" if isinstance(doc, dict) else shown(doc)
        raise file_error(filename, f'expected a list of posts or {{"posts": [...]}}; got {found}')
    if not isinstance(doc["posts"], list):
        raise file_error(filename, "posts: must be a list")
    ignored = [f"unknown field {key!r} ignored" for key in doc if key != "posts"]
    return doc["posts"], ("posts",), ignored


def _json_item(raw: object, where: str, warnings: list[str]) -> _JsonPost:
    """One post with its fields under their own names; errors name the file's own keys."""
    if not isinstance(raw, dict):
        raise _ItemError([f"{where}: must be an object"])
    try:
        columns = resolve(list(raw), "field")
    except ValueError as exc:
        raise _ItemError([f"{where}: {exc}"]) from None
    warnings.extend(columns.warnings)
    keys = {f: key for f, key in zip(columns.fields, raw, strict=True) if f}
    try:
        return _JsonPost.model_validate({f: raw[key] for f, key in keys.items()})
    except ValidationError as exc:
        raise _ItemError([_json_problem(where, keys, e) for e in exc.errors()]) from None


def _json_problem(where: str, keys: dict[str, str], error: ErrorDetails) -> str:
    field, *inside = error["loc"] or ("",)
    name = keys.get(str(field), str(field))
    if error["type"] == "missing" and field == "text":
        also = ", ".join(COLUMN_ALIASES["text"])
        return f"{path((where, name, *inside))}: required field is missing (or one of {also})"
    return f"{path((where, name, *inside))}: {explain(error)}"


def _documented_post(item: _JsonPost, text: str, platform: Platform, place: str) -> ParsedPost:
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
        place=place,
    )
