"""The approval tests' desk (tests/approval/desk.py) and an API client on it: one database
per test module, shared by that module's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from generators.runtime import build_runtime
from retrieval.embeddings import E5Embedder
from storage.db import migrate
from storage.settings import Settings
from tests.approval.desk import Desk, make_desk


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, embedder: E5Embedder) -> Desk:
    settings = Settings(data_dir=tmp_path_factory.mktemp("approval") / "var")
    runtime = build_runtime(settings, embedder=embedder)
    migrate(runtime.engine)
    return make_desk(runtime)


@pytest.fixture(scope="module")
def api(desk: Desk) -> Iterator[TestClient]:
    with TestClient(create_app(desk.runtime.settings, desk.runtime)) as client:
        yield client
