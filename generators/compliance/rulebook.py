"""The rules a process enforces, built once from settings into its `Runtime` and never changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from generators.compliance.language import LanguageJudge
from generators.compliance.platforms import RULES, Registry, build_registry
from storage.settings import ConfigurationError, Settings


@dataclass(frozen=True)
class Rulebook:
    """The platform registry (with the configured unverified figures) and the language judge."""

    registry: Registry = field(default_factory=lambda: RULES)
    judge: LanguageJudge = field(default_factory=LanguageJudge)

    @classmethod
    def from_settings(cls, settings: Settings) -> Rulebook:
        """The rulebook the settings describe; a bad POSTCRAFT_PLATFORM_LIMITS stops the start."""
        try:
            registry = build_registry(settings.platform_limits)
        except ValueError as exc:
            raise ConfigurationError(f"Postcraft cannot start:\n- PLATFORM_LIMITS: {exc}") from None
        return cls(registry=registry)
