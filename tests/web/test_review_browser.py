"""The manager's round in a real browser (headless Debian chromium under Playwright), in Russian
and in English: sign in, submit a plan from its calendar, send an item back with a comment,
approve the rest in bulk, open a draft the approvals' jobs wrote, edit it into a conflict and
read what the page then shows, write it again and watch the job's status change live, approve
it, and find every move in the audit trail. Screenshots go to tests/web/browser.py's folder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from api.app import create_app
from tests.approval.desk import Desk, job_runner
from tests.approval.test_plan_review import REQUEST
from tests.conftest import auth
from tests.web.browser import launched_browser, screenshot_dir, served

# A loaded CI machine renders slower than a laptop: wait up to 20 s for what a page shows.
expect.set_options(timeout=20_000)

WORDS = {
    "ru": {
        "sign_in": "Войти",
        "submit": "Отправить на согласование",
        "send_back": "Вернуть на доработку",
        "select_all": "Выбрать все на согласовании",
        "approve_selected": "Согласовать выбранные",
        "approve": "Согласовать",
        "sent_back": "на доработке",
        "approved": "согласовано",
        "conflict": "изменил кто-то другой",
        "regenerate": "Переписать",
        "done": "готово",
        "save": "Сохранить новой версией",
        "shares": "Доли рубрик",
    },
    "en": {
        "sign_in": "Sign in",
        "submit": "Submit for review",
        "send_back": "Send back",
        "select_all": "Select all in review",
        "approve_selected": "Approve selected",
        "approve": "Approve",
        "sent_back": "changes requested",
        "approved": "approved",
        "conflict": "Someone changed this draft meanwhile",
        "regenerate": "Regenerate",
        "done": "done",
        "save": "Save as a new version",
        "shares": "Rubric shares",
    },
}


def new_plan(api: TestClient, desk: Desk) -> dict[str, Any]:
    """A plan made by a plan job that the site's worker thread runs."""
    job = api.post(f"/v1/brands/{desk.brand}/plans", json=REQUEST, headers=auth(desk.manager))
    assert job.status_code == 202, job.text
    for _ in range(12):
        done = api.get(f"/v1/jobs/{job.json()['id']}?wait=10", headers=auth(desk.manager)).json()
        if done["status"] in ("succeeded", "failed"):
            break
    assert done["status"] == "succeeded", done
    plan: dict[str, Any] = api.get(
        f"/v1/plans/{done['result']['plan_id']}", headers=auth(desk.manager)
    ).json()
    return plan


@pytest.fixture(scope="module")
def site(desk: Desk) -> Iterator[str]:
    """The API and its review page on a real server, with a worker thread for the jobs."""
    with job_runner(desk), served(create_app(desk.runtime.settings, desk.runtime)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as launched:
        yield launched


def _sign_in(page: Page, site: str, key: str, lang: str) -> None:
    page.goto(f"{site}/app")
    if lang == "en":
        page.click("text=EN")
    page.fill("input[name=api_key]", key)
    page.get_by_role("button", name=WORDS[lang]["sign_in"]).click()
    expect(page.locator("h1")).to_have_text(re.compile("Бренды|Brands"))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_managers_round_in_the_browser(
    site: str, browser: Browser, desk: Desk, api: TestClient, lang: str
) -> None:
    words = WORDS[lang]
    plan = new_plan(api, desk)
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, site, desk.manager, lang)
    page.click(f"a[href='/app/plans/{plan['id']}']")
    expect(page.get_by_text(words["shares"])).to_be_visible()
    page.get_by_role("button", name=words["submit"]).first.click()
    expect(page.locator(".item[data-state=in_review]")).to_have_count(12)
    page.screenshot(path=str(screenshot_dir() / f"plan-calendar-{lang}.png"), full_page=True)

    # One item back with a comment, from its own page.
    page.locator(".item a").first.click()
    page.fill("textarea[name=comment]", "Тема слишком общая: про обжарку")
    page.get_by_role("button", name=words["send_back"]).click()
    expect(page.locator("h1 .state")).to_have_text(words["sent_back"])
    page.click("nav.crumbs a[href^='/app/plans/']")

    # The rest in bulk from the calendar.
    page.get_by_label(words["select_all"]).check()
    page.get_by_role("button", name=words["approve_selected"]).click()
    expect(page.locator(".notice")).to_contain_text("11")
    expect(page.locator(".item[data-state=approved]")).to_have_count(11)
    expect(page.locator(".item[data-state=changes_requested]")).to_have_count(1)

    # A draft the approvals' jobs wrote (the worker thread runs them).
    page.locator(".item[data-state=approved] a").first.click()
    draft_link = page.locator("a.draft-link")
    for _ in range(60):
        if draft_link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    draft_link.first.click()
    expect(page.locator(".post").first).to_be_visible()
    expect(page.locator(".count")).to_contain_text("/")
    draft_id = page.url.rsplit("/", 1)[-1]
    page.screenshot(path=str(screenshot_dir() / f"draft-{lang}.png"), full_page=True)

    # Edit into a conflict: someone saves first; the page keeps our text and overwrites nothing.
    page.fill("textarea[name=body]", "Мой вариант текста про обжарку.")
    theirs = _edit_over_the_api(site, desk, draft_id, "Их вариант, сохранён раньше.")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator(".conflict")).to_contain_text(words["conflict"])
    expect(page.locator(".your-text")).to_contain_text("Мой вариант текста про обжарку.")
    expect(page.locator(".post").first).to_contain_text("Их вариант, сохранён раньше.")
    assert _draft(site, desk, draft_id)["version"] == theirs["version"]

    # Written again; the job's status changes on the page without a reload.
    page.get_by_role("button", name=words["regenerate"]).click()
    expect(page.locator(".job")).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(page.locator(".job")).to_contain_text(words["done"])
    page.goto(f"{site}/app/drafts/{draft_id}")
    assert _draft(site, desk, draft_id)["version"] == theirs["version"] + 1

    page.get_by_role("button", name=words["approve"], exact=True).click()
    expect(page.locator("h1 .state")).to_have_text(words["approved"])
    trail = page.locator("table.trail tr[data-action]")
    expect(trail).to_have_count(3)  # submit (the job), regenerate, approve
    actions = [trail.nth(n).get_attribute("data-action") for n in range(3)]
    assert actions == ["submit", "regenerate", "approve"]
    context.close()


def _edit_over_the_api(site: str, desk: Desk, draft_id: str, body: str) -> dict[str, Any]:
    current = _draft(site, desk, draft_id)
    answer = httpx.patch(
        f"{site}/v1/drafts/{draft_id}",
        json={"body": body},
        headers={**auth(desk.second_manager), "If-Match": f'"{current["version"]}"'},
    )
    assert answer.status_code == 200, answer.text
    edited: dict[str, Any] = answer.json()
    return edited


def _draft(site: str, desk: Desk, draft_id: str) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(
        f"{site}/v1/drafts/{draft_id}", headers=auth(desk.manager)
    ).json()
    return found


def test_the_page_on_a_phone(site: str, browser: Browser, desk: Desk, api: TestClient) -> None:
    plan = new_plan(api, desk)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _sign_in(page, site, desk.manager, "en")
    page.goto(f"{site}/app/plans/{plan['id']}")
    first = page.locator(".item").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box is not None
    assert box["width"] > 250, "one day a row on a phone: the items are readable"
    page.screenshot(path=str(screenshot_dir() / "plan-phone.png"), full_page=True)
    context.close()
