"""Settings: nothing configured is the embedded default; a misconfiguration says what to set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storage.settings import ConfigurationError, Settings, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_no_configuration_is_the_embedded_default() -> None:
    settings = load_settings()
    assert settings.embedded
    assert settings.sqlalchemy_url.startswith("sqlite:///")
    assert settings.sqlalchemy_url.endswith("var/postcraft.db")
    assert settings.celery_broker_url == "filesystem://"
    assert not settings.llm_configured


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LLM_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "DATABASE_URL"):
        monkeypatch.setenv(name, "")
    settings = load_settings()
    assert settings.embedded
    assert not settings.llm_configured


def test_environment_switches_to_the_scaled_components(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/postcraft")
    monkeypatch.setenv("BROKER_URL", "redis://redis:6379/0")
    monkeypatch.setenv("CHROMA_URL", "http://chroma:8000")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("LLM_MODEL", "llama3.1:8b")
    settings = load_settings()
    assert not settings.embedded
    assert settings.sqlalchemy_url == "postgresql+psycopg://u:p@db:5432/postcraft"
    assert settings.celery_broker_url == "redis://redis:6379/0"
    assert settings.llm_configured


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"OPENAI_BASE_URL": "http://localhost:8000/v1"}, "LLM_MODEL"),
        ({"LLM_MODEL": "gpt-4o-mini"}, "OPENAI_API_KEY"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"BROKER_URL": "kafka://x"}, "BROKER_URL"),
        ({"CHROMA_URL": "chroma:8000"}, "CHROMA_URL"),
        ({"POSTCRAFT_PORT": "eighty"}, "PORT"),
        ({"POSTCRAFT_JOB_SOFT_TIME_LIMIT_S": "400"}, "SOFT_TIME_LIMIT"),
    ],
)
def test_misconfiguration_fails_with_what_to_set(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], says: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=says):
        load_settings()


def test_the_cli_refuses_to_start_misconfigured(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1")
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 2
    assert "LLM_MODEL" in result.output


def test_readme_documents_every_setting() -> None:
    text = README.read_text()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        documented = name.upper() if alias else f"POSTCRAFT_{name.upper()}"
        assert re.search(rf"`{documented}`", text), f"README does not document {documented}"
