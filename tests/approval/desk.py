"""A review desk for the approval tests: the Russian demo brand with a copywriter, two
managers and an admin, another brand with its own manager, and drafts made by real offline
jobs on demand."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from brand_voice.brands import create_brand
from brand_voice.profile import BrandProfile
from generators.jobs import run_job
from generators.runtime import Runtime
from storage.access import create_workspace, get_or_create_user, issue_key
from storage.db import transaction
from storage.enums import JobStatus, Role
from storage.models import Job
from tests.conftest import auth, import_demo_brand


@dataclass(frozen=True)
class Desk:
    """Who reviews what; keys by role."""

    runtime: Runtime
    brand: str
    other_brand: str
    writer: str
    manager: str
    second_manager: str
    admin: str
    outsider: str  # a manager of the other brand only
    responder: str  # a community manager's extension key: reply suggestions for the demo brand


def make_desk(runtime: Runtime) -> Desk:
    """The workspace, its people and keys (the demo brand imported once)."""
    with transaction(runtime.sessions) as session:
        workspace = create_workspace(session, "Agency").id
    brand = import_demo_brand(runtime, workspace, "zerno")
    with transaction(runtime.sessions) as session:
        other = create_brand(
            session, workspace, "Other", "other", BrandProfile(language="en", platforms=[])
        ).id

        def key(email: str, name: str, role: Role, brands: list[str] | None) -> str:
            user = get_or_create_user(session, workspace, email, name, role)
            return issue_key(session, user, email, brands).secret

        return Desk(
            runtime,
            brand,
            other,
            writer=key("w@x.test", "Вера Копирайтер", Role.COPYWRITER, [brand]),
            manager=key("m@x.test", "Мария Менеджер", Role.MANAGER, [brand]),
            second_manager=key("m2@x.test", "Михаил Менеджер", Role.MANAGER, [brand]),
            admin=key("a@x.test", "Admin", Role.ADMIN, None),
            outsider=key("o@x.test", "Outsider", Role.MANAGER, [other]),
            responder=key("cm@x.test", "Ольга Комьюнити", Role.RESPONDER, [brand]),
        )


def fresh_drafts(api: TestClient, desk: Desk, platforms: list[str]) -> list[dict[str, Any]]:
    """New drafts of the demo brand, written by an offline job run here."""
    request = {"topic": "Как заварить эфиопский лот в воронке", "platforms": platforms}
    job = api.post(f"/v1/brands/{desk.brand}/drafts", json=request, headers=auth(desk.writer))
    assert job.status_code == 202, job.text
    run_job(desk.runtime, job.json()["id"])
    done = api.get(f"/v1/jobs/{job.json()['id']}", headers=auth(desk.writer)).json()
    assert done["status"] == "succeeded", done
    drafts: list[dict[str, Any]] = done["drafts"]
    return drafts


def move(api: TestClient, key: str, draft: dict[str, Any], action: str, comment: str = "") -> Any:
    """POST a review move at the draft's version as given."""
    return api.post(
        f"/v1/drafts/{draft['id']}/review",
        json={"action": action, "comment": comment},
        headers={**auth(key), "If-Match": f'"{draft["version"]}"'},
    )


@contextmanager
def job_runner(desk: Desk, every_s: float = 0.1) -> Iterator[None]:
    """A worker thread that runs whatever is queued, until the block ends."""
    stop = threading.Event()

    def work() -> None:
        while not stop.wait(every_s):
            with desk.runtime.sessions() as session:
                ids = list(session.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED)))
            for job_id in ids:
                run_job(desk.runtime, job_id)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(10)
