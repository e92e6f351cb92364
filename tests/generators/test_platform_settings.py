"""Unverified platform figures are settings; verified ones cannot be overridden."""

from __future__ import annotations

import pytest

from generators.compliance.platforms import RULES
from generators.compliance.rulebook import Rulebook
from storage.enums import Platform
from storage.settings import ConfigurationError, Settings, load_settings


def test_an_unverified_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTCRAFT_PLATFORM_LIMITS", '{"vk.max_chars": 2048}')
    registry = Rulebook.from_settings(load_settings()).registry
    assert registry[Platform.VK].max_chars == 2048
    assert registry[Platform.X].max_chars == 280
    assert RULES[Platform.VK].max_chars == 4096, "the shipped registry never changes"


def test_the_registry_cannot_be_changed_at_run_time() -> None:
    registry = Rulebook.from_settings(Settings()).registry
    with pytest.raises(TypeError):
        registry[Platform.VK] = RULES[Platform.X]  # type: ignore[index]


def test_a_verified_limit_cannot_be_overridden() -> None:
    with pytest.raises(ConfigurationError, match=r"x\.max_chars"):
        Rulebook.from_settings(Settings(platform_limits={"x.max_chars": 1000}))
