"""Plans and their items under concurrent calls, over real sockets, on SQLite and PostgreSQL:
two managers deciding one item at once (one lands, the other 412, one draft job at most), and
a burst of good and bad calls on every plan route that never answers 5xx."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from generators.jobs import run_job
from generators.runtime import Runtime
from storage.enums import JobKind
from storage.models import Job
from tests.api.live import BOTH_DATABASES, runtime_either, serving  # noqa: F401 - `runtime`
from tests.approval.desk import Desk, make_desk
from tests.conftest import auth

REQUEST = {"cadence": [{"platform": "vk", "posts_per_week": 3}], "days": 7}


@pytest.fixture
def desk(runtime: Runtime) -> Desk:
    return make_desk(runtime)


@pytest.fixture
def api(desk: Desk) -> Iterator[TestClient]:
    with TestClient(create_app(desk.runtime.settings, desk.runtime)) as client:
        yield client


def _submitted_plan(api: TestClient, desk: Desk) -> dict[str, Any]:
    job = api.post(f"/v1/brands/{desk.brand}/plans", json=REQUEST, headers=auth(desk.manager))
    run_job(desk.runtime, job.json()["id"])
    plan_id = api.get(f"/v1/jobs/{job.json()['id']}", headers=auth(desk.manager)).json()["result"][
        "plan_id"
    ]
    plan = api.get(f"/v1/plans/{plan_id}", headers=auth(desk.manager)).json()
    submitted = api.post(
        f"/v1/plans/{plan_id}/review",
        json={"action": "submit"},
        headers={**auth(desk.manager), "If-Match": f'"{plan["version"]}"'},
    )
    assert submitted.status_code == 200, submitted.text
    found: dict[str, Any] = submitted.json()
    return found


def _draft_jobs(desk: Desk) -> int:
    with desk.runtime.sessions() as session:
        return session.scalar(select(func.count()).where(Job.kind == JobKind.DRAFT)) or 0


def _at_once(url: str, calls: list[tuple[str, str, Any, dict[str, str]]]) -> list[int]:
    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            answers = await asyncio.gather(
                *(client.request(m, path, json=body, headers=h) for m, path, body, h in calls)
            )
        return [a.status_code for a in answers]

    return asyncio.run(burst())


@BOTH_DATABASES
def test_two_managers_deciding_one_item_at_once_one_wins(api: TestClient, desk: Desk) -> None:
    items = _submitted_plan(api, desk)["plan_items"]
    calls = []
    for item in items:
        path = f"/v1/plan-items/{item['id']}/review"
        current = {"If-Match": f'"{item["version"]}"'}
        calls += [
            ("POST", path, {"action": "approve"}, {**auth(desk.manager), **current}),
            ("POST", path, {"action": "approve"}, {**auth(desk.second_manager), **current}),
        ]
    with serving(create_app(desk.runtime.settings, desk.runtime)) as url:
        statuses = _at_once(url, calls)
    for i, item in enumerate(items):
        assert sorted(statuses[2 * i : 2 * i + 2]) == [200, 412], (item["id"], statuses)
        trail = api.get(f"/v1/plan-items/{item['id']}/audit", headers=auth(desk.manager)).json()
        assert [e["action"] for e in trail] == ["submit", "approve"]
    assert _draft_jobs(desk) == len(items), "one draft job per approved item, never two"


@BOTH_DATABASES
def test_a_burst_of_good_and_bad_plan_calls_never_answers_5xx(api: TestClient, desk: Desk) -> None:
    plan = _submitted_plan(api, desk)
    items = plan["plan_items"]
    manager, writer = auth(desk.manager), auth(desk.writer)
    plan_path = f"/v1/plans/{plan['id']}"
    calls: list[tuple[str, str, Any, dict[str, str]]] = [
        ("POST", f"/v1/brands/{desk.brand}/plans", REQUEST, manager),
        ("POST", f"/v1/brands/{desk.brand}/plans", {"cadence": None}, manager),
        ("POST", f"/v1/brands/{desk.brand}/plans", {"cadence": [], "goals": ["\x00"]}, manager),
        ("POST", f"/v1/brands/{desk.brand}/plans", {"cadence": "x" * 70_000}, manager),
        ("POST", f"/v1/brands/{desk.brand}/plans", REQUEST, {"Authorization": ""}),
        ("GET", plan_path, None, manager),
        ("GET", plan_path, None, auth(desk.outsider)),
        ("GET", f"/v1/brands/{desk.brand}/plans?limit=0", None, manager),
        ("GET", f"/v1/brands/{desk.brand}/plans?cursor=%00", None, manager),
        ("POST", f"{plan_path}/review", {"action": "approve"}, manager),  # no If-Match: 428
        ("POST", f"{plan_path}/review", {"action": "approve"}, {**manager, "If-Match": ""}),
        ("POST", f"{plan_path}/review", {"action": None}, {**manager, "If-Match": '"1"'}),
    ]
    bulk = {"action": "approve", "items": [{"id": i["id"], "version": i["version"]} for i in items]}
    calls += [("POST", f"{plan_path}/items/review", bulk, manager)] * 3
    for item in items:
        one = f"/v1/plan-items/{item['id']}"
        current = {"If-Match": f'"{item["version"]}"'}
        calls += [
            ("POST", f"{one}/review", {"action": "reject"}, {**manager, **current}),
            ("POST", f"{one}/review", {"action": "approve"}, {**manager, "If-Match": '"1"'}),
            ("POST", f"{one}/review", {"action": "approve", "comment": "a\x00b"}, manager),
            ("POST", f"{one}/regenerate", {"guidance": "иначе"}, {**writer, **current}),
            ("POST", f"{one}/regenerate", {"guidance": None}, {**writer, **current}),
            ("POST", f"{one}/regenerate", {"guidance": "x" * 70_000}, {**writer, **current}),
            ("POST", f"{one}/regenerate", {}, auth("pc_unknown")),
            ("GET", f"{one}/audit", None, manager),
        ]
    with serving(create_app(desk.runtime.settings, desk.runtime)) as url:
        statuses = _at_once(url, calls)
    assert all(s < 500 for s in statuses), sorted(set(statuses))
    assert {200, 401, 404, 412, 422, 428} <= set(statuses)
    approved = 0
    for item in items:
        trail = api.get(f"/v1/plan-items/{item['id']}/audit", headers=manager).json()
        moves = [e for e in trail if e["action"] != "regenerate"]
        decided = [e for e in moves if e["action"] in ("approve", "reject")]
        assert len(decided) <= 1, trail  # one decision per item at most, whatever raced
        approved += sum(1 for e in decided if e["action"] == "approve")
    assert _draft_jobs(desk) == approved, "each approval queued one draft job"
