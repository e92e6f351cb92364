"""End-to-end browser tests of server-rendered pages: Debian's chromium driven by Playwright
(its own browser download cannot reach the network here), the app served by a real uvicorn.

The environment is read when this module is imported, because the autouse fixture in
tests/conftest.py removes every POSTCRAFT_* variable before each test runs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.api.live import serving

__all__ = [
    "CHROMIUM",
    "LAUNCH_ARGS",
    "REQUIRED",
    "chromium",
    "launched_browser",
    "screenshot_dir",
    "served",
]


_CONFIGURED = os.environ.get("POSTCRAFT_CHROMIUM") or None


def _find_chromium() -> str | None:
    if _CONFIGURED:
        return _CONFIGURED if Path(_CONFIGURED).is_file() else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM: str | None = _find_chromium()
"""The chromium binary: $POSTCRAFT_CHROMIUM, else /usr/bin/chromium or `chromium` on PATH."""

REQUIRED = os.environ.get("POSTCRAFT_REQUIRE_BROWSER") == "1"
"""CI sets POSTCRAFT_REQUIRE_BROWSER=1: a missing browser fails the tests instead of skipping."""

_SCREENSHOTS = Path(os.environ.get("POSTCRAFT_SCREENSHOTS") or "/tmp/postcraft-screenshots")

LAUNCH_ARGS = (
    "--no-sandbox",  # the tests run as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    # The closed network here refuses the browser's own background connections; do not try.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers have a small /dev/shm
)


def chromium() -> str:
    """The chromium binary, or a skip with the reason (a failure when REQUIRED)."""
    if CHROMIUM is None:
        where = _CONFIGURED or "/usr/bin/chromium or `chromium` on PATH"
        message = (
            f"no chromium at {where}: apt-get install chromium, or set POSTCRAFT_CHROMIUM "
            "(CI sets POSTCRAFT_REQUIRE_BROWSER=1)"
        )
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@contextmanager
def launched_browser() -> Iterator[Browser]:
    """Headless chromium under Playwright, closed afterwards."""
    executable = chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(LAUNCH_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


served = serving
"""`with served(app) as base_url:` the app on a real uvicorn thread at a free 127.0.0.1 port
(tests/api/live.py `serving`: it waits until uvicorn has started, and stops it at exit)."""


def screenshot_dir() -> Path:
    """Where tests save screenshots: $POSTCRAFT_SCREENSHOTS or /tmp/postcraft-screenshots."""
    _SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return _SCREENSHOTS
