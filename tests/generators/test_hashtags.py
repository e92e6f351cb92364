"""Hashtag sets: branded first, ranked from the brand's own posts, normalised and capped."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from brand_voice.profile import BrandProfile
from generators.compliance.hashtags import normalise
from generators.compliance.platforms import RULES
from generators.hashtags.schemas import HashtagRequest
from generators.hashtags.service import hashtag_sets
from generators.jobs import run_job
from generators.llm.openai_compatible import OpenAICompatibleLLM
from generators.runtime import Runtime
from storage.enums import Platform
from storage.settings import Settings
from tests.conftest import World, auth, import_demo_brand
from tests.fakes.openai_server import FakeOpenAI, Reply


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


def test_a_model_s_suggestions_meet_the_brand_s_rules(runtime: Runtime, world: World) -> None:
    """A model that suggests banned words, competitors' names and look-alike spoofs gets none of
    them into the set; the brand has no posts, so every other suggestion makes the cut."""
    suggestions = ["Кофеёк", "БодростьЕкб", "кофейныйдвор", "кофеr", "походныйкофе", "#Утро"]
    with FakeOpenAI(default=Reply(json.dumps({"hashtags": suggestions}))) as fake:
        settings = Settings(
            data_dir=runtime.settings.data_dir, OPENAI_BASE_URL=fake.url, LLM_MODEL="m"
        )
        llm = OpenAICompatibleLLM(settings)
        profile = BrandProfile(language="ru", banned_words=["кофеёк"], branded_hashtags=["зерно"])
        request = HashtagRequest(topic="Кофе в поход", platforms=[Platform.VK])
        rivals = ("Кофейня «Бодрость»", "Кофейня «Кофейный Двор»")
        sets = hashtag_sets(llm, runtime.store, RULES, world.brand_a, profile, request, rivals)
    assert [t["tag"] for t in sets["vk"]] == ["зерно", "походныйкофе", "Утро"]
