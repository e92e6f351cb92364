"""A month of posts from the offline composer, on the brands' real material: when a rubric's
own ideas run out, its ideas come back from new angles, and the plan still has no topic that
repeats another by meaning (a month is the default of every plan after the first)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from generators.llm.offline import OfflineComposer
from generators.plans.schemas import PlanRequest
from generators.plans.service import write_plan
from generators.plans.topics import topic_similarity
from tests.generators.plans.conftest import DemoBrand

CADENCES = {
    "zerno": [
        {"platform": "vk", "posts_per_week": 3},
        {"platform": "telegram", "posts_per_week": 7},
    ],
    "northwind": [{"platform": "linkedin", "posts_per_week": 7}],
}
SAME_TOPIC = 0.93  # tests/generators/plans/test_topics.py calibrates the product's threshold


@pytest.mark.parametrize("slug", ["zerno", "northwind"])
def test_a_month_of_daily_posts_keeps_every_topic_distinct(
    demo_brand: Callable[[str], DemoBrand], slug: str
) -> None:
    demo = demo_brand(slug)
    request = PlanRequest.model_validate({"cadence": CADENCES[slug], "days": 30})
    with demo.runtime.sessions() as session:
        written = write_plan(
            OfflineComposer(), session, demo.runtime.store, demo.brand(), request, "j", demo.now
        )
    assert written.report.passed, written.report.violations
    topics = [item.topic for item in written.items]
    assert len(topics) >= 30
    assert len({t.casefold() for t in topics}) == len(topics)
    matrix = topic_similarity(demo.runtime.store)(topics, topics)
    for i, a in enumerate(topics):
        for j in range(i + 1, len(topics)):
            assert matrix[i][j] < SAME_TOPIC, (a, topics[j], matrix[i][j])
