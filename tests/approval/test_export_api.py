"""The exports over HTTP, on a real plan (a plan job of the demo brand) whose items name the
draft jobs their approval queued: the CSV of approved drafts (schedule, filters, BOM), the
plan's calendar (items, states, the approved text), scope and bad input."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from generators.jobs import run_job
from storage.db import transaction
from storage.enums import JobKind, JobStatus, Queue, ReviewState
from storage.jobs import NewJob, create_job, find_job
from storage.models import Brand, Draft, Plan, PlanItem, utcnow
from tests.approval.desk import Desk, fresh_drafts
from tests.approval.test_exports import parse_calendar, zulu
from tests.conftest import auth

PLAN_REQUEST = {
    "cadence": [
        {"platform": "vk", "posts_per_week": 3},
        {"platform": "telegram", "posts_per_week": 3, "times": ["09:00"]},
    ]
}


@dataclass(frozen=True)
class Setup:
    """A plan of the demo brand and what its items queued."""

    plan_id: str
    timezone: str
    items: list[PlanItem]
    linked: dict[str, dict[str, Any]]  # item id -> its approved draft
    pending: tuple[str, dict[str, Any]]  # an approved item whose draft is still in draft
    rejected: str  # a rejected item
    loose: dict[str, Any]  # an approved draft from no plan


def _plan(desk: Desk) -> str:
    runtime = desk.runtime
    with runtime.sessions() as session:
        brand = session.get(Brand, desk.brand)
        assert brand is not None
        workspace = brand.workspace_id
    new = NewJob(workspace, desk.brand, None, JobKind.PLAN, Queue.BATCH, PLAN_REQUEST, None)
    job_id = create_job(runtime.sessions(), new).job.id
    run_job(runtime, job_id)
    with runtime.sessions() as session:
        job = find_job(session, job_id)
        assert job is not None
        assert job.status is JobStatus.SUCCEEDED, job.error_detail
        assert job.result is not None
        return str(job.result["plan_id"])


def _link(desk: Desk, item_id: str, draft: dict[str, Any] | None, approve_draft: bool) -> None:
    """What approving an item does (it names its draft job), and the draft's own approval."""
    with transaction(desk.runtime.sessions) as session:
        item = session.get(PlanItem, item_id)
        assert item is not None
        item.review_state = ReviewState.REJECTED if draft is None else ReviewState.APPROVED
        item.version += 1
        if draft is None:
            return
        item.draft_job_id = draft["job_id"]
        if approve_draft:
            row = session.get(Draft, draft["id"])
            assert row is not None
            row.review_state = ReviewState.APPROVED
            row.version += 1
            row.updated_at = utcnow()
            draft["version"] = row.version


@pytest.fixture(scope="module")
def setup(api: TestClient, desk: Desk) -> Setup:
    plan_id = _plan(desk)
    with desk.runtime.sessions() as session:
        items = list(
            session.scalars(
                select(PlanItem).where(PlanItem.plan_id == plan_id).order_by(PlanItem.at)
            )
        )
        plan = session.get(Plan, plan_id)
        assert plan is not None
        zone = plan.timezone
    assert len(items) >= 6
    local = ZoneInfo(zone)
    first = items[0]
    later = next(
        i for i in items if i.at.astimezone(local).date() > first.at.astimezone(local).date()
    )
    pending_item, rejected = [i for i in items if i.id not in (first.id, later.id)][:2]
    linked: dict[str, dict[str, Any]] = {}
    for one in (first, later):
        draft = fresh_drafts(api, desk, [one.platform.value])[0]
        _link(desk, one.id, draft, approve_draft=True)
        linked[one.id] = draft
    pending = fresh_drafts(api, desk, [pending_item.platform.value])[0]
    _link(desk, pending_item.id, pending, approve_draft=False)
    _link(desk, rejected.id, None, approve_draft=False)
    loose = fresh_drafts(api, desk, ["ok"])[0]
    with transaction(desk.runtime.sessions) as session:
        row = session.get(Draft, loose["id"])
        assert row is not None
        row.review_state = ReviewState.APPROVED
        row.updated_at = utcnow()
    with desk.runtime.sessions() as session:
        items = list(
            session.scalars(
                select(PlanItem).where(PlanItem.plan_id == plan_id).order_by(PlanItem.at)
            )
        )
    return Setup(plan_id, zone, items, linked, (pending_item.id, pending), rejected.id, loose)


