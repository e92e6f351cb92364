"""The manager's round from the terminal (`postcraft plans ...`) against a served API, with a
worker thread that runs queued jobs: create a plan, submit it, send an item back, regenerate
it, approve the rest and wait for their drafts, approve those, export the calendar, read the
trail. Each step's effect is checked over the API, not only in the printed output."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from tests.api.live import serving
from tests.approval.desk import Desk, job_runner
from tests.conftest import auth


@pytest.fixture(scope="module")
def url(desk: Desk) -> Iterator[str]:
    """The served API, and a worker thread running whatever is queued."""
    with job_runner(desk), serving(create_app(desk.runtime.settings, desk.runtime)) as base:
        yield base


def _cli(url: str, key: str, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--api-url", url, "--api-key", key])
    assert result.exit_code == 0, result.output
    return result.output


def _plan(url: str, desk: Desk) -> dict[str, Any]:
    page = httpx.get(f"{url}/v1/brands/{desk.brand}/plans", headers=auth(desk.manager)).json()
    found = httpx.get(f"{url}/v1/plans/{page['items'][0]['id']}", headers=auth(desk.manager))
    plan: dict[str, Any] = found.json()
    return plan


def test_a_managers_round_from_the_terminal(url: str, desk: Desk, tmp_path: Path) -> None:
    key = desk.manager
    out = _cli(url, key, "plans", "create", "--brand", "zerno", "--platform", "vk=3", "--days", "7")
    assert "the plan rules pass" in out
    plan = _plan(url, desk)
    assert len(plan["plan_items"]) == 3
    _cli(url, key, "plans", "submit", plan["id"])
    _cli(url, key, "plans", "send-back", plan["id"], "1", "--comment", "Про воду")
    out = _cli(url, desk.writer, "plans", "regenerate", plan["id"], "1", "--submit")
    assert "in_review" in out
    out = _cli(url, key, "plans", "approve", plan["id"])
    assert "approved 3, refused 0" in out
    assert "3 of 3 approved items have their drafts" in out
    out = _cli(url, key, "plans", "drafts", plan["id"], "--approve")
    plan = _plan(url, desk)
    drafts = [d for item in plan["plan_items"] for d in item["drafts"]]
    assert len(drafts) == 3
    assert {d["review_state"] for d in drafts} <= {"approved", "in_review"}
    assert f"approved {sum(d['review_state'] == 'approved' for d in drafts)} drafts" in out
    calendar = tmp_path / "plan.ics"
    out = _cli(url, key, "plans", "calendar", plan["id"], "-o", str(calendar))
    assert calendar.read_bytes().count(b"BEGIN:VEVENT") == 3
    out = _cli(url, key, "plans", "audit", "--brand", "zerno", "--limit", "100")
    assert "request_changes" in out
    assert "Про воду" in out


def test_errors_end_with_the_apis_words_and_status_1(url: str, desk: Desk) -> None:
    result = CliRunner().invoke(
        app, ["plans", "show", "00000000-0000-0000-0000-000000000000", "--api-url", url,
              "--api-key", desk.manager],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "plan_not_found" in result.output
    missing = CliRunner().invoke(app, ["plans", "show", "x", "--api-url", url, "--api-key", ""])
    assert missing.exit_code == 2
    bad = CliRunner().invoke(
        app, ["plans", "create", "--brand", "zerno", "--platform", "vk", "--api-url", url,
              "--api-key", desk.manager],
    )  # fmt: skip
    assert bad.exit_code == 2
    assert "platform=posts-per-week" in bad.output


def test_a_draft_sent_back_and_written_again_from_the_terminal(url: str, desk: Desk) -> None:
    job = httpx.post(
        f"{url}/v1/brands/{desk.brand}/drafts",
        json={"topic": "Фильтр-кофе дома", "platforms": ["telegram"]},
        headers=auth(desk.writer),
    )
    assert job.status_code == 202, job.text
    done = httpx.get(f"{url}/v1/jobs/{job.json()['id']}?wait=30", headers=auth(desk.writer))
    (draft,) = done.json()["drafts"]
    before = httpx.get(f"{url}/v1/drafts/{draft['id']}", headers=auth(desk.writer)).json()
    assert "in_review" in _cli(url, desk.writer, "drafts", "submit", draft["id"])
    out = _cli(url, desk.manager, "drafts", "send-back", draft["id"], "--comment", "Без «лучший»")
    assert "changes_requested" in out
    out = _cli(url, desk.writer, "drafts", "regenerate", draft["id"], "--submit")
    assert f"version {before['version'] + 2} → {before['version'] + 3}" in out
    assert "in_review" in out
    after = httpx.get(f"{url}/v1/drafts/{draft['id']}", headers=auth(desk.writer)).json()
    assert after["review_state"] == "in_review"
    assert after["version"] == before["version"] + 4
    trail = httpx.get(f"{url}/v1/drafts/{draft['id']}/audit", headers=auth(desk.manager)).json()
    assert [e["action"] for e in trail] == ["submit", "request_changes", "regenerate", "submit"]
    assert trail[2]["comment"] == "Без «лучший»"
    assert "version" in _cli(url, desk.manager, "drafts", "show", draft["id"])
