"""Reading uploaded files: past posts, competitor examples and voice guides.

Every file is at most 20 MB; CSV, JSON, .md and .txt files are UTF-8 (a byte order mark is
fine). A problem is reported with the file's name and its place (CSV: the file's line, the
header being line 1; JSON: the line and column of broken syntax, or a path such as
`posts[2].likes`), up to five problems at once, and nothing is taken from a file that has one.

Posts (`read_posts`, with the warnings, or `parse_posts`; `detect_post_format` tells the
format from the name and the content):

- Documented CSV (.csv). A header row, then one post per row, separated by commas (semicolons
  or tabs are recognised from the header). Columns, in any order, any letter case, spaces and
  dashes read as `_` (`Published At`), each under its name or an alias that analytics exports
  use (the table is `COLUMN_ALIASES` in `brand_voice.formats_columns`):
  `text` (required; or message, content, caption, ...; rows with empty text are skipped);
  `platform` (vk, telegram, ok, instagram, facebook, x, linkedin, tiktok, threads, youtube,
  pinterest; may be left empty, or out, when a platform is chosen for the whole file);
  `published_at` (or date, created_at, timestamp, ...: ISO 8601 such as 2026-03-02,
  2026-03-02 10:00, 2026-03-02T10:00:00+03:00; or 02.03.2026 [10:00], day first; or
  03/02/2026 [10:00], month first, as English-locale exports write it, a first number over 12
  refused; without an offset the time is UTC);
  `likes`, `comments`, `reposts` (or shares, ...), `views` (or impressions, reach, ...): whole
  numbers, 0 or more, "6 900" too; empty = unknown;
  `url` (http:// or https://); `id` (the post's id on the platform);
  `author` (who published it; for competitor examples, the competitor: or competitor, brand,
  account, source).
  Any other column is ignored, with a warning naming it; so is an alias when its field's own
  name (or an alias listed before it) is there too. Text holding commas, quotes or line breaks
  is put in double quotes, with quotes inside doubled: spreadsheets do this when saving as
  "CSV UTF-8".
- Documented JSON (.json). A list of posts, or `{"posts": [...]}`; each post an object with
  the CSV's column names (or aliases) as fields (counters are numbers; `id` a string or a
  number; `published_at` may also be a unix time in seconds). Unknown fields are ignored with a
  warning, as in the CSV.
- Telegram channel export (.json). In Telegram Desktop: the channel → ⋮ → Export chat history
  → format JSON; upload `result.json`. The channel's own messages with text are its posts;
  service messages, forwarded posts and photos without a caption are skipped. Likes are the sum
  of the reactions; the export holds no views, comments or reposts. The time is
  `date_unixtime` (UTC); the author is the channel's name. Group and private chat exports are
  refused, and so is a Telegram or VK file uploaded with another platform chosen.
- VK wall (.json). The response of the API method `wall.get`, saved as is
  (`{"response": {"count": ..., "items": [...]}}`, or its inside). Posts without text of their
  own (such as plain reposts) are skipped; likes, comments, reposts and views come from the
  counters; the link is https://vk.com/wall<owner_id>_<id>. With `extended=1` the community's
  name becomes the author. A saved API error is reported with VK's message.

Voice guides (`parse_guide`): .md, .markdown and .txt as they are; .docx paragraphs with
headings (Heading 1, 2, 3 → `#`, `##`, `###`), list paragraphs (→ `- `) and bold text
(→ `**bold**`) kept, and tables as `| cell | cell |` rows; .pdf as the text of its pages (a
scanned PDF without a text layer has none). Invisible and control characters are removed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, StrictInt, StrictStr, ValidationError, field_validator

from brand_voice.formats_columns import COLUMN_ALIASES
from brand_voice.formats_documented import parse_csv, parse_documented_json
from brand_voice.formats_guides import GUIDE_EXTENSIONS, parse_guide
from brand_voice.formats_posts import (
    MAX_FILE_BYTES,
    ParsedPost,
    PostFile,
    PostFormat,
    check_upload,
    extension,
    file_error,
    finish,
    from_unix,
    invalid,
    load_json,
    must_be_text,
    optional_text,
    shown,
    to_timestamp,
    unsupported,
)
from retrieval.text import clean_text
from storage.enums import Platform

__all__ = [
    "COLUMN_ALIASES",
    "GUIDE_EXTENSIONS",
    "MAX_FILE_BYTES",
    "POST_EXTENSIONS",
    "ParsedPost",
    "PostFile",
    "PostFormat",
    "detect_post_format",
    "parse_guide",
    "parse_posts",
    "read_posts",
]

POST_EXTENSIONS = (".csv", ".json")


def detect_post_format(filename: str, data: bytes) -> PostFormat:
    """The file's format, from its extension and, for JSON, the shape of its content."""
    check_upload(filename, data)
    if extension(filename) == ".csv":
        return PostFormat.CSV
    if extension(filename) == ".json":
        return _json_format(load_json(filename, data))
    raise unsupported(filename, POST_EXTENSIONS)


