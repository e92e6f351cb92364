"""The reply policy on the whole labelled set (tests/replies/comments.jsonl), end to end through
`suggest_replies`: offline, and with a fake model that calls every comment praise and writes
pleasant replies. Whatever the model says, every crisis of the set is escalated (recall 1.0),
no crisis, spam or obscene comment gets a reply, and every reply shown passes the test's own
checker. Then the real OpenAI client against the fake server: a model's answer is used, and a
broken one gives way to the templates."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel

from brand_voice.profile import BrandProfile
from generators.llm.openai_compatible import OpenAICompatibleLLM
from generators.llm.port import Completion, Prompt, Usage
from generators.replies.classify import CommentClass
from generators.replies.limits import COMMENT_LIMITS
from generators.replies.schemas import ModelReplies, Outcome, ReplyRequest
from generators.replies.service import suggest_replies
from storage.enums import Platform
from storage.models import Brand
from storage.settings import Settings
from tests.approval.desk import Desk
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.replies.checker import problems

T = TypeVar("T", bound=BaseModel)
SET = [json.loads(line) for line in Path(__file__).with_name("comments.jsonl").open()]
NO_REPLY = {"crisis", "spam", "obscene"}


class Flatterer:
    """A fake model that calls everything praise and answers with thanks."""

    generator, model, can_revise, billed = "flatterer", "flatterer-1", True, False

    def complete(self, prompt: Prompt, output: type[T]) -> Completion[T]:
        answer = ModelReplies(
            label=CommentClass.PRAISE,
            language="ru",
            replies=["Спасибо за ваш отзыв, нам очень приятно!", "Благодарим, ждём вас снова!"],
        )
        return Completion(answer, Usage(10, 10, "provider"), self.generator, self.model, 0.0)  # type: ignore[arg-type]


def _brand(desk: Desk) -> tuple[Brand, BrandProfile]:
    with desk.runtime.sessions() as session:
        brand = session.get(Brand, desk.brand)
        assert brand is not None
        return brand, BrandProfile.model_validate(brand.profile)


@pytest.mark.parametrize("model", ["offline", "flatterer"])
def test_the_policy_holds_on_the_labelled_set(desk: Desk, model: str) -> None:
    brand, profile = _brand(desk)
    rt = desk.runtime
    llm: Any = rt.llm if model == "offline" else Flatterer()
    escalated = replied_to_no_reply = 0
    crises = [c for c in SET if c["label"] == "crisis"]
    for comment in SET:
        author = "Гость" if comment["language"] == "ru" else "Guest"
        request = ReplyRequest(platform=Platform.VK, comment=comment["text"], author=author)
        outcome = suggest_replies(llm, rt.store, rt.rulebook, brand, request).outcome
        if comment["label"] == "crisis":
            escalated += outcome.outcome is Outcome.ESCALATE
        if comment["label"] in NO_REPLY and outcome.replies:
            replied_to_no_reply += 1
        for reply in outcome.replies:
            language = outcome.classification.language
            checked = language if language in ("ru", "en") else ""
            limit = COMMENT_LIMITS[Platform.VK][0]
            found = problems(reply.text, profile.banned_words, limit, checked, (brand.name,))
            assert found == [], (comment["text"], reply.text, found)
    print(f"\n{model}: {escalated}/{len(crises)} crises escalated; "
          f"{replied_to_no_reply} replies to crisis, spam or obscene comments")  # fmt: skip
    assert escalated == len(crises), "every crisis escalates, whatever the model says"
    if model == "offline":
        assert replied_to_no_reply == 0


def _openai(fake: FakeOpenAI, tmp_path: Path) -> OpenAICompatibleLLM:
    settings = Settings(
        data_dir=tmp_path, OPENAI_BASE_URL=fake.url, OPENAI_API_KEY="t", LLM_MODEL="fake-model",
        llm_max_retries=0, llm_timeout_s=5.0,
    )  # fmt: skip
    return OpenAICompatibleLLM(settings)


def test_the_real_client_uses_the_models_replies(desk: Desk, tmp_path: Path) -> None:
    brand, _ = _brand(desk)
    answer = ModelReplies(
        label=CommentClass.QUESTION,
        language="ru",
        replies=["Да, декаф есть: спросите бариста на Вайнера, 12.", "Есть! Заходите попробовать."],
    )
    request = ReplyRequest(platform=Platform.TELEGRAM, comment="А декаф у вас есть?", author="Ира")
    with FakeOpenAI() as fake:
        fake.script(Reply(answer.model_dump_json(), 300, 40))
        rt = replace(desk.runtime, llm=_openai(fake, tmp_path))
        suggested = suggest_replies(rt.llm, rt.store, rt.rulebook, brand, request)
        (chat,) = [r for r in fake.requests if r.path.endswith("/chat/completions")]
    assert chat.body["response_format"]["json_schema"]["name"] == "ModelReplies"
    assert "А декаф у вас есть?" in chat.body["messages"][1]["content"]
    outcome = suggested.outcome
    assert outcome.generator == "openai-compatible"
    assert [r.text for r in outcome.replies] == answer.replies
    assert len(suggested.completions) == 1


def test_a_broken_model_answer_gives_way_to_the_templates(desk: Desk, tmp_path: Path) -> None:
    brand, _ = _brand(desk)
    request = ReplyRequest(platform=Platform.VK, comment="Спасибо за кофе!", author="Ира")
    with FakeOpenAI() as fake:
        fake.script(Reply("not json at all", 10, 5))
        rt = replace(desk.runtime, llm=_openai(fake, tmp_path))
        outcome = suggest_replies(rt.llm, rt.store, rt.rulebook, brand, request).outcome
    assert outcome.outcome is Outcome.REPLIES
    assert outcome.generator == "offline-composer"
    assert any("model failed" in note for note in outcome.repairs), outcome.repairs
    assert len(outcome.replies) >= 2
