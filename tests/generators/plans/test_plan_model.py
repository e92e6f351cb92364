"""The model's path to a plan, with a model that breaks every plan rule on purpose: it ignores
the shares, stacks everything on one day at an hour off the slots, makes most items
commercial, repeats topics, takes a recent post's topic, dates items outside the period, names
a platform not in the plan and a rubric the brand does not have, and puts the events' posts on
the wrong dates. The plan that comes out keeps every rule, checked here by counts of our own,
for both demo brands and two periods and cadences; the model is asked once more for exactly
the holes repair left; a model answering garbage leaves the plan to the offline composer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from generators.jobs import run_job
from generators.llm.openai_compatible import OpenAICompatibleLLM
from generators.llm.port import Completion, Prompt, T, Usage
from generators.plans.frame import plan_frame
from generators.plans.material import brand_history, openings
from generators.plans.model import ProposedItem, ProposedPlan, as_items
from generators.plans.repair import repair_plan
from generators.plans.schemas import PlanRequest
from generators.plans.service import WrittenPlan, write_plan
from generators.plans.topics import topic_similarity
from retrieval.embeddings import E5Embedder
from storage.enums import JobKind, JobStatus, Platform, Queue, Rubric
from storage.errors import ErrorCode, PostcraftError
from storage.jobs import NewJob, create_job
from storage.models import Job, Plan, PlanItem
from storage.settings import Settings
from tests.fakes.openai_server import FakeOpenAI, Malformed, Reply, Status
from tests.generators.plans.conftest import DemoBrand
from tests.generators.plans.pools import TOPICS

CADENCES: dict[str, dict[str, list[dict[str, Any]]]] = {
    "zerno": {
        "two-weeks-two-platforms": [
            {"platform": "vk", "posts_per_week": 3, "days": [1, 3, 5], "times": ["10:00"]},
            {"platform": "telegram", "posts_per_week": 5, "days": [1, 2, 3, 4, 5],
             "times": ["09:00"]},
        ],
        "a-month-daily": [
            {"platform": "telegram", "posts_per_week": 7, "days": [1, 2, 3, 4, 5, 6, 7],
             "times": ["09:00", "18:00"]},
        ],
    },
    "northwind": {
        "two-weeks-two-platforms": [
            {"platform": "linkedin", "posts_per_week": 2, "days": [2, 4], "times": ["09:30"]},
            {"platform": "x", "posts_per_week": 5, "days": [1, 2, 3, 4, 5], "times": ["12:00"]},
        ],
        "a-month-daily": [
            {"platform": "x", "posts_per_week": 7, "days": [1, 2, 3, 4, 5, 6, 7],
             "times": ["08:00", "17:30"]},
        ],
    },
}  # fmt: skip
DAYS = {"two-weeks-two-platforms": 14, "a-month-daily": 30}
CAP = {"interest": 0.15, "mixed": 0.35, "commercial": 0.70}
_HOLE = re.compile(r'^(\d+)\. (\w+), (\S+) \(\w+\): rubric "([^"]+)" \((\w+)\)(.*)$', re.M)
_EVENT = re.compile(r'the post for the event "([^"]+)"')


def _request(slug: str, cadence: str, starts: date) -> PlanRequest:
    days = DAYS[cadence]
    first = CADENCES[slug][cadence][0]["platform"]
    return PlanRequest.model_validate(
        {
            "starts_on": starts.isoformat(),
            "days": days,
            "cadence": CADENCES[slug][cadence],
            "goals": [],
            "events": [
                {"on": (starts + timedelta(days=3)).isoformat(), "title": "Big launch",
                 "kind": "launch", "platforms": [first]},
                {"on": (starts + timedelta(days=days - 2)).isoformat(), "title": "Open day",
                 "kind": "promotion"},
            ],
        }
    )  # fmt: skip


@dataclass
class Saboteur:
    """A model that breaks every rule in its plan, then answers the holes as asked (but for
    the first, which repeats a recent post: the composer must fill it)."""

    rubrics: dict[str, Rubric]
    language: str
    foreign: Platform
    prompts: list[Prompt] = field(default_factory=list)
    first: ProposedPlan | None = None
    generator: str = "saboteur"
    model: str = "saboteur-1"
    can_revise: bool = True
    billed: bool = False

    def complete(self, prompt: Prompt, output: type[T]) -> Completion[T]:
        self.prompts.append(prompt)
        assert output is ProposedPlan
        if len(self.prompts) == 1:
            self.first = self._plan(prompt.user)
            answer = self.first
        else:
            answer = self._holes(prompt.user)
        return Completion(answer, Usage(1000, 500, "provider"), self.generator, self.model, 0.1)  # type: ignore[arg-type]

    def _plan(self, user: str) -> ProposedPlan:
        total = int(re.search(r"Write (\d+) items in all", user).group(1))  # type: ignore[union-attr]
        start = date.fromisoformat(re.search(r"Period: (\S+) to", user).group(1))  # type: ignore[union-attr]
        stacked = datetime.combine(start, time(3, 17))  # one day, off every slot
        sale = next(n for n, c in self.rubrics.items() if c is Rubric.COMMERCIAL)
        others = [n for n, c in self.rubrics.items() if c is not Rubric.COMMERCIAL]
        platform = Platform(re.search(r"^- (\w+): ", user, re.M).group(1))  # type: ignore[union-attr]
        items = []
        for k in range(total + 4):
            if k % 5 != 4:  # four in five commercial, cycling four topics: repeats
                rubric, topic = sale, TOPICS[self.language][Rubric.COMMERCIAL][k % 4]
            else:
                rubric = others[(k // 5) % len(others)]
                topic = TOPICS[self.language][self.rubrics[rubric]][k // 5 // len(others)]
            items.append(_proposed(stacked, platform, rubric, topic))
        items[0].at = stacked - timedelta(days=10)  # outside the period
        items[1].at = stacked + timedelta(days=100)
        items[2].platform = self.foreign
        items[3].rubric = "Мемы" if self.language == "ru" else "Memes"
        items[4].topic = _recent(user)[0]
        for title in re.findall(r'^- \S+ \(\w+\), on [\w, ]+: "(.+)"$', user, re.M):
            items.append(_proposed(stacked + timedelta(days=1), platform, sale, title, title))
        return ProposedPlan(items=items)

    def _holes(self, user: str) -> ProposedPlan:
        used = {t.casefold() for t in re.findall(r"^- (.+)$", user, re.M)}
        pools = {
            c: [t for t in TOPICS[self.language][c] if t.casefold() not in used] for c in Rubric
        }
        items = []
        for n, platform, at, rubric, category, rest in _HOLE.findall(user):
            event = _EVENT.search(rest)
            topic = event.group(1) if event else pools[Rubric(category)].pop(0)
            if n == "1":
                topic = _recent(self.prompts[0].user)[0]
            item = _proposed(datetime.fromisoformat(at), Platform(platform), rubric, topic)
            item.event = event.group(1) if event else None
            items.append(item)
        return ProposedPlan(items=items)


def _proposed(
    at: datetime, platform: Platform, rubric: str, topic: str, event: str | None = None
) -> ProposedItem:
    return ProposedItem(
        at=at, platform=platform, rubric=rubric, topic=topic, goal="reach",
        copy_brief=f"Write about {topic}", design_brief=f"A photo for {topic}", event=event,
    )  # fmt: skip


def _recent(user: str) -> list[str]:
    block = user.split('<example kind="recent-topics">')[1].split("</example>")[0]
    return re.findall(r"^- (.+)$", block, re.M)


class Garbage:
    """A model whose every answer fails (as the port reports it)."""

    generator, model, can_revise, billed = "garbage", "garbage-1", True, False

    def __init__(self, code: ErrorCode) -> None:
        self.code, self.calls = code, 0

    def complete(self, prompt: Prompt, output: type[T]) -> Completion[T]:
        self.calls += 1
        raise PostcraftError(self.code, "the answer was not JSON")


def _write(demo: DemoBrand, llm: Any, request: PlanRequest) -> WrittenPlan:
    with demo.runtime.sessions() as session:
        return write_plan(
            llm, session, demo.runtime.store, demo.brand(), request, "job-1", demo.now
        )


def _assert_keeps_the_rules(
    rows: Sequence[PlanItem], demo: DemoBrand, request: PlanRequest, embedder: E5Embedder
) -> None:
    """The plan rules, counted here without the product's checks."""
    profile, tz = demo.profile, ZoneInfo(demo.profile.timezone)
    assert request.starts_on is not None
    assert request.days is not None
    start = datetime.combine(request.starts_on, time(0), tz)
    end = datetime.combine(request.starts_on + timedelta(days=request.days), time(0), tz)
    total = len(rows)
    rubrics = {r.name: r for r in profile.rubrics}
    assert {r.rubric for r in rows} <= set(rubrics), "only the brand's rubrics"
    for rubric in profile.rubrics:
        have = sum(1 for r in rows if r.rubric == rubric.name)
        assert abs(have - rubric.share * total) <= max(1, 0.1 * total), (rubric.name, have)
    commercial = sum(1 for r in rows if r.category is Rubric.COMMERCIAL)
    assert 0 < commercial <= CAP[profile.community_format.value] * total
    planned = {c.platform for c in request.cadence}
    assert {r.platform for r in rows} <= planned, "only the plan's platforms"
    for cadence in request.cadence:
        mine = sorted((r for r in rows if r.platform is cadence.platform), key=lambda r: r.at)
        assert abs(len(mine) - round(cadence.posts_per_week * request.days / 7)) <= 1
        for row in mine:
            local = row.at.astimezone(tz)
            assert start <= local < end, "inside the period"
            assert local.time() in cadence.times, (row.topic, local)
            assert row.event or local.isoweekday() in cadence.days, (row.topic, local)
        interval = timedelta(days=7) / cadence.posts_per_week
        limit = max(interval * 1.5, interval + timedelta(days=2))
        stamps = [start, *(r.at for r in mine), end]
        assert max(b - a for a, b in pairwise(stamps)) <= limit, "no long gap"
        half = start + (end - start) / 2
        assert sum(1 for r in mine if r.at < half) <= -(-len(mine) // 2) + 1, "not front-loaded"
        for a, b in pairwise(mine):
            assert a.rubric != b.rubric, ("rubric twice in a row", a.at, b.at)
            assert not a.category is b.category is Rubric.COMMERCIAL, "commercial in a row"
    for event in request.events:
        where = set(event.platforms) or {request.cadence[0].platform}
        hits = [r for r in rows if r.event == event.title and r.platform in where]
        assert [r.at.astimezone(tz).date() for r in hits] == [event.on] * len(where)
    recent = list(openings(_history(demo), demo.now).recent)
    topics = [r.topic for r in rows]
    assert len({t.casefold() for t in topics}) == total, "no topic twice"
    assert not {t.casefold() for t in topics} & {t.casefold() for t in recent}
    vectors = _unit([embedder.embed_query(t) for t in [*topics, *recent]])
    within = vectors[:total] @ vectors[:total].T
    np.fill_diagonal(within, 0.0)
    assert within.max() < 0.93, "no topic repeats another by meaning"
    if recent:
        assert (vectors[:total] @ vectors[total:].T).max() < 0.93, "none repeats a recent post"
    assert all(r.copy_brief and r.design_brief and r.goal for r in rows)


def _history(demo: DemoBrand) -> list[Any]:
    with demo.runtime.sessions() as session:
        return brand_history(session, demo.brand_id)


def _unit(rows: list[list[float]]) -> np.ndarray:
    a = np.asarray(rows, dtype=np.float64)
    unit: np.ndarray = a / np.linalg.norm(a, axis=1, keepdims=True)
    return unit


def _saboteur(demo: DemoBrand) -> Saboteur:
    rubrics = {r.name: r.category for r in demo.profile.rubrics}
    foreign = next(p for p in Platform if p not in demo.profile.platforms)
    return Saboteur(rubrics, demo.profile.language, foreign)


@pytest.mark.parametrize("cadence", sorted(DAYS))
@pytest.mark.parametrize("slug", ["zerno", "northwind"])
def test_a_model_that_breaks_every_rule_still_gives_a_plan_that_keeps_them(
    demo_brand: Callable[[str], DemoBrand], embedder: E5Embedder, slug: str, cadence: str
) -> None:
    demo = demo_brand(slug)
    request = _request(slug, cadence, demo.now.date() + timedelta(days=1))
    model = _saboteur(demo)
    written = _write(demo, model, request)

    assert written.report.passed, [v.message for v in written.report.violations]
    _assert_keeps_the_rules(written.items, demo, request, embedder)
    assert written.plan.generator == "saboteur"
    assert len(written.completions) == 2
    writer = written.plan.basis["writer"]
    assert writer["fallback"] is None
    assert writer["filled_offline"] >= 1, "the hole answered with a recent topic"
    assert any(c.startswith("dropped") for c in writer["changes"])

    # The second call named exactly the holes repair left, and only them.
    assert len(model.prompts) == 2
    assert model.first is not None
    frame = plan_frame(request, demo.profile, [], openings(_history(demo), demo.now).recent,
                       demo.now, first_plan=True).frame  # fmt: skip
    holes = repair_plan(
        as_items(model.first.items, frame, []), frame, topic_similarity(embedder)
    ).holes
    asked = _HOLE.findall(model.prompts[1].user)
    assert [(p, at, rubric) for _, p, at, rubric, _, _ in asked] == [
        (h.place.platform.value, f"{h.place.at.astimezone(frame.tz):%Y-%m-%dT%H:%M}", h.rubric.name)
        for h in holes
    ]
    assert [n for n, *_ in asked] == [str(k) for k in range(1, len(holes) + 1)]
    assert writer["holes_asked"] == len(holes) > 0
    assert "Places:" not in model.prompts[1].user, "not the whole plan again"


@pytest.mark.parametrize("code", [ErrorCode.LLM_INVALID_OUTPUT, ErrorCode.LLM_UNAVAILABLE])
@pytest.mark.parametrize("slug", ["zerno", "northwind"])
def test_a_model_answering_garbage_leaves_the_plan_to_the_composer(
    demo_brand: Callable[[str], DemoBrand], embedder: E5Embedder, slug: str, code: ErrorCode
) -> None:
    demo = demo_brand(slug)
    request = _request(slug, "two-weeks-two-platforms", demo.now.date() + timedelta(days=1))
    model = Garbage(code)
    written = _write(demo, model, request)
    assert model.calls == 1, "no holes to ask for: the composer wrote the plan"
    assert written.report.passed, [v.message for v in written.report.violations]
    _assert_keeps_the_rules(written.items, demo, request, embedder)
    assert written.plan.generator == "offline-composer"
    assert written.completions == []
    assert written.plan.basis["writer"]["fallback"].startswith(code.value)


def _job(demo: DemoBrand, fake: FakeOpenAI, request: PlanRequest, tmp: Any) -> tuple[Job, Plan]:
    """The plan job through the real OpenAI-compatible client against the fake server."""
    settings = Settings(
        data_dir=tmp, OPENAI_BASE_URL=fake.url, OPENAI_API_KEY="t", LLM_MODEL="fake-model",
        llm_max_retries=1, llm_timeout_s=5.0,
    )  # fmt: skip
    runtime = replace(demo.runtime, llm=OpenAICompatibleLLM(settings))
    body = request.model_dump(mode="json")
    new = NewJob(demo.workspace_id, demo.brand_id, None, JobKind.PLAN, Queue.BATCH, body, None)
    job_id = create_job(runtime.sessions(), new).job.id
    run_job(runtime, job_id)
    with runtime.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.status is JobStatus.SUCCEEDED, (job.error_code, job.error_detail)
        assert job.result is not None
        plan = session.get(Plan, job.result["plan_id"])
        assert plan is not None
        return job, plan


def test_the_real_client_parses_the_plan_retries_and_falls_back_for_the_holes(
    demo_brand: Callable[[str], DemoBrand], tmp_path: Any
) -> None:
    demo = demo_brand("zerno")
    starts = demo.now.date() + timedelta(days=1)
    request = _request("zerno", "two-weeks-two-platforms", starts)
    stacked = datetime.combine(starts, time(3, 17))
    proposal = ProposedPlan(
        items=[
            _proposed(stacked, Platform.VK, "Лоты и акции", t)
            for t in TOPICS["ru"][Rubric.COMMERCIAL][:4]
        ]
        + [_proposed(stacked, Platform.TELEGRAM, "Кофейный ликбез", "Как хранить зерно дома")]
    )
    with FakeOpenAI() as fake:
        # The plan; then the holes call fails twice (the client's one retry): 503, 503.
        fake.script(Reply(proposal.model_dump_json(), 900, 400), Status(503), Status(503))
        job, plan = _job(demo, fake, request, tmp_path)
        chats = [r for r in fake.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == 3, "the plan, then the holes call and its retry"
    assert chats[0].body["response_format"]["json_schema"]["name"] == "ProposedPlan"
    assert "Posts still missing" in chats[1].body["messages"][1]["content"]
    assert job.llm_calls == 1
    assert (job.prompt_tokens, job.completion_tokens) == (900, 400)
    assert plan.generator == "openai-compatible"
    assert plan.report["passed"], plan.report
    writer = plan.basis["writer"]
    assert writer["fallback"].startswith("llm_unavailable")
    assert writer["filled_offline"] == writer["holes_asked"] > 0
    assert job.result is not None
    assert job.result["fallback"] == writer["fallback"]


def test_the_real_client_on_a_broken_answer_leaves_the_plan_to_the_composer(
    demo_brand: Callable[[str], DemoBrand], tmp_path: Any
) -> None:
    demo = demo_brand("northwind")
    request = _request("northwind", "two-weeks-two-platforms", demo.now.date() + timedelta(days=1))
    with FakeOpenAI() as fake:
        fake.script(Malformed())
        job, plan = _job(demo, fake, request, tmp_path)
    assert plan.generator == "offline-composer"
    assert plan.report["passed"], plan.report
    assert plan.basis["writer"]["fallback"].startswith("llm_invalid_output")
    assert not job.llm_calls
