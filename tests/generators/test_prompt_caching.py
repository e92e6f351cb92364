"""A draft job's prompts are ordered for providers' prefix caches: what the platforms share first
(the brand, the request, the retrieved context), each platform's own section last; the shared
prefix is measured, stored with the job's usage and shown by the API."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import mean
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from generators.compliance.platforms import RULES, text_limit
from generators.drafts.prompting import SharedPrefix, shared_prefix
from generators.drafts.schemas import DraftRequest, PostDraft
from generators.drafts.service import write_drafts
from generators.jobs import run_job
from generators.llm.facts import DraftFacts
from generators.llm.port import LLM, Completion, Prompt, T, Usage
from generators.runtime import Runtime
from prompts.render import PLATFORM_HEADER
from retrieval.tokens import encoding
from storage.enums import Platform
from storage.models import Brand, Job
from tests.conftest import World, auth, import_demo_brand

ALL = [p.value for p in Platform]
REQUESTS = {
    "zerno": {
        "topic": "Новый лот из Кении",
        "brief": "Кения Кирини АА, мытая обработка: расскажите гостям о вкусе и о каппинге.",
        "platforms": ALL,
        "rubric": "commercial",
        "link": "https://zerno.example/kenya",
        "is_ad": True,
        "erid": "2VtzqxABC",
    },
    "northwind": {
        "topic": "Close the books in five days",
        "brief": "How automated reconciliation shortens month-end close for controllers.",
        "platforms": ALL,
        "goal": "webinar sign-ups",
        "call_to_action": "Register for the webinar",
        "link": "https://northwindledger.example/webinar",
    },
}


class Recording:
    """The runtime's LLM, keeping every prompt it is given."""

    def __init__(self, llm: LLM) -> None:
        self._llm = llm
        self.prompts: list[Prompt] = []

    @property
    def generator(self) -> str:
        return self._llm.generator

    @property
    def model(self) -> str:
        return self._llm.model

    @property
    def can_revise(self) -> bool:
        return self._llm.can_revise

    @property
    def billed(self) -> bool:
        return self._llm.billed

    def complete(self, prompt: Prompt, output: type[T]) -> Completion[T]:
        self.prompts.append(prompt)
        return self._llm.complete(prompt, output)


class Scripted:
    """A model that can revise and always answers the same post (too long for X)."""

    generator = "scripted"
    model = "scripted"
    can_revise = True
    billed = False

    def __init__(self, post: PostDraft) -> None:
        self._post = post
        self.prompts: list[Prompt] = []

    def complete(self, prompt: Prompt, output: type[T]) -> Completion[T]:
        self.prompts.append(prompt)
        answer = cast(T, self._post.model_copy())
        return Completion(answer, Usage(1, 1, "tiktoken"), self.generator, self.model, 0.0)


def _brand(runtime: Runtime, world: World, slug: str) -> Brand:
    brand_id = import_demo_brand(runtime, world.workspace_id, slug)
    with runtime.sessions() as session:
        brand = session.get(Brand, brand_id)
        assert brand is not None
        return brand


def _platform_of(prompt: Prompt) -> Platform:
    assert isinstance(prompt.facts, DraftFacts)
    return prompt.facts.platform


def _joined(prompt: Prompt) -> str:
    return prompt.system + "\n" + prompt.user


def _common(sequences: Sequence[Sequence[object]]) -> int:
    """How many leading items all the sequences share (the shortest bounds it)."""
    first, shortest = sequences[0], min(len(s) for s in sequences)
    for i in range(shortest):
        if any(s[i] != first[i] for s in sequences):
            return i
    return shortest


def _tail(prompt: Prompt) -> str:
    return prompt.user[prompt.user.index(PLATFORM_HEADER) :]


@pytest.mark.parametrize("slug", ["zerno", "northwind"])
def test_an_eleven_platform_job_shares_most_of_its_prompts(
    runtime: Runtime, world: World, slug: str
) -> None:
    brand = _brand(runtime, world, slug)
    llm = Recording(runtime.llm)
    request = DraftRequest.model_validate(REQUESTS[slug])
    budget = runtime.settings.context_token_budget
    outcome = write_drafts(
        llm, runtime.store, runtime.rulebook, brand, request, "job-1", budget, concurrency=4
    )
    prompts = {_platform_of(p): p for p in llm.prompts}
    assert set(prompts) == set(Platform)
    assert len(llm.prompts) == len(Platform), "one first try each (the composer never retries)"

    # The system message is byte-identical; so is the user message up to the platform section.
    assert len({p.system for p in prompts.values()}) == 1
    assert len({p.user[: p.user.index(PLATFORM_HEADER)] for p in prompts.values()}) == 1

    texts = [_joined(p) for p in prompts.values()]
    by_chars = _common(texts) / mean(len(t) for t in texts)
    assert by_chars >= 0.85, f"{by_chars:.3f} of the characters shared"
    encoded = [encoding().encode(t, disallowed_special=()) for t in texts]
    shared = _common(encoded)
    by_tokens = shared / mean(len(e) for e in encoded)
    assert by_tokens >= 0.85, f"{by_tokens:.3f} of the tokens shared"
    assert outcome.shared_prefix == SharedPrefix(shared, round(by_tokens, 4))
    # Within the retrieved-context budget plus a bounded head and tail.
    assert max(len(e) for e in encoded) <= budget + 1000
    _assert_each_section_is_its_platforms(runtime, request, llm.prompts)


