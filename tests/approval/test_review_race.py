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
