"""Approved work in the forms a publishing tool takes: a CSV of drafts and an iCalendar
(RFC 5545) of a content plan. Pure rendering: the rows come from approval/export_repository.py.
See docs/exports.md for the columns, the events and the choices behind them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from generators.drafts.schemas import PostDraft, post_text
from storage.enums import Platform, ReviewState

BOM = "\ufeff"
"""What `drafts_csv(..., bom=True)` starts with: Excel reads UTF-8 (Cyrillic) only with it."""

CSV_COLUMNS = (
    "scheduled_at",
    "platform",
    "language",
    "headline",
    "body",
    "call_to_action",
    "hashtags",
    "text",
    "rubric",
    "topic",
    "draft_id",
    "version",
    "plan_item_id",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads a cell that starts with one of these as a formula (OWASP, CSV
injection): such a cell gets a leading apostrophe, which spreadsheets show as text."""

LINE_OCTETS = 75
"""RFC 5545 §3.1: content lines are folded at 75 octets (UTF-8 bytes), not characters."""
PRODID = "-//Postcraft//Content plan export//EN"
EVENT_MINUTES = 30
UID_DOMAIN = "postcraft"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # what TEXT may not hold (tab and LF aside)


@dataclass(frozen=True)
class ExportDraft:
    """An approved draft, as the exports show it."""

    id: str
    platform: Platform
    language: str
    headline: str
    body: str
    call_to_action: str
    hashtags: tuple[str, ...]
    version: int
    updated_at: datetime
    topic: str = ""
    """The topic its draft job was asked for (shown when it came from no plan item)."""
    rubric: str = ""
    """The rubric its draft job was asked for, if any."""

    @property
    def text(self) -> str:
        """The post as it will be published (the product's one composition of the parts)."""
        return post_text(self._post(self.headline, self.body, self.call_to_action))

    @property
    def tags(self) -> str:
        """The hashtags as the published text writes them: `#a #b`."""
        return post_text(self._post("", "", ""))

    def _post(self, headline: str, body: str, call_to_action: str) -> PostDraft:
        return PostDraft(
            headline=headline,
            body=body,
            call_to_action=call_to_action,
            hashtags=list(self.hashtags),
        )


@dataclass(frozen=True)
class ExportItem:
    """One item of a content plan: when (UTC), where, what, and its place in review."""

    id: str
    plan_id: str
    at: datetime
    platform: Platform
    rubric: str
    topic: str
    goal: str
    copy_brief: str
    design_brief: str
    event: str | None
    review_state: ReviewState
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class ExportPlan:
    """A content plan's frame, with the brand it belongs to."""

    id: str
    brand_id: str
    brand_name: str
    brand_slug: str
    starts_on: date
    days: int
    timezone: str
    review_state: ReviewState


@dataclass(frozen=True)
class ExportRow:
    """One CSV row: an approved draft and, when a plan item queued it, that item and the time
    zone of its plan."""

    draft: ExportDraft
    item: ExportItem | None = None
    timezone: str | None = None


def drafts_csv(rows: Sequence[ExportRow], bom: bool = False) -> str:
    """The approved drafts as CSV (RFC 4180: comma, double quotes, CRLF), a header and one row
    per draft, in the order given. Cells that a spreadsheet would run as a formula start with
    an apostrophe. With `bom`, the text starts with a UTF-8 byte order mark (for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in _csv_values(row)])
    return (BOM if bom else "") + out.getvalue()


def _csv_values(row: ExportRow) -> list[str]:
    draft, item = row.draft, row.item
    return [
        scheduled_at(item.at, row.timezone) if item else "",
        draft.platform.value,
        draft.language,
        draft.headline,
        draft.body,
        draft.call_to_action,
        draft.tags,
        draft.text,
        item.rubric if item else draft.rubric,
        item.topic if item else draft.topic,
        draft.id,
        str(draft.version),
        item.id if item else "",
    ]


def scheduled_at(at: datetime, timezone: str | None) -> str:
    """ISO 8601 to the second, with the UTC offset of the plan's time zone (`+05:00`)."""
    zone = ZoneInfo(timezone) if timezone else UTC
    return at.astimezone(zone).isoformat(timespec="seconds")


