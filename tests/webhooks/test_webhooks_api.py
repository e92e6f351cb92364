"""The webhook routes: who may register an endpoint, the brand scope, the secret shown once,
bad URLs refused with a 422, deactivation, and the deliveries as recorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from brand_voice.brands import create_brand
from brand_voice.profile import BrandProfile
from generators.runtime import Runtime
from storage.access import create_workspace, get_or_create_user, issue_key
from storage.db import transaction
from storage.enums import Role
from tests.conftest import auth
from tests.webhooks.conftest import review_event
from tests.webhooks.receiver import Script, receiver
from webhooks.delivery import deliver
from webhooks.outbox import announce


@dataclass(frozen=True)
class Team:
    brand: str
    other_brand: str
    admin: str
    manager: str
    writer: str
    outsider: str  # a manager of the other brand only


@pytest.fixture
def team(runtime: Runtime) -> Team:
    with transaction(runtime.sessions) as session:
        workspace = create_workspace(session, "Agency").id
        profile = BrandProfile(language="en", platforms=[])
        brand = create_brand(session, workspace, "Brand", "brand", profile).id
        other = create_brand(session, workspace, "Other", "other", profile).id

        def key(email: str, role: Role, brands: list[str] | None) -> str:
            user = get_or_create_user(session, workspace, email, email, role)
            return issue_key(session, user, email, brands).secret

        return Team(
            brand,
            other,
            admin=key("a@x.test", Role.ADMIN, None),
            manager=key("m@x.test", Role.MANAGER, [brand]),
            writer=key("w@x.test", Role.COPYWRITER, [brand]),
            outsider=key("o@x.test", Role.MANAGER, [other]),
        )


def _create(api: TestClient, key: str, brand: str, url: str, **extra: object) -> Any:
    return api.post(f"/v1/brands/{brand}/webhooks", json={"url": url, **extra}, headers=auth(key))


def test_managers_and_admins_register_endpoints_and_see_the_secret_once(
    api: TestClient, team: Team
) -> None:
    made = _create(api, team.manager, team.brand, "https://hooks.example.com/pc", description="CRM")
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert len(body["secret"]) > 40
    assert body["active"] is True
    assert body["url"] == "https://hooks.example.com/pc"
    assert body["description"] == "CRM"
    assert body["brand_id"] == team.brand
    by_admin = _create(api, team.admin, team.brand, "http://10.0.0.5:8080/in?x=1")
    assert by_admin.status_code == 201, by_admin.text
    assert by_admin.json()["secret"] != body["secret"]

    for key in (team.writer, team.manager, team.admin):
        listed = api.get(f"/v1/brands/{team.brand}/webhooks", headers=auth(key))
        assert listed.status_code == 200
        assert [e["id"] for e in listed.json()] == [by_admin.json()["id"], body["id"]]
        assert all("secret" not in e for e in listed.json()), "never listed"
        assert body["secret"] not in listed.text


def test_a_copywriter_may_not_register_or_delete(api: TestClient, team: Team) -> None:
    refused = _create(api, team.writer, team.brand, "https://hooks.example.com/pc")
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    made = _create(api, team.manager, team.brand, "https://hooks.example.com/pc").json()
    gone = api.delete(f"/v1/brands/{team.brand}/webhooks/{made['id']}", headers=auth(team.writer))
    assert gone.status_code == 403


def test_the_brand_scope(api: TestClient, team: Team) -> None:
    made = _create(api, team.manager, team.brand, "https://hooks.example.com/pc").json()
    assert _create(api, team.outsider, team.brand, "https://x.example.com").status_code == 404
    for path in ("", f"/{made['id']}/deliveries"):
        answer = api.get(f"/v1/brands/{team.brand}/webhooks{path}", headers=auth(team.outsider))
        assert answer.status_code == 404, path
    delete = api.delete(
        f"/v1/brands/{team.brand}/webhooks/{made['id']}", headers=auth(team.outsider)
    )
    assert delete.status_code == 404
    # The endpoint under another brand's path (the outsider's own) is not found either.
    wrong = f"/v1/brands/{team.other_brand}/webhooks/{made['id']}"
    assert api.delete(wrong, headers=auth(team.outsider)).json()["error"] == "webhook_not_found"
    assert api.get(f"{wrong}/deliveries", headers=auth(team.admin)).status_code == 404
    assert api.get(f"/v1/brands/{team.other_brand}/webhooks", headers=auth(team.admin)).json() == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/x",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "hooks.example.com/x",
        "https://",
        "https://user:pass@hooks.example.com/x",
        "https://hooks.example.com/x#frag",
        "https://hooks.example.com:99999/x",
        "https://hooks example.com/x",
        "https://hooks.example.com/\u0000",
        "https://hooks.example.com/" + "a" * 2000,
        "https://крюк.рф/x",
        "",
    ],
)
def test_bad_urls_get_422(api: TestClient, team: Team, url: str) -> None:
    answer = _create(api, team.admin, team.brand, url)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"url": None},
        {"url": 5},
        {"url": "https://a.example.com", "description": None},
        {"url": "https://a.example.com", "description": "x\u0000y"},
        {"url": "https://a.example.com", "description": "x" * 501},
        {"url": "https://a.example.com", "secret": "mine"},
    ],
)
def test_bad_bodies_get_422(api: TestClient, team: Team, body: dict[str, object]) -> None:
    answer = api.post(f"/v1/brands/{team.brand}/webhooks", json=body, headers=auth(team.admin))
    assert answer.status_code == 422, answer.text


def test_delete_deactivates_and_deliveries_are_listed(
    api: TestClient, team: Team, runtime: Runtime
) -> None:
    with receiver(script=Script(statuses=[503, 200])) as hook:
        made = _create(api, team.manager, team.brand, hook.url).json()
        hook.secret = made["secret"]
        with transaction(runtime.sessions) as session:
            events = [review_event(session, team.brand) for _ in range(2)]
            ids = [announce(session, e)[0] for e in events]
        with httpx.Client() as http:
            deliver(runtime.sessions, ids[0], http)  # 503: to be retried
            deliver(runtime.sessions, ids[1], http)  # 200
    assert [r.signature_ok for r in hook.received] == [True, True]

    path = f"/v1/brands/{team.brand}/webhooks/{made['id']}"
    listed = api.get(f"{path}/deliveries", headers=auth(team.writer))
    assert listed.status_code == 200, listed.text
    rows = {d["id"]: d for d in listed.json()}
    assert [d["id"] for d in listed.json()] == [ids[1], ids[0]], "newest first"
    assert rows[ids[0]]["status"] == "pending"
    assert rows[ids[0]]["attempts"] == 1
    assert rows[ids[0]]["last_status_code"] == 503
    assert rows[ids[0]]["next_attempt_at"]
    assert rows[ids[1]]["status"] == "delivered"
    assert rows[ids[1]]["delivered_at"]
    assert rows[ids[1]]["event_id"] == events[1].id
    assert rows[ids[1]]["event_type"] == "review.approved"
    one = api.get(f"{path}/deliveries?limit=1", headers=auth(team.writer)).json()
    assert [d["id"] for d in one] == [ids[1]]
    assert api.get(f"{path}/deliveries?limit=0", headers=auth(team.writer)).status_code == 422

    gone = api.delete(path, headers=auth(team.manager))
    assert gone.status_code == 200
    assert gone.json()["active"] is False
    assert gone.json()["deactivated_at"]
    assert "secret" not in gone.json()
    assert api.delete(path, headers=auth(team.manager)).status_code == 200  # again: the same
    after = {d["id"]: d for d in api.get(f"{path}/deliveries", headers=auth(team.admin)).json()}
    assert after[ids[0]]["status"] == "failed"
    assert "deactivated" in after[ids[0]]["last_error"]
    assert after[ids[1]]["status"] == "delivered"
    with transaction(runtime.sessions) as session:
        assert announce(session, review_event(session, team.brand)) == []


def test_malformed_ids_get_422(api: TestClient, team: Team) -> None:
    for path in ("/not-a-uuid", "/not-a-uuid/deliveries"):
        method = api.delete if path == "/not-a-uuid" else api.get
        answer = method(f"/v1/brands/{team.brand}/webhooks{path}", headers=auth(team.admin))
        assert answer.status_code == 422, path
