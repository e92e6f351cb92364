"""The export renderers without a database: CSV cells (formula injection, the BOM, the
published text) and iCalendar text (escaping, folding at 75 octets byte by byte, CRLF), read
back by a small RFC 5545 parser written here, not by the code under test."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from approval.exports import (
    CSV_COLUMNS,
    ExportDraft,
    ExportItem,
    ExportPlan,
    ExportRow,
    day_bounds,
    drafts_csv,
    escape_text,
    fold,
    plan_calendar,
)
from generators.drafts.schemas import PostDraft, post_text
from storage.enums import Platform, ReviewState

ZONE = "Asia/Yekaterinburg"  # UTC+05:00, no daylight saving
STAMP = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)

# --- a test-side reader of iCalendar text (RFC 5545 §3.1, §3.3.11) ---------------------------


@dataclass
class Calendar:
    """What the reader found: the calendar's properties and each event's."""

    properties: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, str]] = field(default_factory=list)


def physical_lines(data: bytes) -> list[bytes]:
    """The lines as sent: every one ends in CRLF, none holds a bare CR or LF, none is over 75
    octets, and each is valid UTF-8 on its own (so no character was split by a fold)."""
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    for line in lines:
        assert b"\r" not in line, line
        assert b"\n" not in line, line
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8", "strict")
    return lines


def unfold(lines: list[bytes]) -> list[str]:
    """Content lines: a physical line starting with a space continues the one before."""
    logical: list[str] = []
    for line in lines:
        text = line.decode("utf-8")
        if text.startswith(" "):
            assert logical, "a continuation line first"
            logical[-1] += text[1:]
        else:
            logical.append(text)
    return logical


def unescape(value: str) -> str:
    """A TEXT value as written: `\\n`, `\\\\`, `\\;`, `\\,` back to what they stand for."""
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            nxt = next(chars)
            out.append("\n" if nxt in "nN" else nxt)
            assert nxt in "nN\\;,", f"unknown escape \\{nxt}"
        else:
            assert char not in ";,", f"unescaped {char!r} in {value!r}"
            out.append(char)
    return "".join(out)


def parse_calendar(data: bytes) -> Calendar:
    """The calendar's and its events' properties (no parameters are used), values unescaped
    for the TEXT ones."""
    text_props = {"SUMMARY", "DESCRIPTION", "CATEGORIES", "X-WR-CALNAME", "X-WR-CALDESC"}
    calendar = Calendar()
    current: dict[str, str] | None = None
    lines = unfold(physical_lines(data))
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    for line in lines[1:-1]:
        name, value = line.split(":", 1)
        assert name == name.upper()
        assert ";" not in name
        if (name, value) == ("BEGIN", "VEVENT"):
            current = {}
        elif (name, value) == ("END", "VEVENT"):
            assert current is not None
            calendar.events.append(current)
            current = None
        else:
            target = current if current is not None else calendar.properties
            target[name] = unescape(value) if name in text_props else value
    assert current is None
    return calendar


def zulu(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# --- fixtures ---------------------------------------------------------------------------------


def draft(n: int = 1, **changes: object) -> ExportDraft:
    values: dict[str, object] = {
        "id": f"d{n}",
        "platform": Platform.VK,
        "language": "ru",
        "headline": "Эфиопия в воронке",
        "body": "Первый абзац.\n\nВторой, с запятой; и точкой с запятой.",
        "call_to_action": "Приходите на дегустацию",
        "hashtags": ("зерноипламя", "#кофе"),
        "version": 6,
        "updated_at": STAMP,
        "topic": "Как заварить эфиопский лот",
        "rubric": "educational",
    }
    values.update(changes)
    return ExportDraft(**values)  # type: ignore[arg-type]


def item(
    n: int, at: datetime, state: ReviewState = ReviewState.DRAFT, **changes: object
) -> ExportItem:
    values: dict[str, object] = {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "plan_id": "plan-1",
        "at": at,
        "platform": Platform.TELEGRAM if n % 2 else Platform.VK,
        "rubric": "Обучение",
        "topic": f"Тема номер {n}",
        "goal": "узнаваемость",
        "copy_brief": "Три шага, без жаргона",
        "design_brief": "Воронка крупным планом",
        "event": None,
        "review_state": state,
        "version": 1,
        "updated_at": STAMP,
    }
    values.update(changes)
    return ExportItem(**values)  # type: ignore[arg-type]


PLAN = ExportPlan(
    id="plan-1",
    brand_id="b",
    brand_name="Зерно и Пламя",
    brand_slug="zerno",
    starts_on=date(2025, 6, 2),
    days=14,
    timezone=ZONE,
    review_state=ReviewState.IN_REVIEW,
)


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


# --- CSV --------------------------------------------------------------------------------------


def test_a_row_holds_the_parts_the_published_text_and_the_schedule() -> None:
    at = datetime(2025, 6, 2, 5, 0, tzinfo=UTC)  # 10:00 in Yekaterinburg
    scheduled = ExportRow(draft(1), item(1, at, ReviewState.APPROVED), ZONE)
    loose = ExportRow(draft(2, platform=Platform.X, language="en"))
    text = drafts_csv([scheduled, loose])
    assert text.startswith("scheduled_at,")
    assert "\ufeff" not in text
    assert text.endswith("\r\n")
    first, second = read_csv(text)
    assert list(first) == list(CSV_COLUMNS)
    assert first["scheduled_at"] == "2025-06-02T10:00:00+05:00"
    assert datetime.fromisoformat(first["scheduled_at"]) == at
    assert first["hashtags"] == "#зерноипламя #кофе"
    published = post_text(
        PostDraft(
            headline="Эфиопия в воронке",
            body="Первый абзац.\n\nВторой, с запятой; и точкой с запятой.",
            call_to_action="Приходите на дегустацию",
            hashtags=["зерноипламя", "#кофе"],
        )
    )
    assert first["text"] == published
    assert first["text"].endswith("#зерноипламя #кофе")
    assert first["body"] == "Первый абзац.\n\nВторой, с запятой; и точкой с запятой."
    assert (first["rubric"], first["topic"]) == ("Обучение", "Тема номер 1")
    assert (first["draft_id"], first["version"]) == ("d1", "6")
    assert first["plan_item_id"] == "00000000-0000-4000-8000-000000000001"
    # A draft from no plan item: no schedule, the topic and rubric its job was asked for.
    assert (second["scheduled_at"], second["plan_item_id"]) == ("", "")
    assert (second["platform"], second["language"]) == ("x", "en")
    assert (second["rubric"], second["topic"]) == ("educational", "Как заварить эфиопский лот")


def test_the_bom_only_when_asked_for() -> None:
    text = drafts_csv([ExportRow(draft())], bom=True)
    assert text.startswith("\ufeffscheduled_at,")
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert read_csv(text)[0]["headline"] == "Эфиопия в воронке"
    assert drafts_csv([]) == ",".join(CSV_COLUMNS) + "\r\n"


def test_cells_a_spreadsheet_would_run_as_formulas_get_an_apostrophe() -> None:
    risky = draft(
        headline='=HYPERLINK("http://evil.test","жми")',
        body="+7 (343) 000-00-00",
        call_to_action="-10% сегодня",
        hashtags=(),
        topic="@channel",
    )
    tabbed = draft(2, headline="\tтаб", body="\rвозврат", call_to_action="обычный")
    first, second = read_csv(drafts_csv([ExportRow(risky), ExportRow(tabbed)]))
    assert first["headline"] == '\'=HYPERLINK("http://evil.test","жми")'
    assert first["body"] == "'+7 (343) 000-00-00"
    assert first["call_to_action"] == "'-10% сегодня"
    assert first["topic"] == "'@channel"
    assert first["text"].startswith("'=HYPERLINK")  # the published text starts with the headline
    assert first["hashtags"] == ""
    assert second["headline"] == "'\tтаб"
    assert second["body"].startswith("'")
    assert second["call_to_action"] == "обычный"
    assert first["version"] == "6"
    assert first["draft_id"] == "d1"


# --- iCalendar --------------------------------------------------------------------------------


def test_text_values_escape_backslash_semicolon_comma_and_line_breaks() -> None:
    raw = "a\\b;c,d\ne\r\nf\rg"
    assert escape_text(raw) == "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    assert unescape(escape_text(raw)) == "a\\b;c,d\ne\nf\ng"
    assert escape_text("без\x00нуля\x1b") == "безнуля"
    assert escape_text("таб\tостаётся") == "таб\tостаётся"


def test_a_long_line_of_cyrillic_hebrew_and_emoji_folds_at_75_octets() -> None:
    value = "Кофе, который помнит; " * 6 + "שלום עולם, קפה " * 4 + "☕👩‍💻🇷🇺é" * 8
    line = "SUMMARY:" + escape_text(value)
    folded = fold(line).encode("utf-8")
    physical = physical_lines(folded + b"\r\n")
    assert len(physical) > 5
    assert all(p.startswith(b" ") for p in physical[1:])
    # Each piece is as long as it may be: the next character would not have fitted.
    text_pieces = [p.decode("utf-8") for p in physical]
    for n, piece in enumerate(text_pieces[:-1]):
        nxt = text_pieces[n + 1][1]  # after the continuation's space
        assert len(piece.encode()) + len(nxt.encode()) > 75, (n, piece)
    assert any(len(p) == 75 for p in physical)
    assert any(len(p) < 75 for p in physical[:-1]), "some fold fell before a multi-byte char"
    assert unfold(physical) == [line]
    assert unescape(unfold(physical)[0].removeprefix("SUMMARY:")) == value
    assert fold("SHORT:ok") == "SHORT:ok"
    exactly = "X:" + "a" * 73
    assert fold(exactly) == exactly
    assert fold(exactly + "b") == exactly + "\r\n b"


def test_a_plan_round_trips_through_a_calendar_reader() -> None:
    first = datetime(2025, 6, 2, 4, 0, tzinfo=UTC)
    items = [
        item(1, first, ReviewState.APPROVED, rubric="Обучение, кофе; зерно", version=3),
        item(2, first + timedelta(days=1, hours=5), ReviewState.IN_REVIEW),
        item(3, first + timedelta(days=3), ReviewState.DRAFT, event="Запуск лота"),
        item(4, first + timedelta(days=6, minutes=30), ReviewState.REJECTED),
        item(5, first + timedelta(days=13), ReviewState.CHANGES_REQUESTED, topic="x" * 300),
    ]
    approved = draft(1, version=6)
    data = plan_calendar(PLAN, items, {items[0].id: approved}, "Зерно и Пламя", STAMP)
    assert "\n" not in data.replace("\r\n", "")
    calendar = parse_calendar(data.encode("utf-8"))
    props = calendar.properties
    assert props["VERSION"] == "2.0"
    assert props["PRODID"].startswith("-//Postcraft//")
    assert (props["CALSCALE"], props["METHOD"]) == ("GREGORIAN", "PUBLISH")
    assert props["X-WR-CALNAME"] == "Зерно и Пламя: content plan from 2025-06-02"
    assert props["X-WR-TIMEZONE"] == ZONE
    assert len(calendar.events) == len(items)
    by_uid = {e["UID"]: e for e in calendar.events}
    assert set(by_uid) == {f"{i.id}@postcraft" for i in items}
    for one in items:
        event = by_uid[f"{one.id}@postcraft"]
        assert event["DTSTART"] == zulu(one.at)
        assert datetime.strptime(event["DTSTART"], "%Y%m%dT%H%M%S%z") == one.at
        assert event["DTSTAMP"] == "20250601T083000Z"
        assert event["DURATION"] == "PT30M"
        assert event["SUMMARY"] == f"[{one.platform.value}] {one.rubric}: {one.topic}"
        assert event["CATEGORIES"] == one.rubric
        assert f"Copy brief: {one.copy_brief}" in event["DESCRIPTION"]
        assert f"Design brief: {one.design_brief}" in event["DESCRIPTION"]
    statuses = [by_uid[f"{i.id}@postcraft"]["STATUS"] for i in items]
    assert statuses == ["CONFIRMED", "TENTATIVE", "TENTATIVE", "CANCELLED", "TENTATIVE"]
    confirmed = by_uid[f"{items[0].id}@postcraft"]
    assert confirmed["DESCRIPTION"].endswith("\n" + approved.text)
    assert "Первый абзац.\n\nВторой, с запятой; и точкой с запятой." in confirmed["DESCRIPTION"]
    assert confirmed["SEQUENCE"] == str(3 - 1 + 6)
    assert "Approved post" not in by_uid[f"{items[1].id}@postcraft"]["DESCRIPTION"]
    assert "Event: Запуск лота" in by_uid[f"{items[2].id}@postcraft"]["DESCRIPTION"]


def test_an_empty_plan_is_still_a_calendar() -> None:
    calendar = parse_calendar(plan_calendar(PLAN, [], {}, "Brand", STAMP).encode())
    assert calendar.events == []
    assert calendar.properties["METHOD"] == "PUBLISH"


def test_day_bounds_are_whole_days_in_the_brand_zone() -> None:
    zone = ZoneInfo(ZONE)
    start, end = day_bounds(date(2025, 6, 2), date(2025, 6, 3), zone)
    assert start == datetime(2025, 6, 1, 19, 0, tzinfo=UTC)
    assert end == datetime(2025, 6, 3, 19, 0, tzinfo=UTC)
    assert day_bounds(None, None, zone) == (None, None)
    assert day_bounds(date.min, date.max, zone) == (None, None)
