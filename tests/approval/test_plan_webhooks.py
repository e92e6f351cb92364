"""The drafts an approved plan item's job writes go to review on their own; their moves reach
the brand's webhooks like any other: recorded with the job's commit, returned for the worker
to send, and delivered signed to a local receiver (its own HMAC check)."""

from __future__ import annotations

import json

import httpx
from fastapi.testclient import TestClient

from generators.jobs import run_job
from storage.models import DeliveryStatus, WebhookDelivery
from tests.approval.desk import Desk
from tests.approval.test_plan_review import moved, new_plan, reread
from tests.conftest import auth
from tests.webhooks.receiver import receiver
from webhooks.delivery import deliver


def test_drafts_of_an_approved_item_are_announced_when_their_job_commits(
    api: TestClient, desk: Desk
) -> None:
    with receiver() as hook:
        made = api.post(
            f"/v1/brands/{desk.brand}/webhooks",
            json={"url": hook.url, "description": "publisher"},
            headers=auth(desk.admin),
        )
        assert made.status_code == 201, made.text
        hook.secret = made.json()["secret"]

        plan = new_plan(api, desk)
        plan = moved(
            api, desk.manager, f"/v1/plans/{plan['id']}/review", plan["version"], "submit"
        ).json()
        item = plan["plan_items"][0]
        approved = moved(
            api, desk.manager, f"/v1/plan-items/{item['id']}/review", item["version"], "approve"
        )
        assert approved.status_code == 200, approved.text
        job_id = reread(api, desk, plan["id"])["plan_items"][0]["draft_job_id"]
        assert job_id

        delivery_ids = run_job(desk.runtime, job_id)
        assert len(delivery_ids) == 1, "one draft for the item's one platform, one endpoint"
        assert run_job(desk.runtime, job_id) == [], "a redelivered job announces nothing again"
        (draft,) = reread(api, desk, plan["id"])["plan_items"][0]["drafts"]

        with httpx.Client() as http:
            result = deliver(desk.runtime.sessions, delivery_ids[0], http)
        assert result.retry_in_s is None
        with desk.runtime.sessions() as session:
            row = session.get(WebhookDelivery, delivery_ids[0])
            assert row is not None
            assert row.status is DeliveryStatus.DELIVERED

    (received,) = [r for r in hook.received if json.loads(r.body)["subject"]["kind"] == "draft"]
    assert received.signature_ok
    event = json.loads(received.body)
    assert event["type"] == "review.submitted"
    assert event["subject"] == {"kind": "draft", "id": draft["id"]}
    assert (event["from"], event["to"]) == ("draft", "in_review")
    assert event["actor"]["name"] == "Мария Менеджер"  # who approved the item