def _cell(value: str) -> str:
    """Neutralise a formula: `=1+1` is exported as `'=1+1`."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def day_bounds(
    since: date | None, until: date | None, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """The UTC instants `[start, end)` that the days `since`..`until` (both included, in
    `zone`) cover; None where open, or past what a datetime can hold."""
    start = end = None
    try:
        if since is not None:
            start = datetime.combine(since, time.min, zone).astimezone(UTC)
    except OverflowError:  # the first days of year 1, east of UTC: no bound
        start = None
    try:
        if until is not None:
            end = datetime.combine(until + timedelta(days=1), time.min, zone).astimezone(UTC)
    except OverflowError:  # the last day of year 9999: no bound
        end = None
    return start, end


def plan_calendar(
    plan: ExportPlan,
    items: Sequence[ExportItem],
    drafts_by_item: Mapping[str, ExportDraft],
    brand_name: str,
    stamp: datetime | None = None,
) -> str:
    """The plan as an iCalendar object (METHOD:PUBLISH): one VEVENT per item given, at its
    time in UTC, 30 minutes long, with the briefs and, when the item's draft is approved, the
    post's text. CRLF line ends; lines folded at 75 octets. `stamp` is the DTSTAMP (now)."""
    stamped = _utc(stamp or datetime.now(UTC))
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'{brand_name}: content plan from {plan.starts_on}')}",
        f"X-WR-TIMEZONE:{escape_text(plan.timezone)}",
        f"X-WR-CALDESC:{escape_text(_calendar_description(plan, len(items)))}",
    ]
    for item in items:
        lines += _event(item, drafts_by_item.get(item.id), stamped)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _calendar_description(plan: ExportPlan, count: int) -> str:
    return (
        f"{count} posts of a {plan.days}-day plan from {plan.starts_on} ({plan.timezone}); "
        f"plan state: {plan.review_state.value}"
    )


def _event(item: ExportItem, draft: ExportDraft | None, stamped: str) -> list[str]:
    sequence = item.version - 1 + (draft.version if draft else 0)
    modified = max(item.updated_at, draft.updated_at) if draft else item.updated_at
    return [
        "BEGIN:VEVENT",
        f"UID:{item.id}@{UID_DOMAIN}",
        f"DTSTAMP:{stamped}",
        f"DTSTART:{_utc(item.at)}",
        f"DURATION:PT{EVENT_MINUTES}M",
        f"SUMMARY:{escape_text(f'[{item.platform.value}] {item.rubric}: {item.topic}')}",
        f"DESCRIPTION:{escape_text(_description(item, draft))}",
        f"CATEGORIES:{escape_text(item.rubric)}",
        f"STATUS:{event_status(item.review_state)}",
        f"SEQUENCE:{sequence}",
        f"LAST-MODIFIED:{_utc(modified)}",
        "END:VEVENT",
    ]


def event_status(state: ReviewState) -> str:
    """An item's STATUS: CONFIRMED once approved, CANCELLED when rejected, else TENTATIVE."""
    if state is ReviewState.APPROVED:
        return "CONFIRMED"
    if state is ReviewState.REJECTED:
        return "CANCELLED"
    return "TENTATIVE"


def _description(item: ExportItem, draft: ExportDraft | None) -> str:
    parts = [
        ("State", item.review_state.value),
        ("Goal", item.goal),
        ("Event", item.event or ""),
        ("Copy brief", item.copy_brief),
        ("Design brief", item.design_brief),
    ]
    text = "\n".join(f"{label}: {value}" for label, value in parts if value.strip())
    if draft is not None:
        text += f"\n\nApproved post (draft {draft.id}, version {draft.version}):\n{draft.text}"
    return text


def _utc(at: datetime) -> str:
    """A UTC DATE-TIME in the Z form: 20250602T050000Z."""
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value (§3.3.11): backslash, semicolon and comma escaped, every line
    break as `\\n`; other control characters (tab aside) and lone surrogates dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value).encode("utf-8", "ignore").decode("utf-8")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded (§3.1): physical lines of at most 75 octets, each continuation
    starting with a space (which counts), split between characters, never inside one."""
    pieces: list[str] = []
    piece: list[str] = []
    size, limit = 0, LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(piece))
            piece, size, limit = [], 0, LINE_OCTETS - 1
        piece.append(char)
        size += width
    pieces.append("".join(piece))
    return "\r\n ".join(pieces)