def _csv(
    api: TestClient, desk: Desk, key: str | None = None, **params: str
) -> list[dict[str, str]]:
    got = api.get(
        f"/v1/brands/{desk.brand}/exports/drafts.csv",
        params=params,
        headers=auth(key or desk.writer),
    )
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.headers["content-disposition"] == 'attachment; filename="zerno-approved-drafts.csv"'
    return list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"), newline="")))


def test_the_csv_holds_each_approved_draft_with_its_schedule(
    api: TestClient, desk: Desk, setup: Setup
) -> None:
    rows = _csv(api, desk)
    by_draft = {r["draft_id"]: r for r in rows}
    expected = {d["id"] for d in setup.linked.values()} | {setup.loose["id"]}
    assert set(by_draft) == expected, "approved drafts only: the pending one is left out"
    items = {i.id: i for i in setup.items}
    zone = ZoneInfo(setup.timezone)
    for item_id, draft in setup.linked.items():
        row, item = by_draft[draft["id"]], items[item_id]
        assert row["plan_item_id"] == item_id
        when = datetime.fromisoformat(row["scheduled_at"])
        assert when == item.at
        assert when.utcoffset() == item.at.astimezone(zone).utcoffset()
        assert (row["rubric"], row["topic"]) == (item.rubric, item.topic)
        assert row["platform"] == item.platform.value == draft["platform"]
        assert row["text"] == draft["text"], "the text as the draft API shows it"
        assert row["headline"] == draft["headline"]
        assert row["version"] == str(draft["version"])
    loose = by_draft[setup.loose["id"]]
    assert (loose["scheduled_at"], loose["plan_item_id"]) == ("", "")
    assert loose["topic"] == "Как заварить эфиопский лот в воронке"
    # In date order: the scheduled ones by their time, the loose one (approved today) first.
    assert next(r["draft_id"] for r in rows) == setup.loose["id"]


def test_the_csv_filters_by_plan_and_by_day(api: TestClient, desk: Desk, setup: Setup) -> None:
    of_plan = _csv(api, desk, plan_id=setup.plan_id)
    assert {r["draft_id"] for r in of_plan} == {d["id"] for d in setup.linked.values()}
    first_item = next(i for i in setup.items if i.id in setup.linked)
    day = first_item.at.astimezone(ZoneInfo(setup.timezone)).date().isoformat()
    that_day = _csv(api, desk, since=day, until=day)
    assert [r["plan_item_id"] for r in that_day] == [first_item.id]
    today = datetime.now(UTC).astimezone(ZoneInfo(setup.timezone)).date().isoformat()
    assert [r["draft_id"] for r in _csv(api, desk, until=today)] == [setup.loose["id"]]
    assert _csv(api, desk, since="2030-01-02", until="2030-01-01") == []  # an empty range


def test_the_csv_for_excel_starts_with_a_bom(api: TestClient, desk: Desk, setup: Setup) -> None:
    url = f"/v1/brands/{desk.brand}/exports/drafts.csv"
    with_bom = api.get(url, params={"encoding": "utf-8-sig"}, headers=auth(desk.manager))
    plain = api.get(url, headers=auth(desk.manager))
    assert with_bom.content.startswith(b"\xef\xbb\xbfscheduled_at,")
    assert plain.content.startswith(b"scheduled_at,")
    assert with_bom.content[3:] == plain.content
    headlines = {d["headline"] for d in setup.linked.values()}
    assert headlines <= {r["headline"] for r in csv.DictReader(io.StringIO(plain.text))}


