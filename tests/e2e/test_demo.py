"""`make demo`'s promise, as a new user meets it: `postcraft demo` sets up the demo brands,
writes a draft and a two-week plan, and prints a one-time link; opening that link on the
running service signs the browser in, and the plan it names is there to review."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO
from tests.e2e.processes import cli, environment, free_port, served

pytestmark = pytest.mark.slow


def test_the_demo_prints_a_link_that_opens_the_review_page(tmp_path: Path) -> None:
    env = environment(tmp_path / "var")
    port = free_port()
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", "--port", str(port), "--exit-after"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    link = re.search(r"http://\S+/app/login/(pl_\S+)", done.stdout)
    plan = re.search(r"/app/plans/([0-9a-f-]{36})", done.stdout)
    assert link, done.stdout
    assert plan, done.stdout
    with served(env, tmp_path) as url, httpx.Client(base_url=url) as browser:
        home = browser.get(f"/app/login/{link.group(1)}", follow_redirects=True)
        assert home.status_code == 200, home.text
        assert "Zerno" in home.text or "Зерно" in home.text
        page = browser.get(f"/app/plans/{plan.group(1)}")
        assert page.status_code == 200, page.text
        assert page.text.count('class="item"') == 12  # two weeks, VK and Telegram 3 a week
        again = httpx.get(f"{url}/app/login/{link.group(1)}")
        assert again.status_code == 401, "a login link works once"
        prefix = re.search(r"postcraft login-link (pc_\S{7})", done.stdout)
        assert prefix, done.stdout
        fresh = re.search(r"/app/login/(pl_\S+)", cli(env, "login-link", prefix.group(1)))
        assert fresh
        signed = httpx.get(f"{url}/app/login/{fresh.group(1)}", follow_redirects=False)
        assert signed.status_code == 303
        assert "postcraft_session=" in signed.headers["set-cookie"]
