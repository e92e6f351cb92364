"""Draft jobs with the offline composer: grounded in the brand, in its language, never repeated."""

from __future__ import annotations

import re

from sqlalchemy import select

from brand_voice.profile import BrandProfile
from generators.compliance.counting import platform_length
from generators.compliance.platforms import RULES
from generators.drafts.edits import post_of
from generators.drafts.schemas import DraftRequest, post_text
from generators.drafts.service import write_drafts
from generators.jobs import run_job
from generators.runtime import Runtime
from storage.enums import JobKind, JobStatus, Platform, Queue
from storage.jobs import NewJob, create_job
from storage.models import Brand, Draft, Job
from tests.conftest import World, import_demo_brand

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def _brand(runtime: Runtime, world: World, slug: str) -> Brand:
    brand_id = import_demo_brand(runtime, world.workspace_id, slug)
    with runtime.sessions() as session:
        brand = session.get(Brand, brand_id)
        assert brand is not None
        return brand


def _write(runtime: Runtime, brand: Brand, job_id: str, **request: object) -> list[str]:
    outcome = write_drafts(
        runtime.llm,
        runtime.store,
        runtime.rulebook,
        brand,
        DraftRequest.model_validate(request),
        job_id,
        1500,
    )
    return [post_text(post_of(d)) for d in outcome.drafts]


def test_russian_brand_gets_russian_drafts_from_its_own_material(
    runtime: Runtime, world: World
) -> None:
    brand = _brand(runtime, world, "zerno")
    outcome = write_drafts(
        runtime.llm,
        runtime.store,
        runtime.rulebook,
        brand,
        DraftRequest(topic="Как заварить кофе в воронке V60", platforms=[Platform.VK]),
        "job-1",
        1500,
    )
    draft = outcome.drafts[0]
    text = post_text(outcome.completions[0].output)
    assert len(CYRILLIC.findall(text)) > 0.5 * sum(ch.isalpha() for ch in text)
    assert draft.generator == "offline-composer"
    assert draft.hashtags[0] == "зерноипламя", "branded hashtags come first"
    assert {s["kind"] for s in draft.sources} >= {"voice_guide", "post", "competitor"}
    assert "lorem" not in text.lower()


def test_two_requests_never_get_the_same_text(runtime: Runtime, world: World) -> None:
    brand = _brand(runtime, world, "zerno")
    texts = [
        *_write(runtime, brand, "job-1", topic="Кофе для эспрессо", platforms=["vk", "telegram"]),
        *_write(runtime, brand, "job-2", topic="Кофе для эспрессо", platforms=["vk"]),
        *_write(runtime, brand, "job-3", topic="Мастер-класс по каппингу", platforms=["vk"]),
    ]
    assert len(set(texts)) == len(texts)
    assert (
        _write(runtime, brand, "job-1", topic="Кофе для эспрессо", platforms=["vk"])[0] == texts[0]
    )


def test_drafts_fit_the_platform_and_its_hashtag_cap(runtime: Runtime, world: World) -> None:
    brand = _brand(runtime, world, "northwind")
    platforms = ["x", "threads", "instagram", "linkedin", "pinterest"]
    texts = _write(
        runtime,
        brand,
        "job-9",
        topic="Automating accounts payable",
        platforms=platforms,
        brief="A customer cut invoice processing from 6 days to 1 with approval routing.",
    )
    for platform, text in zip(platforms, texts, strict=True):
        rules = RULES[Platform(platform)]
        assert platform_length(text, rules) <= rules.max_chars, platform
        if rules.hashtag_cap is not None:
            tags = [w for w in text.split() if w.startswith("#")]
            assert len(tags) <= rules.hashtag_cap, platform


def test_a_draft_job_stores_one_draft_per_platform_and_its_usage(
    runtime: Runtime, world: World
) -> None:
    brand = _brand(runtime, world, "zerno")
    job = create_job(
        runtime.sessions(),
        NewJob(
            world.workspace_id,
            brand.id,
            None,
            JobKind.DRAFT,
            Queue.BATCH,
            {"topic": "Осенние напитки", "platforms": ["vk", "telegram"]},
            None,
        ),
    ).job
    run_job(runtime, job.id)
    run_job(runtime, job.id)  # a redelivered message is skipped: the job is terminal
    with runtime.sessions() as session:
        stored = session.get(Job, job.id)
        assert stored is not None
        assert stored.status is JobStatus.SUCCEEDED
        assert stored.attempts == 1
        assert stored.prompt_tokens > 0
        assert stored.usage_source == "tiktoken"
        drafts = session.scalars(select(Draft).where(Draft.job_id == job.id)).all()
        assert sorted(d.platform.value for d in drafts) == ["telegram", "vk"]


def test_a_job_records_the_profile_version_it_used(runtime: Runtime, world: World) -> None:
    from brand_voice.brands import update_profile
    from brand_voice.profile import BrandProfile
    from storage.db import transaction

    brand = _brand(runtime, world, "zerno")
    with transaction(runtime.sessions) as session:
        row = session.get(Brand, brand.id)
        assert row is not None
        changed = BrandProfile.model_validate({**row.profile, "usp": "Обжариваем каждую неделю"})
        update_profile(session, row, changed, expected_version=1, author=None)
    job = create_job(
        runtime.sessions(),
        NewJob(
            world.workspace_id, brand.id, None, JobKind.DRAFT, Queue.BATCH,
            {"topic": "Свежая обжарка", "platforms": ["vk"]}, None,
        ),
    ).job  # fmt: skip
    run_job(runtime, job.id)
    with runtime.sessions() as session:
        stored = session.get(Job, job.id)
        assert stored is not None
        assert stored.profile_version == 2


def test_the_composer_s_drafts_carry_the_brand_s_disclaimer_and_pass(
    runtime: Runtime, world: World
) -> None:
    brand = _brand(runtime, world, "northwind")
    disclaimer = BrandProfile.model_validate(brand.profile).disclaimers[0]
    request = DraftRequest.model_validate(
        {
            "topic": "Closing the month in three days",
            "platforms": ["linkedin", "x", "instagram"],
            "link": "https://northwindledger.example/close",
        }
    )
    outcome = write_drafts(
        runtime.llm, runtime.store, runtime.rulebook, brand, request, "job-d", 1500
    )
    for draft in outcome.drafts:
        assert disclaimer in post_text(post_of(draft)), draft.platform
        assert draft.validation["passed"], (draft.platform, draft.validation)
        assert f"added the disclaimer «{disclaimer}»" in draft.repairs
    instagram = next(d for d in outcome.drafts if d.platform is Platform.INSTAGRAM)
    assert "https://" not in post_text(post_of(instagram)), "the composer says link in bio"