def _assert_each_section_is_its_platforms(
    runtime: Runtime, request: DraftRequest, prompts: list[Prompt]
) -> None:
    """The platform section carries that platform's limit, link, craft notes, and no other's."""
    for prompt in prompts:
        platform = _platform_of(prompt)
        rules = runtime.rulebook.registry[platform]
        tail = _tail(prompt)
        limit = text_limit(rules, with_media=request.image)
        assert f"Write one post for {rules.name} (at most {limit} characters" in tail
        assert f"utm_source={platform.value}&" in tail
        for note in rules.craft:
            assert f"- {note.text}\n" in tail + "\n", (platform, note.text)
        own = {note.text for note in rules.craft}
        for other, other_rules in RULES.items():
            if other is platform:
                continue
            assert f"Write one post for {other_rules.name} (" not in tail
            assert f"utm_source={other.value}&" not in tail
            foreign = [n.text for n in other_rules.craft if n.text not in own and n.text in tail]
            assert foreign == [], (platform, other)
        # Only the platform section carries what differs between platforms.
        head = prompt.user[: prompt.user.index(PLATFORM_HEADER)]
        assert "utm_source" not in head
        assert "Write one post for" not in head


def test_the_retry_prompt_starts_with_the_first_prompt(runtime: Runtime, world: World) -> None:
    brand = _brand(runtime, world, "zerno")
    long_post = PostDraft(
        headline="Кения Кирини",
        body="Рассказываем о новом лоте подробно. " * 40,
        call_to_action="Заходите в кофейню",
        hashtags=["зерноипламя"],
        image_brief="Пачка кофе на столе",
    )
    llm = Scripted(long_post)
    request = DraftRequest(topic="Новый лот из Кении", platforms=[Platform.X])
    write_drafts(llm, runtime.store, runtime.rulebook, brand, request, "job-1", 1500)
    first, retry = llm.prompts
    assert retry.system == first.system
    assert retry.user.startswith(first.user + "\n")
    assert "# Your previous draft broke these rules" in retry.user[len(first.user) :]
    assert retry.user.count(PLATFORM_HEADER) == 1


def test_the_shared_prefix_of_one_prompt_is_none_and_of_identical_prompts_all() -> None:
    facts: Any = None
    one = Prompt("system", "user", facts)
    assert shared_prefix([]) is None
    assert shared_prefix([one]) is None
    assert shared_prefix([one, one]) == SharedPrefix(3, 1.0)  # "system\nuser": 3 tokens
    other = Prompt("other", "user", facts)
    assert shared_prefix([one, other]) == SharedPrefix(0, 0.0)
    nul = Prompt("system\x00", "user\x00<|endoftext|>", facts)
    found = shared_prefix([nul, nul, one])
    assert found is not None
    assert 0 < found.tokens < 6
    assert 0 < found.share < 1


def _submit(api: TestClient, world: World, brand_id: str, platforms: list[str]) -> str:
    body = {"topic": "Новый лот из Кении", "platforms": platforms}
    response = api.post(f"/v1/brands/{brand_id}/drafts", json=body, headers=auth(world.admin_key))
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    return job_id


def test_the_job_usage_reports_the_shared_prefix(
    api: TestClient, world: World, runtime: Runtime
) -> None:
    brand_id = import_demo_brand(runtime, world.workspace_id, "zerno")
    several = _submit(api, world, brand_id, ["vk", "telegram", "instagram", "x"])
    single = _submit(api, world, brand_id, ["vk"])
    for job_id in (several, single):
        run_job(runtime, job_id)

    def get(job_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = api.get(f"/v1/jobs/{job_id}", headers=auth(world.admin_key)).json()
        return answer

    assert get(several)["status"] == "succeeded"
    usage = get(several)["usage"]
    assert isinstance(usage["shared_prefix_tokens"], int)
    assert usage["shared_prefix_tokens"] > 1000
    assert 0.85 <= usage["shared_prefix_share"] <= 1
    # The offline composer counts each call's prompt with the same encoder and never retries.
    average = usage["prompt_tokens"] / usage["llm_calls"]
    assert usage["shared_prefix_share"] == pytest.approx(
        usage["shared_prefix_tokens"] / average, abs=1e-3
    )
    with runtime.sessions() as session:
        job = session.get(Job, several)
        assert job is not None
        assert job.prompt_shared_tokens == usage["shared_prefix_tokens"]
    alone = get(single)["usage"]
    assert (alone["shared_prefix_tokens"], alone["shared_prefix_share"]) == (None, None)


def test_a_queued_job_reports_no_shared_prefix(api: TestClient, world: World) -> None:
    job_id = _submit(api, world, world.brand_a, ["vk", "telegram"])
    usage = api.get(f"/v1/jobs/{job_id}", headers=auth(world.key_a)).json()["usage"]
    assert (usage["shared_prefix_tokens"], usage["shared_prefix_share"]) == (None, None)
