"""The approval step over HTTP: the moves, who may make them, If-Match on every move, the
compliance gate on approval, final states, bulk moves, the audit trail, scope and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from storage.models import Draft
from tests.approval.desk import Desk, fresh_drafts, move
from tests.conftest import auth


def _trail(api: TestClient, desk: Desk, draft_id: str) -> list[tuple[str, str, str, str]]:
    rows = api.get(f"/v1/drafts/{draft_id}/audit", headers=auth(desk.manager)).json()
    return [(r["actor_name"], r["action"], r["from_state"], r["to_state"]) for r in rows]


def test_the_whole_round_submit_send_back_edit_resubmit_approve(
    api: TestClient, desk: Desk
) -> None:
    draft = fresh_drafts(api, desk, ["vk"])[0]
    assert (draft["review_state"], draft["version"]) == ("draft", 1)
    submitted = move(api, desk.writer, draft, "submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.headers["ETag"] == '"2"'
    draft = submitted.json()
    assert (draft["review_state"], draft["version"]) == ("in_review", 2)

    back = move(api, desk.manager, draft, "request_changes", "Короче и без «лучший»")
    assert back.status_code == 200, back.text
    draft = back.json()
    assert draft["review_state"] == "changes_requested"
    unchanged = move(api, desk.writer, draft, "submit")
    assert unchanged.status_code == 409
    assert "edit or regenerate" in unchanged.json()["detail"]

    edited = api.patch(
        f"/v1/drafts/{draft['id']}",
        json={"headline": "Эфиопия в воронке"},
        headers={**auth(desk.writer), "If-Match": f'"{draft["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    draft = edited.json()
    assert draft["review_state"] == "changes_requested"
    draft = move(api, desk.writer, draft, "submit").json()
    assert draft["review_state"] == "in_review"
    approved = move(api, desk.manager, draft, "approve", "Отлично")
    assert approved.status_code == 200, approved.text
    draft = approved.json()
    assert (draft["review_state"], draft["version"]) == ("approved", 6)

    assert _trail(api, desk, draft["id"]) == [
        ("Вера Копирайтер", "submit", "draft", "in_review"),
        ("Мария Менеджер", "request_changes", "in_review", "changes_requested"),
        ("Вера Копирайтер", "submit", "changes_requested", "in_review"),
        ("Мария Менеджер", "approve", "in_review", "approved"),
    ]
    rows = api.get(f"/v1/drafts/{draft['id']}/audit", headers=auth(desk.manager)).json()
    assert rows[1]["comment"] == "Короче и без «лучший»"
    assert [r["version"] for r in rows] == [2, 3, 5, 6]


def test_approved_and_rejected_are_final(api: TestClient, desk: Desk) -> None:
    first, second = fresh_drafts(api, desk, ["vk", "telegram"])
    first = move(api, desk.writer, first, "submit").json()
    first = move(api, desk.manager, first, "approve").json()
    second = move(api, desk.writer, second, "submit").json()
    second = move(api, desk.manager, second, "reject", "Не наша тема").json()
    assert second["review_state"] == "rejected"
    for draft in (first, second):
        for action in ("submit", "approve", "reject", "request_changes"):
            again = move(api, desk.admin, draft, action, "ещё раз")
            assert again.status_code == 409, (draft["review_state"], action, again.text)
            assert "final" in again.json()["detail"]
        edit = api.patch(
            f"/v1/drafts/{draft['id']}",
            json={"body": "Новый текст"},
            headers={**auth(desk.writer), "If-Match": f'"{draft["version"]}"'},
        )
        assert edit.status_code == 409
        assert "final" in edit.json()["detail"]


def test_copywriters_submit_but_never_decide(api: TestClient, desk: Desk) -> None:
    draft = fresh_drafts(api, desk, ["vk"])[0]
    for action in ("approve", "reject", "request_changes"):
        refused = move(api, desk.writer, draft, action, "сам себе")
        assert refused.status_code == 403, refused.text
    draft = move(api, desk.writer, draft, "submit").json()
    for action in ("approve", "reject", "request_changes"):
        assert move(api, desk.writer, draft, action, "сам себе").status_code == 403
    assert move(api, desk.manager, draft, "approve").status_code == 200
    assert [a for _, a, _, _ in _trail(api, desk, draft["id"])] == ["submit", "approve"]


def test_every_move_needs_the_version_it_was_made_on(api: TestClient, desk: Desk) -> None:
    draft = fresh_drafts(api, desk, ["vk"])[0]
    url = f"/v1/drafts/{draft['id']}/review"
    missing = api.post(url, json={"action": "submit"}, headers=auth(desk.writer))
    assert missing.status_code == 428
    assert '"1"' in missing.json()["detail"]
    empty = api.post(url, json={"action": "submit"}, headers={**auth(desk.writer), "If-Match": ""})
    assert empty.status_code == 428
    stale = api.post(
        url, json={"action": "submit"}, headers={**auth(desk.writer), "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    assert "version 1" in stale.json()["detail"]
    weak = api.post(
        url, json={"action": "submit"}, headers={**auth(desk.writer), "If-Match": 'W/"1"'}
    )
    assert weak.status_code == 200
    assert _trail(api, desk, draft["id"]) == [("Вера Копирайтер", "submit", "draft", "in_review")]


def test_a_draft_that_fails_its_checks_cannot_be_approved(api: TestClient, desk: Desk) -> None:
    draft = fresh_drafts(api, desk, ["x"])[0]
    broken = api.patch(
        f"/v1/drafts/{draft['id']}",
        json={"body": "Очень длинный текст. " * 30},
        headers={**auth(desk.writer), "If-Match": '"1"'},
    ).json()
    assert not broken["validation"]["passed"]
    broken = move(api, desk.writer, broken, "submit").json()
    refused = move(api, desk.manager, broken, "approve")
    assert refused.status_code == 409
    assert "too_long" in refused.json()["detail"]
    assert move(api, desk.manager, broken, "request_changes", "Сократите до 280").status_code == 200
    with desk.runtime.sessions() as session:
        row = session.get(Draft, draft["id"])
        assert row is not None
        assert row.review_state == "changes_requested"


def test_a_send_back_needs_a_comment(api: TestClient, desk: Desk) -> None:
    draft = move(api, desk.writer, fresh_drafts(api, desk, ["vk"])[0], "submit").json()
    for comment in ("", "   \n "):
        refused = move(api, desk.manager, draft, "request_changes", comment)
        assert refused.status_code == 422
        assert "comment" in refused.json()["detail"]


def test_bulk_moves_each_draft_on_its_own(api: TestClient, desk: Desk) -> None:
    drafts = fresh_drafts(api, desk, ["vk", "telegram", "ok", "x"])
    submitted = [move(api, desk.writer, d, "submit").json() for d in drafts[:3]]
    items = [{"id": d["id"], "version": d["version"]} for d in submitted]
    items.append({"id": drafts[3]["id"], "version": drafts[3]["version"]})  # not submitted
    items.append({"id": submitted[0]["id"], "version": 1})  # stale, and a repeat
    other = fresh_drafts(api, desk, ["vk"])[0]
    body = {"action": "approve", "comment": "Пакетом", "items": items}
    answer = api.post(f"/v1/brands/{desk.brand}/review", json=body, headers=auth(desk.manager))
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["moved"], result["refused"]) == (3, 2)
    assert [o["moved"] for o in result["items"]] == [True, True, True, False, False]
    assert result["items"][3]["error"] == "review_not_allowed"
    assert result["items"][4]["error"] == "version_conflict"
    assert {o["review_state"] for o in result["items"][:3]} == {"approved"}
    # A draft of another brand in the list is refused as not found, not moved.
    foreign = {"action": "submit", "items": [{"id": other["id"], "version": 1}]}
    other_brand = api.post(
        f"/v1/brands/{desk.other_brand}/review", json=foreign, headers=auth(desk.admin)
    )
    assert other_brand.json()["items"][0]["error"] == "draft_not_found"
    # The role is checked for the whole request.
    by_writer = api.post(f"/v1/brands/{desk.brand}/review", json=body, headers=auth(desk.writer))
    assert by_writer.status_code == 403


def test_the_brand_trail_pages_newest_first(api: TestClient, desk: Desk) -> None:
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = api.get(
            f"/v1/brands/{desk.brand}/audit", params=params, headers=auth(desk.manager)
        ).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) >= 10
    assert len({e["id"] for e in seen}) == len(seen)
    stamps = [e["at"] for e in seen]
    assert stamps == sorted(stamps, reverse=True)
    bad = api.get(
        f"/v1/brands/{desk.brand}/audit", params={"cursor": "nope"}, headers=auth(desk.manager)
    )
    assert bad.status_code == 422


def test_another_brands_manager_sees_and_moves_nothing(api: TestClient, desk: Desk) -> None:
    draft = move(api, desk.writer, fresh_drafts(api, desk, ["vk"])[0], "submit").json()
    assert move(api, desk.outsider, draft, "approve").status_code == 404
    assert (
        api.get(f"/v1/drafts/{draft['id']}/audit", headers=auth(desk.outsider)).status_code == 404
    )
    trail = api.get(f"/v1/brands/{desk.brand}/audit", headers=auth(desk.outsider))
    assert trail.status_code == 404
    body = {"action": "approve", "items": [{"id": draft["id"], "version": draft["version"]}]}
    bulk = api.post(f"/v1/brands/{desk.brand}/review", json=body, headers=auth(desk.outsider))
    assert bulk.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"action": "approve", "comment": "a\x00b"},
        {"action": None},
        {"action": "publish"},
        {"action": "approve", "comment": None},
        {"action": "approve", "comment": "x" * 4001},
        {"action": "approve", "extra": 1},
        [],
        "approve",
    ],
)
def test_bad_moves_are_422_never_5xx(api: TestClient, desk: Desk, body: Any) -> None:
    draft = fresh_drafts(api, desk, ["vk"])[0]
    answer = api.post(
        f"/v1/drafts/{draft['id']}/review",
        json=body,
        headers={**auth(desk.writer), "If-Match": '"1"'},
    )
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    "headers",
    [
        {"If-Match": '"abc"'},
        {"If-Match": '"1", "2"'},
        {"If-Match": "1" * 12},
        {"Authorization": ""},
    ],
)
def test_bad_headers_are_4xx(api: TestClient, desk: Desk, headers: dict[str, str]) -> None:
    draft = fresh_drafts(api, desk, ["vk"])[0]
    url = f"/v1/drafts/{draft['id']}/review"
    answer = api.post(url, json={"action": "submit"}, headers={**auth(desk.writer), **headers})
    assert answer.status_code in (401, 422), answer.text