def test_the_calendar_has_every_item_but_the_rejected(
    api: TestClient, desk: Desk, setup: Setup
) -> None:
    got = api.get(f"/v1/plans/{setup.plan_id}/calendar.ics", headers=auth(desk.writer))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "text/calendar; charset=utf-8"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="zerno-plan-')
    assert ".ics" in disposition
    calendar = parse_calendar(got.content)
    assert calendar.properties["X-WR-TIMEZONE"] == setup.timezone
    assert calendar.properties["X-WR-CALNAME"].startswith("Зерно и Пламя: content plan from ")
    events = {e["UID"].removesuffix("@postcraft"): e for e in calendar.events}
    shown = [i for i in setup.items if i.id != setup.rejected]
    assert list(events) == [i.id for i in shown], "every item but the rejected, by time"
    for item in shown:
        event = events[item.id]
        assert event["DTSTART"] == zulu(item.at)
        assert event["SUMMARY"] == f"[{item.platform.value}] {item.rubric}: {item.topic}"
        assert event["CATEGORIES"] == item.rubric
        assert item.copy_brief.strip() in event["DESCRIPTION"]
        approved = item.id in setup.linked or item.id == setup.pending[0]
        assert event["STATUS"] == ("CONFIRMED" if approved else "TENTATIVE")
        if item.id in setup.linked:
            assert event["DESCRIPTION"].endswith(setup.linked[item.id]["text"])
        else:
            assert "Approved post" not in event["DESCRIPTION"]


def test_the_calendar_filters_by_state(api: TestClient, desk: Desk, setup: Setup) -> None:
    url = f"/v1/plans/{setup.plan_id}/calendar.ics"
    approved = parse_calendar(
        api.get(url, params={"state": "approved"}, headers=auth(desk.manager)).content
    )
    uids = {e["UID"].removesuffix("@postcraft") for e in approved.events}
    assert uids == {*setup.linked, setup.pending[0]}
    rejected = parse_calendar(
        api.get(url, params={"state": "rejected"}, headers=auth(desk.manager)).content
    )
    assert [(e["UID"], e["STATUS"]) for e in rejected.events] == [
        (f"{setup.rejected}@postcraft", "CANCELLED")
    ]


def test_exports_stay_inside_the_callers_brands(api: TestClient, desk: Desk, setup: Setup) -> None:
    calendar = api.get(f"/v1/plans/{setup.plan_id}/calendar.ics", headers=auth(desk.outsider))
    assert calendar.status_code == 404
    assert calendar.json()["error"] == "plan_not_found"
    drafts = api.get(f"/v1/brands/{desk.brand}/exports/drafts.csv", headers=auth(desk.outsider))
    assert drafts.status_code == 404
    assert drafts.json()["error"] == "brand_not_found"
    other_plan = api.get(
        f"/v1/brands/{desk.other_brand}/exports/drafts.csv",
        params={"plan_id": setup.plan_id},
        headers=auth(desk.admin),
    )
    assert other_plan.status_code == 404
    assert other_plan.json()["error"] == "plan_not_found"
    unknown = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/v1/plans/{unknown}/calendar.ics", headers=auth(desk.admin)).status_code == 404
    assert api.get(f"/v1/plans/{setup.plan_id}/calendar.ics").status_code == 401


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/plans/not-a-uuid/calendar.ics", {}, "path.plan_id"),
        ("/v1/plans/{plan}/calendar.ics", {"state": "published"}, "query.state"),
        ("/v1/brands/not-a-uuid/exports/drafts.csv", {}, "path.brand_id"),
        ("/v1/brands/{brand}/exports/drafts.csv", {"plan_id": "nope"}, "query.plan_id"),
        ("/v1/brands/{brand}/exports/drafts.csv", {"since": "2025-13-01"}, "query.since"),
        ("/v1/brands/{brand}/exports/drafts.csv", {"since": "0"}, "query.since"),
        ("/v1/brands/{brand}/exports/drafts.csv", {"until": "2025-06-01T00:00"}, "query.until"),
        ("/v1/brands/{brand}/exports/drafts.csv", {"until": "1.6.2025"}, "query.until"),
        ("/v1/brands/{brand}/exports/drafts.csv", {"encoding": "latin-1"}, "query.encoding"),
    ],
)
def test_bad_ids_and_dates_are_422(
    api: TestClient, desk: Desk, setup: Setup, path: str, params: dict[str, str], field: str
) -> None:
    url = path.format(plan=setup.plan_id, brand=desk.brand)
    got = api.get(url, params=params, headers=auth(desk.admin))
    assert got.status_code == 422, got.text
    assert got.json()["error"] == "invalid_request"
    assert field in [f["field"] for f in got.json()["fields"]]
