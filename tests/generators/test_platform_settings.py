"""Unverified platform figures are settings; verified ones cannot be overridden."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generators.platforms import RULES
from generators.runtime import configure_platforms
from storage.enums import Platform
from storage.settings import ConfigurationError, Settings, load_settings


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    configure_platforms(Settings())


def test_an_unverified_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("POSTCRAFT_PLATFORM_LIMITS", '{"vk.max_chars": 2048}')
    configure_platforms(load_settings())
    assert RULES[Platform.VK].max_chars == 2048
    assert RULES[Platform.X].max_chars == 280


def test_a_verified_limit_cannot_be_overridden() -> None:
    with pytest.raises(ConfigurationError, match=r"x\.max_chars"):
        configure_platforms(Settings(platform_limits={"x.max_chars": 1000}))
