"""Fixtures of the webhook tests: a migrated database (SQLite, and PostgreSQL when it is
there), a brand, its endpoints and review events inserted as the approval step would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from brand_voice.brands import create_brand
from brand_voice.profile import BrandProfile
from storage.access import create_workspace
from storage.db import make_engine, make_sessionmaker, migrate, transaction
from storage.enums import ReviewState
from storage.models import AuditEvent, WebhookEndpoint, new_id, utcnow
from storage.settings import Settings
from tests.e2e.services import postgres_database
from webhooks.repository import create_endpoint


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database of each kind."""
    if request.param == "sqlite":
        engine = make_engine(Settings(data_dir=tmp_path / "var"))
        migrate(engine)
        yield make_sessionmaker(engine)
        engine.dispose()
        return
    with postgres_database() as url:
        engine = make_engine(Settings(DATABASE_URL=url, data_dir=tmp_path / "var"))
        migrate(engine)
        yield make_sessionmaker(engine)
        engine.dispose()


@pytest.fixture
def sqlite_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated SQLite database (the embedded default)."""
    engine = make_engine(Settings(data_dir=tmp_path / "var"))
    migrate(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


@dataclass(frozen=True)
class Shop:
    """A workspace with one brand."""

    workspace_id: str
    brand_id: str


def make_shop(sessions: sessionmaker[Session], slug: str = "brand") -> Shop:
    """A workspace and a brand."""
    with transaction(sessions) as session:
        workspace = create_workspace(session, f"Agency {slug}").id
        brand = create_brand(
            session, workspace, slug.title(), slug, BrandProfile(language="en", platforms=[])
        ).id
    return Shop(workspace, brand)


def add_endpoint(sessions: sessionmaker[Session], shop: Shop, url: str) -> WebhookEndpoint:
    """An active endpoint of the shop's brand."""
    with transaction(sessions) as session:
        return create_endpoint(session, shop.workspace_id, shop.brand_id, url, "test", None)


def review_event(
    session: Session, brand_id: str, comment: str = "Хорошо — «в печать» ✓"
) -> AuditEvent:
    """An audit row of an approval, inserted as the approval step would (flushed)."""
    event = AuditEvent(
        brand_id=brand_id,
        subject_kind="draft",
        subject_id=new_id(),
        actor_id=None,
        actor_name="Мария Менеджер",
        action="approve",
        from_state=ReviewState.IN_REVIEW,
        to_state=ReviewState.APPROVED,
        version=3,
        comment=comment,
        at=utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def later(at: datetime, seconds: float) -> datetime:
    """`at` plus some seconds."""
    return at + timedelta(seconds=seconds)
