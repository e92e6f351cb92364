"""A manager's content-plan round over the API, as the issue tells it: a two-week plan for the
Russian demo brand, two items sent back with comments, one regenerated, the rest approved in
bulk; the draft jobs the approvals queued write drafts that arrive in review; those are
approved; and every move is in the audit trail. Then what approvals taught the brand, roles,
If-Match, scope, a rejected plan, the whole plan approved at once, and bad input."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from generators.jobs import run_job
from generators.llm.offline import OfflineComposer
from generators.llm.port import Completion, Prompt
from prompts.render import PLATFORM_HEADER
from storage.models import Draft
from tests.approval.desk import Desk
from tests.conftest import auth

T = TypeVar("T", bound=BaseModel)
REQUEST = {
    "cadence": [
        {"platform": "vk", "posts_per_week": 3},
        {"platform": "telegram", "posts_per_week": 3},
    ],
    "goals": ["узнаваемость кофейни"],
    "days": 14,
}


def new_plan(api: TestClient, desk: Desk, key: str | None = None) -> dict[str, Any]:
    """A plan made by a plan job run here, as the API shows it."""
    job = api.post(
        f"/v1/brands/{desk.brand}/plans", json=REQUEST, headers=auth(key or desk.manager)
    )
    assert job.status_code == 202, job.text
    run_job(desk.runtime, job.json()["id"])
    done = api.get(f"/v1/jobs/{job.json()['id']}", headers=auth(desk.manager)).json()
    assert done["status"] == "succeeded", done
    plan = api.get(f"/v1/plans/{done['result']['plan_id']}", headers=auth(desk.manager))
    assert plan.status_code == 200, plan.text
    assert plan.headers["ETag"] == f'"{plan.json()["version"]}"'
    found: dict[str, Any] = plan.json()
    return found


def moved(
    api: TestClient, key: str, path: str, version: int, action: str, comment: str = ""
) -> Any:
    return api.post(
        path,
        json={"action": action, "comment": comment},
        headers={**auth(key), "If-Match": f'"{version}"'},
    )


def reread(api: TestClient, desk: Desk, plan_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.get(f"/v1/plans/{plan_id}", headers=auth(desk.manager)).json()
    return found


def test_the_managers_round_from_plan_to_approved_drafts(api: TestClient, desk: Desk) -> None:
    plan = new_plan(api, desk)
    items = plan["plan_items"]
    assert plan["review_state"] == "draft"
    assert plan["report"]["passed"]
    assert len(items) == 12  # two weeks, 3 + 3 a week
    assert {i["review_state"] for i in items} == {"draft"}

    submitted = moved(
        api, desk.manager, f"/v1/plans/{plan['id']}/review", plan["version"], "submit"
    )
    assert submitted.status_code == 200, submitted.text
    plan = submitted.json()
    assert plan["review_state"] == "in_review"
    assert {i["review_state"] for i in plan["plan_items"]} == {"in_review"}

    first, second = plan["plan_items"][0], plan["plan_items"][1]
    for item, note in ((first, "Тема слишком общая: про обжарку"), (second, "Без скидок")):
        back = moved(
            api, desk.manager, f"/v1/plan-items/{item['id']}/review", item["version"],
            "request_changes", note,
        )  # fmt: skip
        assert back.status_code == 200, back.text
        assert back.json()["review_state"] == "changes_requested"

    rest = [i for i in plan["plan_items"] if i["id"] not in (first["id"], second["id"])]
    bulk = api.post(
        f"/v1/plans/{plan['id']}/items/review",
        json={
            "action": "approve",
            "items": [{"id": i["id"], "version": i["version"]} for i in rest],
        },
        headers=auth(desk.manager),
    )
    assert bulk.status_code == 200, bulk.text
    assert (bulk.json()["moved"], bulk.json()["refused"]) == (10, 0)

    plan = reread(api, desk, plan["id"])
    approved = [i for i in plan["plan_items"] if i["review_state"] == "approved"]
    assert len(approved) == 10
    assert all(i["draft_job_id"] for i in approved)
    assert all(i["drafts"] == [] for i in approved)  # no worker ran their jobs yet
    for item in approved:
        run_job(desk.runtime, item["draft_job_id"])
    plan = reread(api, desk, plan["id"])
    drafts = [d for i in plan["plan_items"] for d in i["drafts"]]
    assert len(drafts) == 10
    assert {d["review_state"] for d in drafts} == {"in_review"}
    by_item = {i["id"]: i for i in plan["plan_items"]}
    for item in approved:
        (draft,) = by_item[item["id"]]["drafts"]
        assert draft["platform"] == item["platform"]

    ready = []
    for draft in drafts:
        full = api.get(f"/v1/drafts/{draft['id']}", headers=auth(desk.manager)).json()
        if full["validation"]["passed"]:
            ready.append({"id": draft["id"], "version": full["version"]})
    assert ready, "the offline composer's drafts should pass their checks"
    approve = api.post(
        f"/v1/brands/{desk.brand}/review",
        json={"action": "approve", "items": ready},
        headers=auth(desk.manager),
    )
    assert approve.status_code == 200, approve.text
    assert approve.json()["moved"] == len(ready)

    learned = api.get(f"/v1/brands/{desk.brand}/learning", headers=auth(desk.manager)).json()
    counted = sum(p["approved"] for p in learned["platforms"])
    assert counted == len(ready)
    assert all(p["unedited"] == p["approved"] for p in learned["platforms"])  # nobody edited
    assert learned["approved_examples"] >= 1
    assert learned["guidance"][:2] == ["Без скидок", "Тема слишком общая: про обжарку"]

    trail = api.get(f"/v1/brands/{desk.brand}/audit?limit=200", headers=auth(desk.manager)).json()
    moves = [(e["subject_kind"], e["action"], e["to_state"]) for e in trail["items"]]
    assert moves.count(("plan", "submit", "in_review")) == 1
    assert moves.count(("plan_item", "submit", "in_review")) == 12
    assert moves.count(("plan_item", "request_changes", "changes_requested")) == 2
    assert moves.count(("plan_item", "approve", "approved")) == 10
    assert moves.count(("draft", "submit", "in_review")) == 10
    assert moves.count(("draft", "approve", "approved")) == len(ready)
    submits = [
        e for e in trail["items"] if e["subject_kind"] == "draft" and e["action"] == "submit"
    ]
    assert {e["actor_name"] for e in submits} == {"Мария Менеджер"}  # who approved the item


def test_an_edited_draft_reports_its_edit_distance(api: TestClient, desk: Desk) -> None:
    plan = new_plan(api, desk)
    plan = moved(
        api, desk.manager, f"/v1/plans/{plan['id']}/review", plan["version"], "submit"
    ).json()
    item = plan["plan_items"][0]
    answer = moved(
        api, desk.manager, f"/v1/plan-items/{item['id']}/review", item["version"], "approve"
    )
    assert answer.status_code == 200, answer.text
    item = reread(api, desk, plan["id"])["plan_items"][0]
    run_job(desk.runtime, item["draft_job_id"])
    (draft,) = reread(api, desk, plan["id"])["plan_items"][0]["drafts"]
    full = api.get(f"/v1/drafts/{draft['id']}", headers=auth(desk.manager)).json()
    edited = api.patch(
        f"/v1/drafts/{draft['id']}",
        json={"headline": full["headline"] + " — и точка"},
        headers={**auth(desk.writer), "If-Match": f'"{full["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    done = moved(
        api, desk.manager, f"/v1/drafts/{draft['id']}/review", edited.json()["version"], "approve"
    )
    assert done.status_code == 200, done.text
    learned = api.get(f"/v1/brands/{desk.brand}/learning", headers=auth(desk.manager)).json()
    platform = next(p for p in learned["platforms"] if p["platform"] == draft["platform"])
    assert platform["approved"] - platform["unedited"] >= 1
    assert platform["mean_edit_distance"] > 0
    with desk.runtime.sessions() as session:
        row = session.get(Draft, draft["id"])
        assert row is not None
        assert row.edit_distance == len(" — и точка")  # appended: one insertion per character
        approved_text = done.json()["text"]
        assert row.edit_ratio == round(len(" — и точка") / len(approved_text), 4)


def test_approving_the_whole_plan_approves_its_items_in_review(api: TestClient, desk: Desk) -> None:
    plan = new_plan(api, desk)
    plan = moved(
        api, desk.manager, f"/v1/plans/{plan['id']}/review", plan["version"], "submit"
    ).json()
    item = plan["plan_items"][3]
    back = moved(
        api,
        desk.manager,
        f"/v1/plan-items/{item['id']}/review",
        item["version"],
        "request_changes",
        "Другую тему",
    )
    assert back.status_code == 200
    plan = reread(api, desk, plan["id"])
    done = moved(api, desk.manager, f"/v1/plans/{plan['id']}/review", plan["version"], "approve")
    assert done.status_code == 200, done.text
    states = [i["review_state"] for i in done.json()["plan_items"]]
    assert states.count("approved") == 11
    assert states.count("changes_requested") == 1
    jobs = [i["draft_job_id"] for i in done.json()["plan_items"] if i["review_state"] == "approved"]
    assert all(jobs)
    for job_id in jobs:  # as a worker would (the brand's quota counts them meanwhile)
        run_job(desk.runtime, job_id)


def test_roles_versions_scope_and_a_rejected_plan(api: TestClient, desk: Desk) -> None:
    plan = new_plan(api, desk)
    path = f"/v1/plans/{plan['id']}/review"
    assert moved(api, desk.writer, path, plan["version"], "submit").status_code == 200
    plan = reread(api, desk, plan["id"])
    item = plan["plan_items"][0]
    item_path = f"/v1/plan-items/{item['id']}/review"
    assert moved(api, desk.writer, item_path, item["version"], "approve").status_code == 403
    assert moved(api, desk.manager, item_path, item["version"] - 1, "approve").status_code == 412
    no_version = api.post(item_path, json={"action": "approve"}, headers=auth(desk.manager))
    assert no_version.status_code == 428
    assert (
        moved(api, desk.manager, item_path, item["version"], "request_changes").status_code == 422
    )
    assert moved(api, desk.outsider, item_path, item["version"], "approve").status_code == 404
    assert api.get(f"/v1/plans/{plan['id']}", headers=auth(desk.outsider)).status_code == 404
    listed = api.get(f"/v1/brands/{desk.other_brand}/plans", headers=auth(desk.outsider)).json()
    assert listed["items"] == []

    rejected = moved(api, desk.manager, path, plan["version"], "reject", "Не тот сезон")
    assert rejected.status_code == 200, rejected.text
    assert {i["review_state"] for i in rejected.json()["plan_items"]} == {"rejected"}
    again = moved(api, desk.manager, path, rejected.json()["version"], "approve")
    assert again.status_code == 409
    item = rejected.json()["plan_items"][0]
    assert moved(api, desk.manager, item_path, item["version"], "approve").status_code == 409


def test_a_brands_plans_are_listed_newest_first_a_page_at_a_time(
    api: TestClient, desk: Desk
) -> None:
    new_plan(api, desk)
    first = api.get(f"/v1/brands/{desk.brand}/plans?limit=1", headers=auth(desk.writer)).json()
    assert len(first["items"]) == 1
    assert first["next_cursor"]
    more = api.get(
        f"/v1/brands/{desk.brand}/plans?limit=100&cursor={first['next_cursor']}",
        headers=auth(desk.writer),
    ).json()
    assert first["items"][0]["id"] not in {p["id"] for p in more["items"]}
    assert all(sum(p["items"].values()) == 12 for p in first["items"] + more["items"])


@pytest.mark.parametrize(
    ("path", "body", "headers"),
    [
        ("/v1/plans/not-a-uuid/review", {"action": "approve"}, {"If-Match": '"1"'}),
        ("/v1/plans/{plan}/review", {"action": "fly"}, {"If-Match": '"1"'}),
        ("/v1/plans/{plan}/review", {"action": "approve", "comment": "x\x00"}, {"If-Match": ""}),
        ("/v1/plans/{plan}/review", None, {"If-Match": '"1"'}),
        ("/v1/plans/{plan}/items/review", {"action": "approve", "items": []}, {}),
        ("/v1/plans/{plan}/items/review", {"action": "approve", "items": [None]}, {}),
        ("/v1/brands/{brand}/plans", {"cadence": []}, {}),
        ("/v1/brands/{brand}/plans", {"cadence": [{"platform": "vk", "posts_per_week": 0}]}, {}),
        ("/v1/brands/{brand}/plans", {"cadence": None}, {}),
    ],
)
def test_bad_input_is_a_clear_4xx(
    api: TestClient, desk: Desk, path: str, body: Any, headers: dict[str, str]
) -> None:
    plan = api.get(f"/v1/brands/{desk.brand}/plans", headers=auth(desk.manager)).json()["items"]
    plan_id = plan[0]["id"] if plan else "00000000-0000-0000-0000-000000000000"
    url = path.format(plan=plan_id, brand=desk.brand)
    answer = api.post(url, json=body, headers={**auth(desk.manager), **headers})
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["error"]


def test_a_sent_back_item_is_regenerated_with_the_comment_and_goes_back_to_review(
    api: TestClient, desk: Desk
) -> None:
    plan = new_plan(api, desk)
    plan_path = f"/v1/plans/{plan['id']}/review"
    plan = moved(api, desk.manager, plan_path, plan["version"], "submit").json()
    item, other = plan["plan_items"][2], plan["plan_items"][5]
    path = f"/v1/plan-items/{item['id']}"
    note = "Про холодное заваривание летом"
    item = moved(
        api, desk.manager, f"{path}/review", item["version"], "request_changes", note
    ).json()
    assert moved(api, desk.writer, f"{path}/review", item["version"], "submit").status_code == 409

    bare = api.post(f"{path}/regenerate", json={}, headers=auth(desk.writer))
    assert bare.status_code == 428
    stale = api.post(
        f"{path}/regenerate", json={}, headers={**auth(desk.writer), "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    outsider = api.post(
        f"{path}/regenerate",
        json={},
        headers={**auth(desk.outsider), "If-Match": f'"{item["version"]}"'},
    )
    assert outsider.status_code == 404

    redone = api.post(
        f"{path}/regenerate",
        json={},  # no guidance: the send-back comment is used
        headers={**auth(desk.writer), "If-Match": f'"{item["version"]}"'},
    )
    assert redone.status_code == 200, redone.text
    new = redone.json()
    assert new["topic"] != item["topic"]
    assert (new["at"], new["platform"], new["rubric"]) == (
        item["at"],
        item["platform"],
        item["rubric"],
    )
    assert note in new["copy_brief"]
    assert new["version"] == item["version"] + 1
    assert redone.headers["ETag"] == f'"{new["version"]}"'
    others = {
        i["topic"] for i in reread(api, desk, plan["id"])["plan_items"] if i["id"] != item["id"]
    }
    assert new["topic"] not in others
    assert reread(api, desk, plan["id"])["version"] == plan["version"] + 1  # the plan changed

    back = moved(api, desk.writer, f"{path}/review", new["version"], "submit")
    assert back.status_code == 200, back.text
    assert back.json()["review_state"] == "in_review"
    trail = api.get(f"{path}/audit", headers=auth(desk.manager)).json()
    assert [(e["action"], e["to_state"]) for e in trail] == [
        ("submit", "in_review"),
        ("request_changes", "changes_requested"),
        ("regenerate", "changes_requested"),
        ("submit", "in_review"),
    ]
    assert trail[2]["comment"] == note

    other_path = f"/v1/plan-items/{other['id']}"
    approved = moved(api, desk.manager, f"{other_path}/review", other["version"], "approve").json()
    final = api.post(
        f"{other_path}/regenerate",
        json={"guidance": "иначе"},
        headers={**auth(desk.writer), "If-Match": f'"{approved["version"]}"'},
    )
    assert final.status_code == 409
    run_job(desk.runtime, approved["draft_job_id"])


class Recording:
    """The offline composer, keeping every prompt it was given."""

    def __init__(self) -> None:
        self.inner = OfflineComposer()
        self.prompts: list[Prompt] = []
        self.generator, self.model = self.inner.generator, self.inner.model
        self.can_revise, self.billed = self.inner.can_revise, self.inner.billed

    def complete(self, prompt: Prompt, output: type[T]) -> Completion[T]:
        self.prompts.append(prompt)
        return self.inner.complete(prompt, output)


def test_a_send_back_comment_reaches_the_brands_next_draft_prompt(
    api: TestClient, desk: Desk
) -> None:
    plan = new_plan(api, desk)
    plan = moved(
        api, desk.manager, f"/v1/plans/{plan['id']}/review", plan["version"], "submit"
    ).json()
    back, ahead = plan["plan_items"][0], plan["plan_items"][1]
    note = "Пишите про воду для заваривания, а не про скидки"
    path = f"/v1/plan-items/{back['id']}/review"
    assert (
        moved(api, desk.manager, path, back["version"], "request_changes", note).status_code == 200
    )
    path = f"/v1/plan-items/{ahead['id']}/review"
    job_id = moved(api, desk.manager, path, ahead["version"], "approve").json()["draft_job_id"]
    recording = Recording()
    run_job(replace(desk.runtime, llm=recording), job_id)
    assert recording.prompts, "the draft job asked its model"
    assert all(note in p.user for p in recording.prompts)
    assert all(p.user.index(note) < p.user.index(PLATFORM_HEADER) for p in recording.prompts)
