"""The review page over plain HTTP (the browser tests are in test_review_browser.py): sign-in
by key and by one-time link, the cookie's flags, CSRF on every form, brand scope, text shown
as text, both languages, and bad input answered with a page, never a 5xx."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.web.i18n import MESSAGES
from api.web.links import login_link
from generators.jobs import run_job
from storage.access import authenticate
from tests.approval.desk import Desk, fresh_drafts
from tests.approval.test_plan_review import new_plan
from tests.web.signin import csrf_of, sign_in


@pytest.fixture
def browser_client(desk: Desk) -> TestClient:
    return TestClient(create_app(desk.runtime.settings, desk.runtime))


def test_both_languages_have_the_same_words() -> None:
    assert MESSAGES["ru"].keys() == MESSAGES["en"].keys()


def test_signing_in_with_a_key_sets_an_httponly_lax_cookie(
    browser_client: TestClient, desk: Desk
) -> None:
    assert browser_client.get("/app", follow_redirects=False).status_code == 303
    form = browser_client.get("/app/login")
    answer = browser_client.post(
        "/app/login",
        data={"api_key": desk.manager, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "postcraft_session=ps_" in cookie
    home = browser_client.get("/app")
    assert home.status_code == 200
    assert "Content-Security-Policy" in home.headers
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]


def test_a_wrong_key_and_a_missing_token_are_refused(
    browser_client: TestClient, desk: Desk
) -> None:
    form = browser_client.get("/app/login")
    wrong = browser_client.post(
        "/app/login", data={"api_key": "pc_nope", "csrf_token": csrf_of(form.text)}
    )
    assert wrong.status_code == 401
    assert "postcraft keys create" in wrong.text
    no_token = browser_client.post("/app/login", data={"api_key": desk.manager})
    assert no_token.status_code == 403


def test_a_login_link_works_once(browser_client: TestClient, desk: Desk) -> None:
    with desk.runtime.sessions() as session:
        key_id = authenticate(session, desk.manager).api_key_id
    link = login_link(desk.runtime, key_id, "http://testserver")
    path = link.removeprefix("http://testserver")
    first = browser_client.get(path, follow_redirects=False)
    assert first.status_code == 303
    assert "postcraft_session=" in first.headers["set-cookie"]
    again = TestClient(browser_client.app).get(path, follow_redirects=False)
    assert again.status_code == 401
    assert "postcraft login-link" in again.text


def test_every_form_needs_the_sessions_csrf_token(browser_client: TestClient, desk: Desk) -> None:
    csrf = sign_in(browser_client, desk.manager)
    (draft,) = _draft(desk)
    target = f"/app/drafts/{draft['id']}/review"
    body = {"action": "submit", "version": str(draft["version"])}
    assert browser_client.post(target, data=body).status_code == 403
    assert browser_client.post(target, data={**body, "csrf_token": "x" * 40}).status_code == 403
    done = browser_client.post(target, data={**body, "csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303, done.text


def _draft(desk: Desk) -> list[dict[str, Any]]:
    with TestClient(create_app(desk.runtime.settings, desk.runtime)) as api:
        return fresh_drafts(api, desk, ["vk"])


def test_a_draft_with_markup_is_shown_as_text(browser_client: TestClient, desk: Desk) -> None:
    (draft,) = _draft(desk)
    with TestClient(create_app(desk.runtime.settings, desk.runtime)) as api:
        edited = api.patch(
            f"/v1/drafts/{draft['id']}",
            json={"body": '<script>alert("x")</script><b onclick="x()">жирный</b> & «кавычки»'},
            headers={"Authorization": f"Bearer {desk.writer}", "If-Match": f'"{draft["version"]}"'},
        )
        assert edited.status_code == 200, edited.text
    sign_in(browser_client, desk.manager)
    html = browser_client.get(f"/app/drafts/{draft['id']}").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<b onclick" not in html


def test_the_image_card_for_the_signed_in_browser(browser_client: TestClient, desk: Desk) -> None:
    (draft,) = _draft(desk)
    sign_in(browser_client, desk.manager)
    card = browser_client.get(f"/app/drafts/{draft['id']}/card.png")
    assert card.status_code == 200
    assert card.headers["content-type"] == "image/png"
    assert card.content.startswith(b"\x89PNG")
    page = browser_client.get(f"/app/drafts/{draft['id']}").text
    assert f'src="/app/drafts/{draft["id"]}/card.png"' in page


def test_a_key_of_one_brand_sees_nothing_of_another(browser_client: TestClient, desk: Desk) -> None:
    (draft,) = _draft(desk)
    sign_in(browser_client, desk.outsider)
    home = browser_client.get("/app").text
    assert "Зерно" not in home
    assert draft["id"] not in home
    assert browser_client.get(f"/app/drafts/{draft['id']}").status_code == 404
    assert browser_client.get(f"/app/drafts/{draft['id']}/card.png").status_code == 404


def test_the_plan_page_in_both_languages(
    browser_client: TestClient, desk: Desk, api: TestClient
) -> None:
    plan = new_plan(api, desk)
    sign_in(browser_client, desk.manager)
    ru = browser_client.get(
        f"/app/plans/{plan['id']}", headers={"Accept-Language": "ru-RU,ru;q=0.9"}
    )
    assert ru.status_code == 200, ru.text
    assert "Доли рубрик" in ru.text
    assert ru.text.count('class="item"') == len(plan["plan_items"])
    browser_client.get("/app/lang/en?next=/app", follow_redirects=False)
    browser_client.cookies.set("lang", "en")
    en = browser_client.get(f"/app/plans/{plan['id']}?view=month")
    assert "Rubric shares" in en.text
    assert re.search(r'<html lang="en">', en.text)


@pytest.mark.parametrize(
    "path",
    [
        "/app/drafts/not-a-uuid",
        "/app/plans/00000000-0000-4000-8000-000000000000",
        "/app/plans/00000000-0000-4000-8000-000000000000?view=year",
        "/app/drafts/00000000-0000-4000-8000-000000000000?job=%00",
        "/app/lang/xx?next=//evil.example",
        "/app/login/%00",
        "/app/login/" + "x" * 300,
    ],
)
def test_bad_input_is_a_page_never_a_5xx(browser_client: TestClient, desk: Desk, path: str) -> None:
    sign_in(browser_client, desk.manager)
    answer = browser_client.get(path, follow_redirects=False)
    assert answer.status_code < 500, answer.text
    if answer.status_code == 303:
        assert not answer.headers["location"].startswith("//")


def test_bad_form_input_is_a_4xx_page(browser_client: TestClient, desk: Desk) -> None:
    csrf = sign_in(browser_client, desk.manager)
    (draft,) = _draft(desk)
    target = f"/app/drafts/{draft['id']}/review"
    for data in (
        {"action": "submit", "version": "1", "comment": "a\x00b"},
        {"action": "fly", "version": "1"},
        {"action": "submit", "version": "-3"},
        {"action": "submit", "version": "9" * 30},
        {"action": "submit"},
    ):
        answer = browser_client.post(target, data={**data, "csrf_token": csrf})
        assert 400 <= answer.status_code < 500, (data, answer.text)
        assert answer.headers["content-type"].startswith("text/html")
    bulk = browser_client.post(
        "/app/plans/00000000-0000-4000-8000-000000000000/items/review",
        data={"action": "approve", "item": "nonsense", "csrf_token": csrf},
    )
    assert 400 <= bulk.status_code < 500


def test_two_managers_approving_one_draft_at_once(desk: Desk) -> None:
    (draft,) = _draft(desk)
    with TestClient(create_app(desk.runtime.settings, desk.runtime)) as api:
        submitted = api.post(
            f"/v1/drafts/{draft['id']}/review",
            json={"action": "submit"},
            headers={"Authorization": f"Bearer {desk.writer}", "If-Match": f'"{draft["version"]}"'},
        ).json()
    clients = [TestClient(create_app(desk.runtime.settings, desk.runtime)) for _ in range(2)]
    tokens = [
        sign_in(c, k) for c, k in zip(clients, (desk.manager, desk.second_manager), strict=True)
    ]
    answers: list[int] = []

    def approve(n: int) -> None:
        answer = clients[n].post(
            f"/app/drafts/{draft['id']}/review",
            data={"action": "approve", "version": submitted["version"], "csrf_token": tokens[n]},
            follow_redirects=False,
        )
        answers.append(answer.status_code)

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [303, 409], answers


def test_the_learning_page_shows_the_weeks_approvals(
    browser_client: TestClient, desk: Desk
) -> None:
    (draft,) = _draft(desk)
    csrf = sign_in(browser_client, desk.manager)
    for action, version in (("submit", draft["version"]), ("approve", draft["version"] + 1)):
        moved = browser_client.post(
            f"/app/drafts/{draft['id']}/review",
            data={"action": action, "version": version, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert moved.status_code == 303, moved.text
    page = browser_client.get(
        f"/app/brands/{desk.brand}/learning", headers={"Accept-Language": "en"}
    )
    assert page.status_code == 200
    assert "<polyline" in page.text
    assert re.search(r"<td>\d{4}-\d{2}-\d{2}</td><td>0\.0 %</td><td>\d+</td>", page.text)
    other = browser_client.get(f"/app/brands/{desk.other_brand}/learning")
    assert other.status_code == 404  # the manager's key is for the demo brand only


def test_a_jobs_status_line_polls_until_the_job_ends(
    browser_client: TestClient, desk: Desk, api: TestClient
) -> None:
    job = api.post(
        f"/v1/brands/{desk.brand}/drafts",
        json={"topic": "Кемекс дома", "platforms": ["vk"]},
        headers={"Authorization": f"Bearer {desk.writer}"},
    ).json()
    sign_in(browser_client, desk.manager)
    queued = browser_client.get(f"/app/jobs/{job['id']}/status")
    assert queued.status_code == 200
    assert 'data-status="queued"' in queued.text
    assert "hx-get" in queued.text
    run_job(desk.runtime, job["id"])
    done = browser_client.get(f"/app/jobs/{job['id']}/status")
    assert 'data-status="succeeded"' in done.text
    assert "hx-get" not in done.text, "a finished job is not polled again"
    sign_in(browser_client, desk.outsider)
    assert browser_client.get(f"/app/jobs/{job['id']}/status").status_code == 404
