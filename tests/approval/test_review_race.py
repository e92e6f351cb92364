"""Two managers on one draft at once, over real sockets and threads, on SQLite and on
PostgreSQL: exactly one move lands, the other gets 412, and the trail holds one row for it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from generators.runtime import Runtime
from tests.api.live import BOTH_DATABASES, runtime_either, serving  # noqa: F401 - `runtime`
from tests.approval.desk import Desk, fresh_drafts, make_desk, move
from tests.conftest import auth


@pytest.fixture
def desk(runtime: Runtime) -> Desk:
    return make_desk(runtime)


@pytest.fixture
def api(desk: Desk) -> Iterator[TestClient]:
    with TestClient(create_app(desk.runtime.settings, desk.runtime)) as client:
        yield client


def _race(url: str, requests: list[tuple[str, dict[str, Any], dict[str, str]]]) -> list[int]:
    async def all_at_once() -> list[int]:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            answers = await asyncio.gather(
                *(client.post(path, json=body, headers=headers) for path, body, headers in requests)
            )
        return [a.status_code for a in answers]

    return asyncio.run(all_at_once())


@BOTH_DATABASES
def test_two_managers_approving_at_once_one_wins(api: TestClient, desk: Desk) -> None:
    drafts = [
        move(api, desk.writer, d, "submit").json()
        for d in fresh_drafts(api, desk, ["vk", "telegram", "ok"])
    ]
    requests = []
    for draft in drafts:
        path = f"/v1/drafts/{draft['id']}/review"
        for key, action, comment in (
            (desk.manager, "approve", ""),
            (desk.second_manager, "request_changes", "Другой заголовок"),
        ):
            headers = {**auth(key), "If-Match": f'"{draft["version"]}"'}
            requests.append((path, {"action": action, "comment": comment}, headers))
    with serving(create_app(desk.runtime.settings, desk.runtime)) as url:
        statuses = _race(url, requests)
    for i, draft in enumerate(drafts):
        pair = sorted(statuses[2 * i : 2 * i + 2])
        assert pair == [200, 412], (draft["id"], statuses)
        trail = api.get(f"/v1/drafts/{draft['id']}/audit", headers=auth(desk.manager)).json()
        assert len(trail) == 2, "one row for the move that landed, none for the refused one"
        assert trail[0]["action"] == "submit"
        now = api.get(f"/v1/drafts/{draft['id']}", headers=auth(desk.manager)).json()
        assert now["version"] == draft["version"] + 1
        assert now["review_state"] == trail[-1]["to_state"]


@BOTH_DATABASES
def test_an_edit_and_an_approval_at_once_one_wins(api: TestClient, desk: Desk) -> None:
    draft = move(api, desk.writer, fresh_drafts(api, desk, ["vk"])[0], "submit").json()
    headers = {"If-Match": f'"{draft["version"]}"'}
    with serving(create_app(desk.runtime.settings, desk.runtime)) as url:

        async def both() -> list[int]:
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                answers = await asyncio.gather(
                    client.post(
                        f"/v1/drafts/{draft['id']}/review",
                        json={"action": "approve"},
                        headers={**auth(desk.manager), **headers},
                    ),
                    client.patch(
                        f"/v1/drafts/{draft['id']}",
                        json={"headline": "Правка в последний момент"},
                        headers={**auth(desk.writer), **headers},
                    ),
                )
            return [a.status_code for a in answers]

        statuses = asyncio.run(both())
    assert sorted(statuses) == [200, 412], statuses
    now = api.get(f"/v1/drafts/{draft['id']}", headers=auth(desk.manager)).json()
    approved = statuses[0] == 200
    assert now["review_state"] == ("approved" if approved else "in_review")
    assert (now["headline"] == "Правка в последний момент") is (not approved)


@BOTH_DATABASES
def test_a_burst_of_good_and_bad_review_calls_never_answers_5xx(
    api: TestClient, desk: Desk
) -> None:
    drafts = [
        move(api, desk.writer, d, "submit").json()
        for d in fresh_drafts(api, desk, ["vk", "telegram", "ok", "x"])
    ]
    manager = auth(desk.manager)
    calls: list[tuple[str, str, Any, dict[str, str]]] = []
    for draft in drafts:
        one = f"/v1/drafts/{draft['id']}/review"
        current = {"If-Match": f'"{draft["version"]}"'}
        calls += [
            ("POST", one, {"action": "approve"}, {**manager, **current}),  # one of these lands
            ("POST", one, {"action": "reject"}, {**manager, **current}),
            ("POST", one, {"action": "approve"}, {**manager, "If-Match": '"1"'}),  # stale
            ("POST", one, {"action": "approve"}, manager),  # no If-Match: 428
            ("POST", one, {"action": "approve"}, {**manager, "If-Match": ""}),  # empty: 428
            ("POST", one, {"action": "approve", "comment": "a\x00b"}, {**manager, **current}),
            ("POST", one, {"action": None}, {**manager, **current}),
            ("POST", one, {"action": "approve", "comment": "x" * 70_000}, {**manager, **current}),
            ("POST", one, {"action": "approve"}, {"Authorization": ""}),
            ("POST", one, {"action": "approve"}, auth("pc_unknown")),
            ("POST", one, {"action": "approve"}, {**auth(desk.outsider), **current}),
            ("GET", f"/v1/drafts/{draft['id']}/audit", None, manager),
        ]
    bulk = {
        "action": "approve",
        "items": [{"id": d["id"], "version": d["version"]} for d in drafts],
    }
    calls += [("POST", f"/v1/brands/{desk.brand}/review", bulk, manager)] * 3
    calls += [("GET", f"/v1/brands/{desk.brand}/audit", None, manager)] * 4

    async def burst(url: str) -> list[int]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            answers = await asyncio.gather(
                *(client.request(m, path, json=body, headers=h) for m, path, body, h in calls)
            )
        return [a.status_code for a in answers]

    with serving(create_app(desk.runtime.settings, desk.runtime)) as url:
        statuses = asyncio.run(burst(url))
    assert all(s < 500 for s in statuses), sorted(set(statuses))
    assert {401, 404, 412, 422, 428} <= set(statuses)
    for draft in drafts:  # exactly one decision landed per draft, and the trail says which
        trail = api.get(f"/v1/drafts/{draft['id']}/audit", headers=manager).json()
        assert [e["action"] for e in trail][:1] == ["submit"]
        assert len(trail) == 2, trail
        now = api.get(f"/v1/drafts/{draft['id']}", headers=manager).json()
        assert now["review_state"] == trail[1]["to_state"]
        assert now["version"] == draft["version"] + 1
