"""Shared fixtures: isolated settings, a migrated runtime, a workspace with two brands and keys."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from api.app import create_app
from api.demo import import_folder
from brand_voice.brands import create_brand
from brand_voice.profile import BrandProfile
from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.access import create_workspace, get_or_create_user, issue_key
from storage.db import migrate, transaction
from storage.enums import Platform, Role
from storage.settings import Settings

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "demo" / "brands"
CONFIG_VARS = (
    "DATABASE_URL",
    "BROKER_URL",
    "CHROMA_URL",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "LLM_MODEL",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up the machine's configuration by accident."""
    import os

    for name in list(os.environ):
        configures = name in CONFIG_VARS or name.startswith("POSTCRAFT_")
        if configures and name != "POSTCRAFT_REQUIRE_SERVICES":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def embedder() -> E5Embedder:
    """One loaded embedding model for the whole run."""
    return E5Embedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The embedded default, under a temporary folder."""
    return Settings(data_dir=tmp_path / "var")


@pytest.fixture
def runtime(settings: Settings, embedder: E5Embedder) -> Runtime:
    """A migrated runtime on SQLite, embedded Chroma and the offline composer."""
    rt = build_runtime(settings, embedder=embedder)
    migrate(rt.engine)
    return rt


@dataclass(frozen=True)
class World:
    """A workspace with brands A and B and keys: one per brand, and an admin key for all."""

    workspace_id: str
    brand_a: str
    brand_b: str
    key_a: str
    key_b: str
    admin_key: str


@pytest.fixture
def world(runtime: Runtime) -> World:
    """Two brands of one workspace, each with its own copywriter key."""
    return make_world(runtime)


def make_world(runtime: Runtime) -> World:
    """The `world` fixture's brands and keys, in any runtime."""
    with transaction(runtime.sessions) as session:
        workspace = create_workspace(session, "Agency")
        a = create_brand(
            session,
            workspace.id,
            "Brand A",
            "brand-a",
            BrandProfile(language="ru", platforms=[Platform.VK]),
        )
        b = create_brand(
            session,
            workspace.id,
            "Brand B",
            "brand-b",
            BrandProfile(language="en", platforms=[Platform.X]),
        )
        writer_a = get_or_create_user(session, workspace.id, "a@x.test", "A", Role.COPYWRITER)
        writer_b = get_or_create_user(session, workspace.id, "b@x.test", "B", Role.COPYWRITER)
        admin = get_or_create_user(session, workspace.id, "admin@x.test", "Admin", Role.ADMIN)
        return World(
            workspace.id,
            a.id,
            b.id,
            issue_key(session, writer_a, "a", [a.id]).secret,
            issue_key(session, writer_b, "b", [b.id]).secret,
            issue_key(session, admin, "admin", None).secret,
        )


@pytest.fixture
def api(runtime: Runtime) -> Iterator[TestClient]:
    """The app in-process (no worker: jobs stay queued unless a test runs them)."""
    with TestClient(create_app(runtime.settings, runtime)) as client:
        yield client


def auth(key: str) -> dict[str, str]:
    """The header that carries an API key."""
    return {"Authorization": f"Bearer {key}"}


def import_demo_brand(runtime: Runtime, workspace_id: str, slug: str) -> str:
    """Import one demo brand folder (real-format exports); returns the brand id."""
    quiet = Console(file=io.StringIO())
    return import_folder(runtime, workspace_id, DEMO / slug, quiet).id
