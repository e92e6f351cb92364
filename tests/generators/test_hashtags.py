"""Hashtag sets: branded first, ranked from the brand's own posts, normalised and capped."""

from __future__ import annotations

from fastapi.testclient import TestClient

from generators.compliance.hashtags import normalise
from generators.jobs import run_job
from generators.runtime import Runtime
from tests.conftest import World, auth, import_demo_brand


def test_normalising_tags() -> None:
    assert normalise("#Кофе") == "Кофе"
    assert normalise("  #month-end close ") == "monthendclose"
    assert normalise("кофеc") is None, "a Latin c inside a Russian word is a look-alike typo"
    assert normalise("#2026") is None
    assert normalise("#") is None


def test_a_hashtag_job_ranks_and_caps_per_platform(
    api: TestClient, runtime: Runtime, world: World
) -> None:
    brand = import_demo_brand(runtime, world.workspace_id, "zerno")
    request = {"topic": "Кофе в поход: как заварить в горах", "platforms": ["vk", "instagram", "x"]}
    job = api.post(f"/v1/brands/{brand}/hashtags", json=request, headers=auth(world.admin_key))
    assert job.status_code == 202, job.text
    run_job(runtime, job.json()["id"])
    done = api.get(f"/v1/jobs/{job.json()['id']}", headers=auth(world.admin_key)).json()
    assert done["status"] == "succeeded", done
    sets = done["result"]["hashtags"]
    assert len(sets["instagram"]) <= 5
    assert len(sets["x"]) <= 2
    vk = sets["vk"]
    assert vk[0] == {"tag": "зерноипламя", "reason": "branded", "score": 100.0}
    reasons = {t["reason"] for t in vk}
    assert "used in your best posts" in reasons
    assert "кофевпоходе" in [t["tag"] for t in vk], "the brand's own hiking-coffee tag ranks"
    tags = [t["tag"].casefold() for t in vk]
    assert len(tags) == len(set(tags))
