"""A plan job end to end on the embedded default, for both demo brands: the plan and its items
are stored, keep every rule (checked again here on the stored rows), start tomorrow in the
brand's time zone, and the brand's second plan covers a month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from brand_voice.profile import BrandProfile
from generators.jobs import run_job
from generators.plans.frame import plan_frame
from generators.plans.rules import check_plan
from generators.plans.schemas import PlanItem as Item
from generators.plans.schemas import PlanRequest
from generators.plans.topics import topic_similarity
from generators.runtime import Runtime
from storage.access import create_workspace
from storage.db import transaction
from storage.enums import JobKind, JobStatus, Queue
from storage.jobs import NewJob, create_job, find_job
from storage.models import Brand, Plan, PlanItem
from tests.conftest import import_demo_brand

REQUESTS: dict[str, dict[str, Any]] = {
    "zerno": {
        "cadence": [
            {"platform": "vk", "posts_per_week": 3},
            {"platform": "telegram", "posts_per_week": 5, "times": ["09:00"]},
        ],
        "goals": ["узнаваемость кофейни"],
        "events": [],
    },
    "northwind": {"cadence": [{"platform": "linkedin", "posts_per_week": 2}]},
}


def _run(runtime: Runtime, workspace: str, brand: str, request: dict[str, Any]) -> str:
    new = NewJob(workspace, brand, None, JobKind.PLAN, Queue.BATCH, request, None)
    job_id = create_job(runtime.sessions(), new).job.id
    run_job(runtime, job_id)
    with runtime.sessions() as session:
        job = find_job(session, job_id)
        assert job is not None
        assert job.status is JobStatus.SUCCEEDED, (job.error_code, job.error_detail)
        assert job.result is not None
        return str(job.result["plan_id"])


@pytest.mark.parametrize("slug", ["zerno", "northwind"])
def test_a_plan_job_stores_a_plan_that_keeps_the_rules(runtime: Runtime, slug: str) -> None:
    with transaction(runtime.sessions) as session:
        workspace = create_workspace(session, "w").id
    brand_id = import_demo_brand(runtime, workspace, slug)
    request = REQUESTS[slug]
    plan_id = _run(runtime, workspace, brand_id, request)
    with runtime.sessions() as session:
        plan = session.get(Plan, plan_id)
        brand = session.get(Brand, brand_id)
        assert plan is not None
        assert brand is not None
        rows = session.scalars(select(PlanItem).where(PlanItem.plan_id == plan_id)).all()
        profile = BrandProfile.model_validate(brand.profile)
    assert plan.report["passed"], plan.report
    assert plan.days == 14, "a brand's first plan covers two weeks"
    tomorrow = datetime.now(UTC).astimezone(profile.zone()).date() + timedelta(days=1)
    assert plan.starts_on == tomorrow
    assert plan.timezone == profile.timezone
    # Checked again here, on the rows as stored.
    items = [
        Item(
            at=r.at, platform=r.platform, rubric=r.rubric, category=r.category, topic=r.topic,
            event=r.event,
        )
        for r in rows
    ]  # fmt: skip
    framed = plan_frame(
        PlanRequest.model_validate(request), profile, [], [], datetime.now(UTC), True
    )
    frame = framed.frame
    for platform, slots in frame.cadence.items():
        mine = [i for i in items if i.platform is platform]
        assert abs(len(mine) - round(slots.posts_per_week * 2)) <= 1
    similar = topic_similarity(runtime.store)
    report = check_plan(
        items,
        frame.__class__(
            **{
                **frame.__dict__,
                "cadence": {p: s.__class__(s.posts_per_week) for p, s in frame.cadence.items()},
            }
        ),
        similar,
    )
    assert report.passed, [v.message for v in report.violations]
    assert all(r.copy_brief and r.design_brief for r in rows)
    assert {r.review_state.value for r in rows} == {"draft"}
    second = _run(runtime, workspace, brand_id, request)
    with runtime.sessions() as session:
        later = session.get(Plan, second)
        assert later is not None
        assert later.days == 30