def parse_posts(
    filename: str,
    data: bytes,
    platform: Platform | None = None,
    fmt: PostFormat | None = None,
) -> list[ParsedPost]:
    """Every post with text in the file (see read_posts, which also gives the warnings)."""
    return read_posts(filename, data, platform, fmt).posts


def read_posts(
    filename: str,
    data: bytes,
    platform: Platform | None = None,
    fmt: PostFormat | None = None,
) -> PostFile:
    """Every post with text in the file and what was ignored; the whole file is checked first."""
    check_upload(filename, data)
    if fmt is None and extension(filename) not in POST_EXTENSIONS:
        raise unsupported(filename, POST_EXTENSIONS)
    if fmt is PostFormat.CSV or (fmt is None and extension(filename) == ".csv"):
        return parse_csv(filename, data, platform)
    doc = load_json(filename, data)
    fmt = fmt or _json_format(doc)
    if fmt is PostFormat.TELEGRAM:
        fixed = _fixed(filename, Platform.TELEGRAM, platform)
        return PostFile(_parse_telegram(filename, doc, fixed))
    if fmt is PostFormat.VK:
        return PostFile(_parse_vk(filename, doc, _fixed(filename, Platform.VK, platform)))
    return parse_documented_json(filename, doc, platform)


def _json_format(doc: Any) -> PostFormat:
    if isinstance(doc, dict):
        if "messages" in doc and "type" in doc:
            return PostFormat.TELEGRAM
        if {"response", "items", "error"} & doc.keys():
            return PostFormat.VK
    return PostFormat.JSON


def _fixed(filename: str, fixed: Platform, given: Platform | None) -> Platform:
    # A Telegram export uploaded as "VK posts" is a wrong upload, not a relabelling.
    if given not in (None, fixed):
        raise file_error(filename, f"this is a {fixed.value} export, but {given} was chosen")
    return fixed


# Telegram Desktop export (result.json).


class _TgReaction(BaseModel):
    count: StrictInt = Field(ge=0)


class _TgMessage(BaseModel):
    id: StrictInt
    type: StrictStr
    date: datetime | None = None
    date_unixtime: datetime | None = None
    text: str = ""
    reactions: list[_TgReaction] | None = None
    forwarded_from: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _local_time(cls, value: object) -> object:
        return None if value is None else to_timestamp(must_be_text(value))

    @field_validator("date_unixtime", mode="before")
    @classmethod
    def _unix_time(cls, value: object) -> object:
        # The export writes the number as a string: "1772434800".
        text = must_be_text(value)
        if not (text.isascii() and text.isdigit()):
            raise ValueError(f"must be a unix time in seconds, got {shown(value)}")
        return from_unix(int(text))

    @field_validator("text", mode="before")
    @classmethod
    def _joined(cls, value: object) -> object:
        # Formatted text is a list of strings and entities; a link keeps its text only.
        if isinstance(value, list):
            return "".join(_entity_text(part) for part in value)
        return must_be_text(value)


