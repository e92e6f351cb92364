"""The browser harness works: a page served by uvicorn, opened in chromium, clicked."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from tests.web.browser import launched_browser, screenshot_dir, served

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Harness</title></head>
<body>
  <p id="greeting">Not clicked yet</p>
  <button id="press" type="button">Press</button>
  <script>
    document.getElementById("press").addEventListener("click", () => {
      document.getElementById("greeting").textContent = "Clicked";
    });
  </script>
</body>
</html>
"""


def tiny_app() -> FastAPI:
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return PAGE

    return app


def test_a_click_in_the_browser_changes_the_page() -> None:
    with served(tiny_app()) as base_url, launched_browser() as browser:
        page = browser.new_page()
        page.goto(base_url + "/")
        assert page.title() == "Harness"
        assert page.text_content("#greeting") == "Not clicked yet"
        page.click("#press")
        page.wait_for_selector("#greeting:text('Clicked')")
        assert page.text_content("#greeting") == "Clicked"
        shot = screenshot_dir() / "browser-harness.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 0
