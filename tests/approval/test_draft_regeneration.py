"""A sent-back draft written again with the manager's comment: a `redraft` job that makes the
draft's next version (checked again, its state kept), measured from for the edit distance,
refused without or at a stale version and for a final draft, and failed without a change when
the draft is edited meanwhile. The prompt carries the comment as fenced data and the current
text; the checks here are the test's own, not the product's validator."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi.testclient import TestClient

from generators.jobs import run_job
from storage.models import Draft, WebhookDelivery
from tests.approval.desk import Desk, fresh_drafts, move
from tests.approval.test_plan_review import Recording
from tests.conftest import auth

NOTE = "Короче, и расскажите про температуру воды"


def _sent_back(api: TestClient, desk: Desk) -> dict[str, Any]:
    (draft,) = fresh_drafts(api, desk, ["vk"])
    submitted = move(api, desk.writer, draft, "submit").json()
    back = move(api, desk.manager, submitted, "request_changes", NOTE)
    assert back.status_code == 200, back.text
    found: dict[str, Any] = back.json()
    return found


def _regenerate(
    api: TestClient, key: str, draft: dict[str, Any], version: int | None, **body: str
) -> Any:
    headers = {**auth(key), **({"If-Match": f'"{version}"'} if version is not None else {})}
    return api.post(f"/v1/drafts/{draft['id']}/regenerate", json=body, headers=headers)


def _text(draft: dict[str, Any]) -> str:
    return "\n".join([draft["headline"], draft["body"], draft["call_to_action"]])


def test_a_sent_back_draft_is_written_again_and_goes_back_to_review(
    api: TestClient, desk: Desk
) -> None:
    draft = _sent_back(api, desk)
    assert _regenerate(api, desk.writer, draft, None).status_code == 428
    assert _regenerate(api, desk.writer, draft, draft["version"] - 1).status_code == 412
    assert _regenerate(api, desk.outsider, draft, draft["version"]).status_code == 404

    queued = _regenerate(api, desk.writer, draft, draft["version"])  # the comment is used
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert (job["kind"], job["status"]) == ("redraft", "queued")
    recording = Recording()
    run_job(replace(desk.runtime, llm=recording), job["id"])

    done = api.get(f"/v1/jobs/{job['id']}", headers=auth(desk.writer)).json()
    assert done["status"] == "succeeded", done
    assert done["result"] == {"draft_id": draft["id"], "version": draft["version"] + 1}
    (prompt,) = recording.prompts
    assert NOTE in prompt.user
    assert draft["body"][:40] in prompt.user
    assert prompt.user.index(NOTE) > prompt.user.index("manager-comment")

    new = api.get(f"/v1/drafts/{draft['id']}", headers=auth(desk.writer)).json()
    assert done["drafts"][0]["id"] == draft["id"]
    assert new["version"] == draft["version"] + 1
    assert new["review_state"] == "changes_requested"
    assert _text(new) != _text(draft), "another phrasing (the composer cannot read a comment)"
    assert new["platform"] == "vk"
    assert len(new["body"]) <= 16384
    versions = api.get(f"/v1/drafts/{draft['id']}/versions", headers=auth(desk.writer)).json()
    assert versions[0]["version"] == new["version"]
    assert versions[0]["author"] is None

    trail = api.get(f"/v1/drafts/{draft['id']}/audit", headers=auth(desk.manager)).json()
    assert [(e["action"], e["from_state"], e["to_state"]) for e in trail][-1] == (
        "regenerate",
        "changes_requested",
        "changes_requested",
    )
    assert trail[-1]["comment"] == NOTE
    assert trail[-1]["actor_name"] == "Вера Копирайтер"

    again = move(api, desk.writer, new, "submit")
    assert again.status_code == 200, again.text
    approved = move(api, desk.manager, again.json(), "approve")
    assert approved.status_code == 200, approved.text
    with desk.runtime.sessions() as session:
        row = session.get(Draft, draft["id"])
        assert row is not None
        assert row.edit_distance == 0, "measured from the regenerated text, approved as is"
    final = _regenerate(api, desk.writer, approved.json(), approved.json()["version"])
    assert final.status_code == 409, final.text


def test_an_edit_while_the_job_runs_fails_the_job_and_changes_nothing(
    api: TestClient, desk: Desk
) -> None:
    draft = _sent_back(api, desk)
    queued = _regenerate(api, desk.writer, draft, draft["version"], guidance="Другой заход")
    assert queued.status_code == 202, queued.text
    edited = api.patch(
        f"/v1/drafts/{draft['id']}",
        json={"body": "Своя правка менеджера про воду 92 °C."},
        headers={**auth(desk.writer), "If-Match": f'"{draft["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    with desk.runtime.sessions() as session:
        deliveries_before = session.query(WebhookDelivery).count()
    run_job(desk.runtime, queued.json()["id"])

    done = api.get(f"/v1/jobs/{queued.json()['id']}", headers=auth(desk.writer)).json()
    assert done["status"] == "failed"
    assert done["error"]["code"] == "version_conflict", done
    now = api.get(f"/v1/drafts/{draft['id']}", headers=auth(desk.writer)).json()
    assert now["version"] == edited.json()["version"]
    assert now["body"] == "Своя правка менеджера про воду 92 °C."
    trail = api.get(f"/v1/drafts/{draft['id']}/audit", headers=auth(desk.manager)).json()
    assert "regenerate" not in [e["action"] for e in trail]
    with desk.runtime.sessions() as session:
        assert session.query(WebhookDelivery).count() == deliveries_before


def test_bad_regeneration_requests_are_a_clear_4xx(api: TestClient, desk: Desk) -> None:
    draft = _sent_back(api, desk)
    bodies: list[object] = [{"guidance": None}, {"guidance": "x" * 5000}, {"other": 1}, []]
    for body in bodies:
        answer = api.post(
            f"/v1/drafts/{draft['id']}/regenerate",
            json=body,
            headers={**auth(desk.writer), "If-Match": f'"{draft["version"]}"'},
        )
        assert answer.status_code == 422, (body, answer.text)
    for if_match in ("", '"abc"', '"1\x00"'):
        answer = api.post(
            f"/v1/drafts/{draft['id']}/regenerate",
            json={},
            headers={**auth(desk.writer), "If-Match": if_match},
        )
        assert answer.status_code in (412, 422, 428), (if_match, answer.text)
    unknown = api.post(
        "/v1/drafts/00000000-0000-4000-8000-000000000000/regenerate",
        json={},
        headers={**auth(desk.writer), "If-Match": '"1"'},
    )
    assert unknown.status_code == 404