def _entity_text(part: object) -> str:
    if isinstance(part, dict):
        return must_be_text(part.get("text"))
    return must_be_text(part)


class _TgExport(BaseModel):
    name: StrictStr | None = None
    type: StrictStr
    messages: list[_TgMessage]


def _parse_telegram(filename: str, doc: Any, platform: Platform) -> list[ParsedPost]:
    try:
        export = _TgExport.model_validate(doc)
    except ValidationError as exc:
        raise invalid(filename, exc) from None
    # A group or a private chat is people talking, not a channel's posts.
    if not export.type.endswith("_channel"):
        detail = f"this is the export of a {export.type}, not of a channel"
        raise file_error(filename, detail + "; export the channel's history instead")
    posts = []
    for index, message in enumerate(export.messages):
        text = clean_text(message.text)
        # Forwarded posts are another author's words, not this channel's voice.
        if message.type == "message" and text and message.forwarded_from is None:
            post = _telegram_post(message, text, platform, export.name)
            posts.append(replace(post, place=f"messages[{index}]"))
    return finish(filename, posts, [])


def _telegram_post(
    message: _TgMessage, text: str, platform: Platform, channel: str | None
) -> ParsedPost:
    reactions = message.reactions
    return ParsedPost(
        platform=platform,
        text=text,
        published_at=message.date_unixtime or message.date,
        likes=None if reactions is None else sum(r.count for r in reactions),
        comments=None,
        reposts=None,
        views=None,
        url=None,  # the export does not hold the channel's username
        external_id=str(message.id),
        author=optional_text(channel),
    )


# VK wall.get response.


class _VkCounter(BaseModel):
    count: StrictInt = Field(ge=0)


class _VkItem(BaseModel):
    id: StrictInt
    owner_id: StrictInt
    date: datetime | None = None
    text: StrictStr
    likes: _VkCounter | None = None
    comments: _VkCounter | None = None
    reposts: _VkCounter | None = None
    views: _VkCounter | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _unix_time(cls, value: object) -> object:
        return None if value is None else from_unix(value)


class _VkGroup(BaseModel):
    id: StrictInt
    name: StrictStr


class _VkWall(BaseModel):
    items: list[_VkItem]
    groups: list[_VkGroup] = Field(default_factory=list)


def _parse_vk(filename: str, doc: Any, platform: Platform) -> list[ParsedPost]:
    if isinstance(doc, dict) and "error" in doc:
        raise file_error(filename, _vk_api_error(doc["error"]))
    wrapped = isinstance(doc, dict) and "response" in doc
    try:
        wall = _VkWall.model_validate(doc["response"] if wrapped else doc)
    except ValidationError as exc:
        raise invalid(filename, exc, ("response",) if wrapped else ()) from None
    # Communities own walls under negative ids; extended=1 adds their names.
    names = {-group.id: clean_text(group.name) for group in wall.groups}
    items = "response.items" if wrapped else "items"
    posts = []
    for index, item in enumerate(wall.items):
        if text := clean_text(item.text):
            post = _vk_post(item, text, platform, names.get(item.owner_id) or None)
            posts.append(replace(post, place=f"{items}[{index}]"))
    return finish(filename, posts, [])


def _vk_api_error(error: object) -> str:
    details = error if isinstance(error, dict) else {}
    code, message = details.get("error_code", "?"), details.get("error_msg", "no message")
    return (
        f"the file holds a VK API error, not posts (error {code}: {message});"
        " call wall.get again and save the whole response"
    )


def _vk_post(item: _VkItem, text: str, platform: Platform, author: str | None) -> ParsedPost:
    def count(counter: _VkCounter | None) -> int | None:
        return None if counter is None else counter.count

    return ParsedPost(
        platform=platform,
        text=text,
        published_at=item.date,
        likes=count(item.likes),
        comments=count(item.comments),
        reposts=count(item.reposts),
        views=count(item.views),
        url=f"https://vk.com/wall{item.owner_id}_{item.id}",
        external_id=str(item.id),
        author=author,
    )
