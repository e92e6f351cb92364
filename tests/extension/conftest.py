"""One chromium with the unpacked extension per test module, the stub API, the fixture sites,
and the extension configured through its options page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from tests.extension.harness import (
    extension_args,
    extension_id,
    fixture_app,
    manifest,
    self_signed_certificate,
    serving_tls,
)
from tests.extension.stub_api import StubApi
from tests.web.browser import chromium, served

TOKEN = "pc_live_responder_0123456789abcdef"
BRAND = "zerno"


@dataclass(frozen=True)
class Api:
    """The running stub: its state and its base URL."""

    stub: StubApi
    url: str


@pytest.fixture(scope="module")
def ext_id() -> str:
    key = manifest()["key"]
    assert isinstance(key, str)
    return extension_id(key)


@pytest.fixture(scope="module")
def api(ext_id: str) -> Iterator[Api]:
    stub = StubApi(origin=f"chrome-extension://{ext_id}", token=TOKEN, brand=BRAND)
    with served(stub.app()) as url:
        yield Api(stub, url)


@pytest.fixture(scope="module")
def sites_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    cert, key = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    with serving_tls(fixture_app(), cert, key) as port:
        yield port


@pytest.fixture(scope="module")
def chrome(
    ext_id: str, sites_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserContext]:
    """Chromium with the extension: a persistent context (extensions need one), new headless.

    Playwright's headless=True starts chromium's new headless mode, which loads extensions;
    --load-extension given last wins over the empty one Debian's launcher adds."""
    executable = chromium()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=executable,
            headless=True,
            args=extension_args(sites_port),
            ignore_https_errors=True,
            viewport={"width": 1000, "height": 1100},
        )
        try:
            workers = context.service_workers
            worker = workers[0] if workers else context.wait_for_event("serviceworker")
            assert worker.url == f"chrome-extension://{ext_id}/background.js"
            yield context
        finally:
            context.close()


def options_page(context: BrowserContext, ext_id: str) -> Page:
    page = context.new_page()
    page.goto(f"chrome-extension://{ext_id}/options.html")
    return page


def save_settings(page: Page, api_url: str, token: str, brand: str) -> None:
    page.fill("#api-url", api_url)
    page.fill("#token", token)
    page.fill("#brand-id", brand)
    page.click("#save")


@pytest.fixture(scope="module")
def configured(chrome: BrowserContext, ext_id: str, api: Api) -> BrowserContext:
    """The browser after the options page saved the stub's URL, the token and the brand."""
    page = options_page(chrome, ext_id)
    save_settings(page, api.url + "/", TOKEN, BRAND)
    expect(page.locator("#status")).to_have_attribute("data-kind", "ok")
    page.close()
    return chrome
