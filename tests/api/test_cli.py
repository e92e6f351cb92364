"""The `postcraft` CLI: workspaces, brands from folders, keys, file ingestion."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.conftest import DEMO

CSV = "text,platform,likes,views\nЗимний бленд уже в кофейне: пряности и какао.,vk,40,900\n"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner on an embedded default under tmp_path."""
    monkeypatch.setenv("POSTCRAFT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("POSTCRAFT_LOG_LEVEL", "WARNING")
    return CliRunner()


def _ok(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_a_brand_from_a_folder_then_more_files(cli: CliRunner, tmp_path: Path) -> None:
    _ok(cli, "workspaces", "create", "Agency")
    first = _ok(cli, "brands", "import", str(DEMO / "zerno"))
    assert "4 files, 33 new documents" in first
    again = _ok(cli, "brands", "import", str(DEMO / "zerno"))
    assert "0 new documents" in again, "importing a folder again adds nothing"

    posts = tmp_path / "winter.csv"
    posts.write_text(CSV)
    assert "1 items, 1 new" in _ok(cli, "ingest", str(posts), "--brand", "zerno", "--kind", "post")
    assert "already ingested" in _ok(
        cli, "ingest", str(posts), "--brand", "zerno", "--kind", "post"
    )
    key = _ok(cli, "keys", "create", "anna@agency.test", "--brand", "zerno")
    assert key.startswith("pc_")


def test_a_broken_file_is_refused_with_its_line(cli: CliRunner, tmp_path: Path) -> None:
    _ok(cli, "workspaces", "create", "Agency")
    _ok(cli, "brands", "create", "Acme", "acme", "--language", "en", "--platform", "x")
    broken = tmp_path / "posts.csv"
    broken.write_text("text,likes\nHello,many\n")
    result = cli.invoke(
        app, ["ingest", str(broken), "--brand", "acme", "--kind", "post", "--platform", "x"]
    )
    assert result.exit_code == 1
    assert "line 2" in result.output
    unknown = cli.invoke(app, ["ingest", str(broken), "--brand", "nope", "--kind", "post"])
    assert unknown.exit_code == 1
    assert "brand_not_found" in unknown.output


def test_several_api_processes_need_postgresql(cli: CliRunner) -> None:
    # The embedded default (SQLite, a worker of its own) runs one API process; asking for more
    # says what to set instead of starting half a topology.
    result = cli.invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "DATABASE_URL" in result.output
    assert "--no-worker" in result.output
