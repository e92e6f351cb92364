"""The demo brands imported once per test module (their real profiles and posts), and a clock
set just after each brand's last post, so that its recent posts count as recent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from brand_voice.profile import BrandProfile
from generators.plans.material import brand_history
from generators.runtime import Runtime, build_runtime
from retrieval.embeddings import E5Embedder
from storage.access import create_workspace
from storage.db import migrate, transaction
from storage.models import Brand
from storage.settings import Settings
from tests.conftest import import_demo_brand


@dataclass(frozen=True)
class DemoBrand:
    """One demo brand in a runtime of its own (on the offline composer)."""

    runtime: Runtime
    workspace_id: str
    brand_id: str
    profile: BrandProfile
    now: datetime  # a day after the brand's last post

    def brand(self) -> Brand:
        """The brand's row, detached."""
        with self.runtime.sessions() as session:
            brand = session.get(Brand, self.brand_id)
            assert brand is not None
            session.expunge(brand)
            return brand


@pytest.fixture(scope="module")
def demo_brand(
    tmp_path_factory: pytest.TempPathFactory, embedder: E5Embedder
) -> Callable[[str], DemoBrand]:
    """Import a demo brand by slug, once per module."""
    made: dict[str, DemoBrand] = {}

    def make(slug: str) -> DemoBrand:
        if slug not in made:
            settings = Settings(data_dir=tmp_path_factory.mktemp(slug))
            runtime = build_runtime(settings, embedder=embedder)
            migrate(runtime.engine)
            with transaction(runtime.sessions) as session:
                workspace = create_workspace(session, "w").id
            brand_id = import_demo_brand(runtime, workspace, slug)
            with runtime.sessions() as session:
                brand = session.get(Brand, brand_id)
                assert brand is not None
                profile = BrandProfile.model_validate(brand.profile)
                last = max(post.published_at for post, _ in brand_history(session, brand_id))
            made[slug] = DemoBrand(runtime, workspace, brand_id, profile, last + timedelta(days=1))
        return made[slug]

    return make
