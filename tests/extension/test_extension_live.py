"""The extension against the running Postcraft API (not the stub): the demo brand, its
responder key set in the options page, a worker thread running the interactive queue. On the
VK fixture page a click shows the replies the API wrote, and the crisis comment the API's
escalation to the brand's own contact."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from api.app import create_app
from tests.approval.conftest import desk
from tests.approval.desk import Desk, job_runner
from tests.conftest import auth
from tests.extension.conftest import options_page, save_settings
from tests.extension.harness import SITES
from tests.extension.test_extension import EXPECTED, open_site
from tests.web.browser import screenshot_dir, served

__all__ = ["desk"]


@pytest.fixture(scope="module")
def live(desk: Desk, ext_id: str) -> Iterator[str]:
    """The API, admitting the extension's origin, with its interactive queue worked."""
    origin = f"chrome-extension://{ext_id}"
    settings = desk.runtime.settings.model_copy(update={"extension_origins": origin})
    runtime = replace(desk.runtime, settings=settings)
    with job_runner(desk, every_s=0.05), served(create_app(settings, runtime)) as url:
        yield url


def test_the_extension_shows_what_the_running_api_suggests(
    chrome: BrowserContext, ext_id: str, live: str, desk: Desk
) -> None:
    options = options_page(chrome, ext_id)
    save_settings(options, live, desk.responder, desk.brand)
    expect(options.locator("#status")).to_have_attribute("data-kind", "ok")
    options.close()

    vk = next(s for s in SITES if s.name == "vk")
    page, roots = open_site(chrome, vk)
    question = roots.nth(0)
    question.locator(".postcraft-control").click()
    replies = question.locator(".postcraft-reply-text")
    expect(replies.first).to_be_visible(timeout=20_000)
    shown = replies.all_text_contents()
    assert 2 <= len(shown) <= 3, shown

    fixture = EXPECTED["vk"]
    asked = {
        "platform": "vk",
        "comment": fixture.question,
        "author": fixture.question_author,
        "post": fixture.post,
        "thread": [],
    }
    again = httpx.post(
        f"{live}/v1/brands/{desk.brand}/replies", json=asked, headers=auth(desk.responder)
    ).json()
    assert again["cached"] is True, "the same request, answered from the extension's job"
    assert [r["text"] for r in again["replies"]] == shown

    crisis = roots.nth(2)
    crisis.locator(".postcraft-control").click()
    warning = crisis.locator(".postcraft-escalate")
    expect(warning).to_be_visible(timeout=20_000)
    expect(warning).to_contain_text("управляющий кофейни")  # the demo profile's safety contact
    page.screenshot(path=str(screenshot_dir() / "extension-vk-live.png"), full_page=True)
    page.close()
